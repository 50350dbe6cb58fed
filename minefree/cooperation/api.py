"""Cooperation in the API: the same selectors and visibility rules as the pages.

A signed-in caller (session) sees what its roles allow; anonymous callers see public
records only. Matches carry the named components of their score as reasons.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from minefree.accounts.tokens import WRITE_AUTH
from minefree.assistance import matching, services
from minefree.assistance.models import AssistanceType, Need, NeedSource, Offer, Partnership
from minefree.assistance.selectors import (
    NeedFilters,
    OfferFilters,
    Reader,
    may_read,
    needs_list,
    offers_list,
    reader,
    visible,
)
from minefree.casework import selectors as casework
from minefree.casework.cases import case_version
from minefree.casework.models import IndividualisedApproachCase
from minefree.casework.platforms import platform_version
from minefree.casework.selectors import cases_list
from minefree.cooperation.selectors import case_detail
from minefree.core.api import (
    VERSIONED_WRITE_ERRORS,
    WRITE_ERRORS,
    created,
    if_match,
    with_version,
)
from minefree.core.models import Visibility
from minefree.core.schemas import MAX_LIMIT, PageQuery, from_record
from minefree.funding import totals as funding
from minefree.funding.models import Flow
from minefree.funding.selectors import FlowFilters, flows_list
from minefree.registry.models import Actor
from minefree.registry.selectors import get_actor
from minefree.reporting.specification.schema import PILLARS

router = Router(tags=["cooperation"])
VISIBILITY = (
    "Records carry a `visibility` (public, states_parties, committee, private); the list "
    "holds only what the caller may read. `origin` `synthetic` marks invented demo data."
)


class ReasonOut(Schema):
    component: str = Field(description="type, pillar, geography, language, size, timing, past")
    label: str
    points: float
    detail: str


class MatchOut(Schema):
    need_id: int
    offer_id: int
    score: float = Field(description="Sum of the points of the reasons")
    reasons: list[ReasonOut]


class ProgressOut(Schema):
    status: str = Field(description="open, partly_met or met")
    required_usd: Decimal | None
    committed_usd: Decimal
    paid_usd: Decimal


class NeedOut(Schema):
    id: int
    state: str
    state_name: str
    pillar: str
    assistance_type: str
    title: str
    description: str
    quantity: str
    amount: Decimal | None
    currency: str
    amount_usd: Decimal | None
    year_from: int
    year_to: int
    source_kind: str
    source_ref: str
    visibility: str
    origin: str
    progress: ProgressOut


class NeedDetailOut(NeedOut):
    matches: list[MatchOut] = Field(description="Best offers for this need (top 10)")


class NeedsOut(Schema):
    count: int
    items: list[NeedOut]


class NeedQuery(PageQuery):
    state: str = Field("", description="ISO 3166 alpha-3 code")
    pillar: str = ""
    assistance_type: str = ""
    status: str = Field("", description="open, partly_met or met")
    q: str = Field("", description="Words in the title or description")


def _progress(p: funding.NeedProgress) -> ProgressOut:
    return from_record(ProgressOut, p)


def _need(n: Need, progress: funding.NeedProgress) -> dict[str, Any]:
    return from_record(
        NeedOut,
        n,
        id=n.pk,
        state=n.state.code,
        state_name=n.state.name_en,
        progress=_progress(progress),
    ).model_dump()


def _match(m: matching.Match) -> MatchOut:
    return MatchOut(
        need_id=m.need_id,
        offer_id=m.offer_id,
        score=round(m.score, 3),
        reasons=[
            ReasonOut(component=r.component, label=str(r.label), points=r.points, detail=r.detail)
            for r in m.reasons
        ],
    )


@router.get("/cooperation/needs", response=NeedsOut, description=VISIBILITY)
def needs(request: HttpRequest, query: Query[NeedQuery]) -> NeedsOut:
    who = reader(request.user)
    limit, offset = query.limit, query.offset
    found = list(
        needs_list(
            who,
            NeedFilters(
                state=query.state,
                pillar=query.pillar,
                assistance_type=query.assistance_type,
                q=query.q,
            ),
        )
    )
    progress = funding.need_progress(found, who)
    if query.status:
        found = [n for n in found if progress[n.pk].status == query.status]
    page = found[offset : offset + limit]
    return NeedsOut(count=len(found), items=[NeedOut(**_need(n, progress[n.pk])) for n in page])


def need_or_404(who: Reader, pk: int) -> Need:
    need = visible(Need.objects.select_related("state"), who, "state").filter(pk=pk).first()
    if need is None:
        raise Http404("No such need, or it is not shared with you.")
    return need


@router.get("/cooperation/needs/{need_id}", response=NeedDetailOut, description=VISIBILITY)
def need(request: HttpRequest, response: HttpResponse, need_id: int) -> NeedDetailOut:
    """The need with its ``ETag`` (its version: send it back as ``If-Match`` to change it)."""
    who = reader(request.user)
    record = need_or_404(who, need_id)
    progress = funding.need_progress([record], who)[record.pk]
    response["ETag"] = _etag(record)
    return NeedDetailOut(
        **_need(record, progress),
        matches=[_match(m) for m in matching.offers_for_need(record, who)],
    )


class NeedIn(Schema):
    """A need as its state's people write it (the same fields as the page's form)."""

    pillar: str = Field(description="One of: " + ", ".join(code for code, _label in PILLARS))
    assistance_type: str = Field(description="One of: " + ", ".join(AssistanceType.values))
    title: str
    year_from: int
    year_to: int
    description: str = ""
    quantity: str = Field("", description="For in-kind needs, e.g. 2 experts")
    amount: Decimal | None = None
    currency: str = Field("", description="ISO 4217 code; required with an amount")
    languages: list[str] = Field(default_factory=list, description="ISO 639-1 codes")
    visibility: str = Visibility.PUBLIC
    source_kind: str = NeedSource.DIRECT
    source_ref: str = ""


class NewNeedIn(NeedIn):
    state: str = Field(description="ISO 3166 alpha-3 code of the state in need")


def _etag(record: Need | Offer) -> str:
    if isinstance(record, Need):
        return f'"{services.need_version(record)}"'
    return f'"{services.offer_version(record)}"'


def _need_written(request: HttpRequest, response: HttpResponse, record: Need) -> NeedOut:
    response["ETag"] = _etag(record)
    who = reader(request.user)
    return NeedOut(**_need(record, funding.need_progress([record], who)[record.pk]))


def actor_or_404(code: str) -> Actor:
    actor = get_actor(code)
    if actor is None:
        raise Http404("No state or organisation with this code.")
    return actor


@router.post(
    "/cooperation/needs",
    response={201: NeedOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Record a need (the state's people, ISU staff)",
)
def need_create(
    request: HttpRequest, response: HttpResponse, payload: NewNeedIn
) -> Status[NeedOut]:
    state = actor_or_404(payload.state)
    data = services.NeedInput(**payload.model_dump(exclude={"state"}))
    record = services.need_save(actor=request.user, state=state, data=data)
    out = _need_written(request, response, record)
    return created(response, f"/api/cooperation/needs/{record.pk}", out)


@router.put(
    "/cooperation/needs/{need_id}",
    response={200: NeedOut, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Change a need (send its ETag as If-Match)",
)
def need_update(
    request: HttpRequest, response: HttpResponse, need_id: int, payload: NeedIn
) -> Status[Any]:
    record = need_or_404(reader(request.user), need_id)
    version = if_match(request)
    data = services.NeedInput(**payload.model_dump())
    record = services.need_save(
        actor=request.user, state=record.state, data=data, need=record, expected_version=version
    )
    return Status(200, _need_written(request, response, record))


class OfferOut(Schema):
    id: int
    provider: str
    provider_name: str
    title: str
    description: str
    assistance_types: list[str]
    pillars: list[str]
    priority_states: list[str]
    priority_regions: list[str]
    languages: list[str]
    amount_min_usd: Decimal | None
    amount_max_usd: Decimal | None
    year_from: int
    year_to: int
    channels: list[str]
    visibility: str
    origin: str


class OfferDetailOut(OfferOut):
    matches: list[MatchOut] = Field(description="Needs this offer could answer (top 10)")


class OffersOut(Schema):
    count: int
    items: list[OfferOut]


class OfferQuery(PageQuery):
    provider: str = Field("", description="ISO 3166 alpha-3 code")
    pillar: str = ""
    assistance_type: str = ""


def _offer(o: Offer) -> dict[str, Any]:
    return from_record(
        OfferOut,
        o,
        id=o.pk,
        provider=o.provider.code,
        provider_name=o.provider.name_en,
        priority_states=[s.code for s in o.priority_states.all()],
    ).model_dump()


@router.get("/cooperation/offers", response=OffersOut, description=VISIBILITY)
def offers(request: HttpRequest, query: Query[OfferQuery]) -> OffersOut:
    who = reader(request.user)
    limit, offset = query.limit, query.offset
    qs = offers_list(
        who,
        OfferFilters(
            provider=query.provider, pillar=query.pillar, assistance_type=query.assistance_type
        ),
    ).prefetch_related("priority_states")
    return OffersOut(
        count=qs.count(), items=[OfferOut(**_offer(o)) for o in qs[offset : offset + limit]]
    )


def offer_or_404(who: Reader, pk: int) -> Offer:
    qs = visible(Offer.objects.select_related("provider"), who, "provider")
    offer = qs.prefetch_related("priority_states").filter(pk=pk).first()
    if offer is None:
        raise Http404("No such offer, or it is not shared with you.")
    return offer


@router.get("/cooperation/offers/{offer_id}", response=OfferDetailOut, description=VISIBILITY)
def offer(request: HttpRequest, response: HttpResponse, offer_id: int) -> OfferDetailOut:
    """The offer with its ``ETag`` (send it back as ``If-Match`` to change it)."""
    who = reader(request.user)
    record = offer_or_404(who, offer_id)
    response["ETag"] = _etag(record)
    return OfferDetailOut(
        **_offer(record), matches=[_match(m) for m in matching.needs_for_offer(record, who)]
    )


class OfferIn(Schema):
    """An offer as its provider's focal point writes it (the same fields as the page's form)."""

    title: str
    assistance_types: list[str] = Field(description="Any of: " + ", ".join(AssistanceType.values))
    pillars: list[str] = Field(description="Any of: " + ", ".join(c for c, _l in PILLARS))
    year_from: int
    year_to: int
    description: str = ""
    priority_states: list[str] = Field(default_factory=list, description="ISO 3166 alpha-3")
    priority_regions: list[str] = Field(default_factory=list, description="e.g. Americas")
    languages: list[str] = Field(default_factory=list, description="ISO 639-1 codes")
    amount_min_usd: Decimal | None = None
    amount_max_usd: Decimal | None = None
    channels: list[str] = Field(default_factory=list)
    visibility: str = Visibility.PUBLIC


class NewOfferIn(OfferIn):
    provider: str = Field(description="ISO 3166 alpha-3 code or slug of the provider")


def _offer_written(response: HttpResponse, record: Offer) -> OfferOut:
    record = Offer.objects.prefetch_related("priority_states").get(pk=record.pk)
    response["ETag"] = _etag(record)
    return OfferOut(**_offer(record))


@router.post(
    "/cooperation/offers",
    response={201: OfferOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Record an offer (the provider's focal point, ISU staff)",
)
def offer_create(
    request: HttpRequest, response: HttpResponse, payload: NewOfferIn
) -> Status[OfferOut]:
    provider = actor_or_404(payload.provider)
    data = services.OfferInput(**payload.model_dump(exclude={"provider"}))
    record = services.offer_save(actor=request.user, provider=provider, data=data)
    out = _offer_written(response, record)
    return created(response, f"/api/cooperation/offers/{record.pk}", out)


@router.put(
    "/cooperation/offers/{offer_id}",
    response={200: OfferOut, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Change an offer (send its ETag as If-Match)",
)
def offer_update(
    request: HttpRequest, response: HttpResponse, offer_id: int, payload: OfferIn
) -> Status[Any]:
    record = offer_or_404(reader(request.user), offer_id)
    version = if_match(request)
    record = services.offer_save(
        actor=request.user,
        provider=record.provider,
        data=services.OfferInput(**payload.model_dump()),
        offer=record,
        expected_version=version,
    )
    return Status(200, _offer_written(response, record))


class FlowOut(Schema):
    id: int
    donor: str
    donor_name: str
    recipient: str
    recipient_name: str
    status: str = Field(description="pledge, commitment or paid")
    year: int = Field(description="Calendar year")
    fiscal_year: str
    pillar: str
    channel: str
    assistance_type: str
    amount: Decimal
    currency: str
    amount_usd: Decimal | None = Field(description="Null when no exchange rate is known")
    reported_by: str
    origin: str
    visibility: str
    source_url: str
    report_version_id: int | None
    need_id: int | None
    partnership_id: int | None
    case_id: int | None
    tranche_of: int | None
    via: int | None = Field(description="The flow that brought this money to the donor")
    follows: int | None = Field(description="The pledge or commitment this flow carries forward")


class FlowsOut(Schema):
    count: int
    items: list[FlowOut]


class FlowQuery(PageQuery):
    donor: str = Field("", description="ISO 3166 alpha-3 code")
    recipient: str = Field("", description="ISO 3166 alpha-3 code")
    year: int | None = None
    status: str = ""
    pillar: str = ""


def flow_out(f: Flow) -> FlowOut:
    return from_record(
        FlowOut,
        f,
        id=f.pk,
        donor=f.donor.code,
        donor_name=f.donor.name_en,
        recipient=f.recipient.code,
        recipient_name=f.recipient.name_en,
        source_url=f.source.url if f.source else "",
        tranche_of=f.tranche_of_id,
        via=f.via_id,
        follows=f.follows_id,
    )


@router.get("/cooperation/flows", response=FlowsOut, description=VISIBILITY)
def flows(request: HttpRequest, query: Query[FlowQuery]) -> FlowsOut:
    who = reader(request.user)
    limit, offset = query.limit, query.offset
    qs = flows_list(
        who,
        FlowFilters(
            donor=query.donor,
            recipient=query.recipient,
            year=query.year,
            status=query.status,
            pillar=query.pillar,
        ),
    )
    return FlowsOut(count=qs.count(), items=[flow_out(f) for f in qs[offset : offset + limit]])


class PartnershipOut(Schema):
    id: int
    need_id: int
    offer_id: int
    state: str
    provider: str
    score: float
    reasons: list[dict[str, object]]
    confirmed_at: dt.datetime
    visibility: str


def partnerships_for(who: Reader) -> QuerySet[Partnership]:
    """The partnerships ``who`` may read: both sides must be shared with them."""
    return visible(
        Partnership.objects.select_related("need__state", "offer__provider"),
        who,
        "need__state",
        "offer__provider",
    )


def partnership_out(p: Partnership) -> PartnershipOut:
    return from_record(PartnershipOut, p, state=p.need.state.code, provider=p.offer.provider.code)


@router.get("/cooperation/partnerships", response=list[PartnershipOut], description=VISIBILITY)
def partnerships(request: HttpRequest, state: str = "") -> list[PartnershipOut]:
    qs = partnerships_for(reader(request.user))
    if state:
        qs = qs.filter(need__state__iso3=state.upper())
    return [partnership_out(p) for p in qs[:MAX_LIMIT]]


class CaseOut(Schema):
    id: int
    state: str
    status: str = Field(description="requested, scheduled, held, follow_up or closed")
    requested_on: dt.date | None = Field(description="null when no source gives it")
    committee: str
    pillars: list[str]
    summary: str
    outcome: str
    closed_on: dt.date | None
    visibility: str
    origin: str


def case_out(c: IndividualisedApproachCase) -> CaseOut:
    return from_record(
        CaseOut,
        c,
        id=c.pk,
        state=c.state.code,
        committee=c.committee.code if c.committee else "",
    )


@router.get("/cooperation/cases", response=list[CaseOut], description=VISIBILITY)
def cases(request: HttpRequest, state: str = "") -> list[CaseOut]:
    return [case_out(c) for c in cases_list(reader(request.user), state)[:MAX_LIMIT]]


class PledgeOutcomeOut(Schema):
    pledge: FlowOut
    commitment: FlowOut | None
    payment: FlowOut | None


class ActionOut(Schema):
    id: int
    description: str
    owner: str
    due_on: dt.date
    status: str
    done_on: dt.date | None
    overdue: bool


def action_out(line: casework.ActionLine) -> ActionOut:
    action = line.action
    owner = action.owner.code
    return from_record(ActionOut, action, id=action.pk, owner=owner, overdue=line.overdue)


class CaseMeetingOut(Schema):
    held_on: dt.date
    planned: bool
    setting: str
    in_margins_of: str = Field(description="Code of the meeting, e.g. IM2024")
    participants: list[str]
    notes: str = Field(description="Empty unless the caller may read the meeting's notes")


class CaseDetailOut(CaseOut):
    meetings: list[CaseMeetingOut]
    pledges: list[PledgeOutcomeOut] = Field(
        description="Pledges made at the meeting and the commitment and payment they became"
    )
    actions: list[ActionOut]


def case_or_404(who: Reader, pk: int) -> IndividualisedApproachCase:
    record = cases_list(who).filter(pk=pk).first()
    if record is None:
        raise Http404("No such case, or it is not shared with you.")
    return record


@router.get("/cooperation/cases/{case_id}", response=CaseDetailOut, description=VISIBILITY)
def case(request: HttpRequest, response: HttpResponse, case_id: int) -> CaseDetailOut:
    """The case with its ``ETag`` (send it back as ``If-Match`` to take its next step)."""
    who = reader(request.user)
    return case_detail_out(response, case_or_404(who, case_id), who)


def case_detail_out(
    response: HttpResponse, record: IndividualisedApproachCase, who: Reader
) -> CaseDetailOut:
    """The case as ``who`` may read it, its version as the ``ETag``."""
    with_version(response, case_version(record))
    detail = case_detail(record, who)
    return CaseDetailOut(
        **case_out(record).dict(),
        meetings=[
            CaseMeetingOut(
                held_on=line.meeting.held_on,
                planned=line.planned,
                setting=line.meeting.setting,
                in_margins_of=line.meeting.in_margins_of.code if line.meeting.in_margins_of else "",
                participants=[p.code for p in line.participants],
                notes=line.meeting.notes if may_read(line.meeting, who, record.state) else "",
            )
            for line in detail.meetings
        ],
        pledges=[
            PledgeOutcomeOut(
                pledge=flow_out(line.pledge),
                commitment=flow_out(line.commitment) if line.commitment else None,
                payment=flow_out(line.payment) if line.payment else None,
            )
            for line in detail.pledges
        ],
        actions=[action_out(line) for line in detail.actions],
    )


class CoverageYearOut(Schema):
    year: int
    required_usd: Decimal
    unpriced_needs: int = Field(description="Needs of the year with no USD amount (in kind)")
    committed_usd: Decimal
    paid_usd: Decimal
    gap_usd: Decimal


class CoverageOut(Schema):
    state: str
    real: list[CoverageYearOut]
    synthetic: list[CoverageYearOut] = Field(description="From synthetic demo data, kept apart")


def _coverage(years: list[funding.CoverageYear]) -> list[CoverageYearOut]:
    return [from_record(CoverageYearOut, c) for c in years]


@router.get("/cooperation/coverage/{iso3}", response=CoverageOut, description=VISIBILITY)
def coverage(request: HttpRequest, iso3: str) -> CoverageOut:
    state = get_actor(iso3)
    if state is None:
        raise Http404("No state or area with this code.")
    result = funding.state_coverage(state, reader(request.user))
    return CoverageOut(
        state=state.iso3 or "", real=_coverage(result.real), synthetic=_coverage(result.synthetic)
    )


class MismatchOut(Schema):
    donor: str
    recipient: str
    year: int
    donor_usd: Decimal = Field(description="What the donor reported")
    recipient_usd: Decimal = Field(description="What the recipient reported")
    gap_usd: Decimal
    gap_ratio: Decimal = Field(description="The gap as a share of the larger figure")


@router.get("/cooperation/triangulation", response=list[MismatchOut], description=VISIBILITY)
def triangulation(request: HttpRequest, year: int | None = None) -> list[MismatchOut]:
    return [
        MismatchOut(
            donor=m.donor.code,
            recipient=m.recipient.code,
            year=m.year,
            donor_usd=m.donor_usd,
            recipient_usd=m.recipient_usd,
            gap_usd=m.gap_usd,
            gap_ratio=m.gap_ratio,
        )
        for m in funding.triangulation_mismatches(reader(request.user), year)
    ]


class PublishedTotalOut(Schema):
    year: int
    kind: str
    record_type: str = Field(description="As the source labels it")
    donor: str
    recipient: str
    sector: str
    amount_usd: Decimal | None
    loaded_usd: Decimal | None = Field(
        description="Sum of the public, real payments loaded that the total covers; null when "
        "no loaded rows are comparable"
    )
    gap_usd: Decimal | None
    source_url: str


@router.get("/cooperation/published-totals", response=list[PublishedTotalOut])
def published_totals(request: HttpRequest, year: int | None = None) -> list[PublishedTotalOut]:
    return [
        PublishedTotalOut(
            year=c.total.year,
            kind=c.total.kind,
            record_type=c.total.record_type,
            donor=c.total.donor.code if c.total.donor else "",
            recipient=c.total.recipient.code if c.total.recipient else "",
            sector=c.total.sector,
            amount_usd=c.total.amount_usd,
            loaded_usd=c.loaded_usd,
            gap_usd=c.gap_usd,
            source_url=c.total.source.url,
        )
        for c in funding.totals_against_published(year)
    ]


class PlatformMeetingOut(Schema):
    id: int
    held_on: dt.date
    participants: list[str]
    progress: str
    funding_gap_usd: Decimal | None
    commitments: str


class PlatformOut(Schema):
    state: str
    convening_authority: str
    established_on: dt.date | None
    members: list[str]
    terms_of_reference: str
    visibility: str
    meetings: list[PlatformMeetingOut]


def platform_meeting_out(line: casework.PlatformMeetingLine) -> PlatformMeetingOut:
    participants = [p.code for p in line.participants]
    return from_record(PlatformMeetingOut, line.meeting, participants=participants)


def platform_or_404(state: Actor | None, who: Reader) -> casework.PlatformView:
    view = casework.platform_of(state, who) if state else None
    if view is None:
        raise Http404("No national platform recorded, or it is not shared with you.")
    return view


def platform_out(response: HttpResponse, view: casework.PlatformView) -> PlatformOut:
    """The platform with its meetings, its version as the ``ETag``."""
    pf = view.platform
    with_version(response, platform_version(pf))
    return PlatformOut(
        state=pf.state.code,
        convening_authority=pf.convening_authority.code if pf.convening_authority else "",
        established_on=pf.established_on,
        members=[m.code for m in view.members],
        terms_of_reference=pf.terms_of_reference,
        visibility=pf.visibility,
        meetings=[platform_meeting_out(line) for line in view.meetings],
    )


@router.get("/cooperation/platforms/{iso3}", response=PlatformOut, description=VISIBILITY)
def platform(request: HttpRequest, response: HttpResponse, iso3: str) -> PlatformOut:
    """The platform with its ``ETag`` (send it back as ``If-Match`` to change it)."""
    return platform_out(response, platform_or_404(get_actor(iso3), reader(request.user)))


class BilateralMeetingOut(Schema):
    id: int
    committee: str
    counterpart: str
    held_on: dt.date
    topics: list[str] = Field(
        description="Topic labels; codes of the known topics are in `topic_codes`"
    )
    topic_codes: list[str]
    notes: str
    visibility: str
    actions: list[ActionOut]


@router.get(
    "/cooperation/bilateral-meetings",
    response=list[BilateralMeetingOut],
    description=VISIBILITY + " Notes are confidential to the committee by default.",
)
def bilateral_meetings(request: HttpRequest, counterpart: str = "") -> list[BilateralMeetingOut]:
    who = reader(request.user)
    actor = get_actor(counterpart) if counterpart else None
    if counterpart and actor is None:
        raise ValidationError({"counterpart": ["No state or area with this code."]})
    return [bilateral_out(line) for line in casework.bilateral_meetings(who, counterpart=actor)]


def bilateral_out(line: casework.BilateralLine) -> BilateralMeetingOut:
    meeting = line.meeting
    return from_record(
        BilateralMeetingOut,
        meeting,
        committee=meeting.committee.code,
        counterpart=meeting.counterpart.code,
        topics=[label for _code_or_text, label in line.topics],
        topic_codes=list(meeting.topics),
        actions=[action_out(a) for a in line.actions],
    )
