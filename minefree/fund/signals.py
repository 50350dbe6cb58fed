"""Events the fund announces (``core.hooks``)."""

#: payload: ``report_id`` (a submitted ``VisitReport``)
VISIT_REPORTED = "fund.visit_reported"
