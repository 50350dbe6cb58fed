"""Article 5 extension requests written over the API, with the services and rules of
their pages: a national mine action centre pushes its request as one JSON document (or
its filled XLSX template), the state submits and revises it and answers the committees'
written questions; committee members and ISU staff ask them and write the analysis; ISU
staff record the Meeting's decision and what its requests became.

What a writer changes from something read is versioned: a draft's content (``ETag`` of
``GET …/draft``, ``services.version_version``) and the analysis text (``ETag`` of the
analysis, ``services.analysis_version``; ``""`` before there is one). Steps of the
process answer 409 ``already_done`` when taken twice; values are refused with 422 naming
each field as the document names it (``milestones.3.area_m2``). Lookups go through the
clearance selectors: a draft the caller may not see is a 404, one they see but may not
change a 403.

The endpoints join ``clearance.api.router``; ``api/api.py`` imports this module.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, File, Form, Schema, UploadedFile
from ninja.responses import Status

from minefree.accounts.tokens import WRITE_AUTH
from minefree.clearance import selectors, services
from minefree.clearance.api import router
from minefree.clearance.content import RequestContent, read_content
from minefree.clearance.exchange import IMPORT_MAX_BYTES, open_draft, request_create, request_import
from minefree.clearance.models import (
    ANALYSIS_SECTION_CODES,
    SECTION_CODES,
    AnalysisVersion,
    Decision,
    DecisionRequirement,
    ExtensionRequest,
    FundingSource,
    Hazard,
    Language,
    Method,
    Outcome,
    Question,
    RequestVersion,
    VersionStatus,
)
from minefree.core.api import VERSIONED_WRITE_ERRORS, WRITE_ERRORS, created, if_match, with_version
from minefree.core.schemas import ErrorOut
from minefree.core.upload_limits import upload_limit
from minefree.core.views import or_404
from minefree.registry.models import Actor, Meeting
from minefree.registry.selectors import get_state, meetings_list

PERSONAL = "Writes need a personal API token (Authorization: Bearer) or a session and CSRF."
BASE = "/extension-requests"


def _one_of(values: list[str]) -> str:
    return "One of: " + ", ".join(values)


# --- the request as one document -------------------------------------------------------------


class DocumentRemainingRow(Schema):
    """Remaining contamination at submission, by region and hazard class."""

    region: str
    hazard: str = Field(description=_one_of(Hazard.values))
    areas: int | None = Field(None, description="Number of areas")
    area_m2: Decimal


class DocumentProgressRow(Schema):
    """Progress in the previous period as the state reports it."""

    year: int
    planned_m2: Decimal | None = None
    achieved_m2: Decimal | None = None
    method: str = Field("", description=_one_of(Method.values) + "; blank: all methods")
    mine_type: str = ""


class DocumentMilestoneRow(Schema):
    """The workplan: land to release per year and method."""

    year: int
    method: str = Field(description=_one_of(Method.values))
    area_m2: Decimal
    areas: int | None = None


class DocumentBudgetRow(Schema):
    """The money the workplan needs, per year and source."""

    year: int
    source: str = Field(description=_one_of(FundingSource.values))
    amount: Decimal
    currency: str = Field(description="ISO 4217 code, e.g. USD")


class DocumentCapacityRow(Schema):
    """The means planned per year."""

    year: int
    teams: int | None = None
    deminers: int | None = None
    dogs: int | None = None
    machines: int | None = None


class ExtensionDocumentIn(Schema):
    """The whole content of a request's draft: what is left out is empty."""

    submitted_on: dt.date = Field(description="The date on the state's request")
    requested_deadline: dt.date = Field(description="The deadline requested (Art. 5.4(a))")
    language: str = Field(Language.EN, description=_one_of(Language.values))
    narratives: dict[str, str] = Field(
        default_factory=dict, description="Text by section code: " + ", ".join(SECTION_CODES)
    )
    remaining: list[DocumentRemainingRow] = Field(default_factory=list)
    previous_period: list[DocumentProgressRow] = Field(default_factory=list)
    milestones: list[DocumentMilestoneRow] = Field(default_factory=list)
    budget: list[DocumentBudgetRow] = Field(default_factory=list)
    capacity: list[DocumentCapacityRow] = Field(default_factory=list)


