"""Individualised approach cases: who may do what, the status machine, what each reader sees,
and reads that stay at a fixed number of queries as data grows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minefree.accounts.tests.factories import make_cast
from minefree.assistance.models import Need
from minefree.assistance.selectors import reader
from minefree.casework import cases
from minefree.casework import selectors as casework
from minefree.casework.models import (
    ActionStatus,
    CaseMeeting,
    CaseStatus,
    FollowUpAction,
    IndividualisedApproachCase,
)
from minefree.casework.selectors import cases_list
from minefree.cooperation.selectors import case_detail, needs_profile
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent, Visibility
from minefree.core.versions import VersionConflictError
from minefree.core.workflow import AlreadyDone
from minefree.funding import flows, pledges
from minefree.funding.models import Flow
from minefree.registry.models import Actor, Meeting

pytestmark = pytest.mark.django_db

DAY = dt.date(2024, 6, 18)
COMMITTEE_PEOPLE = {"committee_chair", "isu_staff", "administrator"}
NOT_COMMITTEE = ["focal_point_peru", "focal_point_colombia", "donor_japan", "anonymous"]


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


@pytest.fixture
def peru() -> Actor:
    return Actor.objects.get(iso3="PER")


def actor(iso3: str) -> Actor:
    return Actor.objects.get(iso3=iso3)


def new_case(visibility: str = Visibility.PUBLIC) -> IndividualisedApproachCase:
    return cases.case_request(
        actor=SYSTEM,
        state=actor("PER"),
        requested_on=dt.date(2024, 3, 1),
        summary="Support to finish clearance in the Cordillera del Cóndor.",
        pillars=["survey_clearance"],
        visibility=visibility,
    )


def scheduled_case(visibility: str = Visibility.PUBLIC) -> IndividualisedApproachCase:
    case = new_case(visibility)
    cases.case_schedule(
        actor=SYSTEM,
        case=case,
        on=DAY,
        setting="Geneva, margins of the intersessional meetings",
        in_margins_of=Meeting.objects.get(code="IM2024"),
    )
    case.refresh_from_db()
    return case


def held_case(visibility: str = Visibility.PUBLIC) -> IndividualisedApproachCase:
    case = scheduled_case(visibility)
    cases.case_meeting_record(
        actor=SYSTEM,
        case=case,
        held_on=DAY,
        setting="Geneva",
        in_margins_of=Meeting.objects.get(code="IM2024"),
        participants=[actor("PER"), actor("JPN")],
        notes="Peru presented its remaining areas.",
        visibility=visibility,
    )
    case.refresh_from_db()
    return case


def follow_up_case() -> IndividualisedApproachCase:
    case = held_case()
    return cases.case_follow_up(actor=SYSTEM, case=case)


def user(cast: dict[str, Any], name: str) -> Any:
    return cast[name]


def _state() -> tuple[int, int, int, int, int]:
    return (
        IndividualisedApproachCase.objects.count(),
        CaseMeeting.objects.count(),
        Flow.objects.count(),
        FollowUpAction.objects.count(),
        AuditEvent.objects.count(),
    )


# --- allow / deny ---------------------------------------------------------------------------


WRITES: dict[str, tuple[Callable[[], Any], Callable[[Any, Any], Any]]] = {
    "case_schedule": (
        new_case,
        lambda who, case: cases.case_schedule(
            actor=who, case=case, on=DAY, setting="Geneva", in_margins_of=None
        ),
    ),
    "case_meeting_record": (
        scheduled_case,
        lambda who, case: cases.case_meeting_record(
            actor=who,
            case=case,
            held_on=DAY,
            setting="Geneva",
            in_margins_of=None,
            participants=[actor("PER")],
            notes="",
            visibility=Visibility.PUBLIC,
        ),
    ),
    "case_pledge": (
        held_case,
        lambda who, case: pledges.case_pledge(
            actor=who,
            case=case,
            donor=actor("JPN"),
            amount=Decimal("100000"),
            currency="USD",
            year=2024,
            pillar="survey_clearance",
            assistance_type="financial",
            description="",
        ),
    ),
    "action_add": (
        held_case,
        lambda who, case: cases.action_add(
            actor=who,
            case=case,
            description="Share the updated workplan",
            owner=actor("PER"),
            due_on=dt.date(2024, 9, 30),
        ),
    ),
    "case_follow_up": (held_case, lambda who, case: cases.case_follow_up(actor=who, case=case)),
    "case_close": (
        follow_up_case,
        lambda who, case: cases.case_close(
            actor=who, case=case, outcome="Partners renewed support.", closed_on=DAY
        ),
    ),
}


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("who", sorted(COMMITTEE_PEOPLE) + NOT_COMMITTEE)
def test_committee_writes_allow_deny(cast: dict[str, Any], write: str, who: str) -> None:
    setup, run = WRITES[write]
    case = setup()
    before = _state()
    if who in COMMITTEE_PEOPLE:
        run(cast[who], case)
        assert AuditEvent.objects.count() > before[-1]
    else:
        with pytest.raises(PermissionDenied):
            run(cast[who], case)
        assert _state() == before


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("focal_point_peru", True),
        ("delegate_peru", True),
        ("committee_chair", True),
        ("isu_staff", True),
        ("focal_point_colombia", False),
        ("donor_japan", False),
        ("no_role", False),
        ("anonymous", False),
    ],
)
def test_case_request_allow_deny(
    cast: dict[str, Any], peru: Actor, who: str, allowed: bool
) -> None:
    before = _state()

    def run() -> IndividualisedApproachCase:
        return cases.case_request(
            actor=cast[who],
            state=peru,
            requested_on=dt.date(2024, 3, 1),
            summary="Clearance support",
            pillars=["survey_clearance"],
        )

    if allowed:
        case = run()
        assert case.status == CaseStatus.REQUESTED
        assert case.committee is not None and case.committee.code == "cooperation_assistance"
        assert AuditEvent.objects.filter(
            action="case.requested", object_id=str(case.pk), state_code="PER"
        ).exists()
    else:
        with pytest.raises(PermissionDenied):
            run()
        assert _state() == before


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("focal_point_peru", True),  # Peru owns the action
        ("committee_chair", True),
        ("isu_staff", True),
        ("focal_point_colombia", False),
        ("donor_japan", False),
        ("anonymous", False),
    ],
)
def test_action_done_allow_deny(cast: dict[str, Any], who: str, allowed: bool) -> None:
    case = held_case()
    action = cases.action_add(
        actor=SYSTEM,
        case=case,
        description="Share the updated workplan",
        owner=actor("PER"),
        due_on=dt.date(2024, 9, 30),
    )
    before = _state()
    if allowed:
        done = cases.action_done(actor=cast[who], action=action, done_on=dt.date(2024, 9, 1))
        assert done.status == ActionStatus.DONE
        assert AuditEvent.objects.filter(action="action.done", object_id=str(action.pk)).exists()
    else:
        with pytest.raises(PermissionDenied):
            cases.action_done(actor=cast[who], action=action, done_on=dt.date(2024, 9, 1))
        assert _state() == before


# --- the status machine --------------------------------------------------------------------------


def test_case_runs_requested_to_closed() -> None:
    case = held_case()
    assert case.status == CaseStatus.HELD
    meetings = list(case.meetings.all())
    assert len(meetings) == 1, "recording the meeting fills in the scheduled one"
    assert {a.iso3 for a in meetings[0].participants.all()} == {"PER", "JPN"}
    cases.case_follow_up(actor=SYSTEM, case=case)
    closed = cases.case_close(actor=SYSTEM, case=case, outcome="Support renewed.", closed_on=DAY)
    assert closed.status == CaseStatus.CLOSED
    assert closed.outcome == "Support renewed." and closed.closed_on == DAY
    actions = set(
        AuditEvent.objects.filter(object_id=str(case.pk), state_code="PER").values_list(
            "action", flat=True
        )
    )
    assert {"case.requested", "case.scheduled", "case.held", "case.followed_up", "case.closed"} <= (
        actions
    )


def test_rescheduling_moves_the_planned_meeting() -> None:
    case = scheduled_case()
    cases.case_schedule(
        actor=SYSTEM, case=case, on=dt.date(2024, 6, 20), setting="Geneva", in_margins_of=None
    )
    assert list(case.meetings.values_list("held_on", flat=True)) == [dt.date(2024, 6, 20)]


def test_a_step_taken_from_a_stale_version_changes_nothing() -> None:
    case = scheduled_case()
    read = cases.case_version(case)
    cases.case_schedule(
        actor=SYSTEM, case=case, on=dt.date(2024, 6, 20), setting="Geneva", expected_version=read
    )
    moved = cases.case_version(case)
    assert moved != read  # moving the meeting is a change of the case's version
    with pytest.raises(VersionConflictError) as stale:
        cases.case_schedule(
            actor=SYSTEM, case=case, on=dt.date(2024, 6, 21), setting="Bern", expected_version=read
        )
    assert stale.value.current == moved
    assert list(case.meetings.values_list("held_on", flat=True)) == [dt.date(2024, 6, 20)]
    held = held_case()
    cases.case_follow_up(actor=SYSTEM, case=held, expected_version=cases.case_version(held))
    with pytest.raises(AlreadyDone):  # a repeat is told it is done, whatever version it names
        cases.case_follow_up(actor=SYSTEM, case=held, expected_version="stale")


def test_follow_up_case_may_be_scheduled_again() -> None:
    case = follow_up_case()
    cases.case_schedule(
        actor=SYSTEM, case=case, on=dt.date(2024, 11, 26), setting="Siem Reap", in_margins_of=None
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.SCHEDULED
    assert case.meetings.count() == 2


@pytest.mark.parametrize(
    ("setup", "step", "message"),
    [
        (
            new_case,
            lambda c: cases.case_meeting_record(
                actor=SYSTEM,
                case=c,
                held_on=DAY,
                setting="Geneva",
                in_margins_of=None,
                participants=[actor("PER")],
                notes="",
                visibility="public",
            ),
            "cannot become held",
        ),
        (new_case, lambda c: cases.case_follow_up(actor=SYSTEM, case=c), "cannot become"),
        (
            new_case,
            lambda c: cases.case_close(actor=SYSTEM, case=c, outcome="x", closed_on=DAY),
            "cannot become closed",
        ),
        (
            held_case,
            lambda c: cases.case_close(actor=SYSTEM, case=c, outcome="x", closed_on=DAY),
            "held cannot become closed",
        ),
        (
            held_case,
            lambda c: cases.case_schedule(
                actor=SYSTEM, case=c, on=DAY, setting="x", in_margins_of=None
            ),
            "cannot become scheduled",
        ),
        (
            scheduled_case,
            lambda c: pledges.case_pledge(
                actor=SYSTEM,
                case=c,
                donor=actor("JPN"),
                amount=Decimal(1),
                currency="USD",
                year=2024,
                pillar="",
                assistance_type="financial",
                description="",
            ),
            "once the case's meeting has been held",
        ),
    ],
)
def test_illegal_transitions_are_refused(
    setup: Callable[[], IndividualisedApproachCase],
    step: Callable[[IndividualisedApproachCase], Any],
    message: str,
) -> None:
    case = setup()
    status = case.status
    with pytest.raises(ValidationError, match=message):
        step(case)
    case.refresh_from_db()
    assert case.status == status


def test_a_closed_case_stays_closed() -> None:
    case = follow_up_case()
    cases.case_close(actor=SYSTEM, case=case, outcome="Done.", closed_on=DAY)
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="closed cannot become"):
        cases.case_schedule(actor=SYSTEM, case=case, on=DAY, setting="x", in_margins_of=None)
    with pytest.raises(ValidationError, match="closed case takes no new actions"):
        cases.action_add(actor=SYSTEM, case=case, description="x", owner=actor("PER"), due_on=DAY)


def test_closing_needs_an_outcome_and_settled_actions() -> None:
    case = follow_up_case()
    with pytest.raises(ValidationError, match="needs its outcome"):
        cases.case_close(actor=SYSTEM, case=case, outcome="  ", closed_on=DAY)
    action = cases.action_add(
        actor=SYSTEM, case=case, description="Send the needs matrix", owner=actor("PER"), due_on=DAY
    )
    with pytest.raises(ValidationError, match="open follow-up action"):
        cases.case_close(actor=SYSTEM, case=case, outcome="Done.", closed_on=DAY)
    cases.action_drop(actor=SYSTEM, action=action, dropped_on=DAY)
    with pytest.raises(ValidationError, match="already dropped"):
        cases.action_done(actor=SYSTEM, action=action, done_on=DAY)
    assert cases.case_close(actor=SYSTEM, case=case, outcome="Done.", closed_on=DAY).status == (
        CaseStatus.CLOSED
    )


def test_bad_input_is_refused(peru: Actor) -> None:
    with pytest.raises(ValidationError, match="Unknown pillar"):
        cases.case_request(
            actor=SYSTEM, state=peru, requested_on=DAY, summary="x", pillars=["money"]
        )
    with pytest.raises(ValidationError, match="future"):
        cases.case_request(
            actor=SYSTEM,
            state=peru,
            requested_on=dt.date.today() + dt.timedelta(days=3),
            summary="x",
            pillars=[],
        )
    with pytest.raises(ValidationError, match="Only a state"):
        cases.case_request(
            actor=SYSTEM,
            state=Actor.objects.get(slug="peru-contraminas"),
            requested_on=DAY,
            summary="x",
            pillars=[],
        )
    case = new_case()
    with pytest.raises(ValidationError, match="margins"):
        cases.case_schedule(
            actor=SYSTEM,
            case=case,
            on=dt.date(2024, 9, 1),
            setting="Geneva",
            in_margins_of=Meeting.objects.get(code="IM2024"),
        )


def test_pledges_financial_and_in_kind() -> None:
    case = held_case()
    pledge: dict[str, Any] = {
        "actor": SYSTEM,
        "case": case,
        "donor": actor("JPN"),
        "currency": "USD",
        "year": 2024,
        "pillar": "survey_clearance",
        "need": None,
    }
    with pytest.raises(ValidationError, match="financial pledge needs an amount"):
        pledges.case_pledge(
            **pledge, amount=Decimal(0), assistance_type="financial", description=""
        )
    with pytest.raises(ValidationError, match="must say what is offered"):
        pledges.case_pledge(
            **pledge, amount=Decimal(0), assistance_type="equipment", description=""
        )
    kind = pledges.case_pledge(
        **pledge,
        amount=Decimal(0),
        assistance_type="equipment",
        description="4 metal detectors",
    )
    assert kind.currency == "XXX" and kind.amount_usd is None
    assert kind.case == case and kind.status == "pledge" and kind.reported_by == "donor"
    other_need = Need.objects.create(
        state=actor("COL"),
        pillar="survey_clearance",
        assistance_type="financial",
        title="x",
        year_from=2024,
        year_to=2024,
    )
    with pytest.raises(ValidationError, match="another state"):
        pledges.case_pledge(
            **{**pledge, "need": other_need},
            amount=Decimal(5),
            assistance_type="financial",
            description="",
        )


def test_committee_member_pledge_keeps_its_author(cast: dict[str, Any]) -> None:
    case = held_case()
    flow = pledges.case_pledge(
        actor=cast["committee_chair"],
        case=case,
        donor=actor("JPN"),
        amount=Decimal(1000),
        currency="USD",
        year=2024,
        pillar="survey_clearance",
        assistance_type="financial",
        description="",
    )
    flow.refresh_from_db()
    assert flow.created_by == cast["committee_chair"]
    assert AuditEvent.objects.filter(
        action="case.pledged", actor=cast["committee_chair"], object_id=str(case.pk)
    ).exists()


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "who", "sees"),
    [
        (Visibility.PUBLIC, "anonymous", True),
        (Visibility.STATES_PARTIES, "anonymous", False),
        (Visibility.STATES_PARTIES, "focal_point_colombia", True),
        (Visibility.COMMITTEE, "focal_point_colombia", False),
        (Visibility.COMMITTEE, "donor_japan", False),
        (Visibility.COMMITTEE, "committee_chair", True),
        (Visibility.COMMITTEE, "focal_point_peru", True),  # its own case
        (Visibility.PRIVATE, "committee_chair", False),
        (Visibility.PRIVATE, "focal_point_peru", True),
        (Visibility.PRIVATE, "isu_staff", True),
    ],
)
def test_case_visibility(cast: dict[str, Any], visibility: str, who: str, sees: bool) -> None:
    case = held_case(visibility)
    cases.action_add(
        actor=SYSTEM, case=case, description="x", owner=actor("PER"), due_on=dt.date(2024, 7, 1)
    )
    reader_ = reader(cast[who])
    assert cases_list(reader_).filter(pk=case.pk).exists() is sees
    detail = case_detail(case, reader_)
    assert bool(detail.meetings) is sees
    overdue = casework.overdue_actions(reader_, today=dt.date(2024, 8, 1))
    assert any(line.action.case_id == case.pk for line in overdue) is sees


def test_upcoming_and_overdue_actions(cast: dict[str, Any]) -> None:
    case = held_case()
    soon = cases.action_add(
        actor=SYSTEM, case=case, description="soon", owner=actor("PER"), due_on=dt.date(2024, 8, 1)
    )
    late = cases.action_add(
        actor=SYSTEM, case=case, description="late", owner=actor("JPN"), due_on=dt.date(2024, 7, 1)
    )
    far = cases.action_add(
        actor=SYSTEM, case=case, description="far", owner=actor("PER"), due_on=dt.date(2025, 1, 1)
    )
    who = reader(cast["committee_chair"])
    today = dt.date(2024, 7, 15)
    upcoming = casework.upcoming_actions(who, within_days=60, today=today)
    assert [line.action.pk for line in upcoming] == [soon.pk]
    assert upcoming[0].state is not None and upcoming[0].state.iso3 == "PER"
    overdue = casework.overdue_actions(who, today=today)
    assert [line.action.pk for line in overdue] == [late.pk]
    assert overdue[0].overdue
    cases.action_done(actor=SYSTEM, action=late, done_on=today)
    assert casework.overdue_actions(who, today=today) == []
    assert far.pk not in [line.action.pk for line in upcoming]


# --- fixed query counts ----------------------------------------------------------------------


def _grow_case(case: IndividualisedApproachCase, n: int) -> None:
    donors = list(Actor.objects.filter(iso3__in=["JPN", "DNK", "TUR", "NOR", "DEU"]))
    for i in range(n):
        donor = donors[i % len(donors)]
        pledge = pledges.case_pledge(
            actor=SYSTEM,
            case=case,
            donor=donor,
            amount=Decimal(1000 + i),
            currency="USD",
            year=2024,
            pillar="survey_clearance",
            assistance_type="financial",
            description=f"pledge {i}",
        )
        commitment = flows.flow_advance(actor=SYSTEM, flow=pledge, status="commitment")
        flows.flow_advance(actor=SYSTEM, flow=commitment, status="paid")
        cases.action_add(
            actor=SYSTEM,
            case=case,
            description=f"action {i}",
            owner=donor,
            due_on=dt.date(2024, 9, 1) + dt.timedelta(days=i),
        )
        Need.objects.create(
            state=case.state,
            pillar="survey_clearance",
            assistance_type="financial",
            title=f"need {i}",
            amount_usd=Decimal(50000),
            year_from=2024,
            year_to=2025,
        )


def _queries(run: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        run()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["committee_chair", "anonymous"])
def test_case_detail_and_needs_profile_queries_are_constant(cast: dict[str, Any], who: str) -> None:
    case = held_case()
    reader_ = reader(cast[who])
    _grow_case(case, 1)
    small = (
        _queries(lambda: case_detail(case, reader_)),
        _queries(lambda: needs_profile(case.state, reader_)),
    )
    _grow_case(case, 6)
    large = (
        _queries(lambda: case_detail(case, reader_)),
        _queries(lambda: needs_profile(case.state, reader_)),
    )
    assert small == large
    detail = case_detail(case, reader(cast["committee_chair"]))
    assert len(detail.pledges) == 7
    assert all(p.committed and p.paid for p in detail.pledges)
