"""The steps on an application's page (screening, scores, decision, grant, tranches, the
visit, reports, closing) and the books: each allowed to its people, refused to others
with the reason, a refused form shown again as it was sent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from minefree.fund.models import (
    ApplicationStatus,
    Contribution,
    FollowUpAction,
    FollowUpStatus,
    FundBalance,
    HostProfile,
    Score,
)
from minefree.fund.tests import pages
from minefree.fund.tests.pages import client_of, text
from minefree.knowledge.models import Passage

pytestmark = pytest.mark.django_db

ALL_CHECKS = {
    "check_eligible": "on",
    "check_host_agreed": "on",
    "check_complete": "on",
    "check_within_ceiling": "on",
    "check_letters": "on",
}


def step(user: Any, application: Any, name: str, data: dict[str, Any]) -> Any:
    return client_of(user).post(f"/fund/applications/{application.pk}/{name}/", data)


def test_isu_screens_with_the_checklist_or_returns_with_reasons(users):
    call = pages.open_call(users["isu"])
    application = pages.submitted(users["nigeria"], call)
    page = text(client_of(users["isu"]).get(f"/fund/applications/{application.pk}/"))
    assert "The host body agreed to receive the delegation" in page
    partial = step(users["isu"], application, "screen", {"check_eligible": "on", "note": "Kept"})
    assert partial.status_code == 200
    assert "Every check must pass" in text(partial) and "Kept" in text(partial)
    assert step(users["nigeria"], application, "screen", ALL_CHECKS).status_code == 403
    empty = step(users["isu"], application, "return", {"reason": ""})
    assert "This field is required." in text(empty)
    returned = step(users["isu"], application, "return", {"reason": "Add the agenda."})
    assert returned.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    edit = text(client_of(users["nigeria"]).get(f"/fund/applications/{application.pk}/edit/"))
    assert "Add the agenda." in edit
    client_of(users["nigeria"]).post(f"/fund/applications/{application.pk}/submit/")
    assert step(users["isu"], application, "screen", ALL_CHECKS).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert step(users["isu"], application, "screen", ALL_CHECKS).status_code == 200  # refused


def test_members_score_a_conflicted_member_sees_why_and_is_refused(users):
    call = pages.open_call(users["isu"])
    application = pages.in_review(users["isu"], users["nigeria"], call)
    url = f"/fund/applications/{application.pk}/"
    turkiye = text(client_of(users["member_TUR"]).get(url))
    assert "Your state is the host" in turkiye and 'id="step-score"' not in turkiye
    values = {"c_relevance": 4, "c_host_fit": 5, "c_plan": 3, "c_value": 4, "c_follow_up": 4}
    refused = step(users["member_TUR"], application, "score", values)
    assert refused.status_code == 403 and "Your state is the host" in text(refused)
    denmark = text(client_of(users["member_DNK"]).get(url))
    assert 'id="step-score"' in denmark and "0 to 5" in denmark
    too_high = step(users["member_DNK"], application, "score", {**values, "c_plan": 9})
    assert too_high.status_code == 200
    assert "less than or equal to 5" in text(too_high)
    assert not Score.objects.exists()
    assert step(users["member_DNK"], application, "score", values).status_code == 302
    assert Score.objects.get().member_state.iso3 == "DNK"
    twice = step(users["member_DNK"], application, "score", values)
    assert "has already scored" in text(twice)
    scored = text(client_of(users["member_DNK"]).get(url))
    assert "Denmark has scored this application." in scored
    # scores are for the committee and ISU staff only
    assert 'data-state="DNK"' in text(client_of(users["isu"]).get(url))
    assert 'data-state="DNK"' not in text(client_of(users["nigeria"]).get(url))
    assert step(users["unseated"], application, "score", values).status_code == 403


def test_the_chair_decides_with_reasons(users):
    call = pages.open_call(users["isu"])
    application = pages.in_review(users["isu"], users["nigeria"], call)
    values = dict.fromkeys(("relevance", "host_fit", "plan", "value", "follow_up"), 4)
    from minefree.fund import services

    services.score_record(actor=users["member_JPN"], application=application, values=values)
    assert (
        step(
            users["member_JPN"], application, "decide", {"selected": "yes", "reasons": "x"}
        ).status_code
        == 403
    )
    blank = step(users["member_DZA"], application, "decide", {"selected": "yes", "reasons": ""})
    assert "This field is required." in text(blank)
    ok = step(users["member_DZA"], application, "decide", {"selected": "yes", "reasons": "Fit."})
    assert ok.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SELECTED
    assert "Fit." in text(client_of(users["nigeria"]).get(f"/fund/applications/{application.pk}/"))


def test_a_grant_the_fund_cannot_cover_is_refused_saying_what_is_available(users):
    call = pages.open_call(users["isu"])
    pages.fund_money(users["isu"], "1000")
    application = pages.selected(users, call)
    data = {"amount": "5000", "signed_on": str(pages.TODAY), "conditions": ""}
    refused = step(users["isu"], application, "grant", data)
    assert refused.status_code == 200
    assert "The fund has" in text(refused) and "1,000" in text(refused).replace("1000", "1,000")
    assert 'value="5000"' in text(refused)
    assert step(users["nigeria"], application, "grant", data).status_code == 403
    pages.fund_money(users["isu"], "10000")
    assert step(users["isu"], application, "grant", data).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.GRANTED
    assert FundBalance.objects.get(currency="EUR").reserved == Decimal("5000")


def test_tranches_the_visit_reports_and_the_closing(users, django_capture_on_commit_callbacks):
    pages.fund_money(users["isu"])
    call = pages.open_call(users["isu"])
    application = pages.granted(users, call)
    isu = users["isu"]
    over = step(isu, application, "tranche", {"amount": "9999", "paid_on": str(pages.TODAY)})
    assert "left to pay" in text(over)
    assert (
        step(
            isu, application, "tranche", {"amount": "3000", "paid_on": str(pages.TODAY)}
        ).status_code
        == 302
    )
    assert step(
        users["peru"], application, "held", {"held_from": "2026-01-01", "held_until": "2026-01-02"}
    ).status_code in (403, 404)
    backwards = step(
        users["nigeria"],
        application,
        "held",
        {"held_from": "2026-01-05", "held_until": "2026-01-02"},
    )
    assert "cannot end before it starts" in text(backwards)
    assert (
        step(
            users["nigeria"],
            application,
            "held",
            {"held_from": "2026-01-01", "held_until": "2026-01-05"},
        ).status_code
        == 302
    )
    # the visiting body's report, with a lesson and a follow-up action
    url = f"/fund/applications/{application.pk}/report/applicant/"
    report = {
        "programme": "Briefings at TURMAC.",
        "participants": "",
        "outputs": "",
        "language": "en",
        "lessons-TOTAL_FORMS": "2",
        "lessons-INITIAL_FORMS": "0",
        "lessons-0-title": "Adopt the database early",
        "lessons-0-text": "",
        "lessons-1-title": "",
        "lessons-1-text": "",
        "follow_ups-TOTAL_FORMS": "1",
        "follow_ups-INITIAL_FORMS": "0",
        "follow_ups-0-action": "Share the data standards",
        "follow_ups-0-owner": "TURMAC",
        "follow_ups-0-due_on": "2030-02-28",
    }
    assert client_of(users["turkiye"]).get(url).status_code == 403
    missing = client_of(users["nigeria"]).post(url, report)
    assert "Say what was learned." in text(missing) and "Share the data standards" in text(missing)
    report["lessons-0-text"] = "A zebrafinch registry of hazardous areas from day one."
    with django_capture_on_commit_callbacks(execute=True):  # lessons follow the commit
        with_lesson = client_of(users["nigeria"]).post(url, report)
    assert with_lesson.status_code == 302
    assert Passage.objects.filter(text__icontains="zebrafinch").exists()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REPORTED
    # the host's report
    host = {
        **report,
        "lessons-0-title": "",
        "lessons-0-text": "",
        "follow_ups-0-action": "",
        "follow_ups-0-owner": "",
        "follow_ups-0-due_on": "",
    }
    host_url = f"/fund/applications/{application.pk}/report/host/"
    assert client_of(users["nigeria"]).post(host_url, host).status_code == 403
    assert client_of(users["turkiye"]).post(host_url, host).status_code == 302
    # a follow-up action marked done, then open again
    follow_up = FollowUpAction.objects.get()
    assert (
        client_of(users["donor"])
        .post(f"/fund/follow-ups/{follow_up.pk}/", {"status": "done"})
        .status_code
        == 403  # it sees the granted visit, may not follow it up
    )
    client_of(users["member_JPN"]).post(f"/fund/follow-ups/{follow_up.pk}/", {"status": "done"})
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE
    # the financial report: what each line cost
    lines = list(application.budget_lines.all())
    fin_url = f"/fund/applications/{application.pk}/financial-report/"
    bad = client_of(users["nigeria"]).post(fin_url, {f"line_{lines[0].pk}": "-1", "note": "kept"})
    assert bad.status_code == 200 and "kept" in text(bad)
    actuals = {f"line_{line.pk}": "1000" for line in lines}
    assert client_of(users["turkiye"]).post(fin_url, actuals).status_code == 403
    assert client_of(users["nigeria"]).post(fin_url, actuals).status_code == 302
    # closing: the unspent 1,000 of the 3,000 paid comes back, the rest is released
    assert step(users["nigeria"], application, "close", {}).status_code == 403
    assert step(isu, application, "close", {}).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CLOSED
    balance = FundBalance.objects.get(currency="EUR")
    assert balance.reserved == 0 and balance.available == Decimal("58000")
    page = text(client_of().get(f"/fund/applications/{application.pk}/"))
    assert "Adopt the database early" in page and "Share the data standards" in page


# --- the books -----------------------------------------------------------------------------------


def test_isu_records_contributions_an_unknown_amount_stays_unknown(users):
    isu = client_of(users["isu"])
    from minefree.core.forms import new_request_key
    from minefree.registry.models import Actor

    data = {
        "request_key": new_request_key(),
        "donor": Actor.objects.get(iso3="NLD").pk,
        "amount": "",
        "currency": "",
        "pledged_on": "2021-11-15",
        "received_on": "",
        "earmark": "exchange visits",
        "source_url": "https://example.org/19msp",
        "notes": "",
    }
    assert isu.post("/fund/contributions/", data).status_code == 302
    assert isu.post("/fund/contributions/", data).status_code == 200  # the same form twice
    contribution = Contribution.objects.get()
    page = text(isu.get("/fund/contributions/"))
    assert 'class="unknown">unknown' in page and "https://example.org/19msp" in page
    refused = isu.post(
        f"/fund/contributions/{contribution.pk}/receive/",
        {f"r{contribution.pk}-received_on": "2022-01-10"},
    )
    assert "Give the amount received." in text(refused)
    ok = isu.post(
        f"/fund/contributions/{contribution.pk}/receive/",
        {
            f"r{contribution.pk}-received_on": "2022-01-10",
            f"r{contribution.pk}-amount": "50000",
            f"r{contribution.pk}-currency": "EUR",
        },
    )
    assert ok.status_code == 302
    assert FundBalance.objects.get(currency="EUR").received == Decimal("50000")
    member = client_of(users["member_DNK"])
    assert member.get("/fund/contributions/").status_code == 200
    assert "Record a contribution" not in text(member.get("/fund/contributions/"))
    assert (
        member.post("/fund/contributions/", {**data, "request_key": new_request_key()}).status_code
        == 403
    )
    assert client_of(users["nigeria"]).get("/fund/contributions/").status_code == 403
    assert Contribution.objects.count() == 1


def test_the_ledger_is_for_isu_staff_and_the_committee(users):
    pages.fund_money(users["isu"])
    for name in ("isu", "member_TUR"):
        page = text(client_of(users[name]).get("/fund/ledger/"))
        assert 'data-currency="EUR"' in page and 'data-kind="contribution"' in page
        assert "60,000.00" in page
    assert client_of(users["nigeria"]).get("/fund/ledger/").status_code == 403
    assert client_of(users["donor"]).get("/fund/ledger/").status_code == 403
    assert client_of().get("/fund/ledger/").status_code == 302


def test_host_profiles_are_edited_by_the_bodys_state_or_isu(users):
    url = f"/fund/hosts/{pages.turmac().slug}/"
    data = {"capabilities": ["clearance", "quality_management"], "languages": "en, TR", "notes": ""}
    assert client_of(users["peru"]).post(url, data).status_code == 403
    assert client_of(users["turkiye"]).post(url, data).status_code == 302
    profile = HostProfile.objects.get()
    assert profile.languages == ["en", "tr"]
    assert "quality management" in text(client_of().get("/fund/hosts/"))


def test_the_review_lists_applications_in_review(users):
    call = pages.open_call(users["isu"])
    pages.in_review(users["isu"], users["nigeria"], call)
    page = text(client_of(users["member_JPN"]).get("/fund/review/"))
    assert "Nigerian Mine Action Centre" in page and "nobody yet" in page
    assert client_of(users["nigeria"]).get("/fund/review/").status_code == 403
