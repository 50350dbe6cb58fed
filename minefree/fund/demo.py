"""The fund's demo data: the seed visit (``scenario``) and a small synthetic history around
it, so the fund's pages and yearly reports have something at each step.

Everything made here is ``Origin.SYNTHETIC`` and labelled "synthetic demo data" wherever
shown; it goes through the services ISU staff use, acting as the system console (committee
members' scores recorded on their states' behalf). What it adds, drawn deterministically
from ``seed``:

* a second donor's contribution, received in 2025 in its own currency;
* host profiles for a few national bodies;
* a second 2024 round (scored by the committee's 2024 members; conflicted members left
  out): one application selected and granted (visit planned for 2025), one not selected;
* a 2025 call with one application submitted and one in review. No committee seat for 2025
  is in the registry, so nobody scores it: it stays in review until the seats are known.

Running it twice adds nothing: the history is recognised by its 2025 call.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from minefree.core.models import Origin
from minefree.core.permissions import require
from minefree.fund import scenario, services
from minefree.fund.models import (
    Application,
    ApplicationStatus,
    Call,
    Eligibility,
    Theme,
)
from minefree.fund.seats import conflict, seats_in
from minefree.registry.models import Actor, ActorKind

DEFAULT_SEED = 1997
ROUND_2024 = "Exchange visits between national mine action centres, 2024 (second round)"
CALL_2025 = "Exchange visits between national mine action centres, 2025"
DONORS = ("CHE", "DEU", "NOR", "AUS")
DONOR_CURRENCY = {"CHE": "CHF", "DEU": "EUR", "NOR": "NOK", "AUS": "AUD"}
DONOR_AMOUNT = {"CHE": "25000.00", "DEU": "30000.00", "NOR": "250000.00", "AUS": "40000.00"}
NOTE = "Synthetic demo data: no source gives this {what}."
STEPS = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.SELECTED,
    ApplicationStatus.GRANTED,
    ApplicationStatus.VISIT_HELD,
)


@dataclass
class Summary:
    seed_visit: bool = False
    contributions: int = 0
    host_profiles: int = 0
    calls: int = 0
    applications: int = 0
    already_present: bool = False


def walk(
    *,
    actor: Any,
    call: Call,
    applicant: Actor,
    host: Actor,
    theme: str,
    submitted_on: dt.date,
    starts_on: dt.date,
    until: str,
    amount: Decimal = Decimal("6000.00"),
    decided_on: dt.date | None = None,
    selected: bool = True,
) -> Application:
    """A synthetic application taken by ISU staff (``actor``) from draft to ``until``:
    submitted, in review, scored by the call year's members without a conflict, decided
    (``selected`` or not), granted, visit held. Scoring needs seats in the call's year."""
    application = services.application_create(
        actor=actor,
        call=call,
        applicant=applicant,
        theme=theme,
        host=host,
        objectives=f"Learn how {host.name_en} works on {Theme(theme).label} (synthetic).",
        delegation=[
            {"function": "Head of operations", "gender": "woman", "age_band": "30-44"},
            {"function": "Information management officer", "gender": "man", "age_band": "30-44"},
        ],
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=4),
        agenda="Briefings, a field visit and a follow-up plan (synthetic).",
        origin=Origin.SYNTHETIC,
        notes=NOTE.format(what="application"),
    )
    services.budget_lines_replace(
        actor=actor,
        application=application,
        lines=[
            {"category": "travel", "description": "Flights, 2 people", "amount": amount * 6 / 10},
            {
                "category": "accommodation",
                "description": "Hotel and per diem",
                "amount": amount * 4 / 10,
            },
        ],
    )
    target = STEPS.index(until) if until in STEPS else len(STEPS)
    if until == ApplicationStatus.NOT_SELECTED:
        target = STEPS.index(ApplicationStatus.SELECTED)
    if target >= 1:
        services.application_submit(actor=actor, application=application, on=submitted_on)
    if target >= 2:
        services.application_screen(
            actor=actor,
            application=application,
            checks={code: True for code, _label in services.SCREENING_CHECKS},
            note="Eligible (synthetic).",
        )
    if target >= 3:
        for seat in seats_in(call.year):
            if conflict(seat.actor_id, application):
                continue
            level = 4 if selected else 2
            services.score_record(
                actor=actor,
                application=application,
                values={c["code"]: level for c in services.criteria_of(application)},
                comment="Synthetic score for the demo.",
                on_behalf_of=seat.actor,
            )
        decided = decided_on or call.closes_on + dt.timedelta(days=14)
        services.decision_record(
            actor=actor,
            application=application,
            selected=selected,
            reasons="Synthetic decision for the demo.",
            on=decided,
        )
        if selected and target >= 4:
            grant = services.grant_agree(
                actor=actor,
                application=application,
                amount=application.requested,
                signed_on=decided + dt.timedelta(days=7),
            )
            if target >= 5:
                services.disbursement_record(
                    actor=actor,
                    grant=grant,
                    amount=grant.amount,
                    paid_on=decided + dt.timedelta(days=14),
                )
                services.visit_held_record(
                    actor=actor,
                    application=application,
                    held_from=starts_on,
                    held_until=starts_on + dt.timedelta(days=4),
                )
    application.refresh_from_db()
    return application


