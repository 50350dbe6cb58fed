"""The fund's yearly report to the Meeting of the States Parties, built from the records.

Its parts follow the annual report of the ATT Voluntary Trust Fund (background; status of
operations; status of tasks; looking forward), for exchange visits: (a) background, (b)
contributions received in the year, (c) calls opened and the applications they received,
(d) visits held, (e) money in the year and at 31 December, (f) outcomes, lessons and open
follow-up actions, (g) looking forward.

Every figure carries the records it is counted from (``Ref``: kind and id), so the report's
annex can list them, and the part of it that comes from synthetic demo data, so synthetic
figures are never added silently to real ones. Money at year end is summed from the ledger
entries booked up to 31 December, not taken from today's balances. An amount no source
gives stays ``None`` ("unknown"). Applications not (yet) granted are counted, never named:
the report is public and only granted applications are.

Building reads a fixed number of queries, whatever the number of records, and writes
nothing. Labels are translated in the language active when ``build`` runs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from minefree.core.models import Origin
from minefree.fund.models import (
    ZERO,
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    Contribution,
    ContributionStatus,
    FollowUpAction,
    FollowUpStatus,
    LedgerEntry,
    Movement,
    Theme,
    VisitReport,
)
from minefree.fund.scenario import STATEMENT
from minefree.fund.selectors import PUBLIC_STATUSES
from minefree.registry.models import Actor, Meeting

#: the meeting the fund was established at (committee statement to the 5RC)
FOUNDING_MEETING = "19MSP"
FOUNDER = "NLD"
SELECTED = (ApplicationStatus.SELECTED, *PUBLIC_STATUSES)
#: decided or not, the steps an application waits at before its visit
PIPELINE = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.SELECTED,
    ApplicationStatus.GRANTED,
)


@dataclass(frozen=True, order=True)
class Ref:
    """A record a figure is counted from."""

    kind: str
    id: int
    synthetic: bool = False


@dataclass
class Figure:
    """A count or a sum (``None``: unknown) with its records; ``synthetic`` is the part of
    it that comes from synthetic demo data."""

    value: Decimal | int | None
    synthetic: Decimal | int = 0
    refs: list[Ref] = field(default_factory=list)

    @property
    def real(self) -> Decimal | int | None:
        return None if self.value is None else self.value - self.synthetic

    def add(self, value: Decimal | int, ref: Ref) -> None:
        self.value = (self.value or 0) + value
        if ref.synthetic:
            self.synthetic += value
        self.refs.append(ref)


def count(refs: list[Ref]) -> Figure:
    return Figure(len(refs), sum(1 for r in refs if r.synthetic), refs)


@dataclass
class Background:
    established_by: str
    meeting_code: str
    meeting_name: str
    meeting_start: dt.date | None
    meeting_end: dt.date | None
    meeting_place: str
    purpose: str
    text: str
    source: str
    refs: list[Ref]


@dataclass
class ContributionLine:
    donor: str
    donor_code: str
    status: str
    status_label: str
    amount: Decimal | None
    currency: str
    amount_usd: Decimal | None
    pledged_on: dt.date | None
    received_on: dt.date | None
    announced_at: str
    earmark: str
    source: str
    synthetic: bool
    ref: Ref


@dataclass
class Money:
    """A sum in one currency."""

    currency: str
    figure: Figure


@dataclass
class Contributions:
    lines: list[ContributionLine]
    #: received in the year, per currency
    received: list[Money]
    #: USD equivalents of what was received, where a rate is known
    received_usd: Figure
    #: contributions received whose USD equivalent is unknown
    usd_unknown: int


@dataclass
class CallLine:
    title: str
    opens_on: dt.date
    closes_on: dt.date
    status: str
    status_label: str
    budget: Decimal
    max_amount: Decimal
    currency: str
    synthetic: bool
    ref: Ref
    received: Figure
    selected: Figure
    not_selected: Figure
    pending: Figure


@dataclass
class Calls:
    lines: list[CallLine]
    received: Figure
    selected: Figure
    not_selected: Figure
    pending: Figure


@dataclass
class Visit:
    applicant: str
    applicant_state: str
    host: str
    host_state: str
    theme: str
    theme_label: str
    held_from: dt.date | None
    held_until: dt.date | None
    grant: Decimal | None
    currency: str
    known: str
    synthetic: bool
    ref: Ref


@dataclass
class Books:
    """One currency's movements in the year and its position at 31 December (money held,
    reserved for grants and not yet paid, available for new grants)."""

    currency: str
    received: Figure
    disbursed: Figure
    refunded: Figure
    reserved_at_end: Figure
    balance_at_end: Figure
    available_at_end: Figure


@dataclass
class Lesson:
    visit: str
    title: str
    text: str
    synthetic: bool
    ref: Ref


@dataclass
class Outcome:
    visit: str
    role_label: str
    outputs: str
    synthetic: bool
    ref: Ref


@dataclass
class FollowUp:
    visit: str
    action: str
    owner: str
    due_on: dt.date | None
    synthetic: bool
    ref: Ref


@dataclass
class PipelineStep:
    status: str
    label: str
    figure: Figure


@dataclass
class LookingForward:
    calls: list[CallLine]
    pipeline: list[PipelineStep]


@dataclass
class YearReport:
    year: int
    background: Background
    contributions: Contributions
    calls: Calls
    visits: list[Visit]
    books: list[Books]
    outcomes: list[Outcome]
    lessons: list[Lesson]
    follow_ups: list[FollowUp]
    forward: LookingForward
    #: anything recorded for the year: a year with nothing says so rather than zeros
    has_data: bool

    @property
    def records(self) -> list[Ref]:
        """Every record a figure of the report is counted from, once (the annex)."""
        refs: set[Ref] = set(self.background.refs)
        refs.update(line.ref for line in self.contributions.lines)
        for call in [*self.calls.lines, *self.forward.calls]:
            refs.add(call.ref)
            for figure in (call.received, call.selected, call.not_selected, call.pending):
                refs.update(figure.refs)
        refs.update(visit.ref for visit in self.visits)
        for books in self.books:
            for figure in (
                books.received,
                books.disbursed,
                books.refunded,
                books.reserved_at_end,
                books.available_at_end,
            ):
                refs.update(figure.refs)
        refs.update(o.ref for o in self.outcomes)
        refs.update(f.ref for f in self.follow_ups)
        for step in self.forward.pipeline:
            refs.update(step.figure.refs)
        return sorted(refs)

    @property
    def synthetic(self) -> bool:
        return any(ref.synthetic for ref in self.records)


def _synthetic(obj: Any) -> bool:
    return getattr(obj, "origin", "") == Origin.SYNTHETIC


def ref(obj: Any) -> Ref:
    return Ref(obj._meta.label_lower, obj.pk, _synthetic(obj))


def _state(body: Actor | None) -> str:
    if body is None:
        return _("unknown")
    return body.parent.name if body.parent_id and body.parent else ""


# --- the parts -----------------------------------------------------------------------------


def _background() -> Background:
    meeting = Meeting.objects.filter(code=FOUNDING_MEETING).first()
    founding = list(
        Contribution.objects.filter(donor__iso3=FOUNDER, announced_at__code=FOUNDING_MEETING)
    )
    founder = Actor.objects.filter(iso3=FOUNDER).first()
    purpose = _(
        "to pay for exchange visits between national mine action centres and authorities, so "
        "that a body starting or changing its work learns from one that has done it"
    )
    text = _(
        "The Cooperation and Assistance Fund was established by the Netherlands at the "
        "%(meeting)s. "
        "Its purpose is %(purpose)s. Calls for applications are opened to the national mine "
        "action bodies of States Parties; the Committee on the Enhancement of Cooperation and "
        "Assistance scores the applications and its chair decides; the Implementation Support "
        "Unit manages the grants."
    ) % {
        "meeting": meeting.name if meeting else FOUNDING_MEETING,
        "purpose": purpose,
    }
    return Background(
        established_by=founder.name if founder else FOUNDER,
        meeting_code=FOUNDING_MEETING,
        meeting_name=meeting.name if meeting else FOUNDING_MEETING,
        meeting_start=meeting.start_date if meeting else None,
        meeting_end=meeting.end_date if meeting else None,
        meeting_place=meeting.place if meeting else "",
        purpose=purpose,
        text=text,
        source=STATEMENT,
        refs=[ref(c) for c in founding] + ([ref(meeting)] if meeting else []),
    )


def _contributions(year: int) -> Contributions:
    """Contributions received or pledged in ``year``; only the received ones are summed."""
    rows = Contribution.objects.filter(
        Q(received_on__year=year)
        | Q(pledged_on__year=year)
        | Q(status=ContributionStatus.PLEDGED, pledged_on__isnull=True, created_at__year=year)
    ).select_related("donor", "announced_at", "source")
    lines: list[ContributionLine] = []
    received: defaultdict[str, Figure] = defaultdict(lambda: Figure(ZERO))
    usd, usd_unknown = Figure(ZERO), 0
    for c in sorted(rows, key=lambda c: (c.received_on or c.pledged_on or dt.date.max, c.pk)):
        r = ref(c)
        # as it stood on 31 December: a pledge paid the next year was still a pledge
        received_by_then = c.received_on is not None and c.received_on.year <= year
        status = ContributionStatus.RECEIVED if received_by_then else ContributionStatus.PLEDGED
        lines.append(
            ContributionLine(
                donor=c.donor.name,
                donor_code=c.donor.code,
                status=status,
                status_label=str(ContributionStatus(status).label),
                amount=c.amount,
                currency=c.currency,
                amount_usd=c.amount_usd,
                pledged_on=c.pledged_on,
                received_on=c.received_on if received_by_then else None,
                announced_at=c.announced_at.name if c.announced_at else "",
                earmark=c.earmark,
                source=c.source.url if c.source else "",
                synthetic=r.synthetic,
                ref=r,
            )
        )
        received_in_year = c.received_on is not None and c.received_on.year == year
        if c.status == ContributionStatus.RECEIVED and received_in_year and c.amount is not None:
            received[c.currency].add(c.amount, r)
            if c.amount_usd is None:
                usd_unknown += 1
            else:
                usd.add(c.amount_usd, r)
    return Contributions(
        lines=lines,
        received=[Money(cur, fig) for cur, fig in sorted(received.items())],
        received_usd=usd,
        usd_unknown=usd_unknown,
    )


def _call_lines(calls: list[Call], applications: list[Application]) -> list[CallLine]:
    by_call: dict[int, list[Application]] = defaultdict(list)
    for a in applications:
        by_call[a.call_id].append(a)
    lines = []
    for call in calls:
        received = [a for a in by_call[call.pk] if a.status != ApplicationStatus.DRAFT]
        lines.append(
            CallLine(
                title=call.title,
                opens_on=call.opens_on,
                closes_on=call.closes_on,
                status=call.status,
                status_label=str(call.get_status_display()),
                budget=call.budget,
                max_amount=call.max_amount,
                currency=call.currency,
                synthetic=_synthetic(call),
                ref=ref(call),
                received=count([ref(a) for a in received]),
                selected=count([ref(a) for a in received if a.status in SELECTED]),
                not_selected=count(
                    [ref(a) for a in received if a.status == ApplicationStatus.NOT_SELECTED]
                ),
                pending=count(
                    [
                        ref(a)
                        for a in received
                        if a.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)
                    ]
                ),
            )
        )
    return lines


def _sum(figures: list[Figure]) -> Figure:
    return count([r for f in figures for r in f.refs])


def _visits(year: int) -> list[Application]:
    return list(
        Application.objects.filter(status__in=PUBLIC_STATUSES[1:], held_from__year=year)
        .select_related("applicant__parent", "host__parent", "grant")
        .prefetch_related("visit_reports")
        .order_by("held_from", "pk")
    )


def _visit_name(a: Application) -> str:
    return f"{a.applicant.name} → {a.host.name if a.host else _('unknown')}"


def _visit(a: Application) -> Visit:
    grant = getattr(a, "grant", None)
    return Visit(
        applicant=a.applicant.name,
        applicant_state=_state(a.applicant),
        host=a.host.name if a.host else _("unknown"),
        host_state=_state(a.host),
        theme=a.theme,
        theme_label=str(Theme(a.theme).label) if a.theme in Theme.values else a.theme,
        held_from=a.held_from,
        held_until=a.held_until,
        grant=grant.amount if grant else None,
        currency=grant.currency if grant else a.currency,
        known=a.notes,
        synthetic=_synthetic(a),
        ref=ref(a),
    )


def _entry_synthetic(entry: LedgerEntry) -> bool:
    if entry.contribution_id and entry.contribution:
        return _synthetic(entry.contribution)
    if entry.grant_id and entry.grant:
        return _synthetic(entry.grant.application)
    return False


#: how a movement changes the money the fund holds
SIGNS: dict[str, int] = {Movement.CONTRIBUTION: 1, Movement.REFUND: 1, Movement.DISBURSEMENT: -1}


def _books(year: int) -> list[Books]:
    """Per currency, from the ledger entries booked up to 31 December of ``year``."""
    entries = LedgerEntry.objects.filter(booked_on__lte=dt.date(year, 12, 31)).select_related(
        "contribution", "grant__application"
    )
    books: dict[str, Books] = {}
    for e in entries:
        b = books.get(e.currency)
        if b is None:
            b = books[e.currency] = Books(e.currency, *(Figure(ZERO) for _n in range(6)))
        r = Ref("fund.ledgerentry", e.pk, _entry_synthetic(e))
        in_year = e.booked_on.year == year
        sign = SIGNS.get(e.kind, 0)
        if sign:
            b.balance_at_end.add(sign * e.amount, r)
        if e.kind == Movement.CONTRIBUTION and in_year:
            b.received.add(e.amount, r)
        if e.kind == Movement.DISBURSEMENT and in_year:
            b.disbursed.add(e.amount, r)
        if e.kind == Movement.REFUND and in_year:
            b.refunded.add(e.amount, r)
        if e.kind == Movement.RESERVATION:
            b.reserved_at_end.add(e.amount, r)
        elif e.kind in (Movement.RELEASE, Movement.DISBURSEMENT):
            b.reserved_at_end.add(-e.amount, r)
    for b in books.values():
        end = b.balance_at_end
        reserved = b.reserved_at_end
        b.available_at_end = Figure(
            (end.value or ZERO) - (reserved.value or ZERO),
            end.synthetic - reserved.synthetic,
            sorted(set(end.refs) | set(reserved.refs)),
        )
    return [books[c] for c in sorted(books)]


def _outcomes(visits: list[Application]) -> tuple[list[Outcome], list[Lesson]]:
    outcomes, lessons = [], []
    for a in visits:
        name = _visit_name(a)
        reports: list[VisitReport] = sorted(a.visit_reports.all(), key=lambda v: v.role)
        for report in reports:
            r = Ref("fund.visitreport", report.pk, _synthetic(a))
            if report.outputs:
                outcomes.append(
                    Outcome(name, str(report.get_role_display()), report.outputs, r.synthetic, r)
                )
            for lesson in report.lessons or []:
                lessons.append(
                    Lesson(name, lesson.get("title", ""), lesson.get("text", ""), r.synthetic, r)
                )
    return outcomes, lessons


def _follow_ups(year: int) -> list[FollowUp]:
    """The follow-up actions still open of visits held up to ``year`` (status today)."""
    rows = FollowUpAction.objects.filter(
        status=FollowUpStatus.OPEN,
        application__held_from__year__lte=year,
        application__status__in=PUBLIC_STATUSES,
    ).select_related("application__applicant", "application__host")
    return [
        FollowUp(
            _visit_name(f.application),
            f.action,
            f.owner,
            f.due_on,
            _synthetic(f.application),
            Ref("fund.followupaction", f.pk, _synthetic(f.application)),
        )
        for f in rows
    ]


def years() -> list[int]:
    """The years something was recorded for the fund, latest first."""
    found: set[int] = set()
    for qs, name in (
        (Contribution.objects.exclude(received_on=None), "received_on"),
        (Contribution.objects.exclude(pledged_on=None), "pledged_on"),
        (Call.objects.exclude(status=CallStatus.DRAFT), "opens_on"),
        (Application.objects.exclude(held_from=None), "held_from"),
        (LedgerEntry.objects.all(), "booked_on"),
    ):
        found.update(d.year for d in qs.dates(name, "year"))
    return sorted(found, reverse=True)


def latest_year() -> int | None:
    found = years()
    return found[0] if found else None


def build(year: int) -> YearReport:
    """The report for ``year`` in the active language (reads only)."""
    end = dt.date(year, 12, 31)
    calls = list(
        Call.objects.exclude(status=CallStatus.DRAFT)
        .filter(Q(opens_on__year=year) | Q(closes_on__gt=end))
        .order_by("opens_on", "pk")
    )
    applications = list(
        Application.objects.filter(call__in=[c.pk for c in calls]).only(
            "pk", "call_id", "status", "origin"
        )
    )
    opened = _call_lines([c for c in calls if c.opens_on.year == year], applications)
    after = _call_lines(
        [c for c in calls if c.closes_on > end and c.status == CallStatus.PUBLISHED],
        applications,
    )
    held = _visits(year)
    outcomes, lessons = _outcomes(held)
    pipeline_rows = list(
        Application.objects.filter(status__in=PIPELINE).only("pk", "status", "origin")
    )
    labels = dict(ApplicationStatus.choices)
    pipeline = [
        PipelineStep(
            status,
            str(labels[status]),
            count([ref(a) for a in pipeline_rows if a.status == status]),
        )
        for status in PIPELINE
    ]
    contributions = _contributions(year)
    books = _books(year)
    has_data = bool(
        contributions.lines
        or opened
        or held
        or any(f.refs for b in books for f in (b.received, b.disbursed, b.refunded) if f.value)
    )
    return YearReport(
        year=year,
        background=_background(),
        contributions=contributions,
        calls=Calls(
            lines=opened,
            received=_sum([c.received for c in opened]),
            selected=_sum([c.selected for c in opened]),
            not_selected=_sum([c.not_selected for c in opened]),
            pending=_sum([c.pending for c in opened]),
        ),
        visits=[_visit(a) for a in held],
        books=books,
        outcomes=outcomes,
        lessons=lessons,
        follow_ups=_follow_ups(year),
        forward=LookingForward(after, pipeline),
        has_data=has_data,
    )
