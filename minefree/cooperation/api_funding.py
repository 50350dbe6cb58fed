"""Partnerships and the money that follows them, written over the API: the committee
confirms a partnership, donors and recipient states record flows (pledge → commitment →
payment, yearly tranches), the committee records the pledges made at an individualised
approach meeting.

Each endpoint calls the service its page calls, under the same rule, and answers with the
shapes the reads give. A flow is never changed: a commitment or a payment is a new flow
that follows the earlier one, so flows carry no version. Two requests carrying one pledge
forward cannot count its money twice: the service re-reads the pledge under a row lock,
and once nothing remains to carry the next one is ``409 already_done``.

These endpoints join the cooperation router (``cooperation.api.router``) instead of a
router of their own: Django sends a path to one router's view, and ``POST
/cooperation/flows`` shares its path with ``GET /cooperation/flows``.
"""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Schema
from ninja.responses import Status

from minefree.accounts.tokens import WRITE_AUTH
from minefree.assistance import services
from minefree.assistance.models import AssistanceType, Partnership
from minefree.assistance.selectors import Reader, reader
from minefree.cooperation.api import (
    VISIBILITY,
    FlowOut,
    PartnershipOut,
    actor_or_404,
    case_or_404,
    flow_out,
    need_or_404,
    offer_or_404,
    partnership_out,
    partnerships_for,
    router,
)
from minefree.core.api import WRITE_ERRORS, created
from minefree.core.models import Visibility
from minefree.funding import flows, pledges
from minefree.funding import totals as funding
from minefree.funding.models import Flow, FlowStatus, ReportedBy
from minefree.funding.selectors import flows_list
from minefree.reporting.specification.schema import CHANNELS, PILLARS

PILLAR_CODES = ", ".join(code for code, _label in PILLARS)


# --- partnerships ----------------------------------------------------------------------------


def partnership_or_404(who: Reader, pk: int) -> Partnership:
    partnership = partnerships_for(who).filter(pk=pk).first()
    if partnership is None:
        raise Http404("No such partnership, or it is not shared with you.")
    return partnership


@router.get(
    "/cooperation/partnerships/{partnership_id}", response=PartnershipOut, description=VISIBILITY
)
def partnership(request: HttpRequest, partnership_id: int) -> PartnershipOut:
    return partnership_out(partnership_or_404(reader(request.user), partnership_id))


class PartnershipIn(Schema):
    """The need and the offer the committee pairs (the need page's confirm button)."""

    need_id: int
    offer_id: int
    visibility: str | None = Field(
        None,
        description="Who may read it: "
        + ", ".join(Visibility.values)
        + "; by default the narrower of the need's and the offer's",
    )


