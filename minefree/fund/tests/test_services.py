"""Every fund service: the person whose step it is succeeds; anyone else is refused with
``PermissionDenied`` and nothing changes (no row of the fund's tables, no audit event);
steps out of the workflow's order are refused with a clear message.

Scoring and deciding (conflicts of interest, the chair) are in ``test_review.py``."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from minefree.core.models import AuditEvent
from minefree.core.workflow import AlreadyDone
from minefree.fund import services
from minefree.fund.models import (
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    ContributionStatus,
    FollowUpStatus,
    FundBalance,
    Grant,
    HostProfile,
    LedgerEntry,
    Movement,
    ReportRole,
    SupportLetter,
)
from minefree.fund.tests import steps
from minefree.fund.tests.steps import refused
from minefree.fund.tests.world import fund_cast
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def users() -> dict[str, Any]:
    return fund_cast()


@pytest.fixture
def call(users: dict[str, Any]) -> Call:
    steps.funded(users["isu"], "50000")
    return steps.open_call(users["isu"])


def audited(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# --- contributions ---------------------------------------------------------------------------


def test_only_isu_staff_record_contributions(users):
    netherlands = Actor.objects.get(iso3="NLD")
    for name in ("donor", "nigeria", "member_DZA", "unseated"):
        refused(
            lambda name=name: services.contribution_record(
                actor=users[name], donor=netherlands, amount=Decimal("100"), currency="EUR"
            ),
            match="Only ISU staff record",
        )
    refused(
        lambda: services.contribution_record(
            actor=None, donor=netherlands, amount=Decimal("100"), currency="EUR"
        )
    )
    pledge = services.contribution_record(
        actor=users["isu"], donor=netherlands, amount=None, currency=""
    )
    assert pledge.status == ContributionStatus.PLEDGED and pledge.amount is None
    assert not FundBalance.objects.exists()  # a pledge moves no money
    assert audited("fund_contribution.recorded") == 1


def test_a_contribution_received_needs_its_amount(users):
    refused(
        lambda: services.contribution_record(
            actor=users["isu"],
            donor=Actor.objects.get(iso3="NLD"),
            amount=None,
            currency="EUR",
            received_on=dt.date(2024, 3, 1),
        ),
        ValidationError,
        "needs its amount",
    )


def test_a_pledge_is_received_once_by_isu_staff(users):
    pledge = services.contribution_record(
        actor=users["isu"], donor=Actor.objects.get(iso3="NLD"), amount=None, currency=""
    )
    receive = {"contribution": pledge, "received_on": dt.date(2024, 4, 1)}
    refused(lambda: services.contribution_receive(actor=users["donor"], **receive))
    refused(
        lambda: services.contribution_receive(actor=users["isu"], **receive),
        ValidationError,
        "Give the amount received",
    )
    services.contribution_receive(
        actor=users["isu"], amount=Decimal("2500"), currency="chf", **receive
    )
    pledge.refresh_from_db()
    assert pledge.status == ContributionStatus.RECEIVED and pledge.currency == "CHF"
    assert steps.books_agree("CHF").received == Decimal("2500.00")
    refused(
        lambda: services.contribution_receive(actor=users["isu"], **receive),
        AlreadyDone,
        "already received",
    )


# --- calls and host profiles ---------------------------------------------------------------------


def test_only_isu_staff_open_publish_and_close_calls(users):
    for name in ("nigeria", "member_DZA", "donor"):
        refused(
            lambda name=name: services.call_create(
                actor=users[name],
                title="A call",
                opens_on=steps.OPENS,
                closes_on=steps.CLOSES,
                budget=Decimal("1000"),
                max_amount=Decimal("500"),
                currency="EUR",
            ),
            match="Only ISU staff open calls",
        )
    call = steps.open_call(users["isu"], publish=False)
    refused(lambda: services.call_publish(actor=users["nigeria"], call=call))
    services.call_publish(actor=users["isu"], call=call)
    refused(lambda: services.call_publish(actor=users["isu"], call=call), AlreadyDone)
    refused(lambda: services.call_close(actor=users["member_DZA"], call=call))
    services.call_close(actor=users["isu"], call=call)
    call.refresh_from_db()
    assert call.status == CallStatus.CLOSED
    assert audited("fund_call.published") == audited("fund_call.closed") == 1


def test_a_call_is_coherent(users):
    base = {
        "actor": users["isu"],
        "title": "A call",
        "currency": "EUR",
        "budget": Decimal("1000"),
    }
    refused(
        lambda: services.call_create(
            **base, opens_on=steps.CLOSES, closes_on=steps.OPENS, max_amount=Decimal("500")
        ),
        ValidationError,
        "cannot close before it opens",
    )
    refused(
        lambda: services.call_create(
            **base, opens_on=steps.OPENS, closes_on=steps.CLOSES, max_amount=Decimal("5000")
        ),
        ValidationError,
        "cannot exceed the call's budget",
    )


def test_the_host_state_or_isu_staff_describe_a_host(users):
    turmac = steps.body("turkiye-turmac")
    for name in ("nigeria", "peru", "member_DZA"):
        refused(
            lambda name=name: services.host_profile_set(
                actor=users[name], body=turmac, capabilities=["clearance"]
            ),
            match="Only the body's state or ISU staff",
        )
    services.host_profile_set(actor=users["turkiye"], body=turmac, capabilities=["clearance"])
    services.host_profile_set(
        actor=users["isu"], body=turmac, capabilities=["clearance", "technical_survey"]
    )
    assert HostProfile.objects.get(body=turmac).capabilities == ["clearance", "technical_survey"]
    refused(
        lambda: services.host_profile_set(
            actor=users["turkiye"], body=turmac, capabilities=["juggling"]
        ),
        ValidationError,
        "Unknown capabilities",
    )
    refused(
        lambda: services.host_profile_set(
            actor=users["turkiye"], body=Actor.objects.get(iso3="TUR"), capabilities=[]
        ),
        ValidationError,
        "Only a national body",
    )


# --- drafting ----------------------------------------------------------------------------------


def test_only_the_applicant_state_drafts_for_its_body(users, call):
    nmac = steps.body("nigeria-nmac")
    for name in ("peru", "turkiye", "isu", "member_DZA", "donor"):
        refused(
            lambda name=name: services.application_create(
                actor=users[name], call=call, applicant=nmac, theme="clearance"
            ),
            match="Only the applicant state's focal point",
        )
    application = services.application_create(
        actor=users["nigeria"], call=call, applicant=nmac, theme="clearance"
    )
    assert application.status == ApplicationStatus.DRAFT and application.currency == "EUR"
    # Peru's focal point drafts for Peru's body, never for Nigeria's
    refused(
        lambda: services.application_update(
            actor=users["peru"], application=application, objectives="Ours now"
        )
    )
    services.application_update(
        actor=users["nigeria"], application=application, objectives="Learn survey"
    )
    application.refresh_from_db()
    assert application.objectives == "Learn survey"


def test_a_draft_goes_to_a_published_call_from_a_national_body(users):
    isu, nigeria = users["isu"], users["nigeria"]
    unpublished = steps.open_call(isu, publish=False)
    refused(
        lambda: services.application_create(
            actor=nigeria,
            call=unpublished,
            applicant=steps.body("nigeria-nmac"),
            theme="clearance",
        ),
        ValidationError,
        "not open for applications",
    )
    published = steps.open_call(isu)
    refused(
        lambda: services.application_create(
            actor=nigeria,
            call=published,
            applicant=Actor.objects.get(iso3="NGA"),
            theme="clearance",
        ),
        ValidationError,
        "must be a national body",
    )
    refused(
        lambda: services.application_create(
            actor=nigeria,
            call=published,
            applicant=steps.body("nigeria-nmac"),
            theme="clearance",
            delegation=[{"function": "Director", "gender": "x"}],
        ),
        ValidationError,
        "gender is woman, man or other",
    )


def test_only_the_applicant_state_sets_the_budget_and_adds_letters(users, call, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = steps.draft(users, call)
    lines = [{"category": "visas", "amount": "300"}]
    for name in ("peru", "turkiye", "isu"):
        refused(
            lambda name=name: services.budget_lines_replace(
                actor=users[name], application=application, lines=lines
            )
        )
        refused(
            lambda name=name: services.support_letter_add(
                actor=users[name],
                application=application,
                title="Letter",
                file=io.BytesIO(PDF),
                name="letter.pdf",
            )
        )
    services.budget_lines_replace(actor=users["nigeria"], application=application, lines=lines)
    assert application.requested == Decimal("300.00")
    refused(
        lambda: services.budget_lines_replace(
            actor=users["nigeria"], application=application, lines=[{"category": "x"}]
        ),
        ValidationError,
        "choose a category",
    )
    letter = services.support_letter_add(
        actor=users["nigeria"],
        application=application,
        title="TURMAC agrees",
        file=io.BytesIO(PDF),
        name="letter.pdf",
    )
    assert letter.file.name.endswith(".pdf") and SupportLetter.objects.count() == 1
    refused(
        lambda: services.support_letter_add(
            actor=users["nigeria"],
            application=application,
            title="Not a letter",
            file=io.BytesIO(b"MZ\x90\x00\x03" * 20),
            name="letter.pdf",
        ),
        ValidationError,
    )


# --- submission ----------------------------------------------------------------------------------


def test_only_the_applicant_state_submits_and_only_once(users, call):
    application = steps.draft(users, call)
    submit = {"application": application, "on": steps.SUBMIT_ON}
    for name in ("peru", "turkiye", "isu"):
        refused(lambda name=name: services.application_submit(actor=users[name], **submit))
    services.application_submit(actor=users["nigeria"], **submit)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and application.submitted_at
    refused(
        lambda: services.application_submit(actor=users["nigeria"], **submit),
        AlreadyDone,
        "already submitted",
    )
    # submitted: the applicant can no longer change it
    refused(
        lambda: services.application_update(
            actor=users["nigeria"], application=application, agenda="Changed"
        )
    )
    refused(
        lambda: services.budget_lines_replace(
            actor=users["nigeria"], application=application, lines=[]
        ),
        match="cannot be changed",
    )


def _problems(application: Application, on: dt.date = steps.SUBMIT_ON) -> dict[str, str]:
    return dict(services.submission_problems(application, on))


def test_a_complete_draft_has_no_submission_problems(users, call):
    assert _problems(steps.draft(users, call)) == {}


def test_the_host_must_be_a_body_of_another_state(users, call):
    application = steps.draft(users, call)
    # Nigeria's own centre as host: still a national body, but of the same state
    services.application_update(
        actor=users["nigeria"], application=application, host=steps.body("nigeria-nmac")
    )
    assert "another state" in _problems(application)["host"]
    services.application_update(
        actor=users["nigeria"], application=application, host=Actor.objects.get(iso3="TUR")
    )
    assert "another state" in _problems(application)["host"]
    services.application_update(actor=users["nigeria"], application=application, host=None)
    assert _problems(application)["host"] == "Choose the host body."
    refused(
        lambda: services.application_submit(
            actor=users["nigeria"], application=application, on=steps.SUBMIT_ON
        ),
        ValidationError,
        "Choose the host body.",
    )


def test_the_budget_must_be_within_the_calls_maximum(users, call):
    application = steps.draft(users, call, amount="15000.01")
    assert _problems(application) == {
        "budget": "The budget (15000.01) is above the call's maximum of 15000.00 EUR."
    }
    services.budget_lines_replace(
        actor=users["nigeria"],
        application=application,
        lines=[{"category": "travel", "amount": "0"}],
    )
    assert _problems(application) == {"budget": "Give the budget, line by line."}


def test_the_call_must_be_open_on_the_day(users, call):
    application = steps.draft(users, call)
    assert set(_problems(application, dt.date(2024, 5, 31))) == {"call"}
    assert set(_problems(application, dt.date(2024, 9, 1))) == {"call"}
    assert _problems(application, steps.CLOSES) == {}
    services.call_close(actor=users["isu"], call=call)
    application.refresh_from_db()
    assert _problems(application)["call"] == "The call is open from 2024-06-01 to 2024-08-31."


def test_the_visit_dates_must_be_given_in_order(users, call):
    application = steps.draft(users, call)
    services.application_update(
        actor=users["nigeria"],
        application=application,
        starts_on=dt.date(2024, 11, 8),
        ends_on=dt.date(2024, 11, 3),
    )
    assert _problems(application) == {"ends_on": "The visit cannot end before it starts."}
    services.application_update(actor=users["nigeria"], application=application, ends_on=None)
    assert _problems(application) == {"starts_on": "Give the dates of the visit."}


def test_an_incomplete_draft_lists_each_missing_part(users, call):
    application = services.application_create(
        actor=users["nigeria"],
        call=call,
        applicant=steps.body("nigeria-nmac"),
        theme="clearance",
        currency="USD",
    )
    assert set(_problems(application)) == {
        "host",
        "objectives",
        "delegation",
        "starts_on",
        "agenda",
        "budget",
        "currency",
    }


# --- screening -----------------------------------------------------------------------------------


def test_only_isu_staff_screen_or_return(users, call):
    application = steps.submitted(users, call)
    for name in ("nigeria", "member_DZA", "turkiye"):
        refused(
            lambda name=name: services.application_screen(
                actor=users[name], application=application, checks=steps.ALL_CHECKS
            ),
            match="Only ISU staff screen",
        )
        refused(
            lambda name=name: services.application_return(
                actor=users[name], application=application, reason="Incomplete"
            )
        )
    refused(
        lambda: services.application_screen(
            actor=users["isu"], application=application, checks={"eligible": True}
        ),
        ValidationError,
        "The host body agreed to receive the delegation",
    )
    refused(
        lambda: services.application_return(
            actor=users["isu"], application=application, reason=" "
        ),
        ValidationError,
        "Say why",
    )
    services.application_return(actor=users["isu"], application=application, reason="No letter")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.returned_reason == "No letter"
    # returned: the applicant changes it and submits again
    services.application_update(actor=users["nigeria"], application=application, agenda="New")
    services.application_submit(actor=users["nigeria"], application=application, on=steps.SUBMIT_ON)
    services.application_screen(
        actor=users["isu"], application=application, checks=steps.ALL_CHECKS
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW and application.returned_reason == ""
    refused(
        lambda: services.application_screen(
            actor=users["isu"], application=application, checks=steps.ALL_CHECKS
        ),
        AlreadyDone,
    )
    refused(
        lambda: services.application_return(
            actor=users["isu"], application=application, reason="Late"
        ),
        ValidationError,
        "cannot become draft",
    )


# --- grants and money ----------------------------------------------------------------------------


def test_only_isu_staff_sign_a_grant_and_only_once_selected(users, call):
    application = steps.in_review(users, call)
    agree = {"application": application, "amount": Decimal("8000"), "signed_on": dt.date.today()}
    refused(
        lambda: services.grant_agree(actor=users["isu"], **agree),
        ValidationError,
        "cannot become grant agreed",
    )
    services.score_record(
        actor=users["member_DNK"], application=application, values=steps.scores(application)
    )
    services.decision_record(
        actor=users["member_DZA"], application=application, selected=True, reasons="Good"
    )
    for name in ("nigeria", "member_DZA", "turkiye"):
        refused(
            lambda name=name: services.grant_agree(actor=users[name], **agree),
            match="Only ISU staff sign",
        )
    refused(
        lambda: services.grant_agree(
            **{**agree, "amount": Decimal("10000.01")}, actor=users["isu"]
        ),
        ValidationError,
        "cannot exceed the budget asked for (10000.00 EUR)",
    )
    grant = services.grant_agree(actor=users["isu"], **agree)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.GRANTED
    assert steps.books_agree().reserved == Decimal("8000.00")
    assert LedgerEntry.objects.get(grant=grant).kind == Movement.RESERVATION
    refused(lambda: services.grant_agree(actor=users["isu"], **agree), AlreadyDone)


def test_a_grant_the_fund_cannot_cover_is_refused_with_what_is_available(users):
    steps.funded(users["isu"], "5000")
    call = steps.open_call(users["isu"])
    application = steps.selected(users, call, amount="6000")
    refused(
        lambda: services.grant_agree(
            actor=users["isu"],
            application=application,
            amount=Decimal("6000"),
            signed_on=dt.date.today(),
        ),
        ValidationError,
        "The fund has 5000.00 EUR available; this needs 6000.00 EUR. Nothing was reserved.",
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SELECTED
    assert not Grant.objects.exists()


def test_only_isu_staff_pay_tranches_never_beyond_the_grant(users, call):
    grant = steps.granted(users, call, amount="10000")
    pay = {"grant": grant, "paid_on": dt.date(2024, 10, 7)}
    for name in ("nigeria", "member_DZA"):
        refused(
            lambda name=name: services.disbursement_record(
                actor=users[name], amount=Decimal("100"), **pay
            ),
            match="Only ISU staff record disbursements",
        )
    services.disbursement_record(actor=users["isu"], amount=Decimal("8000"), **pay)
    refused(
        lambda: services.disbursement_record(actor=users["isu"], amount=Decimal("2000.01"), **pay),
        ValidationError,
        "This grant has 2000.00 EUR left to pay.",
    )
    second = services.disbursement_record(actor=users["isu"], amount=Decimal("2000"), **pay)
    assert second.number == 2
    balance = steps.books_agree()
    assert (balance.reserved, balance.disbursed) == (Decimal("0.00"), Decimal("10000.00"))


# --- the visit and its reports ---------------------------------------------------------------------


def _held(users: dict[str, Any], call: Call) -> Application:
    grant = steps.granted(users, call, amount="10000")
    services.disbursement_record(
        actor=users["isu"], grant=grant, amount=Decimal("10000"), paid_on=dt.date(2024, 10, 7)
    )
    application = grant.application
    services.visit_held_record(
        actor=users["nigeria"],
        application=application,
        held_from=steps.VISIT[0],
        held_until=steps.VISIT[1],
    )
    return application


def test_the_applicant_state_or_isu_staff_record_the_visit(users, call):
    application = steps.granted(users, call).application
    held = {"application": application, "held_from": steps.VISIT[0], "held_until": steps.VISIT[1]}
    for name in ("turkiye", "peru", "member_DZA"):
        refused(lambda name=name: services.visit_held_record(actor=users[name], **held))
    refused(
        lambda: services.visit_held_record(
            actor=users["isu"],
            application=application,
            held_from=steps.VISIT[1],
            held_until=steps.VISIT[0],
        ),
        ValidationError,
        "cannot end before it starts",
    )
    services.visit_held_record(actor=users["isu"], **held)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.VISIT_HELD
    refused(lambda: services.visit_held_record(actor=users["nigeria"], **held), AlreadyDone)


def test_each_side_writes_only_its_own_report(users, call):
    application = _held(users, call)
    report = {"application": application, "programme": "Briefings and a field visit."}
    # the host state's people write only the host's report, the applicant's only the applicant's
    refused(
        lambda: services.visit_report_submit(
            actor=users["turkiye"], role=ReportRole.APPLICANT, **report
        )
    )
    refused(
        lambda: services.visit_report_submit(
            actor=users["nigeria"], role=ReportRole.HOST, **report
        ),
        match="Only the host state's",
    )
    for role in ReportRole.values:
        for name in ("peru", "isu", "member_DZA"):
            refused(
                lambda name=name, role=role: services.visit_report_submit(
                    actor=users[name], role=role, **report
                )
            )
    refused(
        lambda: services.visit_report_submit(actor=users["nigeria"], role="donor", **report),
        ValidationError,
        "by the visiting body or by the host",
    )
    services.visit_report_submit(actor=users["turkiye"], role=ReportRole.HOST, lessons=[], **report)
    services.visit_report_submit(
        actor=users["nigeria"],
        role=ReportRole.APPLICANT,
        follow_ups=[{"action": "Draft standards", "owner": "NMAC", "due_on": "2025-06-30"}],
        **report,
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REPORTED
    assert sorted(application.visit_reports.values_list("role", flat=True)) == ["applicant", "host"]
    for actor, role in (
        (users["nigeria"], ReportRole.APPLICANT),
        (users["turkiye"], ReportRole.HOST),
    ):
        refused(
            lambda actor=actor, role=role: services.visit_report_submit(
                actor=actor, role=role, **report
            ),
            AlreadyDone,
        )


def test_the_host_reports_once_the_visit_was_held(users, call):
    application = steps.granted(users, call).application
    refused(
        lambda: services.visit_report_submit(
            actor=users["turkiye"],
            role=ReportRole.HOST,
            application=application,
            programme="Planned programme",
        ),
        ValidationError,
        "once the visit was held",
    )


def test_follow_ups_are_updated_by_the_applicant_committee_or_isu(users, call):
    application = _held(users, call)
    services.visit_report_submit(
        actor=users["nigeria"],
        role=ReportRole.APPLICANT,
        application=application,
        programme="Briefings.",
        follow_ups=[{"action": "Draft standards", "owner": "NMAC"}],
    )
    follow_up = application.follow_ups.get()
    for name in ("turkiye", "peru", "donor"):
        refused(
            lambda name=name: services.follow_up_update(
                actor=users[name], follow_up=follow_up, status=FollowUpStatus.DONE
            ),
            match="Only the applicant state, committee members and ISU staff",
        )
    services.follow_up_update(actor=users["nigeria"], follow_up=follow_up, status="done")
    refused(
        lambda: services.follow_up_update(actor=users["isu"], follow_up=follow_up, status="done"),
        AlreadyDone,
    )
    services.follow_up_update(actor=users["member_JPN"], follow_up=follow_up, status="open")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.OPEN


def test_the_applicant_accounts_and_isu_staff_close_with_refund_and_release(users, call):
    grant = steps.granted(users, call, amount="10000")
    application = grant.application
    services.disbursement_record(
        actor=users["isu"], grant=grant, amount=Decimal("6000"), paid_on=dt.date(2024, 10, 7)
    )
    services.visit_held_record(
        actor=users["nigeria"],
        application=application,
        held_from=steps.VISIT[0],
        held_until=steps.VISIT[1],
    )
    line = application.budget_lines.get()
    account = {"application": application, "actuals": {line.pk: "5500"}}
    refused(
        lambda: services.financial_report_submit(actor=users["nigeria"], **account),
        ValidationError,
        "cannot become financial report received",
    )
    services.visit_report_submit(
        actor=users["nigeria"], role=ReportRole.APPLICANT, application=application, programme="P"
    )
    for name in ("turkiye", "isu", "peru"):
        refused(lambda name=name: services.financial_report_submit(actor=users[name], **account))
    refused(
        lambda: services.financial_report_submit(
            actor=users["nigeria"], application=application, actuals={}
        ),
        ValidationError,
        "Give what each budget line actually cost",
    )
    report = services.financial_report_submit(actor=users["nigeria"], **account)
    assert (report.spent, report.unspent) == (Decimal("5500.00"), Decimal("500.00"))
    refused(
        lambda: services.disbursement_record(
            actor=users["isu"], grant=grant, amount=Decimal("1"), paid_on=dt.date(2024, 12, 1)
        ),
        ValidationError,
        "between the agreement and the financial report",
    )
    for name in ("nigeria", "member_DZA"):
        refused(
            lambda name=name: services.application_close(
                actor=users[name], application=application
            ),
            match="Only ISU staff close grants",
        )
    services.application_close(actor=users["isu"], application=application, on=dt.date(2025, 1, 31))
    grant.refresh_from_db()
    assert (grant.refunded, grant.released) == (Decimal("500.00"), Decimal("4000.00"))
    balance = steps.books_agree()
    assert balance.reserved == 0
    assert balance.available == Decimal("50000.00") - Decimal("5500.00")
    refused(
        lambda: services.application_close(actor=users["isu"], application=application),
        AlreadyDone,
    )


def test_only_isu_staff_release_a_grant_and_only_what_it_holds(users, call):
    grant = steps.granted(users, call, amount="10000")
    services.disbursement_record(
        actor=users["isu"], grant=grant, amount=Decimal("3000"), paid_on=dt.date(2024, 10, 7)
    )
    release = {"application": grant.application, "reason": "The visit was cancelled."}
    for name in ("nigeria", "member_DZA"):
        refused(
            lambda name=name: services.grant_release(actor=users[name], **release),
            match="Only ISU staff release grants",
        )
    refused(
        lambda: services.grant_release(
            actor=users["isu"], application=grant.application, reason=""
        ),
        ValidationError,
        "Say why",
    )
    services.grant_release(actor=users["isu"], **release)
    grant.refresh_from_db()
    assert grant.released == Decimal("7000.00") and "cancelled" in grant.conditions
    balance = steps.books_agree()
    assert (balance.reserved, balance.available) == (0, Decimal("47000.00"))
    refused(lambda: services.grant_release(actor=users["isu"], **release), AlreadyDone)
    refused(
        lambda: services.disbursement_record(
            actor=users["isu"], grant=grant, amount=Decimal("1"), paid_on=dt.date.today()
        ),
        ValidationError,
        "This grant has 0.00 EUR left to pay.",
    )


def test_every_fund_service_is_covered_here_or_in_test_review():
    """A service added later without its allow/deny test fails here."""
    from pathlib import Path

    from minefree.core.audit import SERVICES

    names = {key.rsplit(".", 1)[1] for key in SERVICES if key.startswith("minefree.fund.services.")}
    here = Path(__file__).read_text(encoding="utf-8")
    review = (Path(__file__).parent / "test_review.py").read_text(encoding="utf-8")
    assert names and all(f"services.{n}(" in here + review for n in names), sorted(
        n for n in names if f"services.{n}(" not in here + review
    )
