"""National platforms and the committee's bilateral meetings: who may record them, what each
reader sees (bilateral notes are the committee's), and their follow-up actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minefree.accounts.tests.factories import make_cast
from minefree.assistance.selectors import reader
from minefree.casework import cases, platforms
from minefree.casework import selectors as casework
from minefree.casework.models import (
    BilateralMeeting,
    FollowUpAction,
    NationalPlatform,
    PlatformMeeting,
)
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent, Visibility
from minefree.core.versions import VersionConflictError
from minefree.registry.models import Actor, Committee

pytestmark = pytest.mark.django_db

DAY = dt.date(2024, 5, 14)
PLATFORM_KEEPERS = {"focal_point_peru", "delegate_peru", "isu_staff"}
COMMITTEE_PEOPLE = {"committee_chair", "isu_staff"}
EVERYONE = [
    "focal_point_peru",
    "delegate_peru",
    "focal_point_colombia",
    "donor_japan",
    "committee_chair",
    "isu_staff",
    "no_role",
    "anonymous",
]


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


def actor(iso3: str) -> Actor:
    return Actor.objects.get(iso3=iso3)


def contraminas() -> Actor:
    return Actor.objects.get(slug="peru-contraminas")


def committee() -> Committee:
    return Committee.objects.get(code="cooperation_assistance")


def save_platform(who: Any, visibility: str = Visibility.PUBLIC) -> NationalPlatform:
    return platforms.platform_save(
        actor=who,
        state=actor("PER"),
        convening_authority=contraminas(),
        established_on=dt.date(2023, 3, 1),
        members=[actor("JPN"), actor("USA")],
        terms_of_reference="Meets yearly to review the Article 5 workplan.",
        visibility=visibility,
    )


def record_bilateral(who: Any, visibility: str = Visibility.COMMITTEE) -> BilateralMeeting:
    return platforms.bilateral_meeting_record(
        actor=who,
        committee=committee(),
        counterpart=actor("PER"),
        held_on=DAY,
        topics=["national_platform", "form_j", "the 2025 budget"],
        notes="Confidential: the ministry is reorganising.",
        visibility=visibility,
    )


def _counts() -> tuple[int, int, int, int, int]:
    return (
        NationalPlatform.objects.count(),
        PlatformMeeting.objects.count(),
        BilateralMeeting.objects.count(),
        FollowUpAction.objects.count(),
        AuditEvent.objects.count(),
    )


# --- allow / deny ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_platform_save_allow_deny(cast: dict[str, Any], who: str) -> None:
    before = _counts()
    if who in PLATFORM_KEEPERS:
        platform = save_platform(cast[who])
        assert platform.convening_authority == contraminas()
        assert {a.iso3 for a in platform.members.all()} == {"JPN", "USA"}
        assert AuditEvent.objects.filter(
            action="platform.created", object_id=str(platform.pk), state_code="PER"
        ).exists()
    else:
        with pytest.raises(PermissionDenied):
            save_platform(cast[who])
        assert _counts() == before


@pytest.mark.parametrize("who", EVERYONE)
def test_platform_meeting_allow_deny(cast: dict[str, Any], who: str) -> None:
    platform = save_platform(SYSTEM)
    before = _counts()

    def run() -> PlatformMeeting:
        return platforms.platform_meeting_record(
            actor=cast[who],
            platform=platform,
            held_on=dt.date(2024, 4, 10),
            participants=[contraminas(), actor("JPN"), actor("USA")],
            progress="Three hazardous areas released since the last meeting.",
            funding_gap_usd=Decimal("2500000"),
            commitments="Japan to consider equipment for 2025.",
        )

    if who in PLATFORM_KEEPERS:
        meeting = run()
        assert meeting.participants.count() == 3
        assert AuditEvent.objects.filter(
            action="platform.meeting_recorded", object_id=str(meeting.pk), state_code="PER"
        ).exists()
    else:
        with pytest.raises(PermissionDenied):
            run()
        assert _counts() == before


@pytest.mark.parametrize("who", EVERYONE)
def test_bilateral_meeting_allow_deny(cast: dict[str, Any], who: str) -> None:
    before = _counts()
    if who in COMMITTEE_PEOPLE:
        meeting = record_bilateral(cast[who])
        assert meeting.visibility == Visibility.COMMITTEE
        assert AuditEvent.objects.filter(
            action="bilateral.recorded", object_id=str(meeting.pk), state_code="PER"
        ).exists()
    else:
        with pytest.raises(PermissionDenied):
            record_bilateral(cast[who])
        assert _counts() == before


@pytest.mark.parametrize("who", EVERYONE)
def test_bilateral_action_allow_deny(cast: dict[str, Any], who: str) -> None:
    meeting = record_bilateral(SYSTEM)
    before = _counts()

    def run() -> FollowUpAction:
        return cases.action_add(
            actor=cast[who],
            bilateral_meeting=meeting,
            description="Send the terms of reference of a national platform",
            owner=actor("PER"),
            due_on=dt.date(2024, 9, 1),
        )

    if who in COMMITTEE_PEOPLE:
        action = run()
        assert action.bilateral_meeting == meeting and action.case is None
        assert AuditEvent.objects.filter(
            action="action.added", object_id=str(action.pk), state_code="PER"
        ).exists()
    else:
        with pytest.raises(PermissionDenied):
            run()
        assert _counts() == before


# --- validation ------------------------------------------------------------------------------


def test_platform_is_one_per_state_and_updated_in_place() -> None:
    first = save_platform(SYSTEM)
    again = platforms.platform_save(
        actor=SYSTEM,
        state=actor("PER"),
        convening_authority=actor("PER"),
        established_on=dt.date(2023, 3, 1),
        members=[actor("JPN")],
        terms_of_reference="Revised.",
        visibility=Visibility.PUBLIC,
    )
    assert again.pk == first.pk
    assert list(again.members.values_list("iso3", flat=True)) == ["JPN"]
    assert AuditEvent.objects.filter(action="platform.updated", object_id=str(first.pk)).exists()


def test_platform_rejects_bad_input() -> None:
    with pytest.raises(ValidationError, match="convening authority"):
        platforms.platform_save(
            actor=SYSTEM,
            state=actor("PER"),
            convening_authority=actor("COL"),
            established_on=None,
            members=[],
            terms_of_reference="",
            visibility=Visibility.PUBLIC,
        )
    platform = save_platform(SYSTEM)
    with pytest.raises(ValidationError, match="before the platform was established"):
        platforms.platform_meeting_record(
            actor=SYSTEM,
            platform=platform,
            held_on=dt.date(2022, 1, 1),
            participants=[],
            progress="",
            funding_gap_usd=None,
            commitments="",
        )
    with pytest.raises(ValidationError, match="negative"):
        platforms.platform_meeting_record(
            actor=SYSTEM,
            platform=platform,
            held_on=DAY,
            participants=[],
            progress="",
            funding_gap_usd=Decimal(-1),
            commitments="",
        )


def test_bilateral_topics_codes_and_free_text() -> None:
    with pytest.raises(ValidationError, match="at least one topic"):
        platforms.bilateral_meeting_record(
            actor=SYSTEM,
            committee=committee(),
            counterpart=actor("PER"),
            held_on=DAY,
            topics=["  "],
            notes="",
        )
    record_bilateral(SYSTEM)
    [line] = casework.bilateral_meetings(reader(SYSTEM), counterpart=actor("PER"))
    assert line.topics == [
        ("national_platform", "establishing a national platform"),
        ("form_j", "submitting a detailed Form J"),
        ("the 2025 budget", "the 2025 budget"),
    ]


# --- reading each visibility level ------------------------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "who", "sees"),
    [
        (Visibility.COMMITTEE, "anonymous", False),
        (Visibility.COMMITTEE, "no_role", False),
        (Visibility.COMMITTEE, "focal_point_colombia", False),
        (Visibility.COMMITTEE, "donor_japan", False),
        (Visibility.COMMITTEE, "committee_chair", True),
        (Visibility.COMMITTEE, "isu_staff", True),
        (Visibility.COMMITTEE, "focal_point_peru", True),  # the counterpart sees its own
        (Visibility.STATES_PARTIES, "focal_point_colombia", True),
        (Visibility.STATES_PARTIES, "anonymous", False),
        (Visibility.PUBLIC, "anonymous", True),
        (Visibility.PRIVATE, "committee_chair", False),
        (Visibility.PRIVATE, "isu_staff", True),
    ],
)
def test_bilateral_visibility(cast: dict[str, Any], visibility: str, who: str, sees: bool) -> None:
    meeting = record_bilateral(SYSTEM, visibility)
    cases.action_add(
        actor=SYSTEM,
        bilateral_meeting=meeting,
        description="x",
        owner=actor("PER"),
        due_on=dt.date(2024, 6, 1),
    )
    who_ = reader(cast[who])
    lines = casework.bilateral_meetings(who_)
    notes = [line.meeting.notes for line in lines if line.meeting.pk == meeting.pk]
    assert bool(notes) is sees
    overdue = casework.overdue_actions(who_, today=dt.date(2024, 7, 1))
    assert any(line.action.bilateral_meeting_id == meeting.pk for line in overdue) is sees


@pytest.mark.parametrize(
    ("visibility", "who", "sees"),
    [
        (Visibility.PUBLIC, "anonymous", True),
        (Visibility.STATES_PARTIES, "anonymous", False),
        (Visibility.STATES_PARTIES, "focal_point_colombia", True),
        (Visibility.COMMITTEE, "focal_point_colombia", False),
        (Visibility.COMMITTEE, "committee_chair", True),
        (Visibility.PRIVATE, "committee_chair", False),
        (Visibility.PRIVATE, "focal_point_peru", True),
        (Visibility.PRIVATE, "isu_staff", True),
    ],
)
def test_platform_visibility(cast: dict[str, Any], visibility: str, who: str, sees: bool) -> None:
    platform = save_platform(SYSTEM, visibility)
    platforms.platform_meeting_record(
        actor=SYSTEM,
        platform=platform,
        held_on=DAY,
        participants=[contraminas()],
        progress="On track.",
        funding_gap_usd=None,
        commitments="",
        visibility=visibility,
    )
    view = casework.platform_of(actor("PER"), reader(cast[who]))
    assert (view is not None) is sees
    if view is not None:
        assert view.platform.convening_authority == contraminas()
        assert [m.participants for m in view.meetings] == [[contraminas()]]


def test_an_action_of_a_meeting_the_reader_may_not_see_answers_404_like_a_missing_one(
    cast: dict[str, Any], client
) -> None:
    """Answering 403 for an existing action and 404 for a missing one would tell a donor
    which confidential bilateral meetings exist."""
    meeting = record_bilateral(SYSTEM)  # committee-only by default
    action = cases.action_add(
        actor=SYSTEM,
        bilateral_meeting=meeting,
        description="Send the terms of reference of a national platform",
        owner=actor("AGO"),
        due_on=dt.date(2024, 9, 1),
    )
    client.force_login(cast["donor_japan"])
    existing = client.post(f"/cooperation/actions/{action.pk}/done/")
    missing = client.post(f"/cooperation/actions/{action.pk + 1000}/done/")
    assert existing.status_code == missing.status_code == 404
    action.refresh_from_db()
    assert action.status == "open"
    client.force_login(cast["committee_chair"])
    assert client.post(f"/cooperation/actions/{action.pk}/done/").status_code == 302
    action.refresh_from_db()
    assert action.status == "done"


def test_a_platform_changed_or_recorded_since_it_was_read_is_not_overwritten() -> None:
    save_platform(SYSTEM)
    with pytest.raises(VersionConflictError):  # "": read when there was none yet
        platforms.platform_save(
            actor=SYSTEM,
            state=actor("PER"),
            convening_authority=None,
            established_on=None,
            members=[],
            terms_of_reference="Overwritten?",
            expected_version="",
        )
    platform = NationalPlatform.objects.get(state=actor("PER"))
    read = platforms.platform_version(platform)
    platform.members.remove(actor("USA"))  # set-up: a change of members alone
    assert platforms.platform_version(platform) != read
    with pytest.raises(VersionConflictError):
        platforms.platform_save(
            actor=SYSTEM,
            state=actor("PER"),
            convening_authority=None,
            established_on=None,
            members=[],
            terms_of_reference="Overwritten?",
            expected_version=read,
        )
    assert NationalPlatform.objects.get(pk=platform.pk).terms_of_reference.startswith("Meets")
