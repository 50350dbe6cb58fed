"""Signals other apps listen to; the registry may not import them (apps import only lower apps)."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent at the end of ``reference_load``, inside its transaction, with ``actor``,
#: ``directory`` (the folder of reference CSV files) and ``summary`` (the LoadSummary to add
#: counts to). Cooperation loads the Landmine Monitor support figures from it.
reference_loaded = Signal()
