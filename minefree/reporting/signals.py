"""Signals other apps listen to; reporting may not import them (apps import only lower apps)."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent inside the transaction when report versions become official, by submission or by a
#: historic import, with ``actor`` and ``version_ids`` (a list of ReportVersion ids).
#: Cooperation turns their Form J assistance rows into funding flows.
report_versions_submitted = Signal()
