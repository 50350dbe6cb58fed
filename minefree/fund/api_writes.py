"""The fund written over the API: one endpoint per service of ``fund.services``, under the
same rules as the pages.

ISU staff record contributions, open, publish and close calls, screen or return
applications, sign grants, pay tranches and close or release grants; the applicant state's
focal point and delegates draft, submit and report on an application (the host state's
people add the host's report); committee members score (ISU staff may record a member
state's scores for it, ``on_behalf_of``) and the chair, or ISU staff for the chair,
records the decision. A draft's content is versioned (``ETag`` of ``GET
/fund/applications/{id}``, sent back as ``If-Match``); the other steps move a record along
its workflow and answer ``409 already_done`` when taken twice. A grant the fund cannot
cover is refused with ``422`` saying what is available. An application the caller may not
see is a 404; one they see but may not change, a 403.

The endpoints join ``fund.api.router``; ``api/api.py`` imports this module.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Schema, UploadedFile
from ninja.responses import Status

from minefree.accounts.tokens import WRITE_AUTH
from minefree.core.api import VERSIONED_WRITE_ERRORS, WRITE_ERRORS, created, if_match
from minefree.core.upload_limits import upload_limit
from minefree.core.views import or_404
from minefree.fund import services
from minefree.fund.api import (
    FundApplicationDetailOut,
    FundCallOut,
    FundContributionOut,
    FundDisbursementOut,
    FundFollowUpOut,
    FundGrantOut,
    FundHostProfileOut,
    FundScoreOut,
    FundSupportLetterOut,
    FundVisitReportOut,
    application_or_404,
    application_out,
    call_or_404,
    call_out,
    contribution_out,
    disbursement_out,
    follow_up_out,
    grant_out,
    host_profile_out,
    letter_out,
    one_of,
    report_out,
    router,
    score_out,
)
from minefree.fund.models import (
    BudgetCategory,
    Contribution,
    Eligibility,
    FollowUpStatus,
    Grant,
    HostProfile,
    ReportRole,
    Theme,
)
from minefree.registry.models import Actor, Meeting
from minefree.registry.selectors import get_actor, meetings_list

PERSONAL = "Writes need a personal API token (Authorization: Bearer) or a session and CSRF."
BASE = "/api/fund"


def _actor(code: str, field: str) -> Actor:
    """A state, body or organisation by ISO code or slug; unknown is refused under ``field``."""
    actor = get_actor(code)
    if actor is None:
        raise ValidationError({field: [f"No state, body or organisation with the code {code}."]})
    return actor


def _meeting(code: str) -> Meeting | None:
    if not code.strip():
        return None
    meeting = meetings_list().filter(code__iexact=code.strip()).first()
    if meeting is None:
        raise ValidationError({"announced_at": [f"No meeting with the code {code}."]})
    return meeting


def _grant(application: Any) -> Grant:
    grant = Grant.objects.filter(application=application).first()
    if grant is None:
        raise ValidationError("This application has no grant yet.")
    return grant


# --- contributions ---------------------------------------------------------------------------


class FundContributionIn(Schema):
    donor: str = Field(description="ISO 3166 alpha-3 code or slug of the donor")
    amount: Decimal | None = Field(None, description="null: a pledge whose amount is unknown")
    currency: str = Field("", description="ISO 4217 code, e.g. EUR (with an amount)")
    pledged_on: dt.date | None = None
    received_on: dt.date | None = Field(None, description="Given: the money was received")
    earmark: str = ""
    announced_at: str = Field("", description="Code of the meeting it was announced at")
    source_url: str = Field("", description="Where the contribution is stated")
    notes: str = ""


@router.post(
    "/contributions",
    response={201: FundContributionOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Record a contribution, pledged or received (ISU staff)",
    description="A received contribution is booked into the ledger as available. " + PERSONAL,
)
def contribution_record(
    request: HttpRequest, response: HttpResponse, payload: FundContributionIn
) -> Status[FundContributionOut]:
    record = services.contribution_record(
        actor=request.user,
        donor=_actor(payload.donor, "donor"),
        announced_at=_meeting(payload.announced_at),
        **payload.model_dump(exclude={"donor", "announced_at"}),
    )
    return created(response, f"{BASE}/contributions/{record.pk}", contribution_out(record))


class FundReceiveIn(Schema):
    received_on: dt.date
    amount: Decimal | None = Field(None, description="Required when the pledge had none")
    currency: str = Field("", description="ISO 4217 code; blank: the pledge's")


@router.post(
    "/contributions/{int:contribution_id}/receive",
    response={200: FundContributionOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Record that a pledge was paid into the fund (ISU staff)",
    description="409 `already_done` when it was received already. " + PERSONAL,
)
def contribution_receive(
    request: HttpRequest, contribution_id: int, payload: FundReceiveIn
) -> FundContributionOut:
    contribution = or_404(
        Contribution.objects.filter(pk=contribution_id).first(), "No such contribution."
    )
    record = services.contribution_receive(
        actor=request.user, contribution=contribution, **payload.model_dump()
    )
    return contribution_out(record)


# --- calls -----------------------------------------------------------------------------------


class FundCriterionIn(Schema):
    code: str
    label: str
    max: int = Field(ge=1, le=100)


class FundCallIn(Schema):
    title: str
    description: str = ""
    opens_on: dt.date
    closes_on: dt.date
    budget: Decimal
    max_amount: Decimal = Field(description="The most one application may be granted")
    currency: str = Field(description="ISO 4217 code, e.g. EUR")
    eligibility: str = Field(
        Eligibility.NATIONAL_BODIES_AFFECTED, description=one_of(Eligibility.values)
    )
    themes: list[str] = Field(default_factory=list, description=one_of(Theme.values))
    languages: list[str] = Field(default_factory=lambda: ["en", "fr", "es"])
    criteria: list[FundCriterionIn] | None = Field(
        None, description="Scoring criteria; left out: the fund's five default criteria"
    )


@router.post(
    "/calls",
    response={201: FundCallOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Draft a call for applications (ISU staff)",
    description=PERSONAL,
)
def call_create(
    request: HttpRequest, response: HttpResponse, payload: FundCallIn
) -> Status[FundCallOut]:
    values = payload.model_dump(exclude={"criteria"})
    criteria = [c.model_dump() for c in payload.criteria] if payload.criteria is not None else None
    record = services.call_create(actor=request.user, criteria=criteria, **values)
    return created(response, f"{BASE}/calls/{record.pk}", call_out(record))


@router.post(
    "/calls/{int:call_id}/publish",
    response={200: FundCallOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Publish a draft call: national bodies may apply (ISU staff)",
    description="409 `already_done` when it is published already. " + PERSONAL,
)
def call_publish(request: HttpRequest, call_id: int) -> FundCallOut:
    record = services.call_publish(actor=request.user, call=call_or_404(request, call_id))
    return call_out(record)


@router.post(
    "/calls/{int:call_id}/close",
    response={200: FundCallOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Close a published call (ISU staff)",
    description="409 `already_done` when it is closed already. " + PERSONAL,
)
def call_close(request: HttpRequest, call_id: int) -> FundCallOut:
    record = services.call_close(actor=request.user, call=call_or_404(request, call_id))
    return call_out(record)


# --- host profiles ---------------------------------------------------------------------------


class FundHostProfileIn(Schema):
    capabilities: list[str] = Field(description=one_of(Theme.values))
    languages: list[str] = Field(default_factory=list, description="ISO 639-1 codes")
    notes: str = ""


@router.put(
    "/host-profiles/{body}",
    response={200: FundHostProfileOut, 201: FundHostProfileOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Say what a national body can show visitors (its state's focal point and "
    "delegates, ISU staff)",
    description="`body` is the national body's slug, e.g. `turkiye-turmac`. 201 when the "
    "profile is new, 200 when it replaced the one there was. " + PERSONAL,
)
def host_profile_set(
    request: HttpRequest, response: HttpResponse, body: str, payload: FundHostProfileIn
) -> Status[FundHostProfileOut]:
    actor = or_404(get_actor(body), "No such body.")
    existed = HostProfile.objects.filter(body=actor).exists()
    profile = services.host_profile_set(actor=request.user, body=actor, **payload.model_dump())
    out = host_profile_out(profile)
    location = f"{BASE}/host-profiles"
    if not existed:
        return created(response, location, out)
    return Status(200, out)


# --- applications ----------------------------------------------------------------------------


class FundDelegateIn(Schema):
    function: str
    gender: str = Field(description="woman, man or other")
    age_band: str = Field(
        "", description=one_of([b for b in services.AGE_BANDS if b]) + "; blank: not given"
    )


class FundApplicationFieldsIn(Schema):
    """What the applicant may change while the application is a draft; what is left out
    stays as it is."""

    host: str | None = Field(None, description="Slug of the host national body")
    theme: str | None = Field(None, description=one_of(Theme.values))
    objectives: str | None = None
    articles: list[int] | None = Field(None, description="Convention articles (1 to 22)")
    actions: list[str] | None = Field(None, description="Action-plan actions, e.g. SRAAP 2")
    challenges: list[str] | None = Field(None, description="Reported challenges addressed")
    delegation: list[FundDelegateIn] | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    agenda: str | None = None
    co_funding: Decimal | None = Field(None, ge=0)
    co_funding_note: str | None = None


def _fields(payload: FundApplicationFieldsIn, *, exclude: set[str] | None = None) -> dict[str, Any]:
    values = payload.model_dump(exclude_unset=True, exclude=exclude)
    if "host" in values:
        values["host"] = _actor(values["host"], "host") if values["host"] else None
    return values


class FundApplicationIn(FundApplicationFieldsIn):
    call: int = Field(ge=1, le=2**31 - 1, description="The published call's id")
    applicant: str = Field(description="Slug of the applicant national body")
    theme: str = Field(description=one_of(Theme.values))


@router.post(
    "/applications",
    response={201: FundApplicationDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Draft an application of a national body to a published call (its state's focal "
    "point and delegates)",
    description=PERSONAL,
)
def application_create(
    request: HttpRequest, response: HttpResponse, payload: FundApplicationIn
) -> Status[FundApplicationDetailOut]:
    record = services.application_create(
        actor=request.user,
        call=call_or_404(request, payload.call),
        applicant=_actor(payload.applicant, "applicant"),
        theme=payload.theme,
        **_fields(payload, exclude={"call", "applicant", "theme"}),
    )
    out = application_out(request, response, record)
    return created(response, f"{BASE}/applications/{record.pk}", out)


@router.patch(
    "/applications/{int:application_id}",
    response={200: FundApplicationDetailOut, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Change a draft application (its state's focal point and delegates; If-Match: "
    "the application's ETag)",
    description="Only the fields sent change. 403 once it is submitted. " + PERSONAL,
)
def application_update(
    request: HttpRequest,
    response: HttpResponse,
    application_id: int,
    payload: FundApplicationFieldsIn,
) -> FundApplicationDetailOut:
    record = application_or_404(request, application_id)
    version = if_match(request)
    services.application_update(
        actor=request.user, application=record, expected_version=version, **_fields(payload)
    )
    return application_out(request, response, record)


class FundBudgetLineIn(Schema):
    category: str = Field(description=one_of(BudgetCategory.values))
    description: str = ""
    amount: Decimal = Field(ge=0)


class FundBudgetIn(Schema):
    lines: list[FundBudgetLineIn]


@router.put(
    "/applications/{int:application_id}/budget",
    response={200: FundApplicationDetailOut, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Replace a draft's budget, line by line (its state's focal point and delegates; "
    "If-Match: the application's ETag)",
    description="In the application's currency. " + PERSONAL,
)
def budget_replace(
    request: HttpRequest, response: HttpResponse, application_id: int, payload: FundBudgetIn
) -> FundApplicationDetailOut:
    record = application_or_404(request, application_id)
    version = if_match(request)
    services.budget_lines_replace(
        actor=request.user,
        application=record,
        lines=[line.model_dump() for line in payload.lines],
        expected_version=version,
    )
    return application_out(request, response, record)


@router.post(
    "/applications/{int:application_id}/letters",
    response={201: FundSupportLetterOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Attach a letter of support to a draft (its state's focal point and delegates)",
    description="Multipart: `title` and `file` (PDF or DOCX, checked by its content, at most "
    f"{services.LETTER_MAX_BYTES // (1024 * 1024)} MB). " + PERSONAL,
)
@upload_limit(services.LETTER_MAX_BYTES)
def letter_add(
    request: HttpRequest,
    response: HttpResponse,
    application_id: int,
    file: File[UploadedFile],
    title: Form[str] = "",
) -> Status[FundSupportLetterOut]:
    record = application_or_404(request, application_id)
    letter = services.support_letter_add(
        actor=request.user,
        application=record,
        title=title,
        file=file,
        name=file.name or "letter.pdf",
    )
    return created(response, f"{BASE}/applications/{record.pk}", letter_out(letter))


@router.post(
    "/applications/{int:application_id}/submit",
    response={200: FundApplicationDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Submit a draft application to the fund (its state's focal point and delegates)",
    description="422 lists what is missing (call closed, host, dates, budget above the "
    "call's maximum...); 409 `already_done` when it was submitted already. " + PERSONAL,
)
def application_submit(
    request: HttpRequest, response: HttpResponse, application_id: int
) -> FundApplicationDetailOut:
    record = application_or_404(request, application_id)
    services.application_submit(actor=request.user, application=record)
    return application_out(request, response, record)


class FundReturnIn(Schema):
    reason: str = Field(description="What the applicant must change")


@router.post(
    "/applications/{int:application_id}/return",
    response={200: FundApplicationDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Return a submitted application to its applicant, saying why (ISU staff)",
    description=PERSONAL,
)
def application_return(
    request: HttpRequest, response: HttpResponse, application_id: int, payload: FundReturnIn
) -> FundApplicationDetailOut:
    record = application_or_404(request, application_id)
    services.application_return(actor=request.user, application=record, reason=payload.reason)
    return application_out(request, response, record)


class FundScreeningIn(Schema):
    checks: dict[str, bool] = Field(
        description="Every check by its code: "
        + ", ".join(code for code, _label in services.SCREENING_CHECKS)
    )
    note: str = ""


@router.post(
    "/applications/{int:application_id}/screening",
    response={200: FundApplicationDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Screen a submitted application: eligible and complete, the committee reviews "
    "it (ISU staff)",
    description="422 names the checks not passed. " + PERSONAL,
)
def application_screen(
    request: HttpRequest, response: HttpResponse, application_id: int, payload: FundScreeningIn
) -> FundApplicationDetailOut:
    record = application_or_404(request, application_id)
    services.application_screen(
        actor=request.user, application=record, checks=payload.checks, note=payload.note
    )
    return application_out(request, response, record)


class FundScoreIn(Schema):
    values: dict[str, int] = Field(description="Score by criterion code (see the criteria)")
    comment: str = ""
    on_behalf_of: str = Field(
        "",
        description="ISU staff only: ISO 3166 alpha-3 code of the member state whose scores "
        "they record",
    )


@router.post(
    "/applications/{int:application_id}/scores",
    response={201: FundScoreOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Score an application in review, once per member state (committee members "
    "sitting that year; never for the applicant's or the host's state)",
    description="403 says why a member may not score. 409 `already_done` when the member "
    "state scored it already. " + PERSONAL,
)
def score_record(
    request: HttpRequest, response: HttpResponse, application_id: int, payload: FundScoreIn
) -> Status[FundScoreOut]:
    record = application_or_404(request, application_id)
    member = _actor(payload.on_behalf_of, "on_behalf_of") if payload.on_behalf_of else None
    score = services.score_record(
        actor=request.user,
        application=record,
        values=payload.values,
        comment=payload.comment,
        on_behalf_of=member,
    )
    return created(response, f"{BASE}/applications/{record.pk}", score_out(score))


class FundDecisionIn(Schema):
    selected: bool
    reasons: str
    decided_on: dt.date | None = Field(None, description="Left out: today")


@router.post(
    "/applications/{int:application_id}/decision",
    response={200: FundApplicationDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Record the committee's decision on an application (the chair, or ISU staff for "
    "the chair)",
    description="409 `already_done` when it was decided already. " + PERSONAL,
)
def decision_record(
    request: HttpRequest, response: HttpResponse, application_id: int, payload: FundDecisionIn
) -> FundApplicationDetailOut:
    record = application_or_404(request, application_id)
    services.decision_record(
        actor=request.user,
        application=record,
        selected=payload.selected,
        reasons=payload.reasons,
        on=payload.decided_on,
    )
    return application_out(request, response, record)


class FundGrantIn(Schema):
    amount: Decimal
    signed_on: dt.date
    conditions: str = ""


@router.post(
    "/applications/{int:application_id}/grant",
    response={201: FundGrantOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Sign the grant of a selected application: its amount is reserved (ISU staff)",
    description="422 when the fund cannot cover it (saying what is available: nothing is "
    "reserved) or it exceeds the budget or the call's maximum; 409 `already_done` when "
    "it was granted already. " + PERSONAL,
)
def grant_agree(
    request: HttpRequest, response: HttpResponse, application_id: int, payload: FundGrantIn
) -> Status[FundGrantOut]:
    record = application_or_404(request, application_id)
    grant = services.grant_agree(actor=request.user, application=record, **payload.model_dump())
    return created(response, f"{BASE}/applications/{record.pk}", grant_out(grant))


class FundDisbursementIn(Schema):
    amount: Decimal
    paid_on: dt.date


@router.post(
    "/applications/{int:application_id}/grant/disbursements",
    response={201: FundDisbursementOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Record a tranche paid to the grantee (ISU staff)",
    description="422 when it exceeds what the grant still holds. " + PERSONAL,
)
def disbursement_record(
    request: HttpRequest, response: HttpResponse, application_id: int, payload: FundDisbursementIn
) -> Status[FundDisbursementOut]:
    record = application_or_404(request, application_id)
    paid = services.disbursement_record(
        actor=request.user, grant=_grant(record), amount=payload.amount, paid_on=payload.paid_on
    )
    return created(response, f"{BASE}/applications/{record.pk}", disbursement_out(paid))


class FundReleaseIn(Schema):
    reason: str = Field(description="Why the visit will not take place")
    released_on: dt.date | None = Field(None, description="Left out: today")


@router.post(
    "/applications/{int:application_id}/grant/release",
    response={200: FundGrantOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Release what a grant still holds back to available (ISU staff)",
    description="409 `already_done` when nothing is left reserved. " + PERSONAL,
)
def grant_release(
    request: HttpRequest, application_id: int, payload: FundReleaseIn
) -> FundGrantOut:
    record = application_or_404(request, application_id)
    _grant(record)
    grant = services.grant_release(
        actor=request.user, application=record, reason=payload.reason, on=payload.released_on
    )
    return grant_out(grant)


class FundVisitHeldIn(Schema):
    held_from: dt.date
    held_until: dt.date


@router.post(
    "/applications/{int:application_id}/visit-held",
    response={200: FundApplicationDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Record that the visit was held (ISU staff, the applicant state's focal point "
    "and delegates)",
    description="409 `already_done` when it was recorded already. " + PERSONAL,
)
def visit_held_record(
    request: HttpRequest, response: HttpResponse, application_id: int, payload: FundVisitHeldIn
) -> FundApplicationDetailOut:
    record = application_or_404(request, application_id)
    services.visit_held_record(actor=request.user, application=record, **payload.model_dump())
    return application_out(request, response, record)


class FundLessonIn(Schema):
    title: str
    text: str


class FundFollowUpIn(Schema):
    action: str
    owner: str = Field(description="Who does it")
    due_on: dt.date | None = None


class FundVisitReportIn(Schema):
    role: str = Field(description="applicant (the visiting body) or host")
    programme: str = Field(description="The programme as it was held")
    participants: str = ""
    outputs: str = ""
    lessons: list[FundLessonIn] = Field(
        default_factory=list, description="Each becomes a practice of the knowledge base"
    )
    follow_ups: list[FundFollowUpIn] = Field(default_factory=list)
    language: str = Field("en", description="en, fr or es")


@router.post(
    "/applications/{int:application_id}/visit-reports",
    response={201: FundVisitReportOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Report on a visit held: the visiting body's report (its state's focal point and "
    "delegates) or the host's (the host state's)",
    description="409 `already_done` when that side reported already. " + PERSONAL,
)
def visit_report_submit(
    request: HttpRequest, response: HttpResponse, application_id: int, payload: FundVisitReportIn
) -> Status[FundVisitReportOut]:
    record = application_or_404(request, application_id)
    if payload.role not in ReportRole.values:
        raise ValidationError({"role": [one_of(ReportRole.values)]})
    report = services.visit_report_submit(
        actor=request.user,
        application=record,
        role=payload.role,
        programme=payload.programme,
        participants=payload.participants,
        outputs=payload.outputs,
        lessons=[x.model_dump() for x in payload.lessons],
        follow_ups=[x.model_dump() for x in payload.follow_ups],
        language=payload.language,
    )
    return created(response, f"{BASE}/applications/{record.pk}", report_out(report))


class FundFollowUpStatusIn(Schema):
    status: str = Field(description=one_of(FollowUpStatus.values))


@router.patch(
    "/applications/{int:application_id}/follow-ups/{int:follow_up_id}",
    response={200: FundFollowUpOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Mark a follow-up action done, or open again (the applicant state, committee "
    "members, ISU staff)",
    description="409 `already_done` when it has that status already. " + PERSONAL,
)
def follow_up_update(
    request: HttpRequest, application_id: int, follow_up_id: int, payload: FundFollowUpStatusIn
) -> FundFollowUpOut:
    record = application_or_404(request, application_id)
    follow_up = or_404(
        record.follow_ups.filter(pk=follow_up_id).first(),
        "No such follow-up action of this application.",
    )
    changed = services.follow_up_update(
        actor=request.user, follow_up=follow_up, status=payload.status
    )
    return follow_up_out(changed)


class FundFinancialReportIn(Schema):
    actuals: dict[int, Decimal] = Field(
        description="What each budget line actually cost, by the line's id (0 if nothing)"
    )
    note: str = ""


@router.post(
    "/applications/{int:application_id}/financial-report",
    response={200: FundApplicationDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Submit the final financial report (the applicant state's focal point and delegates)",
    description="What was paid and not spent is refunded when ISU staff close the grant. "
    "409 `already_done` when it was submitted already. " + PERSONAL,
)
def financial_report_submit(
    request: HttpRequest,
    response: HttpResponse,
    application_id: int,
    payload: FundFinancialReportIn,
) -> FundApplicationDetailOut:
    record = application_or_404(request, application_id)
    services.financial_report_submit(
        actor=request.user, application=record, actuals=payload.actuals, note=payload.note
    )
    return application_out(request, response, record)


class FundCloseIn(Schema):
    closed_on: dt.date | None = Field(None, description="Left out: today")


@router.post(
    "/applications/{int:application_id}/close",
    response={200: FundApplicationDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Close the grant: unspent money refunded, what was never paid released (ISU staff)",
    description="409 `already_done` when it is closed already. " + PERSONAL,
)
def application_close(
    request: HttpRequest, response: HttpResponse, application_id: int, payload: FundCloseIn
) -> FundApplicationDetailOut:
    record = application_or_404(request, application_id)
    services.application_close(actor=request.user, application=record, on=payload.closed_on)
    return application_out(request, response, record)