class ExtensionRequestIn(ExtensionDocumentIn):
    """A new request: the state's code and the content of its first draft."""

    state: str = Field(description="ISO 3166 alpha-3 code of the requesting state")


class DocumentBudgetRowOut(DocumentBudgetRow):
    amount_usd: Decimal | None = Field(
        description="At the year's average ECB rate; null where no rate is known"
    )


class ExtensionDraftOut(Schema):
    """A version of a request with its content; ``version`` is its ``ETag``."""

    request: int
    state: str
    request_status: str
    origin: str
    number: int
    status: str
    reason: str
    submitted_on: dt.date | None
    requested_deadline: dt.date | None
    language: str
    narratives: dict[str, str]
    remaining: list[DocumentRemainingRow]
    previous_period: list[DocumentProgressRow]
    milestones: list[DocumentMilestoneRow]
    budget: list[DocumentBudgetRowOut]
    capacity: list[DocumentCapacityRow]
    version: str


def _draft_out(response: HttpResponse, version: RequestVersion) -> ExtensionDraftOut:
    request = version.request
    out = ExtensionDraftOut(
        request=request.pk,
        state=request.state.iso3 or "",
        request_status=request.status,
        origin=request.origin,
        number=version.number,
        status=version.status,
        reason=version.reason,
        submitted_on=version.submitted_on,
        requested_deadline=version.requested_deadline,
        language=version.language,
        narratives=dict(version.narratives),
        remaining=[
            DocumentRemainingRow(region=r.region, hazard=r.hazard, areas=r.areas, area_m2=r.area_m2)
            for r in version.remaining.all()
        ],
        previous_period=[
            DocumentProgressRow(
                year=p.year,
                method=p.method,
                mine_type=p.mine_type,
                planned_m2=p.planned_m2,
                achieved_m2=p.achieved_m2,
            )
            for p in version.progress.all()
        ],
        milestones=[
            DocumentMilestoneRow(year=m.year, method=m.method, areas=m.areas, area_m2=m.area_m2)
            for m in version.milestones.all()
        ],
        budget=[
            DocumentBudgetRowOut(
                year=b.year,
                source=b.source,
                amount=b.amount,
                currency=b.currency,
                amount_usd=b.amount_usd,
            )
            for b in version.budget.all()
        ],
        capacity=[
            DocumentCapacityRow(
                year=c.year, teams=c.teams, deminers=c.deminers, dogs=c.dogs, machines=c.machines
            )
            for c in version.capacity.all()
        ],
        version=services.version_version(version),
    )
    with_version(response, out.version)
    return out


def _content(payload: ExtensionDocumentIn) -> RequestContent:
    """The document as ``content.read_content`` reads it (the checks of every way in)."""
    return read_content(payload.model_dump(exclude={"state"}))


def _draft_of(request: HttpRequest, request_id: int) -> RequestVersion:
    """The draft open of a request the caller may see (404 when there is none to them)."""
    found = selectors.get_request_for(request.user, request_id)
    draft = next(
        (v for v in selectors.versions_for(request.user, found) if v.status == VersionStatus.DRAFT),
        None,
    )
    if draft is None:
        raise Http404("This request has no draft open (a revision opens one).")
    draft.request = found
    return draft


