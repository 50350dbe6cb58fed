"""Applications of the fund at each step of their process, made through the services by
the console (``SYSTEM``), for the API's tests and its write matrix.

A call "open now" spans today, so the API's submission (dated today) is accepted; an
application that must be scored is in a call of 2024, when the committee's seats of the
reference data (Algeria chair, Denmark, Japan, Türkiye) sat, and is submitted on a day of
that call.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from minefree.core.audit import SYSTEM
from minefree.fund import services
from minefree.fund.models import (
    Application,
    Call,
    Contribution,
    Eligibility,
    FollowUpAction,
    ReportRole,
    Theme,
)
from minefree.registry.models import Actor

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BUDGET = [
    {"category": "travel", "description": "Flights, 3 people", "amount": "4000.00"},
    {"category": "accommodation", "description": "Hotel and per diem", "amount": "3000.00"},
]
REQUESTED = Decimal("7000.00")
SUBMITTED_2024 = dt.date(2024, 8, 20)
#: the steps ``application_at`` reaches, in order
STEPS = (
    "draft",
    "submitted",
    "in_review",
    "selected",
    "granted",
    "paid",
    "visit_held",
    "reported",
    "accounted",
)
FIELDS: dict[str, Any] = {
    "objectives": "Learn how the host runs non-technical survey and its national database.",
    "articles": [5, 7],
    "delegation": [
        {"function": "Director", "gender": "woman", "age_band": "45-59"},
        {"function": "Information management officer", "gender": "man", "age_band": "30-44"},
    ],
    "agenda": "Day 1 briefings; day 2 database; day 3 field visit.",
}


def isu() -> Any:
    """An ISU staff member (scores need a person: ``Score.scored_by`` is required)."""
    from django.contrib.auth import get_user_model

    from minefree.accounts.models import Role
    from minefree.accounts.tests.factories import make_user

    found = get_user_model().objects.filter(username="fund_factory_isu").first()
    return found or make_user("fund_factory_isu", Role.ISU_STAFF)


def focal_point(iso3: str) -> Any:
    """The focal point of the state ``iso3`` (reports name a person who submitted them)."""
    from django.contrib.auth import get_user_model

    from minefree.accounts.models import Role
    from minefree.accounts.tests.factories import make_user

    name = f"fund_factory_{iso3.lower()}"
    found = get_user_model().objects.filter(username=name).first()
    return found or make_user(name, Role.STATE_FOCAL_POINT, scope=iso3)


def body(slug: str) -> Actor:
    return Actor.objects.get(slug=slug)


def funded(amount: Decimal = Decimal("50000.00"), currency: str = "EUR") -> Contribution:
    """The Netherlands' contribution, received."""
    return services.contribution_record(
        actor=SYSTEM,
        donor=Actor.objects.get(iso3="NLD"),
        amount=amount,
        currency=currency,
        received_on=dt.date(2024, 3, 1),
    )


def call_open(*, now: bool = True, publish: bool = True, currency: str = "EUR") -> Call:
    """A call open today (``now``) or over the summer of 2024."""
    if now:
        today = timezone.localdate()
        opens, closes = today - dt.timedelta(days=30), today + dt.timedelta(days=30)
    else:
        opens, closes = dt.date(2024, 6, 1), dt.date(2024, 8, 31)
    call = services.call_create(
        actor=SYSTEM,
        title=f"Exchange visits {opens.year}",
        opens_on=opens,
        closes_on=closes,
        budget=Decimal("40000.00"),
        max_amount=Decimal("15000.00"),
        currency=currency,
        themes=list(Theme.values),
        eligibility=Eligibility.NATIONAL_BODIES,
    )
    if publish:
        services.call_publish(actor=SYSTEM, call=call)
    return call


def application_at(
    step: str,
    *,
    applicant: str = "peru-contraminas",
    host: str = "turkiye-turmac",
    now: bool | None = None,
    fund: Decimal = Decimal("50000.00"),
) -> Application:
    """An application of ``applicant`` to visit ``host`` at ``step`` (one of ``STEPS``):
    before the review in a call open today (unless ``now`` says otherwise), from the review
    on in the 2024 call, scored for Denmark and selected, once the fund received ``fund``."""
    reach = STEPS.index(step)
    in_2024 = now is False or (now is None and reach >= STEPS.index("in_review"))
    if reach >= STEPS.index("selected"):
        funded(fund)
    call = call_open(now=not in_2024)
    application = services.application_create(
        actor=SYSTEM,
        call=call,
        applicant=body(applicant),
        theme=Theme.NON_TECHNICAL_SURVEY,
        host=body(host),
        starts_on=dt.date(2024, 11, 3) if in_2024 else call.closes_on + dt.timedelta(days=30),
        ends_on=dt.date(2024, 11, 6) if in_2024 else call.closes_on + dt.timedelta(days=33),
        **FIELDS,
    )
    services.budget_lines_replace(actor=SYSTEM, application=application, lines=BUDGET)
    if reach >= STEPS.index("submitted"):
        on = SUBMITTED_2024 if in_2024 else None
        services.application_submit(actor=SYSTEM, application=application, on=on)
    if reach >= STEPS.index("in_review"):
        checks = {code: True for code, _label in services.SCREENING_CHECKS}
        services.application_screen(actor=SYSTEM, application=application, checks=checks)
    if reach >= STEPS.index("selected"):
        values = {c["code"]: 4 for c in services.criteria_of(application)}
        services.score_record(
            actor=isu(),
            application=application,
            values=values,
            on_behalf_of=Actor.objects.get(iso3="DNK"),
        )
        services.decision_record(
            actor=SYSTEM, application=application, selected=True, reasons="A good plan."
        )
    if reach >= STEPS.index("granted"):
        services.grant_agree(
            actor=SYSTEM, application=application, amount=REQUESTED, signed_on=dt.date(2024, 10, 1)
        )
    if reach >= STEPS.index("paid"):
        services.disbursement_record(
            actor=SYSTEM,
            grant=application.grant,
            amount=REQUESTED,
            paid_on=dt.date(2024, 10, 7),
        )
    if reach >= STEPS.index("visit_held"):
        services.visit_held_record(
            actor=SYSTEM,
            application=application,
            held_from=dt.date(2024, 11, 3),
            held_until=dt.date(2024, 11, 6),
        )
    if reach >= STEPS.index("reported"):
        services.visit_report_submit(
            actor=focal_point(body(applicant).parent.iso3),
            application=application,
            role=ReportRole.APPLICANT,
            programme="Three days of briefings and a field visit.",
            follow_ups=[{"action": "Draft a survey standard", "owner": "The applicant body"}],
        )
    if reach >= STEPS.index("accounted"):
        services.financial_report_submit(
            actor=focal_point(body(applicant).parent.iso3),
            application=application,
            actuals={line.pk: line.amount - 500 for line in application.budget_lines.all()},
        )
    application.refresh_from_db()
    return application


def follow_up_of(application: Application) -> FollowUpAction:
    return application.follow_ups.get()
