"""The indicators and the committee's documents written over the API: one endpoint per
service of ``indicators.services``, under the same rules as the pages.

Members of the Committee on the Enhancement of Cooperation and Assistance and ISU staff
open a document's draft (drafted from the year's records, or copied from the last
published version), edit its sections, draft a section afresh and publish it; a draft's
text is versioned (``ETag`` of ``GET …/versions/{number}``, sent back as ``If-Match``:
428 without it, 412 when someone changed it since). A published version never changes
(422); publishing it again is a 409. ISU staff correct the wording of the plans' actions
and indicators, naming the source of an official text.

The endpoints join ``indicators.api.router``; ``api/api.py`` imports this module.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja.responses import Status

from minefree.accounts.tokens import WRITE_AUTH
from minefree.core.api import VERSIONED_WRITE_ERRORS, WRITE_ERRORS, created, if_match
from minefree.core.views import or_404
from minefree.indicators import services
from minefree.indicators.api import (
    action_out,
    indicator_or_404,
    indicator_out,
    router,
    this_year,
    version_or_404,
    version_out,
)
from minefree.indicators.facts import FIRST_YEAR
from minefree.indicators.models import CommitteeDocument, DocumentStatus, PlanAction
from minefree.indicators.schemas import (
    DocumentEditIn,
    DocumentOpenIn,
    DocumentRedraftIn,
    DocumentVersionOut,
    IndicatorDetailOut,
    IndicatorWordingIn,
    PlanActionOut,
    PlanActionWordingIn,
)
from minefree.registry.models import Meeting
from minefree.registry.selectors import meetings_list

PERSONAL = "Writes need a personal API token (Authorization: Bearer) or a session and CSRF."
EDITORS = "Members of the committee and ISU staff."
BASE = "/api/indicators"
SOURCE_FIELDS = {"source_url", "source_title"}


def _language(request: HttpRequest) -> str:
    code = (getattr(request, "LANGUAGE_CODE", "") or "en")[:2]
    return code if code in ("en", "fr", "es") else "en"


def _meeting(code: str) -> Meeting:
    meeting = meetings_list().filter(code__iexact=code.strip()).first() if code.strip() else None
    if meeting is None:
        raise ValidationError({"meeting": [f"No meeting with the code {code}."]})
    return meeting


def _expected(request: HttpRequest, draft: bool) -> str | None:
    """A draft's change needs the version its writer read (428 without); a published
    version is refused by the service whatever is sent."""
    return if_match(request) if draft else None


@router.post(
    "/documents",
    response={200: DocumentVersionOut, 201: DocumentVersionOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Open the draft of a committee document for a meeting (committee members, ISU staff)",
    description="201 with a new version: drafted from the year's records, or copied from the "
    "last published version; 200 with the draft already open. " + PERSONAL,
)
def document_open(
    request: HttpRequest, response: HttpResponse, payload: DocumentOpenIn
) -> Status[DocumentVersionOut] | DocumentVersionOut:
    meeting = _meeting(payload.meeting)
    already = CommitteeDocument.objects.filter(
        kind=payload.kind, meeting=meeting, versions__status=DocumentStatus.DRAFT
    ).exists()
    record = services.document_open(
        actor=request.user, kind=payload.kind, meeting=meeting, year=payload.year
    )
    out = version_out(request, response, record, _language(request))
    if already:
        return out
    location = f"{BASE}/documents/{record.document_id}/versions/{record.number}"
    return created(response, location, out)


@router.patch(
    "/documents/{int:document_id}/versions/{int:number}",
    response={200: DocumentVersionOut, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Change sections of a draft (committee members, ISU staff; If-Match: the "
    "version's ETag)",
    description="Only the sections sent change. A published version never changes (422): "
    "open a new version. " + PERSONAL,
)
def document_edit(
    request: HttpRequest,
    response: HttpResponse,
    document_id: int,
    number: int,
    payload: DocumentEditIn,
) -> DocumentVersionOut:
    record = version_or_404(request, document_id, number)
    services.document_edit(
        actor=request.user,
        version=record,
        sections=payload.sections,
        change_note=payload.change_note,
        expected_version=_expected(request, record.is_draft),
    )
    return version_out(request, response, record, _language(request))


@router.post(
    "/documents/{int:document_id}/versions/{int:number}/redraft",
    response={200: DocumentVersionOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Draft one section of a draft afresh from the records (committee members, ISU staff)",
    description="The section's text is replaced. " + PERSONAL,
)
def document_redraft(
    request: HttpRequest,
    response: HttpResponse,
    document_id: int,
    number: int,
    payload: DocumentRedraftIn,
) -> DocumentVersionOut:
    record = version_or_404(request, document_id, number)
    services.document_redraft(actor=request.user, version=record, section=payload.section)
    return version_out(request, response, record, _language(request))


@router.post(
    "/documents/{int:document_id}/versions/{int:number}/publish",
    response={200: DocumentVersionOut, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Publish a draft (committee members, ISU staff; If-Match: the version's ETag)",
    description="Its text and, in English, French and Spanish, its figures, tables and "
    "source annex are frozen into it; it is public and never changes again (409 when "
    "published already). " + PERSONAL,
)
def document_publish(
    request: HttpRequest, response: HttpResponse, document_id: int, number: int
) -> DocumentVersionOut:
    record = version_or_404(request, document_id, number)
    services.document_publish(
        actor=request.user,
        version=record,
        expected_version=_expected(request, record.is_draft),
    )
    return version_out(request, response, record, _language(request))


def _values(payload: Any) -> dict[str, Any]:
    values: dict[str, Any] = payload.model_dump(
        exclude_unset=True, exclude_none=True, exclude=SOURCE_FIELDS
    )
    return values


@router.patch(
    "/plans/{plan}/actions/{int:number}",
    response={200: PlanActionOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Correct an action's wording (ISU staff)",
    description="Only the fields sent change; official wording needs its source "
    "(`source_url`, `source_title`). " + PERSONAL,
)
def action_correct(
    request: HttpRequest, plan: str, number: int, payload: PlanActionWordingIn
) -> PlanActionOut:
    action = or_404(
        PlanAction.objects.select_related("plan", "source")
        .filter(plan__code=plan, number=number)
        .first(),
        f"No action {number} in the plan {plan}.",
    )
    record = services.action_correct(
        actor=request.user,
        action=action,
        values=_values(payload),
        source_url=payload.source_url,
        source_title=payload.source_title,
    )
    return action_out(record, action.plan.code, record.indicators.select_related("source"))


@router.patch(
    "/{code}",
    response={200: IndicatorDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Correct an indicator's wording or notes (ISU staff)",
    description="Only the fields sent change; official wording needs its source "
    "(`source_url`, `source_title`). " + PERSONAL,
)
def indicator_correct(
    request: HttpRequest, code: str, payload: IndicatorWordingIn
) -> IndicatorDetailOut:
    item = indicator_or_404(code)
    services.indicator_correct(
        actor=request.user,
        indicator=item,
        values=_values(payload),
        source_url=payload.source_url,
        source_title=payload.source_title,
    )
    return indicator_out(indicator_or_404(code), FIRST_YEAR, this_year())
