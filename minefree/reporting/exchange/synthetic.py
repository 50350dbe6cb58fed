"""Synthetic Article 7 history for the demo: every State Party, every year of its membership.

The reports are invented, so they are recorded with ``Origin.SYNTHETIC`` and every page,
export and figure that shows them says so. They are made to look like the real record
so that the tools built on it (compliance, charts, validation, cooperation) have
something realistic to work on:

* consistent with the reference data: a state reports only while it is party (entry
  into force to withdrawal), Article 4 stockpiles fall to zero by the recorded
  completion (using the recorded number of mines destroyed when known), Article 5
  contamination falls to zero by the recorded completion and is still there for states
  whose obligation is open, and retained mines start from the recorded figure;
* with the gaps of the real record (``domain.md`` §2.5): about four in five States
  Parties reported in the early years (79% in 2003), about half from 2009 on (54% for
  2009), states with Article 5 obligations more often than others, late reports common,
  and states that miss one year likely to miss the next (multi-year gaps);
* internally consistent year to year, except for a small share of reports that do not
  balance, as real ones sometimes do; validation records those findings at import.

Generation is deterministic for a given seed. It returns parsed reports; they are
stored through ``imports.reports_import_history``, the same service as real archives.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from minefree.registry.models import Actor, Obligation, ObligationStatus, PartyPeriod
from minefree.registry.models import Article as ObligationArticle
from minefree.reporting.exchange.imports import HistoricReport
from minefree.reporting.exchange.xlsx import ParsedReport
from minefree.reporting.models import Article7Report, FormStatus, ReportKind

GENERATOR = "minefree synthetic history v1"
GENEVA = ZoneInfo("Europe/Zurich")
FIRST_YEAR = 1999

#: Share of States Parties whose annual report for a year is ever submitted (anchored on
#: domain.md §2.5: 79% for 2003, 54% for 2009, 44% for 2010 by June, 37% for 2014 by June).
RATE_ANCHORS = [(1999, 0.74), (2003, 0.79), (2006, 0.68), (2009, 0.54), (2012, 0.5), (2025, 0.48)]
ON_TIME_SHARE = 0.45
ARTICLE5_BONUS = 0.2
MISSED_LAST_YEAR_PENALTY = 0.2
#: Lifts the per-state chance so that, after persistence and late reports that never
#: arrive, the yearly rates land near the anchors (checked by a test).
CALIBRATION = 0.05
UNBALANCED_SHARE = 0.03

MINE_TYPES = [
    "PMN-2",
    "PMN",
    "PFM-1",
    "POMZ-2M",
    "M14",
    "M16A1",
    "Type 72",
    "VS-50",
    "PMA-2",
    "MON-50",
]
REGIONS = [
    "Northern Province",
    "Eastern Province",
    "Southern Province",
    "Western Province",
    "Central District",
    "Border Districts",
    "Coastal Region",
    "Highlands",
]
DONORS = [
    "Norway",
    "Japan",
    "Germany",
    "United States of America",
    "European Union",
    "Switzerland",
    "United Kingdom",
    "Netherlands",
    "Canada",
    "Australia",
    "Japón",
    "Noruega",
    "UNMAS",
]
CURRENCIES = {
    "Norway": "NOK",
    "Noruega": "NOK",
    "Japan": "JPY",
    "Japón": "JPY",
    "Germany": "EUR",
    "European Union": "EUR",
    "Netherlands": "EUR",
    "Switzerland": "CHF",
    "United Kingdom": "GBP",
    "Canada": "CAD",
    "Australia": "AUD",
}
PILLARS = ["survey_clearance", "risk_education", "victim_assistance", "capacity_building"]
CHALLENGES = [
    ("financial", 0.7, "Funding from partners does not cover the survey and clearance plan."),
    ("capacity", 0.35, "Too few accredited demining teams for the remaining areas."),
    ("expertise", 0.25, "Technical survey and information management expertise is lacking."),
    ("access", 0.15, "Some remaining areas are hard to reach or insecure."),
]


@dataclass
class _State:
    actor: Actor
    first_year: int
    last_year: int
    eif: dt.date | None
    initial_due: dt.date | None
    art4: Obligation | None
    art5: Obligation | None


def _rate(year: int) -> float:
    for (y0, r0), (y1, r1) in itertools.pairwise(RATE_ANCHORS):
        if y0 <= year <= y1:
            return r0 + (r1 - r0) * (year - y0) / (y1 - y0)
    return RATE_ANCHORS[-1][1]


def last_due_year(today: dt.date | None = None) -> int:
    """The latest year whose annual report was already due."""
    today = today or timezone.localdate()
    return (
        today.year - 1 if today > Article7Report.annual_due_date(today.year - 1) else today.year - 2
    )


def _states(codes: Iterable[str] | None, last_year: int) -> list[_State]:
    """States Parties with a known start of membership, in four queries."""
    periods = PartyPeriod.objects.filter(verified=True, start_latest__isnull=False).select_related(
        "actor__adherence"
    )
    if codes is not None:
        periods = periods.filter(actor__iso3__in=list(codes))
    obligations = {
        (o.actor_id, o.article): o
        for o in Obligation.objects.filter(actor_id__in=periods.values("actor_id"))
    }
    states = []
    for period in periods.order_by("actor__iso3", "start_latest"):
        assert period.start_latest is not None
        first = max(period.start_latest.year, FIRST_YEAR)
        last = min(period.end.year if period.end else last_year, last_year)
        if first > last or not period.actor.iso3:
            continue
        adherence = getattr(period.actor, "adherence", None)
        eif = adherence.entry_into_force if adherence else None
        due = adherence.initial_report_due if adherence else None
        states.append(
            _State(
                actor=period.actor,
                first_year=first,
                last_year=last,
                eif=eif.earliest if eif is not None and eif.is_exact else None,
                initial_due=due.earliest if due is not None and due.is_exact else None,
                art4=obligations.get((period.actor_id, ObligationArticle.STOCKPILES)),
                art5=obligations.get((period.actor_id, ObligationArticle.MINED_AREAS)),
            )
        )
    return states


def _end_year(obligation: Obligation | None, start: int, rng: random.Random) -> int | None:
    """The year an obligation's work ends: the recorded completion, else never (open)."""
    if obligation is None:
        return None
    if obligation.completion_date is not None:
        return max(obligation.completion_date.year, start)
    if obligation.status == ObligationStatus.COMPLETED:
        deadline = obligation.current_deadline or obligation.original_deadline
        return max((deadline.year if deadline else start + 4) - rng.randint(0, 1), start)
    return None