def _bodies(rng: random.Random) -> list[Actor]:
    """National bodies of states (the seed visit's pair last: they are taken)."""
    bodies = list(
        Actor.objects.filter(kind=ActorKind.NATIONAL_BODY, parent__isnull=False)
        .exclude(slug__in=("nigeria-nmac", "turkiye-turmac"))
        .select_related("parent")
        .order_by("slug")
    )
    rng.shuffle(bodies)
    return bodies


def demo_history_load(actor: Any, seed: int = DEFAULT_SEED) -> Summary:
    """The seed visit (once) and the synthetic history around it (once)."""
    require(actor, "fund.manage", None, "Only ISU staff load the demo data.")
    summary = Summary(seed_visit=scenario.demo_fund_load(actor) is not None)
    if Call.objects.filter(title=CALL_2025, origin=Origin.SYNTHETIC).exists():
        summary.already_present = True
        return summary
    rng = random.Random(seed)
    bodies = _bodies(rng)
    if len(bodies) < 4:
        return summary
    turmac = Actor.objects.get(slug="turkiye-turmac")
    donor_code = rng.choice(DONORS)
    donor = Actor.objects.filter(iso3=donor_code).first()
    if donor is not None:
        services.contribution_record(
            actor=actor,
            donor=donor,
            amount=Decimal(DONOR_AMOUNT.get(donor_code, "25000.00")),
            currency=DONOR_CURRENCY[donor_code],
            pledged_on=dt.date(2024, 12, 2),
            received_on=dt.date(2025, 2, 14),
            earmark="exchange visits between national mine action centres",
            notes=NOTE.format(what="contribution"),
            origin=Origin.SYNTHETIC,
        )
        summary.contributions += 1
    hosts = bodies[:2]
    themes = list(Theme.values)
    for body in hosts:
        services.host_profile_set(
            actor=actor,
            body=body,
            capabilities=sorted(rng.sample(themes, 3)),
            languages=["en"],
            notes="Synthetic profile for the demo.",
            origin=Origin.SYNTHETIC,
        )
        summary.host_profiles += 1
    applicants = bodies[2:]
    round_2024 = services.call_create(
        actor=actor,
        title=ROUND_2024,
        description="Second round of the fund's pilot (synthetic demo data).",
        opens_on=dt.date(2024, 9, 16),
        closes_on=dt.date(2024, 11, 29),
        budget=Decimal("20000.00"),
        max_amount=Decimal("12000.00"),
        currency=scenario.CURRENCY,
        themes=themes,
        eligibility=Eligibility.NATIONAL_BODIES,
        origin=Origin.SYNTHETIC,
    )
    call_2025 = services.call_create(
        actor=actor,
        title=CALL_2025,
        description="The fund's 2025 call (synthetic demo data).",
        opens_on=dt.date(2025, 3, 3),
        closes_on=dt.date(2025, 6, 30),
        budget=Decimal("40000.00"),
        max_amount=Decimal("15000.00"),
        currency=scenario.CURRENCY,
        themes=themes,
        eligibility=Eligibility.NATIONAL_BODIES,
        origin=Origin.SYNTHETIC,
    )
    for call in (round_2024, call_2025):
        services.call_publish(actor=actor, call=call)
        summary.calls += 1
    steps = (
        (round_2024, ApplicationStatus.GRANTED, True, dt.date(2024, 11, 15), dt.date(2025, 4, 7)),
        (round_2024, ApplicationStatus.NOT_SELECTED, False, dt.date(2024, 11, 20), None),
        (call_2025, ApplicationStatus.IN_REVIEW, True, dt.date(2025, 5, 12), dt.date(2025, 10, 6)),
        (call_2025, ApplicationStatus.SUBMITTED, True, dt.date(2025, 6, 2), dt.date(2025, 11, 3)),
    )
    for n, (call, until, selected, submitted_on, starts_on) in enumerate(steps):
        applicant = applicants[n % len(applicants)]
        host = next(h for h in (*hosts, turmac) if h.parent_id != applicant.parent_id)
        profile_themes = getattr(host, "host_profile", None)
        theme = (profile_themes.capabilities if profile_themes else themes)[0]
        walk(
            actor=actor,
            call=call,
            applicant=applicant,
            host=host,
            theme=theme,
            submitted_on=submitted_on,
            starts_on=starts_on or submitted_on + dt.timedelta(days=120),
            until=until,
            amount=Decimal("8000.00") if selected else Decimal("11000.00"),
            selected=selected,
        )
        summary.applications += 1
    return summary
