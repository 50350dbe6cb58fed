"""What the committee's pages compose from every cooperation app: a state's needs profile
(needs, deadlines, support received) and a case with the pledges made at its meetings.

Each selector takes a ``Reader`` and returns plain dataclasses built in a fixed number of
queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from minefree.assistance.models import Need
from minefree.assistance.selectors import Reader, visible
from minefree.casework.models import (
    CaseStatus,
    FollowUpAction,
    IndividualisedApproachCase,
)
from minefree.casework.selectors import ActionLine, MeetingLine, action_line
from minefree.core.dates import PartialDate
from minefree.funding import totals as funding
from minefree.funding.models import Flow, FlowStatus
from minefree.funding.totals import Amounts
from minefree.registry.models import (
    DEADLINE_SETTING_KINDS,
    Actor,
    DeadlineEvent,
    DeadlineEventKind,
    Obligation,
)
from minefree.reporting.models import ReportVersion, VersionStatus

ZERO = Decimal(0)


@dataclass(frozen=True)
class NeedLine:
    need: Need
    progress: funding.NeedProgress


@dataclass(frozen=True)
class Deadline:
    """An Article 4 or 5 obligation with its deadline history (events in order)."""

    obligation: Obligation
    events: tuple[DeadlineEvent, ...]

    @property
    def article(self) -> int:
        return self.obligation.article

    @property
    def current(self) -> PartialDate | None:
        return self.obligation.current

    @property
    def extensions(self) -> list[DeadlineEvent]:
        return [e for e in self.events if e.kind == DeadlineEventKind.EXTENSION_GRANTED]

    def in_force_on(self, day: dt.date) -> PartialDate | None:
        """The deadline that applied on ``day``: the last one set by a decision before it.

        An extension counts from the first day of the meeting that granted it. When that
        meeting is not dated in the registry, it was granted at the latest when the deadline
        it extends ran out, so it counts from then. The original deadline counts from the start.
        """
        found: PartialDate | None = None
        for event in self.events:
            if event.kind not in DEADLINE_SETTING_KINDS or event.deadline is None:
                continue
            meeting_start = event.meeting.start if event.meeting is not None else None
            if meeting_start is not None:
                decided: dt.date | None = meeting_start.earliest
            elif event.kind == DeadlineEventKind.ORIGINAL_DEADLINE or found is None:
                decided = None
            else:
                decided = found.earliest
            if decided is None or decided <= day:
                found = event.new_deadline
        return found


@dataclass(frozen=True)
class NeedsProfile:
    """A state's situation as the committee prepares its individualised approach meeting."""

    state: Actor
    latest_report: ReportVersion | None
    needs: list[NeedLine]
    deadlines: list[Deadline]
    #: support received per year, newest first (``funding``'s counting rules)
    funding: dict[int, Amounts]
    #: demo data, kept apart so it never mixes with the real figures
    synthetic_funding: dict[int, Amounts] = field(default_factory=dict)

    def deadline(self, article: int) -> Deadline | None:
        return next((d for d in self.deadlines if d.article == article), None)


def needs_profile(state: Actor, who: Reader) -> NeedsProfile:
    """The state's latest report, open needs, deadlines and support received (fixed queries).

    Support is counted by ``funding``'s rules (each dollar once, synthetic data apart).
    """
    latest_report = (
        ReportVersion.objects.filter(report__state=state, status=VersionStatus.SUBMITTED)
        .select_related("report")
        .order_by("-report__year", "-number")
        .first()
    )
    needs = list(visible(Need.objects.filter(state=state), who, "state").select_related("state"))
    progress = funding.need_progress(needs, who)
    open_needs = [NeedLine(n, progress[n.pk]) for n in needs if progress[n.pk].status != "met"]
    obligations = Obligation.objects.filter(actor=state).prefetch_related(
        Prefetch(
            "events",
            queryset=DeadlineEvent.objects.select_related("meeting").order_by("seq"),
        )
    )
    deadlines = [Deadline(o, tuple(o.events.all())) for o in obligations.order_by("article")]
    received = funding.received_by_year_pillar(state, who)
    return NeedsProfile(
        state=state,
        latest_report=latest_report,
        needs=open_needs,
        deadlines=deadlines,
        funding=received.years(),
        synthetic_funding=received.years(synthetic=True),
    )


@dataclass(frozen=True)
class PledgeLine:
    """A pledge made at a case's meeting and what became of it (pledge ← commitment ← paid)."""

    pledge: Flow
    commitment: Flow | None = None
    payment: Flow | None = None

    @property
    def committed(self) -> bool:
        """A payment made straight from the pledge also means the pledge was honoured."""
        return self.commitment is not None or self.payment is not None

    @property
    def paid(self) -> bool:
        return self.payment is not None


@dataclass(frozen=True)
class CaseDetail:
    case: IndividualisedApproachCase
    meetings: list[MeetingLine]
    pledges: list[PledgeLine]
    actions: list[ActionLine]

    @property
    def outcome(self) -> str:
        return self.case.outcome

    @property
    def pledges_committed(self) -> list[PledgeLine]:
        return [p for p in self.pledges if p.committed]

    @property
    def pledges_not_committed(self) -> list[PledgeLine]:
        return [p for p in self.pledges if not p.committed]


def _followers(who: Reader) -> QuerySet[Flow]:
    return visible(Flow.objects.select_related("donor", "recipient"), who, "donor", "recipient")


def _pledge_line(pledge: Flow) -> PledgeLine:
    followers = list(pledge.followed_by.all())
    commitment = next((f for f in followers if f.status == FlowStatus.COMMITMENT), None)
    payment = next((f for f in followers if f.status == FlowStatus.PAID), None)
    if commitment is not None and payment is None:
        payment = next(
            (f for f in commitment.followed_by.all() if f.status == FlowStatus.PAID), None
        )
    return PledgeLine(pledge, commitment, payment)


def case_detail(
    case: IndividualisedApproachCase, who: Reader, today: dt.date | None = None
) -> CaseDetail:
    """Meetings with participants, pledges and what they became, actions; six queries.

    The caller has checked ``who`` may see the case; meetings and flows are filtered again
    by their own visibility.
    """
    day = today or timezone.localdate()
    meetings = list(
        visible(case.meetings.all(), who, "case__state")
        .select_related("in_margins_of")
        .prefetch_related("participants")
        .order_by("held_on", "pk")
    )
    lines = [
        MeetingLine(
            m,
            list(m.participants.all()),
            planned=case.status == CaseStatus.SCHEDULED and m is meetings[-1],
        )
        for m in meetings
    ]
    pledges = list(
        _followers(who)
        .filter(case=case, status=FlowStatus.PLEDGE)
        .prefetch_related(
            Prefetch(
                "followed_by",
                queryset=_followers(who).prefetch_related(
                    Prefetch("followed_by", queryset=_followers(who))
                ),
            )
        )
        .order_by("year", "donor__name_en", "pk")
    )
    actions = FollowUpAction.objects.filter(case=case).select_related("owner")
    action_lines = []
    for action in actions:
        action.case = case
        action_lines.append(action_line(action, day))
    return CaseDetail(case, lines, [_pledge_line(p) for p in pledges], action_lines)