@router.post(
    BASE,
    response={201: ExtensionDraftOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="File a request as one document: opens the state's new request and fills its "
    "draft (the state's focal point and delegates)",
    description="409 `already_done` when the state's request already has a draft open: "
    "change it with `PUT …/draft`. 422 names each refused value by its place in the "
    "document (`milestones.3.area_m2`). " + PERSONAL,
)
def request_file(
    request: HttpRequest, response: HttpResponse, payload: ExtensionRequestIn
) -> Status[ExtensionDraftOut]:
    state: Actor = or_404(get_state(payload.state), "No state with this code.")
    version = request_create(actor=request.user, state=state, content=_content(payload))
    out = _draft_out(response, version)
    return created(response, f"/api{BASE}/{version.request_id}", out)


@router.get(
    BASE + "/{request_id}/draft",
    response={200: ExtensionDraftOut, 404: ErrorOut},
    summary="The draft open of a request, with its version as ETag (the state's people, ISU staff)",
)
def draft_read(request: HttpRequest, response: HttpResponse, request_id: int) -> ExtensionDraftOut:
    return _draft_out(response, _draft_of(request, request_id))


@router.put(
    BASE + "/{request_id}/draft",
    response={200: ExtensionDraftOut, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Replace the content of a request's draft (If-Match: the draft's ETag)",
    description="The whole document: a table left out is emptied. " + PERSONAL,
)
def draft_replace(
    request: HttpRequest, response: HttpResponse, request_id: int, payload: ExtensionDocumentIn
) -> ExtensionDraftOut:
    draft = _draft_of(request, request_id)
    version = if_match(request)
    filled = services.version_fill(
        actor=request.user, version=draft, content=_content(payload), expected_version=version
    )
    return _draft_out(response, filled)


# --- the state's steps -----------------------------------------------------------------------


class ExtensionRequestStepOut(Schema):
    """A request after a step of its process."""

    id: int
    state: str
    status: str
    origin: str
    current_version: int | None = Field(description="The latest submitted version's number")
    submitted_at: dt.datetime | None = Field(description="When that version was submitted")


def _step_out(found: ExtensionRequest) -> ExtensionRequestStepOut:
    found.refresh_from_db(fields=["status"])
    current = services.current_version(found)
    return ExtensionRequestStepOut(
        id=found.pk,
        state=found.state.iso3 or "",
        status=found.status,
        origin=found.origin,
        current_version=current.number if current else None,
        submitted_at=current.submitted_at if current else None,
    )


@router.post(
    BASE + "/{request_id}/submit",
    response={200: ExtensionRequestStepOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Submit the request's draft: it becomes public and never changes (the state's "
    "focal point and delegates)",
    description="409 `already_done` when there is no draft left to submit; 422 lists what "
    "Article 5.4 still requires, by field. " + PERSONAL,
)
def request_submit(request: HttpRequest, request_id: int) -> ExtensionRequestStepOut:
    found = selectors.get_request_for(request.user, request_id)
    versions = selectors.versions_for(request.user, found)
    draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)
    version = draft or (versions[-1] if versions else None)
    if version is None:
        raise Http404("This request has no version you may read.")
    version.request = found
    services.request_submit(actor=request.user, version=version)
    return _step_out(found)


class ExtensionRevisionIn(Schema):
    reason: str = Field(description="Why the request is revised (e.g. the committees' questions)")


@router.post(
    BASE + "/{request_id}/revisions",
    response={201: ExtensionDraftOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Open a revision of a submitted request: a new draft, filled from the latest "
    "version (the state's focal point and delegates)",
    description="409 `already_done` when a revision is already open. " + PERSONAL,
)
def revision_open(
    request: HttpRequest, response: HttpResponse, request_id: int, payload: ExtensionRevisionIn
) -> Status[ExtensionDraftOut]:
    found = selectors.get_request_for(request.user, request_id)
    version = services.revision_open(actor=request.user, request=found, reason=payload.reason)
    out = _draft_out(response, version)
    return created(response, f"/api{BASE}/{found.pk}/draft", out)


# --- questions and answers -------------------------------------------------------------------


class ExtensionQuestionIn(Schema):
    text: str


class ExtensionAnswerIn(Schema):
    answer: str


class ExtensionQuestionOut(Schema):
    id: int
    request: int
    version: int = Field(description="The number of the version the question was asked on")
    text: str
    asked_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None


def _question_out(question: Question) -> ExtensionQuestionOut:
    return ExtensionQuestionOut(
        id=question.pk,
        request=question.request_id,
        version=question.version.number,
        text=question.text,
        asked_at=question.asked_at,
        answer=question.answer,
        answered_at=question.answered_at,
    )


def _question_of(request: HttpRequest, request_id: int, question_id: int) -> Question:
    found = selectors.get_request_for(request.user, request_id)
    question = found.questions.select_related("version", "request__state").filter(pk=question_id)
    return or_404(question.first(), "No such question on this request.")


@router.post(
    BASE + "/{request_id}/questions",
    response={201: ExtensionQuestionOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Ask the state a written question on its submitted request; the first one "
    "starts the analysis (committee members, ISU staff)",
    description=PERSONAL,
)
def question_ask(
    request: HttpRequest, response: HttpResponse, request_id: int, payload: ExtensionQuestionIn
) -> Status[ExtensionQuestionOut]:
    found = selectors.get_request_for(request.user, request_id)
    question = services.question_ask(actor=request.user, request=found, text=payload.text)
    return created(
        response, f"/api{BASE}/{found.pk}/questions/{question.pk}", _question_out(question)
    )


@router.get(
    BASE + "/{request_id}/questions/{question_id}",
    response={200: ExtensionQuestionOut, 404: ErrorOut},
    summary="A written question on a request and the state's answer",
)
def question_read(request: HttpRequest, request_id: int, question_id: int) -> ExtensionQuestionOut:
    return _question_out(_question_of(request, request_id, question_id))


@router.post(
    BASE + "/{request_id}/questions/{question_id}/answer",
    response={200: ExtensionQuestionOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Answer a question (the state's focal point and delegates)",
    description="409 `already_done` when it was answered already. " + PERSONAL,
)
def question_answer(
    request: HttpRequest, request_id: int, question_id: int, payload: ExtensionAnswerIn
) -> ExtensionQuestionOut:
    question = _question_of(request, request_id, question_id)
    answered = services.question_answer(
        actor=request.user, question=question, answer=payload.answer
    )
    return _question_out(answered)


# --- the analysis ----------------------------------------------------------------------------


class ExtensionAnalysisTextIn(Schema):
    sections: dict[str, str] = Field(
        description="Text by section code: " + ", ".join(ANALYSIS_SECTION_CODES)
    )


class ExtensionAnalysisTextOut(Schema):
    """A version of the committees' analysis text; ``version`` is its ``ETag``."""

    request: int
    number: int
    status: str
    sections: dict[str, str]
    published_at: dt.datetime | None
    version: str


def _analysis_out(response: HttpResponse, analysis: AnalysisVersion) -> ExtensionAnalysisTextOut:
    analysis.refresh_from_db()
    out = ExtensionAnalysisTextOut(
        request=analysis.request_id,
        number=analysis.number,
        status=analysis.status,
        sections=dict(analysis.sections),
        published_at=analysis.published_at,
        version=services.analysis_version(analysis),
    )
    with_version(response, out.version)
    return out


@router.put(
    BASE + "/{request_id}/analysis",
    response={200: ExtensionAnalysisTextOut, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Save the analysis text: into the draft, or a new draft after a published "
    'version (committee members, ISU staff; If-Match: the analysis\' ETag, "" before the '
    "first)",
    description=PERSONAL,
)
def analysis_save(
    request: HttpRequest, response: HttpResponse, request_id: int, payload: ExtensionAnalysisTextIn
) -> ExtensionAnalysisTextOut:
    found = selectors.get_request_for(request.user, request_id)
    version = if_match(request)
    analysis = services.analysis_save(
        actor=request.user, request=found, sections=payload.sections, expected_version=version
    )
    return _analysis_out(response, analysis)


@router.post(
    BASE + "/{request_id}/analysis/publish",
    response={200: ExtensionAnalysisTextOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Publish the draft analysis: it becomes public and is kept as it is (committee "
    "members, ISU staff)",
    description="409 `already_done` when the latest version is published already. " + PERSONAL,
)
def analysis_publish(
    request: HttpRequest, response: HttpResponse, request_id: int
) -> ExtensionAnalysisTextOut:
    found = selectors.get_request_for(request.user, request_id)
    analysis = services.analysis_publish(actor=request.user, request=found)
    return _analysis_out(response, analysis)


# --- the decision ----------------------------------------------------------------------------


class ExtensionRequirementIn(Schema):
    text: str = Field(description="What the decision asks of the state")
    due_on: dt.date | None = None


class ExtensionDecisionIn(Schema):
    outcome: str = Field(description=_one_of(Outcome.values))
    decided_on: dt.date
    new_deadline: dt.date | None = Field(
        None, description="Required when granted; ignored otherwise"
    )
    meeting: str = Field("", description="Code of the Meeting of the States Parties, e.g. 21MSP")
    requirements: list[ExtensionRequirementIn] = Field(default_factory=list)
    notes: str = ""


class ExtensionRequirementMetIn(Schema):
    met_on: dt.date
    note: str = ""


class ExtensionRequirementOut(Schema):
    id: int
    text: str
    due_on: dt.date | None
    met_on: dt.date | None
    met_note: str


class ExtensionDecisionRecordedOut(Schema):
    request: int
    outcome: str
    decided_on: dt.date
    meeting: str | None
    new_deadline: dt.date | None
    notes: str
    requirements: list[ExtensionRequirementOut]


def _requirement_out(requirement: DecisionRequirement) -> ExtensionRequirementOut:
    return ExtensionRequirementOut(
        id=requirement.pk,
        text=requirement.text,
        due_on=requirement.due_on,
        met_on=requirement.met_on,
        met_note=requirement.met_note,
    )


def _decision_out(decision: Decision) -> ExtensionDecisionRecordedOut:
    return ExtensionDecisionRecordedOut(
        request=decision.request_id,
        outcome=decision.outcome,
        decided_on=decision.decided_on,
        meeting=decision.meeting.code if decision.meeting else None,
        new_deadline=decision.new_deadline,
        notes=decision.notes,
        requirements=[_requirement_out(r) for r in decision.requirements.all()],
    )


def _meeting(code: str) -> Meeting | None:
    """The Meeting that decided, by its code; an unknown code is refused under ``meeting``."""
    if not code.strip():
        return None
    meeting = meetings_list().filter(code__iexact=code.strip()).first()
    if meeting is None:
        raise ValidationError({"meeting": [f"No meeting with the code {code}."]})
    return meeting


@router.post(
    BASE + "/{request_id}/decision",
    response={201: ExtensionDecisionRecordedOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Record the Meeting's decision on the request (ISU staff); a granted extension "
    "becomes the obligation's new deadline",
    description="409 `already_done` when the request was decided already. " + PERSONAL,
)
def decision_record(
    request: HttpRequest, response: HttpResponse, request_id: int, payload: ExtensionDecisionIn
) -> Status[ExtensionDecisionRecordedOut]:
    found = selectors.get_request_for(request.user, request_id)
    decision = services.decision_record(
        actor=request.user,
        request=found,
        outcome=payload.outcome,
        decided_on=payload.decided_on,
        meeting=_meeting(payload.meeting),
        new_deadline=payload.new_deadline,
        requirements=[(r.text, r.due_on) for r in payload.requirements],
        notes=payload.notes,
    )
    return created(response, f"/api{BASE}/{found.pk}", _decision_out(decision))


@router.post(
    BASE + "/{request_id}/requirements/{requirement_id}/met",
    response={200: ExtensionRequirementOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Record that the state did what the decision asked (committee members, ISU staff)",
    description="409 `already_done` when it was recorded as met already. " + PERSONAL,
)
def requirement_met(
    request: HttpRequest, request_id: int, requirement_id: int, payload: ExtensionRequirementMetIn
) -> ExtensionRequirementOut:
    found = selectors.get_request_for(request.user, request_id)
    decision: Decision | None = getattr(found, "decision", None)  # none yet: no requirement
    requirement = or_404(
        decision.requirements.filter(pk=requirement_id).first() if decision else None,
        "No such requirement of this request's decision.",
    )
    met = services.requirement_met(
        actor=request.user, requirement=requirement, met_on=payload.met_on, note=payload.note
    )
    return _requirement_out(met)


# --- the XLSX template -----------------------------------------------------------------------


@router.post(
    BASE + "/imports",
    response={200: ExtensionDraftOut, 201: ExtensionDraftOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Import a filled MINEFREE-A5X-1 workbook into the state's draft (the state's "
    "focal point and delegates)",
    description="Multipart: `state` (ISO 3166 alpha-3) and `file` (XLSX, at most "
    f"{IMPORT_MAX_BYTES // (1024 * 1024)} MB). The workbook replaces the draft's content, all "
    "or nothing: 201 when it opened the state's new request, 200 when it filled the draft "
    "open. 422 lists every problem under `file`, each by sheet, row and column. " + PERSONAL,
)
@upload_limit(IMPORT_MAX_BYTES)
def request_workbook_import(
    request: HttpRequest, response: HttpResponse, state: Form[str], file: File[UploadedFile]
) -> Status[ExtensionDraftOut]:
    country: Actor = or_404(get_state(state), "No state with this code.")
    existing = open_draft(country)
    version = request_import(
        actor=request.user,
        state=country,
        data=file.read(IMPORT_MAX_BYTES + 1),  # one byte more is refused as too large
        name=file.name or "request.xlsx",
    )
    out = _draft_out(response, version)
    location = f"/api{BASE}/{version.request_id}"
    if existing is None:
        return created(response, location, out)
    response["Location"] = location
    return Status(200, out)
