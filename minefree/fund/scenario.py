"""The fund's first exchange visit, as the committee's statement to the Fifth Review
Conference tells it, walked through every step of the process.

Known (the statement): the Netherlands established the Cooperation and Assistance Fund at
the Nineteenth Meeting of the States Parties; in the first week of November 2024 a
delegation of the newly established Nigerian Mine Action Centre visited the Turkish Mine
Action Centre; the committee's members in 2024 were Algeria (chair), Denmark, Japan and
Türkiye. Not known from any source: the fund's size, the call, the application, its
budget, scores, the grant, the tranches, the exact days, the reports and their lessons.
Those are synthetic, and every record made here is labelled synthetic demo data; the notes
say which part is known and from where.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from minefree.core.models import Origin
from minefree.core.permissions import require
from minefree.fund import services
from minefree.fund.models import Application, Contribution, Eligibility, ReportRole, Theme
from minefree.registry.models import Actor, Meeting

STATEMENT = "seed/committee-statement-5RC-2024.txt (statement of the Committee on the Enhancement of Cooperation and Assistance to the Fifth Review Conference, Siem Reap, November 2024)"
KNOWN_CONTRIBUTION = (
    "Known: the Netherlands established the Cooperation and Assistance Fund at the Nineteenth "
    "Meeting of the States Parties (committee statement to the 5RC). The amount and the day "
    "received are synthetic: no source gives them."
)
KNOWN_VISIT = (
    "Known: in the first week of November 2024 a delegation from the newly established "
    "Nigerian Mine Action Centre visited the Turkish Mine Action Centre, the fund's first "
    "pilot exchange visit (committee statement to the 5RC). The call, budget, delegation, "
    "scores, grant, exact days, reports and lessons are synthetic."
)
CURRENCY = "EUR"
CONTRIBUTION = Decimal("60000.00")  # synthetic
BUDGET = (
    ("travel", "Return flights Abuja–Ankara, 4 people", Decimal("5600.00")),
    ("accommodation", "Hotel and per diem, 4 people, 6 nights", Decimal("4800.00")),
    ("interpretation", "English–Turkish interpretation, 3 days", Decimal("1500.00")),
    ("visas", "Visas, 4 people", Decimal("400.00")),
)
ACTUALS = (Decimal("5310.00"), Decimal("4650.00"), Decimal("1500.00"), Decimal("360.00"))
LESSONS = (
    {
        "title": "Set up the information management system before the first clearance tasks",
        "text": "TURMAC showed how recording every hazardous area and task in one national "
        "database from the start let it plan land release and report under Article 7 "
        "without reconstructing past data. A new centre gains most by adopting the "
        "national database and its data standards before tasks are contracted.",
    },
    {
        "title": "Write national standards with the operators, then accredit against them",
        "text": "Turkish national mine action standards were drafted with the operators and "
        "adopted before accreditation started, so quality management had a reference. The "
        "Nigerian delegation plans to draft its standards the same way.",
    },
)


@dataclass
class Cast:
    """Who takes each step. Anyone left ``None`` is replaced by the console acting as ISU
    staff (scores are then recorded on the member state's behalf)."""

    isu: Any
    nigeria: Any = None
    turkiye: Any = None
    chair: Any = None
    members: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    contribution: Contribution
    application: Application


def _actor(iso3: str) -> Actor:
    return Actor.objects.get(iso3=iso3)


def seed_visit_load(cast: Cast) -> Scenario:
    """Record the first exchange visit from the contribution to the closed grant."""
    isu = cast.isu
    netherlands = _actor("NLD")
    nmac = Actor.objects.get(slug="nigeria-nmac")
    turmac = Actor.objects.get(slug="turkiye-turmac")
    meeting = Meeting.objects.filter(code="19MSP").first()
    contribution = services.contribution_record(
        actor=isu,
        donor=netherlands,
        amount=CONTRIBUTION,
        currency=CURRENCY,
        pledged_on=None,  # announced at the 19MSP; the day is not known
        received_on=dt.date(2024, 3, 1),
        earmark="exchange visits between national mine action centres",
        announced_at=meeting,
        source_url=STATEMENT,
        notes=KNOWN_CONTRIBUTION,
        origin=Origin.SYNTHETIC,
    )
    services.host_profile_set(
        actor=cast.turkiye or isu,
        body=turmac,
        capabilities=[
            Theme.NON_TECHNICAL_SURVEY,
            Theme.TECHNICAL_SURVEY,
            Theme.CLEARANCE,
            Theme.INFORMATION_MANAGEMENT,
            Theme.QUALITY_MANAGEMENT,
        ],
        languages=["en"],
        notes="Synthetic profile for the demo.",
        origin=Origin.SYNTHETIC,
    )
    call = services.call_create(
        actor=isu,
        title="Exchange visits between national mine action centres, 2024 (pilot)",
        description="Pilot call of the Cooperation and Assistance Fund (synthetic demo data).",
        opens_on=dt.date(2024, 6, 1),
        closes_on=dt.date(2024, 8, 31),
        budget=Decimal("40000.00"),
        max_amount=Decimal("15000.00"),
        currency=CURRENCY,
        themes=list(Theme.values),
        eligibility=Eligibility.NATIONAL_BODIES,
        origin=Origin.SYNTHETIC,
    )
    services.call_publish(actor=isu, call=call)
    applicant = cast.nigeria or isu
    application = services.application_create(
        actor=applicant,
        call=call,
        applicant=nmac,
        theme=Theme.INFORMATION_MANAGEMENT,
        host=turmac,
        objectives="Learn how a national centre sets up survey, information management and "
        "quality management from the start.",
        articles=[5, 6, 7],
        challenges=["capacity", "expertise"],
        delegation=[
            {"function": "Director", "gender": "man", "age_band": "45-59"},
            {"function": "Head of operations", "gender": "man", "age_band": "30-44"},
            {"function": "Information management officer", "gender": "woman", "age_band": "30-44"},
            {
                "function": "Gender and diversity focal point",
                "gender": "woman",
                "age_band": "30-44",
            },
        ],
        starts_on=dt.date(2024, 11, 3),
        ends_on=dt.date(2024, 11, 8),
        agenda="Day 1 national structure; day 2 information management; day 3 field visit "
        "to a clearance site; day 4 quality management; day 5 follow-up plan.",
        currency=CURRENCY,
        origin=Origin.SYNTHETIC,
        notes=KNOWN_VISIT,
    )
    services.budget_lines_replace(
        actor=applicant,
        application=application,
        lines=[{"category": c, "description": d, "amount": a} for c, d, a in BUDGET],
    )
    services.application_submit(actor=applicant, application=application, on=dt.date(2024, 8, 20))
    services.application_screen(
        actor=isu,
        application=application,
        checks={code: True for code, _label in services.SCREENING_CHECKS},
        note="Eligible; TURMAC agreed to host (synthetic).",
    )
    scores = {"DZA": 4, "DNK": 4, "JPN": 5}
    for iso3, level in scores.items():
        member = cast.members.get(iso3)
        values = {c["code"]: level for c in services.criteria_of(application)}
        services.score_record(
            actor=member or isu,
            application=application,
            values=values,
            comment="Synthetic score for the demo.",
            on_behalf_of=None if member else _actor(iso3),
        )
    services.decision_record(
        actor=cast.chair or isu,
        application=application,
        selected=True,
        reasons="A newly established centre learning from an experienced one: the pilot the "
        "fund was set up for (synthetic).",
        on=dt.date(2024, 9, 20),
    )
    grant = services.grant_agree(
        actor=isu,
        application=application,
        amount=Decimal("12300.00"),
        signed_on=dt.date(2024, 10, 1),
    )
    services.disbursement_record(
        actor=isu, grant=grant, amount=Decimal("9840.00"), paid_on=dt.date(2024, 10, 7)
    )
    services.disbursement_record(
        actor=isu, grant=grant, amount=Decimal("2460.00"), paid_on=dt.date(2024, 11, 20)
    )
    services.visit_held_record(
        actor=applicant,
        application=application,
        held_from=dt.date(2024, 11, 3),
        held_until=dt.date(2024, 11, 8),
    )
    services.visit_report_submit(
        actor=applicant,
        application=application,
        role=ReportRole.APPLICANT,
        programme="Briefings at TURMAC on the national structure, information management and "
        "quality management; a visit to a clearance site (synthetic).",
        participants="Four staff of the Nigerian Mine Action Centre; TURMAC staff (synthetic).",
        outputs="A follow-up plan for the Nigerian centre's information management and "
        "national standards (synthetic).",
        lessons=LESSONS,
        follow_ups=[
            {
                "action": "Draft national mine action standards with the operators",
                "owner": "Nigerian Mine Action Centre",
                "due_on": "2025-06-30",
            },
            {
                "action": "Share the national database's data standards",
                "owner": "Turkish Mine Action Centre",
                "due_on": "2025-02-28",
            },
        ],
    )
    services.visit_report_submit(
        actor=cast.turkiye or isu,
        application=application,
        role=ReportRole.HOST,
        programme="Five days of briefings and a field visit for the Nigerian delegation (synthetic).",
        outputs="Contacts between the two centres' information management teams (synthetic).",
        lessons=[],
    )
    lines = list(application.budget_lines.order_by("id"))
    services.financial_report_submit(
        actor=applicant,
        application=application,
        actuals={line.pk: actual for line, actual in zip(lines, ACTUALS, strict=True)},
        note="Synthetic figures.",
    )
    services.application_close(actor=isu, application=application, on=dt.date(2025, 1, 31))
    application.refresh_from_db()
    return Scenario(contribution, application)


def seed_visit_present() -> bool:
    return Application.objects.filter(
        applicant__slug="nigeria-nmac", host__slug="turkiye-turmac"
    ).exists()


def demo_fund_load(actor: Any) -> Scenario | None:
    """The demo's fund: the seed visit (once), recorded by ISU staff."""
    require(actor, "fund.manage", None, "Only ISU staff load the demo data.")
    if seed_visit_present():
        return None
    return seed_visit_load(Cast(isu=actor))
