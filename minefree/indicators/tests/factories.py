"""Small worlds for the indicator tests.

``world`` builds a ``Facts`` by hand (what ``facts.load`` would read), so each definition's
numerator and denominator can be worked out on paper; the ``db_*`` builders write the
records themselves (test set-up writes directly, not through services) so ``facts.load``
and the year rules are tested on the database too.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from minefree.casework.selectors import HeldMeeting
from minefree.clearance.selectors import SubmittedRequest
from minefree.core.models import Origin
from minefree.fund.selectors import HeldVisit
from minefree.funding.selectors import GivenFlow
from minefree.indicators.facts import Facts, Submission
from minefree.registry.models import Actor, ActorKind, Obligation, PartyPeriod
from minefree.registry.selectors import ObligationTimeline
from minefree.reporting.models import (
    Article7Report,
    FormRow,
    ReportKind,
    ReportVersion,
    VersionStatus,
)
from minefree.reporting.selectors import AnnualSubmission

TODAY = dt.date(2026, 6, 1)
_ids = itertools.count(1000)


def report(
    state: int,
    year: int,
    *,
    on_time: bool = True,
    synthetic: bool = False,
    number: int = 1,
) -> Submission:
    """A submitted annual report of ``state`` for ``year`` (its latest version)."""
    return Submission(
        AnnualSubmission(
            version_id=next(_ids),
            number=number,
            report_id=next(_ids),
            state_id=state,
            year=year,
            due=dt.date(year + 1, 4, 30),
            origin=Origin.SYNTHETIC if synthetic else Origin.REPORTED,
            submitted_at=None,
        ),
        on_time,
    )


def origin(synthetic: bool) -> str:
    return Origin.SYNTHETIC if synthetic else Origin.REPORTED


def world(
    *,
    parties: dict[int, tuple[dt.date, dt.date | None]],
    article5: dict[int, dt.date | None] | None = None,
    reports: list[tuple[Submission, set[tuple[str, str, str]]]] = (),  # type: ignore[assignment]
    flows: list[GivenFlow] = (),  # type: ignore[assignment]
    case_meetings: list[HeldMeeting] = (),  # type: ignore[assignment]
    platform_meetings: list[HeldMeeting] = (),  # type: ignore[assignment]
    requests: list[SubmittedRequest] = (),  # type: ignore[assignment]
    visits: list[HeldVisit] = (),  # type: ignore[assignment]
    today: dt.date = TODAY,
) -> Facts:
    """Facts of a hand-made world: ``parties`` state → (entry into force, end), ``article5``
    state → completion date (None: still running)."""
    spans: dict[int, list[tuple[int, str, dt.date | None]]] = {}
    for state, completion in (article5 or {}).items():
        spans[state] = [(5, "completed" if completion else "open", completion)]

    def by_year(items: Any, day: Any) -> dict[int, list[Any]]:
        grouped: dict[int, list[Any]] = {}
        for item in items:
            grouped.setdefault(day(item), []).append(item)
        return grouped

    return Facts(
        first=1999,
        last=today.year,
        today=today,
        periods=[(s, start, end) for s, (start, end) in parties.items()],
        obligations=ObligationTimeline(spans),
        submissions={(sub.latest.state_id, sub.latest.year): sub for sub, _m in reports},
        marks={sub.latest.version_id: set(m) for sub, m in reports if m},
        flows=by_year(flows, lambda f: f.year),
        case_meetings=by_year(case_meetings, lambda m: m.held_on.year),
        platform_meetings=by_year(platform_meetings, lambda m: m.held_on.year),
        requests=by_year(requests, lambda r: r.submitted_on.year),
        visits=by_year(visits, lambda v: v.held_from.year),
    )


def flow(donor: int, recipient: int, year: int, *, synthetic: bool = False) -> GivenFlow:
    return GivenFlow(next(_ids), donor, recipient, year, "paid", origin(synthetic))


def meeting(state: int, day: dt.date, *, synthetic: bool = False) -> HeldMeeting:
    return HeldMeeting(next(_ids), next(_ids), state, day, origin(synthetic))


def request(
    state: int, day: dt.date, milestones: int, budget: int, *, synthetic: bool = False
) -> SubmittedRequest:
    return SubmittedRequest(
        next(_ids), next(_ids), state, day, origin(synthetic), milestones, budget
    )


def visit(applicant: int, host: int, day: dt.date, *, synthetic: bool = False) -> HeldVisit:
    return HeldVisit(next(_ids), applicant, host, day, origin(synthetic))


# --- on the database ---------------------------------------------------------------------------

_codes = itertools.count()


def db_only_my_parties() -> None:
    """Forget the reference data's party periods: only the states a test makes party count."""
    PartyPeriod.objects.all().delete()


def db_state(
    start: dt.date | None = dt.date(2000, 3, 1),
    end: dt.date | None = None,
    *,
    article5_completed: dt.date | None = None,
    article5: bool = False,
    synthetic: bool = False,
) -> Actor:
    """A new state, party from ``start`` (entry into force) to ``end`` (withdrawal)."""
    n = next(_codes)
    code = "Q" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n // 26 % 26] + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n % 26]
    state = Actor.objects.create(
        kind=ActorKind.STATE,
        iso3=code,
        slug=f"test-state-{code.lower()}",
        name_en=f"Test state {code}",
        origin=Origin.SYNTHETIC if synthetic else Origin.REFERENCE,
    )
    if start is not None:
        PartyPeriod.objects.create(
            actor=state, start_earliest=start, start_latest=start, end=end, verified=True
        )
    if article5 or article5_completed:
        Obligation.objects.create(
            actor=state,
            article=5,
            status="completed" if article5_completed else "open",
            completion_date=article5_completed,
        )
    return state


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 12))


def db_report(
    state: Actor,
    year: int,
    versions: list[tuple[dt.date | None, list[tuple[str, str, str]]]],
    *,
    synthetic: bool = False,
) -> list[ReportVersion]:
    """An annual report with ``versions`` in order: (day submitted or None for a draft,
    form rows as (letter, table, direction))."""
    report = Article7Report.objects.create(
        state=state,
        year=year,
        kind=ReportKind.ANNUAL,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        due_date=Article7Report.annual_due_date(year),
        origin=Origin.SYNTHETIC if synthetic else Origin.REPORTED,
    )
    made = []
    for number, (submitted, rows) in enumerate(versions, start=1):
        version = ReportVersion.objects.create(
            report=report,
            number=number,
            status=VersionStatus.SUBMITTED if submitted else VersionStatus.DRAFT,
            submitted_at=at(submitted) if submitted else None,
        )
        for position, (letter, table, direction) in enumerate(rows):
            FormRow.objects.create(
                version=version,
                letter=letter,
                table=table,
                position=position,
                data={"direction": direction} if direction else {},
            )
        made.append(version)
    return made
