"""Extension requests over the API: the list, one request with its tables, and its analysis.

Submitted versions, questions, decisions and published analyses are public; a draft is
its state's people's and ISU staff's (the same selectors as the pages). The writes
(``POST /api/extension-requests`` ...) are in ``clearance.api_writes``, on this router:
Django sends a path to one router's view, and the writes share paths with these reads.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router

from minefree.clearance import selectors, services
from minefree.clearance.analysis import Analysis, PeriodComparison, PromiseCheck
from minefree.clearance.models import ExtensionRequest, RequestStatus, RequestVersion
from minefree.clearance.schemas import (
    AnalysisPeriodRowOut,
    AnalysisPeriodTotalsOut,
    AnalysisPromiseCheckOut,
    AnalysisTextOut,
    DecisionRequirementOut,
    ExtensionAnalysisOut,
    ExtensionAnalysisQuery,
    ExtensionDecisionOut,
    ExtensionRequestDetailOut,
    ExtensionRequestListOut,
    ExtensionRequestQuery,
    ExtensionRequestSummaryOut,
    RequestBudgetOut,
    RequestCapacityOut,
    RequestMilestoneOut,
    RequestProgressOut,
    RequestQuestionOut,
    RequestRemainingOut,
    RequestVersionOut,
    RequestVersionSummaryOut,
)
from minefree.core.api import with_version
from minefree.core.permissions import can
from minefree.core.schemas import from_record

router = Router(tags=["clearance"])
ORIGIN = "`origin` `synthetic` (or `synthetic: true` in an analysis) marks invented demo data."


def _summary(request: ExtensionRequest, shown: RequestVersion | None) -> dict[str, Any]:
    decision = selectors.decision_of(request)
    return {
        "id": request.pk,
        "state": request.state.code,
        "state_name": request.state.name_en,
        "status": request.status,
        "origin": request.origin,
        "version": shown.number if shown else None,
        "submitted_on": shown.submitted_on if shown else None,
        "requested_deadline": shown.requested_deadline if shown else None,
        "current_deadline": request.obligation.current_deadline if request.obligation else None,
        "outcome": decision.outcome if decision else None,
    }


@router.get(
    "/extension-requests",
    response=ExtensionRequestListOut,
    summary="Article 5 extension requests you may see",
    description="Every submitted request, and the drafts of your states (ISU staff: all). "
    + ORIGIN,
)
def list_requests(
    request: HttpRequest, query: Query[ExtensionRequestQuery]
) -> ExtensionRequestListOut:
    if query.status and query.status not in RequestStatus.values:
        raise ValidationError(
            {"status": [f"One of: {', '.join(RequestStatus.values)}."]},
        )
    qs = selectors.requests_for(
        request.user, state=query.state, status=query.status, year=query.year
    )
    count = qs.count()
    page = list(qs[query.offset : query.offset + query.limit])
    shown = selectors.shown_versions(request.user, page)
    return ExtensionRequestListOut(
        count=count,
        limit=query.limit,
        offset=query.offset,
        items=[ExtensionRequestSummaryOut(**_summary(r, shown.get(r.pk))) for r in page],
    )


def _version(version: RequestVersion) -> RequestVersionOut:
    return RequestVersionOut(
        **RequestVersionSummaryOut.model_validate(version).model_dump(),
        requested_deadline=version.requested_deadline,
        language=version.language,
        narratives=version.narratives or {},
        remaining=[RequestRemainingOut.model_validate(r) for r in version.remaining.all()],
        previous_period=[RequestProgressOut.model_validate(p) for p in version.progress.all()],
        milestones=[RequestMilestoneOut.model_validate(m) for m in version.milestones.all()],
        budget=[RequestBudgetOut.model_validate(b) for b in version.budget.all()],
        capacity=[RequestCapacityOut.model_validate(c) for c in version.capacity.all()],
    )


@router.get(
    "/extension-requests/{int:request_id}",
    response=ExtensionRequestDetailOut,
    summary="One extension request: its current version's tables, versions, questions, "
    "decision and analyses",
    description="The `ETag` is the version of the version shown (`current`): send it as "
    "`If-Match` to change a draft. " + ORIGIN,
)
def get_request(
    request: HttpRequest, response: HttpResponse, request_id: int
) -> ExtensionRequestDetailOut:
    record = selectors.get_request_for(request.user, request_id)
    versions = selectors.versions_for(request.user, record)
    shown = selectors.shown_versions(request.user, [record]).get(record.pk)
    current = selectors.version_with_tables(shown.pk) if shown else None
    numbers = {v.pk: v.number for v in versions}
    decision = selectors.decision_of(record)
    if current is not None:
        with_version(response, services.version_version(current))
    return ExtensionRequestDetailOut(
        **_summary(record, shown),
        current=_version(current) if current else None,
        versions=[RequestVersionSummaryOut.model_validate(v) for v in versions],
        questions=[
            RequestQuestionOut(
                id=q.pk,
                version=numbers.get(q.version_id, 0),
                text=q.text,
                asked_at=q.asked_at,
                answer=q.answer,
                answered_at=q.answered_at,
            )
            for q in selectors.questions_of(record)
        ],
        decision=ExtensionDecisionOut(
            outcome=decision.outcome,
            decided_on=decision.decided_on,
            new_deadline=decision.new_deadline,
            meeting=decision.meeting.code if decision.meeting else None,
            notes=decision.notes,
            requirements=[
                DecisionRequirementOut.model_validate(r) for r in decision.requirements.all()
            ],
        )
        if decision
        else None,
        analyses=[
            from_record(AnalysisTextOut, a, sections=a.sections or {})
            for a in selectors.analyses_for(request.user, record)
        ],
    )


def _rows(period: PeriodComparison) -> list[AnalysisPeriodRowOut]:
    return [
        AnalysisPeriodRowOut.model_validate(row).model_copy(
            update={
                "differences": [
                    {
                        "code": d.code,
                        "label": d.label,
                        "first_m2": d.first_m2,
                        "second_m2": d.second_m2,
                        "gap_m2": d.gap_m2,
                    }
                    for d in row.differences
                ]
            }
        )
        for row in period.rows
    ]


def _totals(period: PeriodComparison) -> AnalysisPeriodTotalsOut:
    return AnalysisPeriodTotalsOut.model_validate(
        {
            "stated": period.stated,
            "stated_against_promise": period.stated_against_promise,
            "article7_against_plan": period.article7_against_plan,
            "promise_request_id": period.promise_request_id,
            "behind_years": period.behind_years,
            "sources": period.sources,
        }
    )


def _check(check: PromiseCheck) -> AnalysisPromiseCheckOut:
    return AnalysisPromiseCheckOut(
        request_id=check.request_id,
        version_number=check.version_number,
        submitted_on=check.submitted_on,
        outcome=check.outcome,
        next_request_id=check.next_request_id,
        rows=_rows(check.comparison),
        totals=_totals(check.comparison),
    )


def analysis_out(analysis: Analysis) -> ExtensionAnalysisOut:
    """The analysis as the API gives it (``previous_period`` as its rows)."""
    return ExtensionAnalysisOut.model_validate(
        {
            **{
                name: getattr(analysis, name)
                for name in (
                    "request_id",
                    "state",
                    "state_name",
                    "version_number",
                    "draft",
                    "synthetic",
                    "synthetic_parts",
                    "left_out_synthetic_reports",
                    "submitted_on",
                    "requested_deadline",
                    "current_deadline",
                    "projection",
                    "money",
                    "context",
                    "flags",
                    "sources",
                )
            },
            "previous_period": _rows(analysis.previous_period),
            "previous_period_totals": _totals(analysis.previous_period),
            "past_requests": [_check(c) for c in analysis.past_requests],
        }
    )


@router.get(
    "/extension-requests/{request_id}/analysis",
    response=ExtensionAnalysisOut,
    summary="The analysis of a request: promise against result, projection, money, "
    "cooperation context and flags, each figure with its sources",
    description="Of the request's current version (the latest submitted; before the first "
    "submission, the draft for its state's people and ISU staff), with the reports, flows, "
    "needs and cooperation records you may see. Unknown figures are null, never guessed. " + ORIGIN,
)
def get_analysis(
    request: HttpRequest,
    response: HttpResponse,
    request_id: int,
    query: Query[ExtensionAnalysisQuery],
) -> ExtensionAnalysisOut:
    """For committee members and ISU staff, the ``ETag`` is the version of the analysis
    text (``""`` before there is one), to send as ``If-Match`` with ``PUT …/analysis``."""
    record = selectors.get_request_for(request.user, request_id)
    if can(request.user, "extension_request.analyse", record):
        with_version(response, services.analysis_version(services.latest_analysis(record)))
    analysis = selectors.analyse(record, request.user, extra_usd=Decimal(query.extra_usd))
    if analysis is None:
        raise Http404("This request has no version to analyse that is shared with you.")
    return analysis_out(analysis)
