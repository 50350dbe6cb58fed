"""The fund's web forms, for the allow/deny matrix of every web write
(``accounts/tests/test_permissions.py::ENDPOINTS``): for each, what it needs in the
database first, the request a browser sends, and how to see that it took effect.

Peru's focal point and delegate apply for the Peruvian Mine Action Centre to visit a
Colombian body (made here: the reference data names none), so Colombia's focal point
reports for the host. The cast's committee member sits for Algeria, chair this year.
ISU staff keep the books, screen, grant, pay and close.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minefree.accounts.models import Membership
from minefree.core.forms import new_request_key
from minefree.fund import services
from minefree.fund.models import (
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    Contribution,
    ContributionStatus,
    Disbursement,
    FinancialReport,
    FollowUpAction,
    FollowUpStatus,
    Grant,
    HostProfile,
    ReportRole,
    Score,
    VisitReport,
)
from minefree.fund.tests.pages import TODAY, open_call, seat_committee
from minefree.registry.models import Actor, ActorKind

PERU_PEOPLE = {"focal_point_peru", "delegate_peru"}
STAFF = {"isu_staff", "administrator"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BUDGET = [{"category": "travel", "description": "Flights Lima–Bogotá", "amount": "2000"}]


def contraminas() -> Actor:
    return Actor.objects.get(slug="peru-contraminas")


def colombian_body() -> Actor:
    body, _created = Actor.objects.get_or_create(
        slug="colombia-test-centre",
        defaults={
            "kind": ActorKind.NATIONAL_BODY,
            "name_en": "Colombian mine action body (test)",
            "parent": Actor.objects.get(iso3="COL"),
        },
    )
    return body


# --- set-ups -----------------------------------------------------------------------------------


def a_draft_call(ctx: dict[str, Any]) -> None:
    ctx["call"] = services.call_create(
        actor=ctx["isu_staff"],
        title="Matrix call",
        opens_on=TODAY,
        closes_on=TODAY,
        budget=Decimal("1000"),
        max_amount=Decimal("500"),
        currency="EUR",
    )


def an_open_call(ctx: dict[str, Any]) -> None:
    seat_committee()
    Membership.objects.filter(user=ctx["committee_chair"]).update(
        actor=Actor.objects.get(iso3="DZA")
    )
    ctx["call"] = open_call(ctx["isu_staff"])


def a_draft(ctx: dict[str, Any]) -> None:
    an_open_call(ctx)
    application = services.application_create(
        actor=ctx["focal_point_peru"],
        call=ctx["call"],
        applicant=contraminas(),
        theme="clearance",
        host=colombian_body(),
        objectives="Learn clearance in the Andes.",
        delegation=[{"function": "Director", "gender": "man", "age_band": "45-59"}],
        starts_on=TODAY + dt.timedelta(days=40),
        ends_on=TODAY + dt.timedelta(days=42),
        agenda="Two days of briefings.",
    )
    services.budget_lines_replace(
        actor=ctx["focal_point_peru"], application=application, lines=BUDGET
    )
    ctx["application"] = application


def a_submitted(ctx: dict[str, Any]) -> None:
    a_draft(ctx)
    services.application_submit(actor=ctx["focal_point_peru"], application=ctx["application"])


def in_review(ctx: dict[str, Any]) -> None:
    a_submitted(ctx)
    checks = {code: True for code, _label in services.SCREENING_CHECKS}
    application = ctx["application"]
    services.application_screen(actor=ctx["isu_staff"], application=application, checks=checks)
    values = {c["code"]: 3 for c in services.criteria_of(application)}
    services.score_record(
        actor=ctx["isu_staff"],
        application=application,
        values=values,
        on_behalf_of=Actor.objects.get(iso3="DNK"),
    )


def a_selected(ctx: dict[str, Any]) -> None:
    in_review(ctx)
    services.decision_record(
        actor=ctx["isu_staff"], application=ctx["application"], selected=True, reasons="Fit."
    )
    services.contribution_record(
        actor=ctx["isu_staff"],
        donor=Actor.objects.get(iso3="NLD"),
        amount=Decimal("10000"),
        currency="EUR",
        received_on=TODAY,
    )


def a_granted(ctx: dict[str, Any]) -> None:
    a_selected(ctx)
    services.grant_agree(
        actor=ctx["isu_staff"],
        application=ctx["application"],
        amount=Decimal("2000"),
        signed_on=TODAY,
    )
    ctx["application"].refresh_from_db()


def a_visit_held(ctx: dict[str, Any]) -> None:
    a_granted(ctx)
    services.visit_held_record(
        actor=ctx["isu_staff"], application=ctx["application"], held_from=TODAY, held_until=TODAY
    )


def a_reported(ctx: dict[str, Any]) -> None:
    a_visit_held(ctx)
    services.visit_report_submit(
        actor=ctx["focal_point_peru"],
        application=ctx["application"],
        role=ReportRole.APPLICANT,
        programme="Two days of briefings.",
        follow_ups=[{"action": "Share the standards", "owner": "CONTRAMINAS"}],
    )
    ctx["follow_up"] = FollowUpAction.objects.get(application=ctx["application"])


def an_accounted(ctx: dict[str, Any]) -> None:
    a_reported(ctx)
    application = ctx["application"]
    services.disbursement_record(
        actor=ctx["isu_staff"], grant=application.grant, amount=Decimal("1500"), paid_on=TODAY
    )
    services.financial_report_submit(
        actor=ctx["focal_point_peru"],
        application=application,
        actuals={line.pk: Decimal("1400") for line in application.budget_lines.all()},
    )


def a_pledge(ctx: dict[str, Any]) -> None:
    ctx["contribution"] = services.contribution_record(
        actor=ctx["isu_staff"],
        donor=Actor.objects.get(iso3="NLD"),
        amount=Decimal("5000"),
        currency="EUR",
        pledged_on=TODAY,
    )


# --- the requests a browser sends ------------------------------------------------------------


def _app_url(ctx: dict[str, Any], tail: str) -> str:
    return f"/fund/applications/{ctx['application'].pk}/{tail}"


def _status(ctx: dict[str, Any]) -> str:
    return str(Application.objects.get(pk=ctx["application"].pk).status)


def create_call(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(
        "/fund/calls/new/",
        {
            "request_key": new_request_key(),
            "title": "A call from the web",
            "opens_on": str(TODAY),
            "closes_on": str(TODAY),
            "budget": "1000",
            "max_amount": "500",
            "currency": "EUR",
            "eligibility": "national_bodies",
            "languages": "en",
        },
    )


def create_application(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(
        "/fund/applications/new/",
        {
            "request_key": new_request_key(),
            "call": ctx["call"].pk,
            "applicant": contraminas().pk,
            "theme": "clearance",
        },
    )


def edit_draft(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(
        _app_url(ctx, "edit/"),
        {
            "host": str(colombian_body().pk),
            "theme": "clearance",
            "objectives": "Changed objectives",
            "agenda": "Two days.",
            "people-TOTAL_FORMS": "1",
            "people-INITIAL_FORMS": "0",
            "people-0-function": "Director",
            "people-0-gender": "man",
            "people-0-age_band": "",
            "budget-TOTAL_FORMS": "1",
            "budget-INITIAL_FORMS": "0",
            "budget-0-category": "travel",
            "budget-0-description": "",
            "budget-0-amount": "1000",
        },
    )


def add_letter(client: Client, ctx: dict[str, Any]) -> Any:
    upload = SimpleUploadedFile("support.pdf", PDF, content_type="application/pdf")
    return client.post(_app_url(ctx, "letters/"), {"title": "Support", "file": upload})


def post_step(tail: str, data: dict[str, Any]) -> Any:
    return lambda client, ctx: client.post(_app_url(ctx, tail), data)


SCORES = {f"c_{code}": 4 for code in ("relevance", "host_fit", "plan", "value", "follow_up")}
CHECKS = {f"check_{code}": "on" for code, _label in services.SCREENING_CHECKS}
REPORT = {
    "programme": "As planned.",
    "language": "en",
    "lessons-TOTAL_FORMS": "0",
    "lessons-INITIAL_FORMS": "0",
    "follow_ups-TOTAL_FORMS": "0",
    "follow_ups-INITIAL_FORMS": "0",
}


def financial_report(client: Client, ctx: dict[str, Any]) -> Any:
    lines = ctx["application"].budget_lines.all()
    return client.post(
        _app_url(ctx, "financial-report/"), {f"line_{line.pk}": "1800" for line in lines}
    )


def record_contribution(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(
        "/fund/contributions/",
        {
            "request_key": new_request_key(),
            "donor": Actor.objects.get(iso3="NOR").pk,
            "amount": "",
            "currency": "",
            "earmark": "matrix",
        },
    )


def receive(client: Client, ctx: dict[str, Any]) -> Any:
    pk = ctx["contribution"].pk
    return client.post(f"/fund/contributions/{pk}/receive/", {f"r{pk}-received_on": str(TODAY)})


def host_profile(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(
        "/fund/hosts/peru-contraminas/", {"capabilities": ["clearance"], "languages": "es"}
    )


# (name, allowed roles, set-up, request, took effect)
WEB_WRITES = [
    (
        "fund web call create",
        STAFF,
        None,
        create_call,
        lambda ctx: Call.objects.filter(title="A call from the web").exists(),
    ),
    (
        "fund web call publish",
        STAFF,
        a_draft_call,
        lambda c, ctx: c.post(f"/fund/calls/{ctx['call'].pk}/publish/"),
        lambda ctx: Call.objects.get(pk=ctx["call"].pk).status == CallStatus.PUBLISHED,
    ),
    (
        "fund web call close",
        STAFF,
        an_open_call,
        lambda c, ctx: c.post(f"/fund/calls/{ctx['call'].pk}/close/"),
        lambda ctx: Call.objects.get(pk=ctx["call"].pk).status == CallStatus.CLOSED,
    ),
    (
        "fund web application create",
        PERU_PEOPLE,
        an_open_call,
        create_application,
        lambda ctx: Application.objects.filter(applicant__slug="peru-contraminas").exists(),
    ),
    (
        "fund web application edit",
        PERU_PEOPLE,
        a_draft,
        edit_draft,
        lambda ctx: (
            Application.objects.get(pk=ctx["application"].pk).objectives == "Changed objectives"
        ),
    ),
    (
        "fund web letter add",
        PERU_PEOPLE,
        a_draft,
        add_letter,
        lambda ctx: ctx["application"].support_letters.exists(),
    ),
    (
        "fund web submit",
        PERU_PEOPLE,
        a_draft,
        lambda c, ctx: c.post(_app_url(ctx, "submit/")),
        lambda ctx: _status(ctx) == ApplicationStatus.SUBMITTED,
    ),
    (
        "fund web screen",
        STAFF,
        a_submitted,
        post_step("screen/", CHECKS),
        lambda ctx: _status(ctx) == ApplicationStatus.IN_REVIEW,
    ),
    (
        "fund web return",
        STAFF,
        a_submitted,
        post_step("return/", {"reason": "Add the agenda."}),
        lambda ctx: _status(ctx) == ApplicationStatus.DRAFT,
    ),
    (
        "fund web score",
        {"committee_chair"},
        in_review,
        post_step("score/", SCORES),
        lambda ctx: Score.objects.filter(member_state__iso3="DZA").exists(),
    ),
    (
        "fund web decide",
        STAFF | {"committee_chair"},
        in_review,
        post_step("decide/", {"selected": "yes", "reasons": "A good fit."}),
        lambda ctx: _status(ctx) == ApplicationStatus.SELECTED,
    ),
    (
        "fund web grant",
        STAFF,
        a_selected,
        post_step("grant/", {"amount": "2000", "signed_on": str(TODAY)}),
        lambda ctx: Grant.objects.filter(application=ctx["application"]).exists(),
    ),
    (
        "fund web tranche",
        STAFF,
        a_granted,
        post_step("tranche/", {"amount": "500", "paid_on": str(TODAY)}),
        lambda ctx: Disbursement.objects.exists(),
    ),
    (
        "fund web release",
        STAFF,
        a_granted,
        post_step("release/", {"reason": "The visit is cancelled."}),
        lambda ctx: Grant.objects.get(application=ctx["application"]).released > 0,
    ),
    (
        "fund web visit held",
        STAFF | PERU_PEOPLE,
        a_granted,
        post_step("held/", {"held_from": str(TODAY), "held_until": str(TODAY)}),
        lambda ctx: _status(ctx) == ApplicationStatus.VISIT_HELD,
    ),
    (
        "fund web visit report",
        PERU_PEOPLE,
        a_visit_held,
        post_step("report/applicant/", REPORT),
        lambda ctx: VisitReport.objects.filter(role=ReportRole.APPLICANT).exists(),
    ),
    (
        "fund web host report",
        {"focal_point_colombia"},
        a_visit_held,
        post_step("report/host/", REPORT),
        lambda ctx: VisitReport.objects.filter(role=ReportRole.HOST).exists(),
    ),
    (
        "fund web financial report",
        PERU_PEOPLE,
        a_reported,
        financial_report,
        lambda ctx: FinancialReport.objects.exists(),
    ),
    (
        "fund web follow-up done",
        STAFF | PERU_PEOPLE | {"committee_chair"},
        a_reported,
        lambda c, ctx: c.post(f"/fund/follow-ups/{ctx['follow_up'].pk}/", {"status": "done"}),
        lambda ctx: (
            FollowUpAction.objects.get(pk=ctx["follow_up"].pk).status == FollowUpStatus.DONE
        ),
    ),
    (
        "fund web close",
        STAFF,
        an_accounted,
        post_step("close/", {}),
        lambda ctx: _status(ctx) == ApplicationStatus.CLOSED,
    ),
    (
        "fund web contribution record",
        STAFF,
        None,
        record_contribution,
        lambda ctx: Contribution.objects.filter(earmark="matrix").exists(),
    ),
    (
        "fund web contribution received",
        STAFF,
        a_pledge,
        receive,
        lambda ctx: (
            Contribution.objects.get(pk=ctx["contribution"].pk).status
            == ContributionStatus.RECEIVED
        ),
    ),
    (
        "fund web host profile",
        STAFF | PERU_PEOPLE,
        None,
        host_profile,
        lambda ctx: HostProfile.objects.filter(body__slug="peru-contraminas").exists(),
    ),
]
