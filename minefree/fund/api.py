"""The fund's API: reads for everyone the pages serve, and one write per service.

What each caller sees is what the fund's pages show them (``fund.selectors``): the
summary, contributions, published calls, granted applications, visits held and host
profiles are public; an application before the decision is its applicant's and host's
state's people's, the committee's and ISU staff's; the ledger, the screening checklist and
the members' scores are for those who keep or review the books (rule ``fund.read_books``).
An unknown amount is null ("unknown"), never 0; ``origin`` ``synthetic`` marks synthetic
demo data. The writes (``fund.api_writes``) join this router: they share its paths.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from minefree.accounts.tokens import WRITE_AUTH
from minefree.core.api import with_version
from minefree.core.models import Origin
from minefree.core.permissions import can
from minefree.core.schemas import ErrorOut, PageQuery, SourceOut
from minefree.core.views import or_404
from minefree.fund import selectors
from minefree.fund.models import (
    Application,
    ApplicationStatus,
    BudgetLine,
    Call,
    CallStatus,
    Contribution,
    Disbursement,
    FinancialReport,
    FollowUpAction,
    Grant,
    HostProfile,
    LedgerEntry,
    Score,
    SupportLetter,
    Theme,
    VisitReport,
)
from minefree.fund.services import application_version, criteria_of
from minefree.registry.models import Actor

router = Router(tags=["fund"])
ORIGIN = "`origin` `synthetic` marks synthetic demo data; an unknown amount is null."
VISIBILITY = (
    "Granted applications are public; earlier ones are their applicant's and host's state's "
    "focal points and delegates', committee members' and ISU staff's. "
)


def one_of(values: list[str]) -> str:
    return "One of: " + ", ".join(values)


# --- shapes ----------------------------------------------------------------------------------


class FundBodyOut(Schema):
    """A donor, a national body or a state: its code (ISO code or slug) and the state it is
    of (a national body's)."""

    code: str
    name: str
    state: str | None = Field(description="ISO 3166 alpha-3 code of the body's state")


def body_out(actor: Actor) -> FundBodyOut:
    parent = actor.parent
    state = actor.iso3 if actor.iso3 else (parent.iso3 if parent is not None else None)
    return FundBodyOut(code=actor.code, name=actor.name_en, state=state or None)


class FundUsdTotalsOut(Schema):
    """In USD at each movement's booking-year rate; null when a rate is unknown."""

    received: Decimal | None
    reserved: Decimal | None
    disbursed: Decimal | None
    refunded: Decimal | None
    available: Decimal | None


class FundBalanceOut(Schema):
    """The fund's books in one currency: available = received − disbursed + refunded −
    reserved."""

    currency: str
    received: Decimal
    reserved: Decimal = Field(description="Held by grants signed and not paid yet")
    disbursed: Decimal
    refunded: Decimal = Field(description="Paid out, not spent and given back")
    balance: Decimal = Field(description="Cash held: received − disbursed + refunded")
    available: Decimal = Field(description="What new grants may still reserve")
    usd: FundUsdTotalsOut


class FundSummaryOut(Schema):
    balances: list[FundBalanceOut]
    calls: int = Field(description="Calls for applications you may see")
    applications_received: int = Field(description="Applications submitted to the fund")
    grants: int = Field(description="Applications granted (at any later step)")
    visits_held: int
    synthetic: bool = Field(description="Some of these figures are synthetic demo data")


class FundContributionOut(Schema):
    id: int
    donor: FundBodyOut
    amount: Decimal | None = Field(description="null: unknown (no source gives it)")
    currency: str
    amount_usd: Decimal | None = Field(description="At the year's rate; null: unknown")
    status: str = Field(description="pledged or received")
    pledged_on: dt.date | None
    received_on: dt.date | None
    announced_at: str | None = Field(description="Code of the meeting, e.g. 19MSP")
    earmark: str
    notes: str
    origin: str
    source: SourceOut | None


class FundContributionListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[FundContributionOut]


def contribution_out(contribution: Contribution) -> FundContributionOut:
    return FundContributionOut(
        id=contribution.pk,
        donor=body_out(contribution.donor),
        amount=contribution.amount,
        currency=contribution.currency,
        amount_usd=contribution.amount_usd,
        status=contribution.status,
        pledged_on=contribution.pledged_on,
        received_on=contribution.received_on,
        announced_at=contribution.announced_at.code if contribution.announced_at else None,
        earmark=contribution.earmark,
        notes=contribution.notes,
        origin=contribution.origin,
        source=SourceOut.of(contribution.source),
    )


class FundLedgerEntryOut(Schema):
    id: int
    kind: str
    debit: str = Field(description="The account the money leaves")
    credit: str = Field(description="The account the money goes to")
    amount: Decimal
    currency: str
    amount_usd: Decimal | None
    booked_on: dt.date
    contribution: int | None
    application: int | None = Field(description="The application of the grant it concerns")
    disbursement: int | None


class FundLedgerListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[FundLedgerEntryOut]


def entry_out(entry: LedgerEntry) -> FundLedgerEntryOut:
    return FundLedgerEntryOut(
        id=entry.pk,
        kind=entry.kind,
        debit=entry.debit,
        credit=entry.credit,
        amount=entry.amount,
        currency=entry.currency,
        amount_usd=entry.amount_usd,
        booked_on=entry.booked_on,
        contribution=entry.contribution_id,
        application=entry.grant.application_id if entry.grant else None,
        disbursement=entry.disbursement_id,
    )


class FundCriterionOut(Schema):
    code: str
    label: str
    max: int


class FundCallOut(Schema):
    id: int
    title: str
    description: str
    opens_on: dt.date
    closes_on: dt.date
    budget: Decimal
    max_amount: Decimal = Field(description="The most one application may be granted")
    currency: str
    eligibility: str
    themes: list[str]
    languages: list[str]
    criteria: list[FundCriterionOut]
    status: str
    origin: str


class FundCallListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[FundCallOut]


def call_out(call: Call) -> FundCallOut:
    return FundCallOut(
        id=call.pk,
        title=call.title,
        description=call.description,
        opens_on=call.opens_on,
        closes_on=call.closes_on,
        budget=call.budget,
        max_amount=call.max_amount,
        currency=call.currency,
        eligibility=call.eligibility,
        themes=list(call.themes),
        languages=list(call.languages),
        criteria=[
            FundCriterionOut(code=c["code"], label=c["label"], max=int(c["max"]))
            for c in (call.criteria or [])
        ],
        status=call.status,
        origin=call.origin,
    )


class FundApplicationSummaryOut(Schema):
    id: int
    call: int
    call_title: str
    applicant: FundBodyOut
    host: FundBodyOut | None
    theme: str
    status: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    currency: str
    requested: Decimal = Field(description="The budget's total")
    granted: Decimal | None = Field(description="The grant's amount; null before the grant")
    submitted_at: dt.datetime | None
    origin: str


class FundApplicationListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[FundApplicationSummaryOut]


class FundDelegateOut(Schema):
    function: str
    gender: str
    age_band: str


class FundBudgetLineOut(Schema):
    id: int
    category: str
    description: str
    amount: Decimal
    actual: Decimal | None = Field(description="What it cost; null before the financial report")


class FundSupportLetterOut(Schema):
    id: int
    title: str
    uploaded_at: dt.datetime


class FundDisbursementOut(Schema):
    id: int
    number: int = Field(description="The tranche's number")
    amount: Decimal
    paid_on: dt.date


class FundGrantOut(Schema):
    amount: Decimal
    currency: str
    signed_on: dt.date
    conditions: str
    disbursed: Decimal
    refunded: Decimal
    released: Decimal = Field(description="Reserved, never paid, and given back to available")
    undisbursed: Decimal = Field(description="Still reserved for the grant")
    disbursements: list[FundDisbursementOut]


class FundLessonOut(Schema):
    title: str
    text: str


class FundVisitReportOut(Schema):
    id: int
    role: str = Field(description="applicant (the visiting body) or host")
    programme: str
    participants: str
    outputs: str
    lessons: list[FundLessonOut]
    language: str
    submitted_at: dt.datetime


class FundFollowUpOut(Schema):
    id: int
    action: str
    owner: str
    due_on: dt.date | None
    status: str


class FundFinancialReportOut(Schema):
    spent: Decimal
    unspent: Decimal = Field(description="Paid and not spent: refunded at closing")
    note: str
    submitted_at: dt.datetime


class FundScoreOut(Schema):
    member_state: str = Field(description="ISO 3166 alpha-3 code of the member state")
    values: dict[str, int] = Field(description="Score by criterion code")
    total: int
    comment: str
    created_at: dt.datetime


class FundApplicationDetailOut(FundApplicationSummaryOut):
    objectives: str
    articles: list[int]
    actions: list[str]
    challenges: list[str]
    delegation: list[FundDelegateOut]
    agenda: str
    co_funding: Decimal
    co_funding_note: str
    returned_reason: str
    decision_reasons: str
    decided_on: dt.date | None
    held_from: dt.date | None
    held_until: dt.date | None
    notes: str = Field(description="What is known of it, and from where")
    source: SourceOut | None
    budget: list[FundBudgetLineOut]
    support_letters: list[FundSupportLetterOut]
    criteria: list[FundCriterionOut]
    screening: dict[str, bool] | None = Field(
        description="ISU staff's checklist; null unless you keep or review the books"
    )
    screening_note: str | None
    scores: list[FundScoreOut] | None = Field(
        description="The members' scores; null unless you keep or review the books"
    )
    grant: FundGrantOut | None
    visit_reports: list[FundVisitReportOut]
    follow_ups: list[FundFollowUpOut]
    financial_report: FundFinancialReportOut | None
    version: str | None = Field(
        description="The draft's version (also its ETag) when you may change it: send it as "
        "If-Match"
    )


def _grant_of(application: Application) -> Grant | None:
    try:
        return application.grant
    except Grant.DoesNotExist:
        return None


def _report_of(application: Application) -> FinancialReport | None:
    try:
        return application.financial_report
    except FinancialReport.DoesNotExist:
        return None


def application_summary(application: Application) -> dict[str, Any]:
    grant = _grant_of(application)
    return {
        "id": application.pk,
        "call": application.call_id,
        "call_title": application.call.title,
        "applicant": body_out(application.applicant),
        "host": body_out(application.host) if application.host else None,
        "theme": application.theme,
        "status": application.status,
        "starts_on": application.starts_on,
        "ends_on": application.ends_on,
        "currency": application.currency,
        "requested": selectors.requested_total(application),
        "granted": grant.amount if grant else None,
        "submitted_at": application.submitted_at,
        "origin": application.origin,
    }


def line_out(line: BudgetLine) -> FundBudgetLineOut:
    return FundBudgetLineOut(
        id=line.pk,
        category=line.category,
        description=line.description,
        amount=line.amount,
        actual=line.actual,
    )


def letter_out(letter: SupportLetter) -> FundSupportLetterOut:
    return FundSupportLetterOut(id=letter.pk, title=letter.title, uploaded_at=letter.uploaded_at)


def disbursement_out(disbursement: Disbursement) -> FundDisbursementOut:
    return FundDisbursementOut(
        id=disbursement.pk,
        number=disbursement.number,
        amount=disbursement.amount,
        paid_on=disbursement.paid_on,
    )


def grant_out(grant: Grant) -> FundGrantOut:
    return FundGrantOut(
        amount=grant.amount,
        currency=grant.currency,
        signed_on=grant.signed_on,
        conditions=grant.conditions,
        disbursed=grant.disbursed,
        refunded=grant.refunded,
        released=grant.released,
        undisbursed=grant.undisbursed,
        disbursements=[disbursement_out(d) for d in grant.disbursements.all()],
    )


def report_out(report: VisitReport) -> FundVisitReportOut:
    return FundVisitReportOut(
        id=report.pk,
        role=report.role,
        programme=report.programme,
        participants=report.participants,
        outputs=report.outputs,
        lessons=[FundLessonOut(title=x["title"], text=x["text"]) for x in report.lessons],
        language=report.language,
        submitted_at=report.submitted_at,
    )


def follow_up_out(follow_up: FollowUpAction) -> FundFollowUpOut:
    return FundFollowUpOut(
        id=follow_up.pk,
        action=follow_up.action,
        owner=follow_up.owner,
        due_on=follow_up.due_on,
        status=follow_up.status,
    )


def financial_report_out(report: FinancialReport) -> FundFinancialReportOut:
    return FundFinancialReportOut(
        spent=report.spent,
        unspent=report.unspent,
        note=report.note,
        submitted_at=report.submitted_at,
    )


def score_out(score: Score) -> FundScoreOut:
    return FundScoreOut(
        member_state=score.member_state.code,
        values={k: int(v) for k, v in score.values.items()},
        total=score.total,
        comment=score.comment,
        created_at=score.created_at,
    )


def may_edit(user: Any, application: Application) -> bool:
    return application.status == ApplicationStatus.DRAFT and can(
        user, "fund_application.draft", application.applicant
    )


def application_out(
    request: HttpRequest, response: HttpResponse | None, application: Application
) -> FundApplicationDetailOut:
    """An application as ``request.user`` may read it, re-read with all its parts; the
    draft's version goes out as the ``ETag`` to those who may change it."""
    record = selectors.application_detail(application.pk)
    books = can(request.user, "fund.read_books")
    grant = _grant_of(record)
    report = _report_of(record)
    version = application_version(record) if may_edit(request.user, record) else None
    if version is not None and response is not None:
        with_version(response, version)
    return FundApplicationDetailOut(
        **application_summary(record),
        objectives=record.objectives,
        articles=[int(a) for a in record.articles],
        actions=list(record.actions),
        challenges=list(record.challenges),
        delegation=[FundDelegateOut(**person) for person in record.delegation],
        agenda=record.agenda,
        co_funding=record.co_funding,
        co_funding_note=record.co_funding_note,
        returned_reason=record.returned_reason,
        decision_reasons=record.decision_reasons,
        decided_on=record.decided_on,
        held_from=record.held_from,
        held_until=record.held_until,
        notes=record.notes,
        source=SourceOut.of(record.source),
        budget=[line_out(line) for line in record.budget_lines.all()],
        support_letters=[letter_out(letter) for letter in record.support_letters.all()],
        criteria=[
            FundCriterionOut(code=c["code"], label=c["label"], max=int(c["max"]))
            for c in criteria_of(record)
        ],
        screening=dict(record.screening) if books else None,
        screening_note=record.screening_note if books else None,
        scores=[score_out(s) for s in record.scores.all()] if books else None,
        grant=grant_out(grant) if grant else None,
        visit_reports=[report_out(r) for r in record.visit_reports.all()],
        follow_ups=[follow_up_out(f) for f in record.follow_ups.all()],
        financial_report=financial_report_out(report) if report else None,
        version=version,
    )


class FundHostProfileOut(Schema):
    body: FundBodyOut
    capabilities: list[str] = Field(description="Themes the body can show visitors")
    languages: list[str]
    notes: str
    origin: str
    updated_at: dt.datetime
    visits_hosted: int = Field(description="Visits the fund paid for that it hosted")


def host_profile_out(profile: HostProfile, hosted: int = 0) -> FundHostProfileOut:
    return FundHostProfileOut(
        body=body_out(profile.body),
        capabilities=list(profile.capabilities),
        languages=list(profile.languages),
        notes=profile.notes,
        origin=profile.origin,
        updated_at=profile.updated_at,
        visits_hosted=hosted,
    )


class FundHostReasonOut(Schema):
    component: str = Field(description="theme, language, past_hosting, region or breadth")
    points: float
    detail: str


class FundHostSuggestionOut(Schema):
    body: FundBodyOut
    score: float
    reasons: list[FundHostReasonOut]


class FundVisitOut(Schema):
    application: int
    applicant: FundBodyOut
    host: FundBodyOut | None
    theme: str
    held_from: dt.date | None
    held_until: dt.date | None
    lessons: list[str] = Field(description="Titles of the lessons the reports give")
    origin: str


class FundVisitListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[FundVisitOut]


# --- lookups ---------------------------------------------------------------------------------


def application_or_404(request: HttpRequest, pk: int) -> Application:
    """The application if ``request.user`` may see it (a 404 says nothing of the others)."""
    return or_404(
        selectors.applications_for(request.user).filter(pk=pk).first(),
        "No such application, or it is not shared with you.",
    )


def call_or_404(request: HttpRequest, pk: int) -> Call:
    return or_404(selectors.calls_for(request.user).filter(pk=pk).first(), "No such call.")


# --- reads -----------------------------------------------------------------------------------


@router.get(
    "/summary",
    response=FundSummaryOut,
    summary="The fund at a glance: its books per currency (with USD), calls, applications, "
    "grants and visits held",
    description=ORIGIN,
)
def summary(request: HttpRequest) -> FundSummaryOut:
    usd = selectors.usd_totals()
    unknown = dict.fromkeys(("received", "reserved", "disbursed", "refunded", "available"))
    applications = Application.objects.exclude(status=ApplicationStatus.DRAFT)
    return FundSummaryOut(
        balances=[
            FundBalanceOut(
                currency=t.currency,
                received=t.received,
                reserved=t.reserved,
                disbursed=t.disbursed,
                refunded=t.refunded,
                balance=t.balance,
                available=t.available,
                usd=FundUsdTotalsOut(**usd.get(t.currency, unknown)),
            )
            for t in selectors.totals()
        ],
        calls=selectors.calls_for(request.user).count(),
        applications_received=applications.count(),
        grants=applications.filter(status__in=selectors.PUBLIC_STATUSES).count(),
        visits_held=applications.filter(status__in=selectors.HELD_STATUSES).count(),
        synthetic=Contribution.objects.filter(origin=Origin.SYNTHETIC).exists()
        or applications.filter(origin=Origin.SYNTHETIC).exists(),
    )


class FundContributionQuery(PageQuery):
    status: str = Field("", description="pledged or received; blank: both")
    donor: str = Field("", description="ISO 3166 alpha-3 code or slug of the donor")


@router.get(
    "/contributions",
    response=FundContributionListOut,
    summary="Contributions to the fund: pledged and received",
    description=ORIGIN,
)
def contributions(
    request: HttpRequest, query: Query[FundContributionQuery]
) -> FundContributionListOut:
    qs = Contribution.objects.select_related("donor__parent", "announced_at", "source")
    if query.status:
        if query.status not in ("pledged", "received"):
            raise ValidationError({"status": [one_of(["pledged", "received"])]})
        qs = qs.filter(status=query.status)
    if query.donor:
        code = query.donor.strip()
        qs = qs.filter(donor__iso3__iexact=code) | qs.filter(donor__slug=code.lower())
    count = qs.count()
    page = qs[query.offset : query.offset + query.limit]
    return FundContributionListOut(
        count=count,
        limit=query.limit,
        offset=query.offset,
        items=[contribution_out(c) for c in page],
    )


class FundLedgerQuery(PageQuery):
    currency: str = Field("", description="ISO 4217 code; blank: all")


@router.get(
    "/ledger",
    response={200: FundLedgerListOut, 401: ErrorOut, 403: ErrorOut},
    auth=WRITE_AUTH,
    summary="The fund's ledger: every movement of money, oldest first (ISU staff, committee "
    "members)",
)
def ledger(request: HttpRequest, query: Query[FundLedgerQuery]) -> FundLedgerListOut:
    if not can(request.user, "fund.read_books"):
        raise PermissionDenied("The ledger is for ISU staff and committee members.")
    qs: QuerySet[LedgerEntry] = LedgerEntry.objects.select_related("grant")
    if query.currency:
        qs = qs.filter(currency=query.currency.strip().upper())
    count = qs.count()
    page = qs[query.offset : query.offset + query.limit]
    return FundLedgerListOut(
        count=count, limit=query.limit, offset=query.offset, items=[entry_out(e) for e in page]
    )


class FundCallQuery(PageQuery):
    status: str = Field("", description=one_of(CallStatus.values) + "; blank: all you may see")


@router.get(
    "/calls",
    response=FundCallListOut,
    summary="Calls for applications (drafts: ISU staff only)",
    description=ORIGIN,
)
def calls(request: HttpRequest, query: Query[FundCallQuery]) -> FundCallListOut:
    qs = selectors.calls_for(request.user)
    if query.status:
        if query.status not in CallStatus.values:
            raise ValidationError({"status": [one_of(CallStatus.values)]})
        qs = qs.filter(status=query.status)
    count = qs.count()
    page = qs[query.offset : query.offset + query.limit]
    return FundCallListOut(
        count=count, limit=query.limit, offset=query.offset, items=[call_out(c) for c in page]
    )


@router.get(
    "/calls/{int:call_id}",
    response={200: FundCallOut, 404: ErrorOut},
    summary="One call for applications",
    description=ORIGIN,
)
def call(request: HttpRequest, call_id: int) -> FundCallOut:
    return call_out(call_or_404(request, call_id))


class FundApplicationQuery(PageQuery):
    status: str = Field("", description=one_of(ApplicationStatus.values) + "; blank: all")
    call: int | None = Field(None, ge=1, le=2**31 - 1, description="The call's id")
    state: str = Field("", description="ISO 3166 alpha-3 code of the applicant's state")


@router.get(
    "/applications",
    response=FundApplicationListOut,
    summary="Applications to the fund you may see",
    description=VISIBILITY + ORIGIN,
)
def applications(
    request: HttpRequest, query: Query[FundApplicationQuery]
) -> FundApplicationListOut:
    qs = selectors.applications_for(request.user)
    if query.status:
        if query.status not in ApplicationStatus.values:
            raise ValidationError({"status": [one_of(ApplicationStatus.values)]})
        qs = qs.filter(status=query.status)
    if query.call is not None:
        qs = qs.filter(call_id=query.call)
    if query.state:
        qs = qs.filter(applicant__parent__iso3__iexact=query.state.strip())
    count = qs.count()
    page = qs[query.offset : query.offset + query.limit]
    return FundApplicationListOut(
        count=count,
        limit=query.limit,
        offset=query.offset,
        items=[FundApplicationSummaryOut(**application_summary(a)) for a in page],
    )


@router.get(
    "/applications/{int:application_id}",
    response={200: FundApplicationDetailOut, 404: ErrorOut},
    summary="One application: budget, delegation, grant and tranches, visit reports, "
    "follow-up actions, financial report (screening and scores: ISU staff, committee members)",
    description=VISIBILITY
    + "A draft's `ETag` (and `version`), for its state's focal point and delegates, is "
    "what `PATCH` and `PUT …/budget` take as `If-Match`. " + ORIGIN,
)
def application(
    request: HttpRequest, response: HttpResponse, application_id: int
) -> FundApplicationDetailOut:
    return application_out(request, response, application_or_404(request, application_id))


@router.get(
    "/applications/{int:application_id}/host-suggestions",
    response={200: list[FundHostSuggestionOut], 404: ErrorOut},
    summary="National bodies of other states that could host the visit, best first, with "
    "the reasons of their rank",
    description="Ranked by what they can show on the application's theme, the call's "
    "languages they work in, the visits they hosted and the region. Bodies without a host "
    "profile are not ranked: nothing is known of them.",
)
def host_suggestions(request: HttpRequest, application_id: int) -> list[FundHostSuggestionOut]:
    record = application_or_404(request, application_id)
    return [
        FundHostSuggestionOut(
            body=body_out(s.body),
            score=s.score,
            reasons=[
                FundHostReasonOut(component=r.component, points=r.points, detail=r.detail)
                for r in s.reasons
            ],
        )
        for s in selectors.host_suggestions(record)
    ]


class FundVisitQuery(PageQuery):
    state: str = Field("", description="ISO 3166 alpha-3 code: visits it sent or hosted")
    theme: str = Field("", description=one_of(Theme.values) + "; blank: all")


@router.get(
    "/visits",
    response=FundVisitListOut,
    summary="Exchange visits the fund paid for that were held, latest first",
    description=ORIGIN,
)
def visits(request: HttpRequest, query: Query[FundVisitQuery]) -> FundVisitListOut:
    qs = (
        Application.objects.filter(status__in=selectors.HELD_STATUSES)
        .select_related("applicant__parent", "host__parent")
        .prefetch_related("visit_reports")
        .order_by("-held_from", "-id")
    )
    if query.theme:
        if query.theme not in Theme.values:
            raise ValidationError({"theme": [one_of(Theme.values)]})
        qs = qs.filter(theme=query.theme)
    if query.state:
        code = query.state.strip()
        qs = qs.filter(applicant__parent__iso3__iexact=code) | qs.filter(
            host__parent__iso3__iexact=code
        )
    count = qs.count()
    page = qs[query.offset : query.offset + query.limit]
    return FundVisitListOut(
        count=count,
        limit=query.limit,
        offset=query.offset,
        items=[
            FundVisitOut(
                application=a.pk,
                applicant=body_out(a.applicant),
                host=body_out(a.host) if a.host else None,
                theme=a.theme,
                held_from=a.held_from,
                held_until=a.held_until,
                lessons=[x["title"] for r in a.visit_reports.all() for x in r.lessons],
                origin=a.origin,
            )
            for a in page
        ],
    )


@router.get(
    "/host-profiles",
    response=list[FundHostProfileOut],
    summary="What national bodies can show visitors, by body",
    description=ORIGIN,
)
def host_profiles(request: HttpRequest) -> list[FundHostProfileOut]:
    hosted: dict[int, int] = {}
    for host_id in Application.objects.filter(status__in=selectors.HELD_STATUSES).values_list(
        "host_id", flat=True
    ):
        if host_id is not None:
            hosted[host_id] = hosted.get(host_id, 0) + 1
    profiles = HostProfile.objects.select_related("body__parent").order_by("body__name_en")
    return [host_profile_out(p, hosted.get(p.body_id, 0)) for p in profiles]
