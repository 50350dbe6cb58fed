"""Reads for the individualised approach, national platforms and bilateral meetings.

Each selector takes a ``Reader`` and returns plain dataclasses built in a fixed number of
queries, so pages and the API can show them without touching the ORM again.
Follow-up actions carry no visibility of their own: they are seen with the case or
bilateral meeting they belong to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from minefree.assistance.selectors import Reader, may_read, visible
from minefree.casework.models import (
    ActionStatus,
    BilateralMeeting,
    CaseMeeting,
    FollowUpAction,
    IndividualisedApproachCase,
    NationalPlatform,
    PlatformMeeting,
)
from minefree.casework.platforms import topic_label
from minefree.core.models import Visibility
from minefree.registry.models import (
    Actor,
)


@dataclass(frozen=True)
class MeetingLine:
    meeting: CaseMeeting
    participants: list[Actor]
    #: the case is scheduled and this is the meeting it waits for
    planned: bool = False


@dataclass(frozen=True)
class ActionLine:
    action: FollowUpAction
    overdue: bool
    #: the state concerned: the case's state or the bilateral meeting's counterpart
    state: Actor | None = None


def action_line(action: FollowUpAction, today: dt.date) -> ActionLine:
    state: Actor | None = None
    if action.case_id is not None:
        state = action.case.state if action.case is not None else None
    elif action.bilateral_meeting is not None:
        state = action.bilateral_meeting.counterpart
    overdue = action.status == ActionStatus.OPEN and action.due_on < today
    return ActionLine(action, overdue, state)


def _visible_actions(who: Reader) -> QuerySet[FollowUpAction]:
    cases = visible(IndividualisedApproachCase.objects.all(), who, "state")
    bilaterals = visible(BilateralMeeting.objects.all(), who, "counterpart", "counterpart__parent")
    return (
        FollowUpAction.objects.filter(
            Q(case__in=cases.values("pk")) | Q(bilateral_meeting__in=bilaterals.values("pk"))
        )
        .filter(status=ActionStatus.OPEN)
        .select_related("owner", "case__state", "bilateral_meeting__counterpart")
        .order_by("due_on", "pk")
    )


def upcoming_actions(
    who: Reader, within_days: int = 60, today: dt.date | None = None
) -> list[ActionLine]:
    """Open actions due from today to ``within_days`` ahead, soonest first."""
    day = today or timezone.localdate()
    qs = _visible_actions(who).filter(
        due_on__gte=day, due_on__lte=day + dt.timedelta(days=within_days)
    )
    return [action_line(a, day) for a in qs]


def overdue_actions(who: Reader, today: dt.date | None = None) -> list[ActionLine]:
    """Open actions whose due date has passed, the longest overdue first."""
    day = today or timezone.localdate()
    return [action_line(a, day) for a in _visible_actions(who).filter(due_on__lt=day)]


@dataclass(frozen=True)
class PlatformMeetingLine:
    meeting: PlatformMeeting
    participants: list[Actor]


@dataclass(frozen=True)
class PlatformView:
    platform: NationalPlatform
    members: list[Actor]
    meetings: list[PlatformMeetingLine]


def platform_of(state: Actor, who: Reader) -> PlatformView | None:
    """The state's national platform with its members and meetings, if ``who`` may see it."""
    platform = (
        NationalPlatform.objects.filter(state=state)
        .select_related("state", "convening_authority")
        .prefetch_related("members")
        .first()
    )
    if platform is None or not may_read(platform, who, state):
        return None
    meetings = (
        visible(platform.meetings.all(), who, "platform__state")
        .prefetch_related("participants")
        .order_by("-held_on", "pk")
    )
    return PlatformView(
        platform,
        list(platform.members.all()),
        [PlatformMeetingLine(m, list(m.participants.all())) for m in meetings],
    )


@dataclass(frozen=True)
class BilateralLine:
    meeting: BilateralMeeting
    #: (code or free text, label in the active language)
    topics: list[tuple[str, str]]
    actions: list[ActionLine]


