"""Read endpoints of the registry: states, one state, meetings, committees."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router

from minefree.core.schemas import IntervalOut, PageQuery, PartialDateOut, SourceOut
from minefree.registry import selectors
from minefree.registry.models import (
    Actor,
    AlternativeValue,
    CommitteeSeat,
    Obligation,
    TreatyStatus,
)
from minefree.registry.schemas import (
    AlternativeOut,
    CommitteeOut,
    DatedFact,
    DeadlineEventOut,
    MeetingOut,
    ObligationOut,
    ObligationSummaryOut,
    SeatOut,
    StateDetailOut,
    StateListItem,
    StateListOut,
    WithdrawalOut,
)

router = Router(tags=["registry"])


class StateQuery(PageQuery):
    q: str = ""
    region: str = ""
    status: str = ""
    open_article: int | None = Field(None, ge=4, le=5, description="4 or 5")
    deadline_year: int | None = Field(None, ge=1999, le=2100)
    sort: str = "name"


def _names(actor: Actor) -> dict[str, str]:
    """What a state's list item and its detail both give: code, names, region, status."""
    adherence = getattr(actor, "adherence", None)
    return {
        "iso3": actor.iso3 or "",
        "name": actor.name,
        "name_en": actor.name_en,
        "name_fr": actor.name_fr,
        "name_es": actor.name_es,
        "region": actor.region,
        "status": adherence.status if adherence else TreatyStatus.NOT_PARTY,
    }


def _list_item(actor: Actor) -> StateListItem:
    adherence = getattr(actor, "adherence", None)
    return StateListItem(
        **_names(actor),
        entry_into_force=IntervalOut.of(adherence.entry_into_force if adherence else None),
        obligations=[
            ObligationSummaryOut(
                article=o.article,
                status=o.status,
                current_deadline=PartialDateOut.of(o.current),
                completion=PartialDateOut.of(o.completed),
            )
            for o in actor.obligations.all()
        ],
    )


@router.get("/states", response=StateListOut, summary="States, filtered and paginated")
def list_states(request: HttpRequest, query: Query[StateQuery]) -> StateListOut:
    if query.status and query.status not in TreatyStatus.values:
        raise ValidationError(f"status must be one of {', '.join(TreatyStatus.values)}")
    if query.open_article not in (None, 4, 5):
        raise ValidationError("open_article must be 4 or 5")
    filters = selectors.StateFilters(
        q=query.q,
        region=query.region,
        status=query.status,
        open_article=query.open_article,
        deadline_year=query.deadline_year,
        sort=query.sort,
    )
    qs = selectors.states_list(filters)
    count = qs.count()
    items = [_list_item(a) for a in qs[query.offset : query.offset + query.limit]]
    return StateListOut(count=count, limit=query.limit, offset=query.offset, items=items)


def _alternatives(items: list[AlternativeValue]) -> list[AlternativeOut]:
    return [
        AlternativeOut(field=a.field, value=a.value, source=SourceOut.of(a.source), notes=a.notes)
        for a in items
    ]


def _seat(seat: CommitteeSeat) -> SeatOut:
    return SeatOut(
        committee=seat.committee.code,
        committee_name=seat.committee.name,
        state_iso3=seat.actor.iso3 or "",
        state_name=seat.actor.name,
        role=seat.role,
        term_start_meeting=seat.term_start_meeting.code if seat.term_start_meeting else None,
        term_end_meeting=seat.term_end_meeting.code if seat.term_end_meeting else None,
        term_start_year=seat.term_start_year,
        term_end_year=seat.term_end_year,
        source=SourceOut.of(seat.source),
    )


