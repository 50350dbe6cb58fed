"""A cooperation step sent twice takes effect once.

Workflow steps (confirm a partnership, schedule, hold, follow up, close) decide on the
record re-read under a lock, so a stale second copy is refused with ``AlreadyDone``.
Steps that add a record (a need, an offer, a pledge, a meeting, an action) claim the key
their form carried: the same form sent twice adds one record.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from minefree.accounts.tests.factories import make_cast
from minefree.assistance import services
from minefree.assistance.models import Need, Offer, Partnership
from minefree.casework import cases, platforms
from minefree.casework.models import (
    BilateralMeeting,
    CaseStatus,
    FollowUpAction,
    IndividualisedApproachCase,
    PlatformMeeting,
)
from minefree.casework.tests.test_cases import DAY, held_case, new_case, scheduled_case
from minefree.casework.tests.test_platforms import committee, save_platform
from minefree.cooperation.tests.test_needs_offers import NEED, OFFER
from minefree.core.audit import SYSTEM
from minefree.core.forms import new_request_key
from minefree.core.models import AuditEvent
from minefree.core.workflow import AlreadyDone
from minefree.funding import flows, pledges
from minefree.funding.models import Flow, ReportedBy
from minefree.registry.models import Actor, Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


def actor(iso3: str) -> Actor:
    return Actor.objects.get(iso3=iso3)


def _case_copies(case: IndividualisedApproachCase) -> tuple[Any, Any]:
    return (
        IndividualisedApproachCase.objects.get(pk=case.pk),
        IndividualisedApproachCase.objects.get(pk=case.pk),
    )


def test_a_pair_confirmed_twice_at_once_gives_one_partnership() -> None:
    need = services.need_save(actor=SYSTEM, state=actor("PER"), data=NEED)
    offer = services.offer_save(actor=SYSTEM, provider=actor("JPN"), data=OFFER)
    stale_need = Need.objects.get(pk=need.pk)
    services.partnership_confirm(actor=SYSTEM, need=need, offer=offer)
    with pytest.raises(AlreadyDone, match="already partners"):
        services.partnership_confirm(actor=SYSTEM, need=stale_need, offer=offer)
    assert Partnership.objects.filter(need=need, offer=offer).count() == 1


def test_a_meeting_recorded_twice_holds_the_case_once() -> None:
    first, second = _case_copies(scheduled_case())
    record: dict[str, Any] = {
        "held_on": DAY,
        "setting": "Geneva",
        "in_margins_of": Meeting.objects.get(code="IM2024"),
        "participants": [actor("PER"), actor("JPN")],
        "notes": "",
        "visibility": "public",
    }
    cases.case_meeting_record(actor=SYSTEM, case=first, **record)
    with pytest.raises(AlreadyDone, match="already held"):
        cases.case_meeting_record(actor=SYSTEM, case=second, **record)
    assert first.meetings.count() == 1
    assert AuditEvent.objects.filter(action="case.held", object_id=str(first.pk)).count() == 1


def test_the_same_schedule_sent_twice_is_one_step() -> None:
    case = new_case()
    plan = {"on": DAY, "setting": "Geneva", "in_margins_of": None}
    cases.case_schedule(actor=SYSTEM, case=case, **plan)
    with pytest.raises(AlreadyDone, match="already scheduled"):
        cases.case_schedule(actor=SYSTEM, case=case, **plan)
    moved = cases.case_schedule(actor=SYSTEM, case=case, **(plan | {"on": DAY.replace(day=19)}))
    assert moved.held_on == DAY.replace(day=19) and case.meetings.count() == 1


@pytest.mark.parametrize("step", ["follow_up", "close"])
def test_follow_up_and_close_sent_twice_are_one_step(step: str) -> None:
    case = held_case()
    if step == "close":
        case = cases.case_follow_up(actor=SYSTEM, case=case)
    first, second = _case_copies(case)

    def run(copy: IndividualisedApproachCase) -> Any:
        if step == "follow_up":
            return cases.case_follow_up(actor=SYSTEM, case=copy)
        return cases.case_close(actor=SYSTEM, case=copy, outcome="Funded.", closed_on=DAY)

    run(first)
    with pytest.raises(AlreadyDone):
        run(second)
    expected = CaseStatus.FOLLOW_UP if step == "follow_up" else CaseStatus.CLOSED
    assert IndividualisedApproachCase.objects.get(pk=case.pk).status == expected


def _twice(add: Callable[[str], Any], count: Callable[[], int]) -> None:
    """Send one form (one key) twice: one record; a new form (new key) adds another."""
    key = new_request_key()
    before = count()
    add(key)
    with pytest.raises(AlreadyDone, match="already recorded"):
        add(key)
    assert count() == before + 1
    add(new_request_key())
    assert count() == before + 2


def test_a_pledge_form_sent_twice_records_one_pledge() -> None:
    def add(key: str) -> Any:
        return flows.flow_record(
            actor=SYSTEM,
            donor=actor("JPN"),
            recipient=actor("PER"),
            status="pledge",
            year=2025,
            amount=Decimal(100),
            currency="USD",
            reported_by=ReportedBy.DONOR,
            request_key=key,
        )

    _twice(add, Flow.objects.count)


def test_a_case_pledge_and_an_action_sent_twice_are_recorded_once() -> None:
    case = held_case()

    def pledge(key: str) -> Any:
        return pledges.case_pledge(
            actor=SYSTEM,
            case=case,
            donor=actor("JPN"),
            amount=Decimal(250_000),
            currency="USD",
            year=2024,
            pillar="survey_clearance",
            assistance_type="financial",
            description="",
            request_key=key,
        )

    def action(key: str) -> Any:
        return cases.action_add(
            actor=SYSTEM,
            case=case,
            description="Send the workplan.",
            owner=actor("PER"),
            due_on=DAY,
            request_key=key,
        )

    _twice(pledge, case.flows.count)
    _twice(action, FollowUpAction.objects.count)


def test_meetings_needs_offers_and_requests_sent_twice_are_recorded_once() -> None:
    platform = save_platform(SYSTEM)

    def platform_meeting(key: str) -> Any:
        return platforms.platform_meeting_record(
            actor=SYSTEM,
            platform=platform,
            held_on=DAY,
            participants=[actor("JPN")],
            progress="Workplan reviewed.",
            funding_gap_usd=None,
            commitments="",
            request_key=key,
        )

    def bilateral(key: str) -> Any:
        return platforms.bilateral_meeting_record(
            actor=SYSTEM,
            committee=committee(),
            counterpart=actor("PER"),
            held_on=DAY,
            topics=["form_j"],
            notes="",
            request_key=key,
        )

    def need(key: str) -> Any:
        return services.need_save(actor=SYSTEM, state=actor("PER"), data=NEED, request_key=key)

    def offer(key: str) -> Any:
        return services.offer_save(actor=SYSTEM, provider=actor("JPN"), data=OFFER, request_key=key)

    def request(key: str) -> Any:
        return cases.case_request(
            actor=SYSTEM,
            state=actor("PER"),
            requested_on=DAY,
            summary="Support for survey.",
            pillars=[],
            request_key=key,
        )

    _twice(platform_meeting, PlatformMeeting.objects.count)
    _twice(bilateral, BilateralMeeting.objects.count)
    _twice(need, Need.objects.count)
    _twice(offer, Offer.objects.count)
    _twice(request, IndividualisedApproachCase.objects.count)


def test_keys_of_different_people_never_collide(cast: dict[str, Any]) -> None:
    key = new_request_key()
    for who in ("isu_staff", "administrator"):
        platforms.bilateral_meeting_record(
            actor=cast[who],
            committee=committee(),
            counterpart=actor("PER"),
            held_on=DAY,
            topics=["form_j"],
            notes="",
            request_key=key,
        )
    assert BilateralMeeting.objects.count() == 2