@router.post(
    "/cooperation/partnerships",
    response={201: PartnershipOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Confirm that an offer answers a need (committee members, ISU staff)",
)
def partnership_create(
    request: HttpRequest, response: HttpResponse, payload: PartnershipIn
) -> Status[PartnershipOut]:
    who = reader(request.user)
    record = services.partnership_confirm(
        actor=request.user,
        need=need_or_404(who, payload.need_id),
        offer=offer_or_404(who, payload.offer_id),
        visibility=payload.visibility,
    )
    out = partnership_out(record)
    return created(response, f"/api/cooperation/partnerships/{record.pk}", out)


# --- flows -----------------------------------------------------------------------------------


def flow_or_404(who: Reader, pk: int) -> Flow:
    flow = flows_list(who).filter(pk=pk).first()
    if flow is None:
        raise Http404("No such flow, or it is not shared with you.")
    return flow


class FlowDetailOut(FlowOut):
    left_to_carry: Decimal | None = Field(
        description="What remains of a pledge or commitment to commit or pay; null for a "
        "payment, for a pledge split into tranches (carry each tranche) and for one carried "
        "forward in full"
    )
    followed_by: list[int] = Field(description="The flows that carry this one forward")
    tranches: list[int] = Field(description="The yearly tranches of a split pledge")


@router.get("/cooperation/flows/{flow_id}", response=FlowDetailOut, description=VISIBILITY)
def flow(request: HttpRequest, flow_id: int) -> FlowDetailOut:
    """A flow with what remains of it to commit or pay, so a donor's system knows what it
    may still record against it."""
    who = reader(request.user)
    record = flow_or_404(who, flow_id)
    followers = flows_list(who).filter(follows=record).order_by("pk")
    tranches = flows_list(who).filter(tranche_of=record).order_by("year", "pk")
    tranche_ids = list(tranches.values_list("pk", flat=True))
    left = None
    if record.status != FlowStatus.PAID and not tranche_ids:
        left = funding.left_to_carry([record])[record.pk]
    return FlowDetailOut(
        **flow_out(record).model_dump(),
        left_to_carry=left,
        followed_by=list(followers.values_list("pk", flat=True)),
        tranches=tranche_ids,
    )


class FlowIn(Schema):
    """A pledge, commitment or payment as its reporter states it (the partnership page's
    form has the same fields, with the donor and recipient of the partnership)."""

    donor: str = Field(description="ISO 3166 alpha-3 code or slug of who gives")
    recipient: str = Field(description="ISO 3166 alpha-3 code or slug of who receives")
    status: str = Field(description="One of: " + ", ".join(FlowStatus.values))
    year: int = Field(description="Calendar year")
    amount: Decimal
    currency: str = Field(description="ISO 4217 code, e.g. USD, EUR")
    reported_by: str = Field(
        ReportedBy.DONOR, description="Who states it: " + ", ".join(ReportedBy.values)
    )
    pillar: str = Field("", description="One of: " + PILLAR_CODES)
    channel: str = Field("", description="One of: " + ", ".join(c for c, _l in CHANNELS))
    assistance_type: str = Field(
        AssistanceType.FINANCIAL, description="One of: " + ", ".join(AssistanceType.values)
    )
    fiscal_year: str = Field("", description="The reporter's fiscal year, as it gives it")
    description: str = ""
    visibility: str = Visibility.PUBLIC
    need_id: int | None = Field(None, description="The recipient's need it answers")
    partnership_id: int | None = Field(None, description="The partnership it funds")
    via: int | None = Field(None, description="The flow that brought this money to the donor")


@router.post(
    "/cooperation/flows",
    response={201: FlowOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Record a pledge, commitment or payment (the donor, the recipient state, ISU staff)",
)
def flow_create(request: HttpRequest, response: HttpResponse, payload: FlowIn) -> Status[FlowOut]:
    who = reader(request.user)
    need = None if payload.need_id is None else need_or_404(who, payload.need_id)
    link = payload.partnership_id
    record = flows.flow_record(
        actor=request.user,
        donor=actor_or_404(payload.donor),
        recipient=actor_or_404(payload.recipient),
        need=need,
        partnership=None if link is None else partnership_or_404(who, link),
        via=None if payload.via is None else flow_or_404(who, payload.via),
        **payload.model_dump(exclude={"donor", "recipient", "need_id", "partnership_id", "via"}),
    )
    return created(response, f"/api/cooperation/flows/{record.pk}", flow_out(record))


class AdvanceIn(Schema):
    """What a pledge or commitment becomes (the same fields as the page's form)."""

    status: str = Field(description="commitment or paid")
    amount: Decimal | None = Field(None, description="Left out: all that remains")
    year: int | None = Field(None, description="Calendar year; left out: the earlier flow's")
    increase: bool = Field(
        False, description="True only when the donor gives more than was pledged or committed"
    )


@router.post(
    "/cooperation/flows/{flow_id}/advance",
    response={201: FlowOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Record the commitment or payment that carries a pledge or commitment forward",
)
def flow_advance(
    request: HttpRequest, response: HttpResponse, flow_id: int, payload: AdvanceIn
) -> Status[FlowOut]:
    """The earlier flow stays as it was; the new one follows it. What the followers of a
    flow add up to never exceeds it unless ``increase`` says so (422), and a flow carried
    forward in full answers 409."""
    record = flow_or_404(reader(request.user), flow_id)
    new = flows.flow_advance(actor=request.user, flow=record, **payload.model_dump())
    return created(response, f"/api/cooperation/flows/{new.pk}", flow_out(new))


class SplitIn(Schema):
    years: list[int] = Field(
        description="Two or more calendar years: equal tranches, the last takes the rounding"
    )


@router.get("/cooperation/flows/{flow_id}/tranches", response=list[FlowOut])
def tranches(request: HttpRequest, flow_id: int) -> list[FlowOut]:
    who = reader(request.user)
    record = flow_or_404(who, flow_id)
    return [flow_out(t) for t in flows_list(who).filter(tranche_of=record).order_by("year")]


@router.post(
    "/cooperation/flows/{flow_id}/tranches",
    response={201: list[FlowOut], **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Split a multi-year pledge into yearly tranches (the donor, ISU staff)",
)
def pledge_split(
    request: HttpRequest, response: HttpResponse, flow_id: int, payload: SplitIn
) -> Status[list[FlowOut]]:
    record = flow_or_404(reader(request.user), flow_id)
    made = flows.pledge_split(actor=request.user, flow=record, years=payload.years)
    out = [flow_out(t) for t in made]
    return created(response, f"/api/cooperation/flows/{record.pk}/tranches", out)


# --- pledges at an individualised approach meeting ------------------------------------------


class CasePledgeIn(Schema):
    """A partner's pledge at the case's meeting (the case page's pledge form)."""

    donor: str = Field(description="ISO 3166 alpha-3 code or slug of the partner")
    assistance_type: str = Field(description="One of: " + ", ".join(AssistanceType.values))
    amount: Decimal = Field(description="0 for an in-kind pledge whose value was not given")
    currency: str = Field("USD", description="ISO 4217 code")
    year: int = Field(description="Calendar year")
    pillar: str = Field(description="One of: " + PILLAR_CODES)
    description: str = Field("", description="For in-kind pledges: what, and how much")
    need_id: int | None = Field(None, description="The state's need it answers")


@router.post(
    "/cooperation/cases/{case_id}/pledges",
    response={201: FlowOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Record a pledge made at the case's meeting (committee members, ISU staff)",
)
def case_pledge(
    request: HttpRequest, response: HttpResponse, case_id: int, payload: CasePledgeIn
) -> Status[FlowOut]:
    who = reader(request.user)
    case = case_or_404(who, case_id)
    pledge = pledges.case_pledge(
        actor=request.user,
        case=case,
        donor=actor_or_404(payload.donor),
        need=None if payload.need_id is None else need_or_404(who, payload.need_id),
        **payload.model_dump(exclude={"donor", "need_id"}),
    )
    return created(response, f"/api/cooperation/flows/{pledge.pk}", flow_out(pledge))