def _obligation(o: Obligation, profile: selectors.CountryProfile) -> ObligationOut:
    prefix = f"obligation:{profile.actor.iso3}:{o.article}:"
    alternatives = [a for k, v in profile.alternatives.items() if k.startswith(prefix) for a in v]
    events = []
    for e in o.events.all():
        key_prefix = f"deadline_event:{profile.actor.iso3}:{o.article}:{e.seq}:"
        alternatives += [
            a for k, v in profile.alternatives.items() if k.startswith(key_prefix) for a in v
        ]
        events.append(
            DeadlineEventOut(
                seq=e.seq,
                kind=e.kind,
                request_submitted=PartialDateOut.of(e.submitted),
                request_submitted_note=e.request_submitted_note,
                meeting_code=e.meeting.code if e.meeting else None,
                meeting_label=e.meeting_label,
                deadline=PartialDateOut.of(e.new_deadline),
                completion=PartialDateOut.of(e.completed),
                source=SourceOut.of(e.source),
                notes=e.notes,
            )
        )
    return ObligationOut(
        article=o.article,
        status=o.status,
        status_detail=o.status_detail,
        original_deadline=PartialDateOut.of(o.original),
        original_deadline_basis=o.original_deadline_basis,
        current_deadline=PartialDateOut.of(o.current),
        completion=PartialDateOut.of(o.completed),
        total_destroyed=o.total_destroyed,
        total_destroyed_qualifier=o.total_destroyed_qualifier,
        retained=o.retained,
        retained_as_of=PartialDateOut.of(o.retained_date),
        pending_request=o.pending_request,
        source=SourceOut.of(o.source),
        notes=o.notes,
        events=events,
        alternatives=_alternatives(alternatives),
    )


@router.get(
    "/states/{iso3}",
    response={200: StateDetailOut},
    summary="One state: status, dates with precision and source, obligations, seats",
)
def get_state(request: HttpRequest, iso3: str) -> StateDetailOut:
    profile = selectors.country_profile(iso3)
    if profile is None:
        raise Http404(f"No state or area with code {iso3!r}.")
    actor = profile.actor
    adherence = getattr(actor, "adherence", None)
    own_alternatives = [
        a for k, v in profile.alternatives.items() if k.startswith("adherence:") for a in v
    ]
    withdrawal = None
    if adherence and (
        adherence.withdrawal_notified
        or adherence.withdrawal_effective
        or adherence.status in (TreatyStatus.WITHDRAWN, TreatyStatus.WITHDRAWAL_PENDING)
    ):
        withdrawal = WithdrawalOut(
            notified=adherence.withdrawal_notified.isoformat()
            if adherence.withdrawal_notified
            else None,
            effective=adherence.withdrawal_effective.isoformat()
            if adherence.withdrawal_effective
            else None,
            source=SourceOut.of(adherence.withdrawal_source),
        )
    consent_source = None
    if adherence:
        consent_source = adherence.consent_year_source or (
            adherence.dates_source if adherence.consent else None
        )
    return StateDetailOut(
        **_names(actor),
        iso2=actor.iso2,
        kind=actor.kind,
        subregion=actor.subregion,
        signature=DatedFact(
            date=PartialDateOut.of(adherence.signature if adherence else None),
            source=SourceOut.of(adherence.dates_source)
            if adherence and adherence.signature
            else None,
        ),
        deposit=DatedFact(
            date=PartialDateOut.of(adherence.consent if adherence else None),
            source=SourceOut.of(consent_source),
        ),
        deposit_type=adherence.consent_type if adherence else "",
        entry_into_force=IntervalOut.of(adherence.entry_into_force if adherence else None),
        entry_into_force_basis=adherence.eif_basis if adherence else "",
        initial_report_due=IntervalOut.of(adherence.initial_report_due if adherence else None),
        withdrawal=withdrawal,
        notes=adherence.notes if adherence else "",
        obligations=[_obligation(o, profile) for o in profile.obligations.values()],
        committee_seats=[_seat(s) for s in profile.seats],
        alternatives=_alternatives(own_alternatives),
    )


@router.get("/meetings", response=list[MeetingOut], summary="Meetings of the States Parties")
def list_meetings(request: HttpRequest, kind: str = "") -> list[MeetingOut]:
    return [
        MeetingOut(
            code=m.code,
            kind=m.kind,
            number=m.number,
            name=m.name,
            name_en=m.name_en,
            place=m.place,
            start=PartialDateOut.of(m.start),
            end=PartialDateOut.of(m.end),
            president_state=m.president_state.iso3 if m.president_state else None,
            president_name=m.president_name,
            source=SourceOut.of(m.source),
        )
        for m in selectors.meetings_list(kind)
    ]


@router.get("/committees", response=list[CommitteeOut], summary="Committees and their seats")
def list_committees(request: HttpRequest) -> list[CommitteeOut]:
    return [
        CommitteeOut(code=c.code, name=c.name, seats=[_seat(s) for s in c.seats.all()])
        for c in selectors.committees_list()
    ]
