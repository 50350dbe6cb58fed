"""Money from pledge to payment: flows and their tranches and chains (``flows``), the
totals and coverage read from them (``totals``), currencies, the IATI and CSV exports, the
Landmine Monitor figures (``support``) and Form J."""
