"""Set-ups of the fund's page tests: a call open today, money in the fund, the committee
seated this year (the real seats end in 2024, and a call's members are those of its
closing year), and an application of Nigeria's centre to visit Türkiye's at each step.

Every step is taken through the services by the person whose step it is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from minefree.fund import services
from minefree.fund.models import Application, Call, Eligibility, ReportRole, Theme
from minefree.registry.models import Actor, Committee, CommitteeSeat

TODAY = dt.date.today()
MEMBERS = ("DZA", "DNK", "JPN", "TUR")
BUDGET = [
    {"category": "travel", "description": "Flights Abuja–Ankara, 2 people", "amount": "2800"},
    {"category": "accommodation", "description": "Hotel and per diem", "amount": "2400"},
]


def seat_committee(year: int = TODAY.year) -> None:
    """Algeria chairs, Denmark, Japan and Türkiye sit, in ``year`` (test set-up)."""
    committee = Committee.objects.get(code="cooperation_assistance")
    for iso3 in MEMBERS:
        CommitteeSeat.objects.get_or_create(
            committee=committee,
            actor=Actor.objects.get(iso3=iso3),
            term_start_year=year,
            role="chair" if iso3 == "DZA" else "member",
            defaults={"term_end_year": year},
        )


def nmac() -> Actor:
    return Actor.objects.get(slug="nigeria-nmac")


def turmac() -> Actor:
    return Actor.objects.get(slug="turkiye-turmac")


def fund_money(isu: Any, amount: str = "60000") -> None:
    services.contribution_record(
        actor=isu,
        donor=Actor.objects.get(iso3="NLD"),
        amount=Decimal(amount),
        currency="EUR",
        received_on=TODAY,
    )


def host_profile(isu: Any, body: Actor | None = None) -> None:
    services.host_profile_set(
        actor=isu,
        body=body or turmac(),
        capabilities=[Theme.INFORMATION_MANAGEMENT, Theme.CLEARANCE],
        languages=["en"],
    )


def open_call(isu: Any, title: str = "Exchange visits (test call)") -> Call:
    call = services.call_create(
        actor=isu,
        title=title,
        opens_on=TODAY - dt.timedelta(days=10),
        # within this year: the members who score are those of the closing year
        closes_on=max(TODAY, min(TODAY + dt.timedelta(days=20), dt.date(TODAY.year, 12, 31))),
        budget=Decimal("40000"),
        max_amount=Decimal("15000"),
        currency="EUR",
        eligibility=Eligibility.NATIONAL_BODIES,
    )
    return services.call_publish(actor=isu, call=call)


def draft(applicant_user: Any, call: Call, body: Actor | None = None) -> Application:
    """A complete draft of ``body`` (Nigeria's centre) to visit Türkiye's."""
    body = body or nmac()
    application = services.application_create(
        actor=applicant_user,
        call=call,
        applicant=body,
        theme=Theme.INFORMATION_MANAGEMENT,
        host=turmac(),
        objectives="Learn how a national centre sets up information management.",
        delegation=[{"function": "Director", "gender": "woman", "age_band": "45-59"}],
        starts_on=TODAY + dt.timedelta(days=60),
        ends_on=TODAY + dt.timedelta(days=64),
        agenda="Day 1 structure; day 2 database; day 3 field.",
    )
    services.budget_lines_replace(actor=applicant_user, application=application, lines=BUDGET)
    return application


def submitted(applicant_user: Any, call: Call, body: Actor | None = None) -> Application:
    application = draft(applicant_user, call, body)
    return services.application_submit(actor=applicant_user, application=application)


def in_review(isu: Any, applicant_user: Any, call: Call, body: Actor | None = None) -> Application:
    application = submitted(applicant_user, call, body)
    checks = {code: True for code, _label in services.SCREENING_CHECKS}
    return services.application_screen(actor=isu, application=application, checks=checks)


def selected(users: dict[str, Any], call: Call) -> Application:
    application = in_review(users["isu"], users["nigeria"], call)
    values = {c["code"]: 4 for c in services.criteria_of(application)}
    services.score_record(actor=users["member_DNK"], application=application, values=values)
    return services.decision_record(
        actor=users["member_DZA"], application=application, selected=True, reasons="Good fit."
    )


def granted(users: dict[str, Any], call: Call) -> Application:
    application = selected(users, call)
    services.grant_agree(
        actor=users["isu"], application=application, amount=Decimal("5200"), signed_on=TODAY
    )
    application.refresh_from_db()
    return application


def held(users: dict[str, Any], call: Call) -> Application:
    application = granted(users, call)
    services.disbursement_record(
        actor=users["isu"], grant=application.grant, amount=Decimal("5200"), paid_on=TODAY
    )
    return services.visit_held_record(
        actor=users["nigeria"], application=application, held_from=TODAY, held_until=TODAY
    )


def reported(users: dict[str, Any], call: Call) -> Application:
    application = held(users, call)
    services.visit_report_submit(
        actor=users["nigeria"],
        application=application,
        role=ReportRole.APPLICANT,
        programme="Briefings and a field visit.",
        follow_ups=[{"action": "Draft data standards", "owner": "NMAC", "due_on": "2030-01-31"}],
    )
    application.refresh_from_db()
    return application


def accounted(users: dict[str, Any], call: Call) -> Application:
    application = reported(users, call)
    services.financial_report_submit(
        actor=users["nigeria"],
        application=application,
        actuals={line.pk: line.amount - 100 for line in application.budget_lines.all()},
    )
    return application


def client_of(user: Any = None) -> Any:
    """A test client, signed in as ``user`` (anonymous for None)."""
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(response: Any) -> str:
    return str(response.content.decode())
