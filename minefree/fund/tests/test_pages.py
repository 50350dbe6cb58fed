"""The fund's public summary, calls and the applicant's pages: who sees and does what,
refusals beside the field with what was typed kept, one-time keys on creating forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minefree.core.forms import new_request_key
from minefree.fund.models import Application, ApplicationStatus, Call, CallStatus
from minefree.fund.scenario import seed_visit_load
from minefree.fund.tests import pages
from minefree.fund.tests.pages import client_of, text
from minefree.fund.tests.world import scenario_cast
from minefree.fund.views import report_url

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- the public summary ----------------------------------------------------------------------


def test_summary_says_what_the_fund_is_its_money_and_the_visits_held(users):
    seed_visit_load(scenario_cast(users))
    page = text(client_of().get("/fund/"))
    assert "Nineteenth Meeting of the States Parties" in page
    assert "Fifth Review Conference" in page  # the source
    assert "Exchange visits between national mine action centres, 2024 (pilot)" in page
    assert 'data-currency="EUR"' in page and "60,000.00" in page
    assert "Nigerian Mine Action Centre" in page and "Turkish Mine Action Centre" in page
    assert "synthetic demo data" in page
    # the yearly report is linked once its page exists
    assert ('href="/fund/report/"' in page) == bool(report_url())
    # no internal links, no per-application money for the public
    assert "/fund/ledger/" not in page and "/fund/contributions/" not in page
    staff_page = text(client_of(users["isu"]).get("/fund/"))
    assert "/fund/ledger/" in staff_page and "/fund/calls/new/" in staff_page
    member_page = text(client_of(users["member_DNK"]).get("/fund/"))
    assert "/fund/ledger/" in member_page and "/fund/review/" in member_page


def test_draft_calls_are_for_isu_staff_only(users):
    call = Call.objects.create(
        title="Draft call",
        opens_on=pages.TODAY,
        closes_on=pages.TODAY,
        budget=1000,
        max_amount=100,
        currency="EUR",
    )
    assert "Draft call" not in text(client_of().get("/fund/"))
    assert client_of().get(f"/fund/calls/{call.pk}/").status_code == 404
    assert client_of(users["isu"]).get(f"/fund/calls/{call.pk}/").status_code == 200


# --- calls -------------------------------------------------------------------------------------


def test_isu_opens_publishes_and_closes_a_call(users):
    isu = client_of(users["isu"])
    key = new_request_key()
    data = {
        "request_key": key,
        "title": "Exchange visits 2027",
        "opens_on": "2027-01-01",
        "closes_on": "2026-12-01",
        "budget": "40000",
        "max_amount": "15000",
        "currency": "EUR",
        "eligibility": "national_bodies",
        "themes": ["clearance"],
        "languages": "en, fr",
    }
    refused = isu.post("/fund/calls/new/", data)
    assert refused.status_code == 200
    assert "A call cannot close before it opens." in text(refused)
    assert 'value="Exchange visits 2027"' in text(refused)  # what was typed is kept
    assert not Call.objects.exists()
    data["closes_on"] = "2027-03-31"
    response = isu.post("/fund/calls/new/", data)
    call = Call.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/fund/calls/{call.pk}/"
    again = isu.post("/fund/calls/new/", data)  # the same form sent twice
    assert "already recorded" in text(again) and Call.objects.count() == 1
    assert call.status == CallStatus.DRAFT and call.languages == ["en", "fr"]
    page = isu.get(f"/fund/calls/{call.pk}/", follow=True)
    assert "Publish the call" in text(page)
    published = isu.post(f"/fund/calls/{call.pk}/publish/", follow=True)
    assert "The call is published." in text(published)
    twice = isu.post(f"/fund/calls/{call.pk}/publish/", follow=True)
    assert "already" in text(twice).lower()
    isu.post(f"/fund/calls/{call.pk}/close/")
    call.refresh_from_db()
    assert call.status == CallStatus.CLOSED


def test_only_isu_staff_create_publish_or_close_calls(users):
    call = pages.open_call(users["isu"])
    for user in (users["nigeria"], users["member_DZA"], users["donor"]):
        client = client_of(user)
        refused = client.post(f"/fund/calls/{call.pk}/close/")
        assert refused.status_code == 403
        assert "Only ISU staff publish and close calls." in text(refused)
        assert client.get("/fund/calls/new/").status_code == 403
    assert client_of().post(f"/fund/calls/{call.pk}/close/").status_code == 302  # sign in
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED


def test_call_page_shows_criteria_window_and_apply_for_the_states_bodies(users):
    call = pages.open_call(users["isu"])
    public = text(client_of().get(f"/fund/calls/{call.pk}/"))
    assert "Relevance to the applicant" in public and "0 to 5" in public
    assert "open now" in public
    assert "Apply for" not in public
    nigeria = text(client_of(users["nigeria"]).get(f"/fund/calls/{call.pk}/"))
    body = pages.nmac()
    assert f"?call={call.pk}&amp;applicant={body.pk}" in nigeria
    assert "Apply for" not in text(client_of(users["donor"]).get(f"/fund/calls/{call.pk}/"))


# --- applying ----------------------------------------------------------------------------------


def test_a_focal_point_starts_a_draft_once(users):
    call = pages.open_call(users["isu"])
    nigeria = client_of(users["nigeria"])
    form = nigeria.get(f"/fund/applications/new/?call={call.pk}&applicant={pages.nmac().pk}")
    assert form.status_code == 200
    data = {
        "request_key": new_request_key(),
        "call": call.pk,
        "applicant": pages.nmac().pk,
        "theme": "information_management",
    }
    response = nigeria.post("/fund/applications/new/", data)
    application = Application.objects.get()
    assert response["Location"] == f"/fund/applications/{application.pk}/edit/"
    again = nigeria.post("/fund/applications/new/", data)
    assert "already recorded" in text(again) and Application.objects.count() == 1
    # another state's body is not among Peru's choices
    peru = client_of(users["peru"])
    refused = peru.post("/fund/applications/new/", {**data, "request_key": new_request_key()})
    assert refused.status_code == 200 and "Select a valid choice" in text(refused)
    assert Application.objects.count() == 1
    assert client_of(users["donor"]).get("/fund/applications/new/").status_code == 403


def _draft_post(**changes: Any) -> dict[str, Any]:
    data = {
        "host": str(pages.turmac().pk),
        "theme": "information_management",
        "objectives": "Learn information management.",
        "articles": ["5", "7"],
        "actions": "SRAAP 2, SRAAP 13",
        "challenges": ["capacity"],
        "starts_on": str(pages.TODAY + dt.timedelta(days=30)),
        "ends_on": str(pages.TODAY + dt.timedelta(days=34)),
        "agenda": "Day 1 structure.",
        "co_funding": "",
        "co_funding_note": "",
        "people-TOTAL_FORMS": "2",
        "people-INITIAL_FORMS": "0",
        "people-0-function": "Director",
        "people-0-gender": "woman",
        "people-0-age_band": "45-59",
        "people-1-function": "",
        "people-1-gender": "",
        "people-1-age_band": "",
        "budget-TOTAL_FORMS": "2",
        "budget-INITIAL_FORMS": "0",
        "budget-0-category": "travel",
        "budget-0-description": "Flights",
        "budget-0-amount": "3000",
        "budget-1-category": "visas",
        "budget-1-description": "",
        "budget-1-amount": "200",
    }
    data.update(changes)
    return data


def test_the_draft_page_ranks_hosts_with_reasons_and_lists_what_is_missing(users):
    pages.host_profile(users["isu"])
    call = pages.open_call(users["isu"])
    from minefree.fund import services

    application = services.application_create(
        actor=users["nigeria"], call=call, applicant=pages.nmac(), theme="information_management"
    )
    page = text(client_of(users["nigeria"]).get(f"/fund/applications/{application.pk}/edit/"))
    assert "Turkish Mine Action Centre" in page
    assert 'data-component="theme"' in page and "offers information management" in page
    assert "Choose the host body." in page and "Give the budget, line by line." in page
    assert "Submit the application" in page


def test_the_draft_is_saved_and_a_refusal_keeps_what_was_typed(users):
    call = pages.open_call(users["isu"])
    from minefree.fund import services

    application = services.application_create(
        actor=users["nigeria"], call=call, applicant=pages.nmac(), theme="information_management"
    )
    nigeria = client_of(users["nigeria"])
    url = f"/fund/applications/{application.pk}/edit/"
    bad = nigeria.post(url, _draft_post(ends_on=str(pages.TODAY), **{"budget-1-amount": "x"}))
    assert bad.status_code == 200
    assert "The visit cannot end before it starts." in text(bad)
    assert "Enter a number." in text(bad)
    assert "Learn information management." in text(bad) and 'value="Flights"' in text(bad)
    application.refresh_from_db()
    assert application.objectives == ""
    ok = nigeria.post(url, _draft_post())
    assert ok.status_code == 302
    application.refresh_from_db()
    assert application.host == pages.turmac() and application.articles == [5, 7]
    assert application.actions == ["SRAAP 2", "SRAAP 13"]
    assert application.delegation == [
        {"function": "Director", "gender": "woman", "age_band": "45-59"}
    ]
    assert [str(b.amount) for b in application.budget_lines.all()] == ["3000.00", "200.00"]
    page = text(nigeria.get(url))
    assert "3,200.00 EUR" in page
    # another state's people neither see nor change it
    assert client_of(users["peru"]).get(url).status_code == 404
    assert client_of(users["peru"]).post(url, _draft_post(objectives="x")).status_code == 404


def test_letters_of_support_are_pdf_or_docx(users):
    call = pages.open_call(users["isu"])
    application = pages.draft(users["nigeria"], call)
    nigeria = client_of(users["nigeria"])
    url = f"/fund/applications/{application.pk}/letters/"
    refused = nigeria.post(
        url, {"title": "Note", "file": SimpleUploadedFile("note.txt", b"hello", "text/plain")}
    )
    assert refused.status_code == 200 and 'class="error"' in text(refused)
    assert not application.support_letters.exists()
    ok = nigeria.post(
        url,
        {"title": "TURMAC agrees", "file": SimpleUploadedFile("yes.pdf", PDF, "application/pdf")},
    )
    assert ok.status_code == 302
    assert application.support_letters.get().title == "TURMAC agrees"
    letter = {"file": SimpleUploadedFile("yes.pdf", PDF, "application/pdf")}
    assert client_of(users["turkiye"]).post(url, letter).status_code == 403


def test_submit_is_refused_with_the_problems_then_accepted(users):
    call = pages.open_call(users["isu"])
    from minefree.fund import services

    incomplete = services.application_create(
        actor=users["nigeria"], call=call, applicant=pages.nmac(), theme="information_management"
    )
    nigeria = client_of(users["nigeria"])
    refused = nigeria.post(f"/fund/applications/{incomplete.pk}/submit/", follow=True)
    assert "Choose the host body." in text(refused)
    incomplete.refresh_from_db()
    assert incomplete.status == ApplicationStatus.DRAFT
    application = pages.draft(users["nigeria"], call)
    assert client_of(users["peru"]).post(
        f"/fund/applications/{application.pk}/submit/"
    ).status_code in (403, 404)
    done = nigeria.post(f"/fund/applications/{application.pk}/submit/", follow=True)
    assert "The application is submitted" in text(done)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    # no longer editable
    assert nigeria.get(f"/fund/applications/{application.pk}/edit/").status_code == 403


def test_an_application_is_seen_by_its_states_the_committee_and_isu_staff(users):
    call = pages.open_call(users["isu"])
    application = pages.submitted(users["nigeria"], call)
    url = f"/fund/applications/{application.pk}/"
    for name in ("nigeria", "turkiye", "isu", "member_JPN"):
        assert client_of(users[name]).get(url).status_code == 200, name
    for user in (None, users["peru"], users["donor"]):
        assert client_of(user).get(url).status_code == 404
    page = text(client_of(users["nigeria"]).get(url))
    assert 'data-action="fund_application.submitted"' in page  # the history of its steps
    assert "draft opened" in page
    assert "Scores of the committee" not in page