def bilateral_meetings(
    who: Reader,
    counterpart: Actor | None = None,
    today: dt.date | None = None,
    pk: int | None = None,
) -> list[BilateralLine]:
    """The committee's bilateral meetings ``who`` may see (the counterpart sees its own);
    with ``pk``, that one meeting (none if ``who`` may not see it)."""
    day = today or timezone.localdate()
    qs = visible(
        BilateralMeeting.objects.select_related("committee", "counterpart"),
        who,
        "counterpart",
        "counterpart__parent",
    )
    if counterpart is not None:
        qs = qs.filter(counterpart=counterpart)
    if pk is not None:
        qs = qs.filter(pk=pk)
    qs = qs.prefetch_related(
        Prefetch("actions", queryset=FollowUpAction.objects.select_related("owner"))
    ).order_by("-held_on", "pk")
    lines = []
    for meeting in qs:
        actions = []
        for action in meeting.actions.all():
            action.bilateral_meeting = meeting
            actions.append(action_line(action, day))
        lines.append(
            BilateralLine(meeting, [(t, topic_label(t)) for t in meeting.topics or []], actions)
        )
    return lines


def cases_list(who: Reader, state: str = "") -> QuerySet[IndividualisedApproachCase]:
    qs = visible(
        IndividualisedApproachCase.objects.select_related("state", "committee"), who, "state"
    )
    if state:
        qs = qs.filter(state__iso3=state.upper())
    return qs


def action_for(who: Reader, pk: int) -> FollowUpAction | None:
    """A follow-up action the reader may see: its case's or bilateral meeting's visibility
    decides; None for one they may not see, whether or not it exists (2 queries)."""
    action = (
        FollowUpAction.objects.select_related("case", "bilateral_meeting", "owner")
        .filter(pk=pk)
        .first()
    )
    if action is None:
        return None
    if action.case_id is not None:
        parent: QuerySet[Any] = visible(
            IndividualisedApproachCase.objects.filter(pk=action.case_id), who, "state"
        )
    else:
        meetings = BilateralMeeting.objects.filter(pk=action.bilateral_meeting_id or 0)
        parent = visible(meetings, who, "counterpart")
    return action if parent.exists() else None


@dataclass(frozen=True)
class HeldMeeting:
    """A public meeting of a case or of a national platform: for indicators and documents."""

    pk: int
    parent_id: int  # the case, or the platform
    state_id: int
    held_on: dt.date
    origin: str


def public_case_meetings() -> list[HeldMeeting]:
    """The public meetings of public individualised approach cases (one query)."""
    rows = CaseMeeting.objects.filter(
        visibility=Visibility.PUBLIC, case__visibility=Visibility.PUBLIC
    ).values_list("pk", "case_id", "case__state_id", "held_on", "origin")
    return [HeldMeeting(*row) for row in rows.order_by("held_on", "pk")]


def public_platform_meetings() -> list[HeldMeeting]:
    """The public meetings of public national mine action platforms (one query)."""
    rows = PlatformMeeting.objects.filter(
        visibility=Visibility.PUBLIC, platform__visibility=Visibility.PUBLIC
    ).values_list("pk", "platform_id", "platform__state_id", "held_on", "origin")
    return [HeldMeeting(*row) for row in rows.order_by("held_on", "pk")]


def public_bilateral_meetings(committee_id: int, year: int) -> QuerySet[BilateralMeeting]:
    """The committee's public bilateral meetings held in ``year``, with their counterparts."""
    return (
        BilateralMeeting.objects.filter(
            committee_id=committee_id, held_on__year=year, visibility=Visibility.PUBLIC
        )
        .select_related("counterpart")
        .order_by("held_on", "pk")
    )


def public_case_meetings_in(year: int) -> QuerySet[CaseMeeting]:
    """The public meetings of public cases held in ``year``, with the state and the meeting
    in whose margins they met."""
    return (
        CaseMeeting.objects.filter(
            held_on__year=year, visibility=Visibility.PUBLIC, case__visibility=Visibility.PUBLIC
        )
        .select_related("case__state", "in_margins_of", "case__source")
        .order_by("held_on", "pk")
    )
