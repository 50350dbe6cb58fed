"""What the Article 7 calendar asks of each State Party on a day, and what was sent.

A report is *followed* for one year from its first step (``window``): the annual
report covering year Y from 30 days before 30 April Y+1 until the next year's
report takes over; the initial report likewise from its own due date. Following
a report for a year, no longer, means a system switched on late, or a state whose
reports from years past are not in minefree, never mails about old reports.

Every read here runs a fixed number of queries whatever the number of states:
parties, submitted reports, memberships, contacts and past reminders are fetched
in bulk and joined in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from minefree.accounts.models import Membership, Role
from minefree.accounts.selectors import is_staff_member
from minefree.core.dates import add_years
from minefree.registry.models import Actor, StateAdherence
from minefree.registry.selectors import parties_in_year
from minefree.reminders.models import STEPS, ReminderSent, Result, Step
from minefree.reporting.models import Article7Report, ReportKind, ReportVersion, VersionStatus

OVERDUE_DAYS = 14
ESCALATED_DAYS = 45

#: Who is written to at each step: the circle widens as the report gets later.
RECIPIENT_ROLES: dict[str, tuple[str, ...]] = {
    Step.BEFORE: (Role.STATE_FOCAL_POINT,),
    Step.DUE: (Role.STATE_FOCAL_POINT,),
    Step.OVERDUE: (Role.STATE_FOCAL_POINT, Role.STATE_DELEGATE),
    Step.ESCALATED: (Role.STATE_FOCAL_POINT, Role.STATE_DELEGATE),
}
#: Steps that also write to the contact named on the state's latest submitted report.
CONTACT_STEPS = frozenset({Step.ESCALATED})
#: How far ahead the ISU page looks for the next steps.
UPCOMING_DAYS = 366


def days_before() -> int:
    """Read at call time, so a test (or a changed setting) takes effect without a restart."""
    return int(settings.MINEFREE_REMINDER_DAYS_BEFORE)


def step_dates(due: dt.date) -> dict[str, dt.date]:
    """The day each step falls on, in calendar order."""
    offsets = {
        Step.BEFORE: -days_before(),
        Step.DUE: 0,
        Step.OVERDUE: OVERDUE_DAYS,
        Step.ESCALATED: ESCALATED_DAYS,
    }
    return {step: due + dt.timedelta(days=offsets[step]) for step in STEPS}


def latest_step(due: dt.date, today: dt.date) -> str | None:
    """The latest step reached by ``today``: the only one a run sends (no burst of old ones)."""
    reached = [step for step, day in step_dates(due).items() if day <= today]
    return reached[-1] if reached else None


def window(due: dt.date) -> tuple[dt.date, dt.date]:
    """Days ``[first, end)`` during which a report is followed: one year from its first step."""
    lead = dt.timedelta(days=days_before())
    return due - lead, add_years(due, 1) - lead


def annual_cycle_year(today: dt.date) -> int:
    """The year covered by the annual report followed on ``today`` (one at a time)."""
    year = today.year - 1
    if today < window(Article7Report.annual_due_date(year))[0]:
        year -= 1
    return year


def report_label(kind: str, year: int) -> str:
    """How a mail and the ISU page name a report."""
    if kind == ReportKind.INITIAL:
        return _("initial Article 7 report")
    return _("annual Article 7 report covering %(year)s") % {"year": year}


@dataclass(frozen=True)
class FollowedReport:
    """A report a State Party owes and has not submitted."""

    state: Actor
    kind: str
    year: int
    due_date: dt.date

    @property
    def label(self) -> str:
        return report_label(self.kind, self.year)


@dataclass(frozen=True)
class DueReminder:
    """One step to send now for one report, with the addresses it goes to."""

    report: FollowedReport
    step: str
    step_date: dt.date
    recipients: tuple[str, ...]
    retry_of: int | None = None  # the failed ReminderSent this run delivers again

    @property
    def state(self) -> Actor:
        return self.report.state

    @property
    def step_label(self) -> str:
        return str(Step(self.step).label)


@dataclass
class UpcomingStep:
    """The next step of several reports that fall on the same day."""

    day: dt.date
    step: str
    kind: str
    year: int
    due_date: dt.date
    states: list[Actor] = field(default_factory=list)

    @property
    def step_label(self) -> str:
        return str(Step(self.step).label)

    @property
    def report_label(self) -> str:
        return report_label(self.kind, self.year)


def _intersects(due: dt.date, first: dt.date, last: dt.date) -> bool:
    start, end = window(due)
    return start <= last and end > first


def _followed(first: dt.date, last: dt.date) -> list[FollowedReport]:
    """Unsubmitted reports of States Parties followed on some day of ``[first, last]``.

    Queries: one per distinct year whose parties are needed (at most three), one
    for the initial-report candidates, one for the submitted reports.
    """
    parties: dict[int, dict[int, Actor]] = {}

    def party_map(year: int) -> dict[int, Actor]:
        if year not in parties:
            parties[year] = {a.pk: a for a in parties_in_year(year)}
        return parties[year]

    reports: list[FollowedReport] = []
    for year in sorted({annual_cycle_year(first), annual_cycle_year(last)}):
        due = Article7Report.annual_due_date(year)
        if _intersects(due, first, last):
            reports.extend(
                FollowedReport(state, ReportKind.ANNUAL, year, due)
                for state in party_map(year).values()
            )

    # The initial report is due 180 days after entry into force: only when that is
    # known to the day is there a due date to count from (no day is ever invented).
    candidates = StateAdherence.objects.filter(
        eif_earliest=F("eif_latest"),
        eif_earliest__gte=first - dt.timedelta(days=2 * 366),
        eif_earliest__lte=last,
    )
    for adherence in candidates:
        interval = adherence.initial_report_due
        if interval is None or adherence.eif_earliest is None:
            continue
        due = interval.earliest
        if not _intersects(due, first, last):
            continue
        state = party_map(due.year).get(adherence.actor_id)
        if state is not None:
            reports.append(
                FollowedReport(state, ReportKind.INITIAL, adherence.eif_earliest.year, due)
            )
    if not reports:
        return []

    annual_years = {r.year for r in reports if r.kind == ReportKind.ANNUAL}
    submitted = set(
        Article7Report.objects.filter(
            Q(kind=ReportKind.ANNUAL, year__in=annual_years) | Q(kind=ReportKind.INITIAL),
            state_id__in={r.state.pk for r in reports},
            versions__status=VersionStatus.SUBMITTED,
        )
        .values_list("state_id", "kind", "year")
        .distinct()
    )
    initial_done = {state_id for state_id, kind, _year in submitted if kind == ReportKind.INITIAL}
    annual_done = {(s, y) for s, kind, y in submitted if kind == ReportKind.ANNUAL}
    return sorted(
        (
            r
            for r in reports
            if not (
                (r.kind == ReportKind.INITIAL and r.state.pk in initial_done)
                or (r.kind == ReportKind.ANNUAL and (r.state.pk, r.year) in annual_done)
            )
        ),
        key=lambda r: (r.due_date, r.kind, r.state.name_en),
    )


def state_addresses(
    state_ids: set[int], today: dt.date, *, with_contacts: bool = False
) -> tuple[dict[int, dict[str, list[str]]], dict[int, str]]:
    """E-mail addresses of each state's active focal points and delegates, and its contact.

    Two queries for all states. ``accounts.selectors.active_memberships`` answers for
    one user; here the question is the reverse (who holds a role for these states).
    """
    by_role: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    memberships = (
        Membership.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today),
            actor_id__in=state_ids,
            role__in=[Role.STATE_FOCAL_POINT, Role.STATE_DELEGATE],
            starts_on__lte=today,
            user__is_active=True,
        )
        .exclude(user__email="")
        .order_by("actor_id", "role", "user__email")
        .values_list("actor_id", "role", "user__email")
    )
    for actor_id, role, email in memberships:
        by_role[actor_id][role].append(email)
    contacts: dict[int, str] = {}
    if with_contacts:
        latest = (
            ReportVersion.objects.filter(
                report__state_id=OuterRef("pk"), status=VersionStatus.SUBMITTED
            )
            .exclude(contact_email="")
            .order_by("-submitted_at", "-pk")
            .values("contact_email")[:1]
        )
        contacts = {
            pk: email
            for pk, email in Actor.objects.filter(pk__in=state_ids)
            .annotate(contact=Subquery(latest))
            .values_list("pk", "contact")
            if email
        }
    return by_role, contacts


def _unique(addresses: list[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    kept: list[str] = []
    for address in addresses:
        if address.lower() not in seen:
            seen.add(address.lower())
            kept.append(address)
    return tuple(kept)


def recipients_for(step: str, roles: dict[str, list[str]], contact: str | None) -> tuple[str, ...]:
    """The addresses one step goes to: focal points, then delegates, then the contact."""
    addresses = [email for role in RECIPIENT_ROLES[step] for email in roles.get(role, [])]
    if step in CONTACT_STEPS and contact:
        addresses.append(contact)
    return _unique(addresses)


def reminders_due(today: dt.date) -> list[DueReminder]:
    """The steps a run on ``today`` sends: per followed report, its latest step reached,
    unless a reminder for that step is already recorded (a failed one is retried)."""
    reports = _followed(today, today)
    if not reports:
        return []
    recorded = {
        (state_id, kind, year, step): (pk, result)
        for pk, state_id, kind, year, step, result in ReminderSent.objects.filter(
            state_id__in={r.state.pk for r in reports},
            year__in={r.year for r in reports},
        ).values_list("pk", "state_id", "kind", "year", "step", "result")
    }
    todo: list[tuple[FollowedReport, str, int | None]] = []
    for report in reports:
        step = latest_step(report.due_date, today)
        if step is None:
            continue
        found = recorded.get((report.state.pk, report.kind, report.year, step))
        if found is not None and found[1] != Result.FAILED:
            continue
        todo.append((report, step, found[0] if found else None))
    if not todo:
        return []
    by_role, contacts = state_addresses(
        {report.state.pk for report, _step, _retry in todo},
        today,
        with_contacts=any(step in CONTACT_STEPS for _report, step, _retry in todo),
    )
    return [
        DueReminder(
            report=report,
            step=step,
            step_date=step_dates(report.due_date)[step],
            recipients=recipients_for(
                step, by_role.get(report.state.pk, {}), contacts.get(report.state.pk)
            ),
            retry_of=retry_of,
        )
        for report, step, retry_of in todo
    ]


def reminders_upcoming(today: dt.date, days: int = UPCOMING_DAYS) -> list[UpcomingStep]:
    """The next step of every followed report after ``today``, grouped by day and report.

    As of today: a state that submits meanwhile drops out, and the parties of a year
    not yet begun are those known today.
    """
    first, last = today + dt.timedelta(days=1), today + dt.timedelta(days=days)
    groups: dict[tuple[dt.date, str, str, int], UpcomingStep] = {}
    for report in _followed(first, last):
        end = window(report.due_date)[1]
        upcoming = [
            (step, day)
            for step, day in step_dates(report.due_date).items()
            if first <= day <= last and day < end
        ]
        if not upcoming:
            continue
        step, day = upcoming[0]
        key = (day, step, report.kind, report.year)
        group = groups.setdefault(
            key, UpcomingStep(day, step, report.kind, report.year, report.due_date)
        )
        group.states.append(report.state)
    return sorted(groups.values(), key=lambda g: (g.day, g.kind, g.year))


def reminders_for(
    user: Any, *, year: int | None = None, state: str | None = None
) -> QuerySet[ReminderSent]:
    """The reminders recorded, newest first: ISU staff only (nobody else sees the list)."""
    if not is_staff_member(user):
        return ReminderSent.objects.none()
    qs = ReminderSent.objects.select_related("state")
    if year is not None:
        qs = qs.filter(year=year)
    if state:
        qs = qs.filter(state__iso3=state)
    return qs.order_by("-sent_at", "-pk")


def reminder_filter_choices() -> tuple[list[int], list[tuple[str, str]]]:
    """Years and states that have reminders, for the filters of the ISU page."""
    years = list(ReminderSent.objects.order_by("-year").values_list("year", flat=True).distinct())
    states = [
        (actor.iso3 or "", actor.name)
        for actor in Actor.objects.filter(reminders_sent__isnull=False)
        .exclude(iso3=None)
        .distinct()
        .order_by("name_en")
    ]
    return years, states
