"""Events other apps follow through ``core.hooks``; reporting may not import them (layering)."""

from __future__ import annotations

#: Emitted when report versions become official, by submission or by a historic import,
#: with ``version_ids`` (a list of ReportVersion ids). Cooperation turns their Form J
#: assistance rows into funding flows, after the submission has committed.
REPORT_VERSIONS_SUBMITTED = "report.versions_submitted"
