"""Synthetic Article 5 extension requests for the demo site: a few states with an open
Article 5 obligation, each request at another step of the process, so that the request
pages, the analysis and the country pages have something to show.

Everything made here is ``Origin.SYNTHETIC`` and says so wherever it is shown (the request's
origin, and every text begins "Synthetic demo …"); it is never mixed with real figures: a
synthetic decision does not move the registry's deadline (``services.decision_record``), and
a synthetic request's funding sought becomes synthetic needs. The requests go through the
very services a state and the committees use (``request_open`` … ``decision_record``).

Each request is consistent with the state's synthetic Article 7 history where there is
one (``reporting.selectors.state_series``): what it says was achieved in the previous
period is what the reports gave for the years they cover, and the contamination remaining
at submission is the latest reported. Generation is deterministic for a seed: the states
are drawn from those with a known current deadline (the demo accounts' own, Peru and
Colombia, are left for people to try the process on) among those whose request, submitted
by 31 March of the year before the deadline, is in the past; the earliest is decided, the next has its analysis
published, the next is under analysis, the others are submitted. A state that already has
a request is left alone, so running it twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from minefree.clearance import services
from minefree.clearance.content import checked
from minefree.clearance.models import ExtensionRequest, Outcome
from minefree.core.audit import service
from minefree.core.models import Origin
from minefree.core.permissions import require
from minefree.registry.models import Actor, ActorKind, Meeting, Obligation, ObligationStatus
from minefree.registry.selectors import meetings_list
from minefree.reporting.selectors import reports_of_state, state_series

DEFAULT_SEED = 1997
DEFAULT_COUNT = 4
#: the demo accounts' states: left without a request, for people to walk the process
KEEP_FREE = frozenset({"PER", "COL"})
PREVIOUS_YEARS = 5
REGIONS = [
    "Northern Province",
    "Eastern Province",
    "Southern Province",
    "Western Province",
    "Central District",
    "Border Districts",
]
#: how far along the process each request is, the earliest submitted first
STAGES = ("decided", "analysis_published", "under_analysis", "submitted")


@dataclass(frozen=True)
class DemoSummary:
    requests: int
    questions: int
    answers: int
    analyses_published: int
    decisions: int
    already_present: int


def _round(value: float, step: int = 1000) -> int:
    return max(step, round(value / step) * step)


def submission_date(deadline: dt.date) -> dt.date:
    """When a request for ``deadline`` is submitted: by 31 March of the year before, so the
    Meeting at the end of that year decides it before the deadline."""
    return dt.date(deadline.year - 1, 3, 31)


def demo_states(
    count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED, today: dt.date | None = None
) -> list[Obligation]:
    """The Article 5 obligations the demo's requests are for: open, with a known current
    deadline whose request would be submitted by ``today``, of states other than the demo
    accounts' (drawn with ``seed``)."""
    day = today or dt.date.today()
    candidates = list(
        Obligation.objects.filter(
            article=5,
            status=ObligationStatus.OPEN,
            current_deadline__isnull=False,
            actor__kind=ActorKind.STATE,
        )
        .exclude(actor__iso3__in=KEEP_FREE)
        .select_related("actor")
        .order_by("actor__iso3")
    )
    candidates = [
        o for o in candidates if o.current_deadline and submission_date(o.current_deadline) <= day
    ]
    rng = random.Random(seed)
    return rng.sample(candidates, min(count, len(candidates)))


@dataclass
class _History:
    """What the state's synthetic Article 7 reports say, by year (empty for none or real)."""

    released: dict[int, int]
    remaining: dict[int, int]


def _history(state: Actor) -> _History:
    """The synthetic reports' land release and remaining contamination; a state with any
    real report gets none of its figures mixed into a synthetic request."""
    if reports_of_state(state.pk).exclude(origin=Origin.SYNTHETIC).exists():
        return _History({}, {})
    series = state_series(state)
    released: dict[int, int] = {}
    for by_year in series.released_m2.values():
        for year, value in by_year.items():
            released[year] = released.get(year, 0) + int(value)
    return _History(released, {y: int(v) for y, v in series.remaining_m2.items()})