def _submitted_at(
    due: dt.date, on_time: bool, rng: random.Random, now: dt.datetime
) -> dt.datetime | None:
    if on_time:
        day = due - dt.timedelta(days=rng.randint(0, 80))
    else:
        day = due + dt.timedelta(days=1 + int(rng.expovariate(1 / 75)))
    moment = dt.datetime.combine(day, dt.time(rng.randint(8, 18), rng.randint(0, 59)), GENEVA)
    return moment if moment <= now else None


class _Story:
    """One state's figures year by year, kept consistent across its reports."""

    def __init__(self, state: _State, rng: random.Random) -> None:
        self.state = state
        self.rng = rng
        start = state.first_year
        span = state.last_year - start + 1
        # Article 4: the stockpile falls to zero by the completion year.
        self.art4_end = _end_year(state.art4, start, rng)
        self.stock_types: dict[str, int] = {}
        if state.art4 is not None and state.art4.status != ObligationStatus.NONE_HELD:
            total = state.art4.total_destroyed or rng.randint(2_000, 400_000)
            types = rng.sample(MINE_TYPES, rng.randint(1, 3))
            shares = [rng.random() + 0.2 for _ in types]
            for kind, share in zip(types, shares, strict=True):
                self.stock_types[kind] = int(total * share / sum(shares))
        # Article 5: contamination by region falls to zero by the completion year.
        self.art5_end = _end_year(state.art5, start, rng)
        self.regions: dict[str, int] = {}
        if state.art5 is not None:
            area = int(rng.lognormvariate(15, 1.4))  # median about 3 km²
            names = rng.sample(REGIONS, rng.randint(2, 5))
            for name in names:
                self.regions[name] = int(area * (rng.random() + 0.3) / len(names))
        self.open_remaining = rng.uniform(0.25, 0.7)  # share left today where still open
        retained = state.art4.retained if state.art4 and state.art4.retained is not None else None
        if retained is None and rng.random() < 0.4:
            retained = rng.randint(50, 3_000)
        self.retained = retained or 0
        self.retained_type = rng.choice(MINE_TYPES)
        self.donors = rng.sample(DONORS, rng.randint(2, 5))
        self.span = span

    def _fraction_left(self, end: int | None, year: int) -> float:
        """Share of the starting quantity still there at the end of ``year``."""
        start = self.state.first_year
        if end is None:
            horizon = max(self.state.last_year - start + 1, 1)
            return 1 - (1 - self.open_remaining) * (year - start + 1) / horizon
        if year >= end:
            return 0.0
        return 1 - (year - start + 1) / (end - start + 1)

    def stock(self, year: int) -> dict[str, int]:
        left = self._fraction_left(self.art4_end, year)
        return {k: int(q * left) for k, q in self.stock_types.items()}

    def contamination(self, year: int) -> dict[str, int]:
        left = self._fraction_left(self.art5_end, year)
        return {k: int(a * left) for k, a in self.regions.items()}

    def report(self, year: int, kind: str, first_report_year: int | None) -> ParsedReport:
        rng = self.rng
        parsed = ParsedReport(state=self.state.actor.iso3 or "", year=year, kind=kind)
        rows = parsed.rows
        not_applicable = FormStatus.NOT_APPLICABLE, None
        # Form A: the law once, then "unchanged since" the report that gave it.
        if first_report_year is None or kind == ReportKind.INITIAL:
            rows[("A", "measures")] = [
                {
                    "kind": "legislation",
                    "title": "Law on the prohibition of anti-personnel mines",
                    "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "reference": "Official Gazette",
                }
            ]
        else:
            parsed.marks["A"] = FormStatus.UNCHANGED, first_report_year
        # Forms B and G (Article 4).
        before, now = self.stock(year - 1), self.stock(year)
        if year == self.state.first_year:
            before = dict(self.stock_types)
        if self.stock_types and (self.art4_end is None or year <= self.art4_end):
            rows[("B", "stockpile")] = [
                {"mine_type": k, "quantity": q}
                for k, q in now.items()
                if q or year == self.art4_end
            ]
            destroyed: list[dict[str, Any]] = [
                {"category": "art4", "mine_type": k, "quantity": before[k] - now[k]}
                for k in now
                if before[k] - now[k] > 0
            ]
            if destroyed and rng.random() < UNBALANCED_SHARE:
                destroyed[0]["quantity"] += rng.randint(1, 500)
            rows[("G", "destroyed")] = destroyed
            parsed.totals["B"] = {"stockpile": sum(now.values())}
        else:
            parsed.marks["B"] = not_applicable
        # Form C (Article 5): remaining areas, land release, newly found areas.
        remaining_before = (
            dict(self.regions) if year == self.state.first_year else self.contamination(year - 1)
        )
        remaining = self.contamination(year)
        if self.regions and (self.art5_end is None or year <= self.art5_end):
            found_rows = []
            if rng.random() < 0.12:
                region = rng.choice(list(self.regions))
                extra = rng.randint(5_000, 300_000)
                found_rows.append(
                    {
                        "region": region,
                        "reason": rng.choice(["newly_found", "resurvey"]),
                        "area_m2": extra,
                    }
                )
                remaining_before[region] += extra
            release: list[dict[str, Any]] = []
            for region, area in remaining_before.items():
                released = area - remaining[region]
                if released <= 0:
                    continue
                cancelled = int(released * rng.uniform(0.2, 0.5))
                reduced = int(released * rng.uniform(0.1, 0.3))
                cleared = released - cancelled - reduced
                for method, part in (
                    ("cancelled", cancelled),
                    ("reduced", reduced),
                    ("cleared", cleared),
                ):
                    if part <= 0:
                        continue
                    row: dict[str, Any] = {"region": region, "method": method, "area_m2": part}
                    if method == "cleared":
                        row["ap_mines_destroyed"] = max(part // rng.randint(800, 6_000), 0)
                    release.append(row)
            areas: list[dict[str, Any]] = []
            for region, area in remaining.items():
                if area <= 0:
                    if year == self.art5_end:  # the completion report shows zero left
                        areas.append({"region": region, "hazard_class": "CHA", "area_m2": 0})
                    continue
                confirmed = int(area * rng.uniform(0.2, 0.6))
                areas.append(
                    {
                        "region": region,
                        "hazard_class": "CHA",
                        "areas": rng.randint(1, 40),
                        "area_m2": confirmed,
                    }
                )
                areas.append(
                    {
                        "region": region,
                        "hazard_class": "SHA",
                        "areas": rng.randint(1, 60),
                        "area_m2": area - confirmed,
                    }
                )
            if areas and rng.random() < UNBALANCED_SHARE:
                areas[0]["area_m2"] += rng.randint(1_000, 50_000)
            rows[("C", "mined_areas")] = areas
            rows[("C", "land_release")] = release
            if found_rows:
                rows[("C", "newly_found")] = found_rows
            mines = sum(int(r.get("ap_mines_destroyed", 0)) for r in release)
            if mines:
                rows.setdefault(("G", "destroyed"), []).append(
                    {"category": "art5", "mine_type": "various", "quantity": mines}
                )
            rows[("I", "warnings")] = [
                {
                    "region": region,
                    "measures": "Marking and fencing of hazardous areas; risk education in "
                    "the villages nearby.",
                }
                for region in remaining
                if remaining[region] > 0
            ] or [{"measures": "No remaining hazardous areas to mark."}]
        else:
            parsed.marks["C"] = not_applicable
            parsed.marks["I"] = not_applicable
        # Form D: retained mines, used a little each year.
        if self.retained:
            used = min(self.retained, rng.randint(0, max(self.retained // 20, 1)))
            rows[("D", "retained")] = [
                {
                    "institution": "Ministry of Defence, engineering school",
                    "mine_type": self.retained_type,
                    "quantity": self.retained - used,
                    "purpose": "retained",
                    "start_of_year": self.retained,
                    "used": used,
                    "end_of_year": self.retained - used,
                    "intended_use": "Training of deminers and testing of detectors.",
                }
            ]
            self.retained -= used
        else:
            parsed.marks["D"] = not_applicable
        parsed.marks["E"] = not_applicable
        # Form F: programmes while an obligation runs.
        programmes = []
        if "B" not in parsed.marks:
            programmes.append(
                {
                    "article": "4",
                    "status": "Stockpile destruction under way.",
                    "methods": "Open detonation",
                }
            )
        if "C" not in parsed.marks:
            programmes.append(
                {
                    "article": "5",
                    "status": "Survey and clearance under the national mine action plan.",
                    "methods": "Non-technical survey, technical survey, manual and mechanical clearance",
                }
            )
        if programmes:
            rows[("F", "programmes")] = programmes
        else:
            parsed.marks["F"] = not_applicable
        if "B" in parsed.marks and "C" in parsed.marks:
            parsed.marks["H"] = not_applicable
        else:
            types = list(self.stock_types) or [rng.choice(MINE_TYPES)]
            rows[("H", "mine_types")] = [{"mine_type": t} for t in types]
        # Form J: assistance received by affected states, challenges and needs.
        if "C" not in parsed.marks and rng.random() < 0.75:
            rows[("J", "assistance")] = [
                {
                    "direction": "received",
                    "counterpart": donor,
                    "kind": "financial",
                    "amount": rng.randrange(50_000, 3_000_000, 1_000),
                    "currency": CURRENCIES.get(donor, "USD"),
                    "year": year,
                    "pillar": rng.choice(PILLARS[:3]),
                    "channel": rng.choice(["bilateral", "un", "ngo"]),
                }
                for donor in rng.sample(self.donors, rng.randint(1, len(self.donors)))
            ]
            rows[("J", "challenges")] = [
                {"category": code, "description": text}
                for code, chance, text in CHALLENGES
                if rng.random() < chance
            ]
            rows[("J", "needs")] = [
                {
                    "pillar": "survey_clearance",
                    "description": "Funding for survey and clearance of the remaining areas.",
                    "amount": rng.randrange(200_000, 10_000_000, 10_000),
                    "currency": "USD",
                }
            ]
        for key in [k for k, v in rows.items() if not v]:
            del rows[key]
        return parsed


def synthetic_history(
    *,
    seed: int = 1997,
    states: Iterable[str] | None = None,
    last_year: int | None = None,
    now: dt.datetime | None = None,
) -> list[HistoricReport]:
    """Invented reports for the States Parties (all, or the ISO3 codes given), oldest first."""
    last = last_year if last_year is not None else last_due_year()
    moment = now or timezone.now()
    history: list[HistoricReport] = []
    for state in _states(states, last):
        rng = random.Random(f"{seed}:{state.actor.iso3}")
        story = _Story(state, rng)
        propensity = rng.gauss(0, 0.12) - (0.3 if rng.random() < 0.08 else 0)
        if state.art5 is not None:
            propensity += ARTICLE5_BONUS
        first_report: int | None = None
        if state.eif is not None and state.initial_due is not None and rng.random() < 0.93:
            year = state.eif.year
            at = _submitted_at(state.initial_due, rng.random() < 0.6, rng, moment)
            if at is not None and year <= last:
                history.append(
                    HistoricReport(
                        story.report(year, ReportKind.INITIAL, None), at, source=GENERATOR
                    )
                )
                first_report = year
        missed = False
        for year in range(state.first_year, state.last_year + 1):
            chance = (
                _rate(year) + CALIBRATION + propensity - (MISSED_LAST_YEAR_PENALTY if missed else 0)
            )
            parsed = story.report(year, ReportKind.ANNUAL, first_report)
            if rng.random() >= chance:
                missed = True
                continue
            due = Article7Report.annual_due_date(year)
            at = _submitted_at(due, rng.random() < ON_TIME_SHARE, rng, moment)
            if at is None:
                missed = True
                continue
            missed = False
            history.append(HistoricReport(parsed, at, source=GENERATOR))
            first_report = first_report or year
    return history