def _document(
    rng: random.Random, obligation: Obligation, behind: bool, short: bool
) -> tuple[dict[str, Any], int]:
    """The request's content (as the API's JSON document) and its first year of work."""
    state = obligation.actor
    deadline = obligation.current_deadline
    assert deadline is not None
    submitted_on = submission_date(deadline)
    first = submitted_on.year + 1
    requested = dt.date(deadline.year + rng.choice([3, 4, 5]), 12, 31)
    history = _history(state)

    years = range(submitted_on.year - PREVIOUS_YEARS, submitted_on.year)
    known = [history.released[y] for y in years if y in history.released]
    typical = sum(known) / len(known) if known else rng.uniform(40_000, 400_000)
    previous = []
    for year in years:
        achieved = history.released.get(year) or _round(typical * rng.uniform(0.8, 1.2))
        factor = rng.uniform(1.3, 1.7) if behind else rng.uniform(0.9, 1.1)
        previous.append(
            {"year": year, "planned_m2": _round(achieved * factor), "achieved_m2": achieved}
        )

    reported = [y for y in history.remaining if y < submitted_on.year]
    total = history.remaining[max(reported)] if reported else _round(rng.uniform(0.5e6, 8e6), 100)
    regions = rng.sample(REGIONS, rng.randint(2, 4))
    shares = [rng.uniform(1, 3) for _ in regions]
    remaining = []
    left = total
    for n, (region, share) in enumerate(zip(regions, shares, strict=True)):
        area = left if n == len(regions) - 1 else int(total * share / sum(shares))
        left -= area
        cha = int(area * rng.uniform(0.3, 0.7))
        remaining += [
            {"region": region, "hazard": "CHA", "areas": rng.randint(2, 30), "area_m2": cha},
            {"region": region, "hazard": "SHA", "areas": rng.randint(1, 15), "area_m2": area - cha},
        ]

    work_years = list(range(first, requested.year + 1))
    planned_total = total * (rng.uniform(0.7, 0.85) if short else 1.0)
    per_year = planned_total / len(work_years)
    cost = rng.uniform(1.2, 3.0)  # USD per m², about what clearance programmes report
    national = rng.uniform(0.1, 0.3)
    milestones, budget, capacity = [], [], []
    for n, year in enumerate(work_years):
        split = {"cancelled": 0.3, "reduced": 0.25, "cleared": 0.45}
        for method, part in split.items():
            milestones.append(
                {"year": year, "method": method, "area_m2": _round(per_year * part, 100)}
            )
        money = per_year * cost
        secured = money * (1 - national) * (0.4 if n == 0 else 0.1)
        budget += [
            {"year": year, "source": "national", "amount": _round(money * national), "currency": "USD"},
            {"year": year, "source": "international_secured", "amount": _round(secured), "currency": "USD"},
            {
                "year": year,
                "source": "international_sought",
                "amount": _round(money * (1 - national) - secured),
                "currency": "USD",
            },
        ]  # fmt: skip
        teams = max(2, round(per_year / 40_000))
        capacity.append(
            {
                "year": year,
                "teams": teams,
                "deminers": teams * 12,
                "dogs": teams // 2,
                "machines": max(1, teams // 4),
            }
        )
    where = ", ".join(regions)
    rate = int(sum(p["achieved_m2"] for p in previous) / len(previous))
    narratives = {
        "origins": f"Synthetic demo request. {state.name_en} reports {total:,} m² known or "
        f"suspected to contain anti-personnel mines, in {where}.",
        "progress": f"Synthetic demo request. {rate:,} m² released a year on average over "
        f"{years[0]}–{years[-1]}.",
        "impediments": "Synthetic demo request. Access to the remaining areas is seasonal, "
        "new areas were found by survey, and international funding fell short of the plan.",
        "implications": f"Synthetic demo request. The remaining areas keep farmland and roads "
        f"of {where} closed to their communities.",
        "remaining": f"Synthetic demo request. {len(remaining)} areas groups in "
        f"{len(regions)} regions.",
        "rationale": f"Synthetic demo request. {len(work_years)} years of work from {first}, "
        f"at {int(per_year):,} m² a year.",
    }
    document = {
        "submitted_on": submitted_on,
        "requested_deadline": requested,
        "language": "en",
        "narratives": narratives,
        "remaining": remaining,
        "previous_period": previous,
        "milestones": milestones,
        "budget": budget,
        "capacity": capacity,
    }
    return document, rate


def _meeting_in(year: int) -> Meeting | None:
    """The Meeting of the States Parties (or Review Conference) of ``year``, if known."""
    for meeting in meetings_list():
        start = meeting.start_date
        if start and start.year == year and meeting.kind in ("msp", "review_conference"):
            return meeting
    return None


@service
def demo_extensions_load(
    *,
    actor: Any,
    count: int = DEFAULT_COUNT,
    seed: int = DEFAULT_SEED,
    obligations: Sequence[Obligation] | None = None,
    today: dt.date | None = None,
) -> DemoSummary:
    """Store the synthetic requests of ``count`` states (or of ``obligations``), each taken
    as far as its stage; states that already have a request are left alone."""
    require(actor, "extension_request.demo_load", None, "Only ISU staff load the demo data.")
    chosen = list(obligations) if obligations is not None else demo_states(count, seed, today)
    chosen.sort(key=lambda o: (o.current_deadline or dt.date.max, o.actor.iso3 or ""))
    rng = random.Random(seed)
    made = questions = answers = published = decided = present = 0
    for n, obligation in enumerate(chosen):
        stage = STAGES[min(n, len(STAGES) - 1)]
        state = obligation.actor
        document, rate = _document(rng, obligation, behind=n % 2 == 0, short=n % 3 == 1)
        if ExtensionRequest.objects.filter(state=state).exists():
            present += 1
            continue
        draft = services.request_open(actor=actor, state=state, origin=Origin.SYNTHETIC)
        services.version_fill(actor=actor, version=draft, content=checked(document))
        version = services.request_submit(actor=actor, version=draft)
        made += 1
        request = version.request
        if stage == "submitted":
            continue
        total = sum(r["area_m2"] for r in document["remaining"])
        asked = [
            services.question_ask(
                actor=actor,
                request=request,
                text=f"Synthetic demo question. How will the workplan release the remaining "
                f"{total:,} m² when the last five years released {rate:,} m² a year?",
            ),
            services.question_ask(
                actor=actor,
                request=request,
                text="Synthetic demo question. What share of the first year's budget is "
                "secured, and from whom?",
            ),
        ]
        questions += len(asked)
        for question in asked if stage != "under_analysis" else asked[:1]:
            services.question_answer(
                actor=actor,
                question=question,
                answer="Synthetic demo answer. Two more survey teams from the second year, "
                "and a national contribution agreed with the ministry of finance.",
            )
            answers += 1
        if stage == "under_analysis":
            continue
        services.analysis_save(actor=actor, request=request, sections=_analysis(document, rate))
        services.analysis_publish(actor=actor, request=request)
        published += 1
        if stage != "decided":
            continue
        year = document["submitted_on"].year
        meeting = _meeting_in(year)
        decided_on = meeting.start_date if meeting and meeting.start_date else dt.date(year, 11, 30)
        services.decision_record(
            actor=actor,
            request=request,
            outcome=Outcome.GRANTED_WITH_REQUESTS,
            decided_on=decided_on,
            meeting=meeting,
            new_deadline=document["requested_deadline"],
            requirements=[
                (
                    "Synthetic demo requirement. An updated workplan with annual milestones "
                    "by method.",
                    dt.date(year + 1, 4, 30),
                ),
                (
                    "Synthetic demo requirement. A report on the resources mobilised against "
                    "the budget.",
                    dt.date(year + 2, 4, 30),
                ),
            ],
            notes="Synthetic demo decision: not a decision of the States Parties.",
        )
        decided += 1
    return DemoSummary(made, questions, answers, published, decided, present)


def _analysis(document: dict[str, Any], rate: int) -> dict[str, str]:
    total = sum(r["area_m2"] for r in document["remaining"])
    planned = sum(m["area_m2"] for m in document["milestones"])
    sought = sum(b["amount"] for b in document["budget"] if b["source"] == "international_sought")
    deadline = document["requested_deadline"].isoformat()
    return {
        "summary": f"Synthetic demo analysis. The state requests an extension until {deadline}.",
        "contamination": f"Synthetic demo analysis. {total:,} m² remain; {rate:,} m² were "
        "released a year in the previous period.",
        "workplan": f"Synthetic demo analysis. The workplan releases {planned:,} m² "
        f"({planned * 100 // max(total, 1)}% of what remains).",
        "resources": f"Synthetic demo analysis. USD {sought:,} is sought from international "
        "partners.",
        "observations": "Synthetic demo analysis. The Committee notes that the plan needs a "
        "faster release than the previous period's.",
        "reporting": "Synthetic demo analysis. The state is asked to report each year on its "
        "milestones and on the resources mobilised.",
    }
