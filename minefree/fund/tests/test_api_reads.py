"""The fund read over the API, as the pages show it: the public summary, contributions
(an unknown amount is null), visits and host profiles; calls without drafts for anyone
but ISU staff; an application before its grant for its states' people, committee
members and ISU staff only; the ledger, screening and scores for ISU staff and committee
members."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from minefree.accounts.tests.factories import bearer
from minefree.core.audit import SYSTEM
from minefree.core.models import Origin
from minefree.fund import services
from minefree.fund.models import ApplicationStatus, Theme
from minefree.fund.tests import factories as f
from minefree.fund.tests.world import fund_cast
from minefree.registry.models import Actor, Meeting

pytestmark = pytest.mark.django_db
BASE = "/api/fund"


@pytest.fixture
def users() -> dict[str, Any]:
    return fund_cast()


TOKENS = itertools.count(1)


def get(path: str, user: Any = None, **params: Any) -> Any:
    headers = bearer(user, f"reader-{next(TOKENS)}") if user is not None else {}
    return Client().get(BASE + path, params, **headers)


def ok(path: str, user: Any = None, **params: Any) -> Any:
    answer = get(path, user, **params)
    assert answer.status_code == 200, (path, answer.status_code, answer.content[:400])
    return answer.json()


def test_the_summary_gives_the_books_per_currency_with_usd_and_the_counts():
    f.application_at("accounted")  # 50,000 EUR received, 7,000 paid, 6,000 spent
    summary = ok("/summary")
    (eur,) = summary["balances"]
    assert eur["currency"] == "EUR"
    assert eur["received"] == "50000.00" and eur["disbursed"] == "7000.00"
    assert eur["reserved"] == "0.00" and eur["available"] == "43000.00"
    assert eur["balance"] == "43000.00"
    # USD at the rates of the years booked (2024): known, and consistent with the books
    usd = eur["usd"]
    assert usd["received"] is not None and Decimal(usd["received"]) > Decimal("50000")
    assert Decimal(usd["available"]) == Decimal(usd["received"]) - Decimal(usd["disbursed"])
    assert summary["calls"] == 1 and summary["applications_received"] == 1
    assert summary["grants"] == 1 and summary["visits_held"] == 1
    assert summary["synthetic"] is False


def test_the_summary_of_an_empty_fund_is_empty_not_zero_filled():
    summary = ok("/summary")
    assert summary["balances"] == [] and summary["visits_held"] == 0


def test_contributions_are_public_and_an_unknown_amount_is_null():
    meeting = Meeting.objects.get(code="19MSP")
    services.contribution_record(
        actor=SYSTEM,
        donor=Actor.objects.get(iso3="NLD"),
        amount=None,
        currency="",
        announced_at=meeting,
        source_url="https://example.org/statement",
        origin=Origin.SYNTHETIC,
    )
    f.funded(Decimal("1000.00"))
    page = ok("/contributions")
    assert page["count"] == 2
    pledge = next(c for c in page["items"] if c["status"] == "pledged")
    assert pledge["amount"] is None and pledge["amount_usd"] is None
    assert pledge["announced_at"] == "19MSP" and pledge["origin"] == "synthetic"
    assert pledge["source"]["urls"] == ["https://example.org/statement"]
    assert pledge["donor"]["code"] == "NLD"
    assert ok("/contributions", status="received")["count"] == 1
    assert ok("/contributions", donor="JPN")["count"] == 0
    answer = get("/contributions", status="paid")
    assert answer.status_code == 422 and "pledged" in answer.json()["fields"]["status"][0]
    assert get("/contributions", limit=0).status_code == 422


def test_the_ledger_is_for_isu_staff_and_committee_members(users):
    f.application_at("paid")
    assert get("/ledger").status_code == 401
    refused = get("/ledger", users["peru"])
    assert refused.status_code == 403 and "ISU staff and committee" in refused.json()["detail"]
    assert get("/ledger", users["donor"]).status_code == 403
    entries = ok("/ledger", users["unseated"])["items"]
    assert [e["kind"] for e in entries] == ["contribution", "reservation", "disbursement"]
    reservation = entries[1]
    assert reservation["debit"] == "available" and reservation["credit"] == "reserved"
    assert reservation["application"] is not None and reservation["amount"] == "7000.00"
    assert ok("/ledger", users["isu"], currency="usd")["count"] == 0


def test_draft_calls_are_for_isu_staff_only(users):
    draft = f.call_open(publish=False)
    published = f.call_open()
    assert [c["id"] for c in ok("/calls")["items"]] == [published.pk]
    assert get(f"/calls/{draft.pk}").status_code == 404
    assert get(f"/calls/{draft.pk}", users["peru"]).status_code == 404
    assert ok(f"/calls/{draft.pk}", users["isu"])["status"] == "draft"
    assert ok("/calls", users["isu"])["count"] == 2
    assert ok("/calls", users["isu"], status="draft")["count"] == 1
    call = ok(f"/calls/{published.pk}")
    assert call["currency"] == "EUR" and call["max_amount"] == "15000.00"
    assert call["criteria"][0]["code"] == "relevance"
    assert get("/calls", status="open").status_code == 422


def test_applications_before_the_grant_are_their_states_the_committees_and_isu_staffs(users):
    draft = f.application_at("draft")  # Peru's centre → TURMAC
    granted = f.application_at("granted", applicant="nigeria-nmac")
    # the public: granted only
    assert [a["id"] for a in ok("/applications")["items"]] == [granted.pk]
    assert get(f"/applications/{draft.pk}").status_code == 404
    # Peru's people: their own and the granted one; Türkiye's as host
    assert {a["id"] for a in ok("/applications", users["peru"])["items"]} == {draft.pk, granted.pk}
    assert {a["id"] for a in ok("/applications", users["turkiye"])["items"]} == {
        draft.pk,
        granted.pk,
    }
    # committee members: every one submitted, not another state's draft; ISU staff: all
    submitted = f.application_at("submitted", applicant="cambodia-cmaa")
    assert {a["id"] for a in ok("/applications", users["unseated"])["items"]} == {
        submitted.pk,
        granted.pk,
    }
    assert get(f"/applications/{draft.pk}", users["unseated"]).status_code == 404
    assert ok(f"/applications/{submitted.pk}", users["unseated"])["status"] == "submitted"
    assert ok("/applications", users["isu"])["count"] == 3
    # filters
    assert ok("/applications", users["isu"], status="draft")["items"][0]["id"] == draft.pk
    assert ok("/applications", users["isu"], state="nga")["items"][0]["id"] == granted.pk
    assert ok("/applications", users["isu"], call=draft.call_id)["count"] == 1
    assert get("/applications", users["isu"], status="won").status_code == 422
    summary = ok("/applications")["items"][0]
    assert summary["applicant"] == {
        "code": "nigeria-nmac",
        "name": summary["applicant"]["name"],
        "state": "NGA",
    }
    assert summary["requested"] == "7000.00" and summary["granted"] == "7000.00"


def test_an_application_in_detail_shows_scores_and_screening_to_the_books_readers(users):
    application = f.application_at("reported", applicant="nigeria-nmac")
    path = f"/applications/{application.pk}"
    public = ok(path)
    assert public["scores"] is None and public["screening"] is None
    assert public["screening_note"] is None
    assert [line["amount"] for line in public["budget"]] == ["4000.00", "3000.00"]
    assert public["delegation"][0] == {
        "function": "Director",
        "gender": "woman",
        "age_band": "45-59",
    }
    assert public["grant"]["disbursements"][0]["number"] == 1
    assert public["grant"]["undisbursed"] == "0.00"
    assert public["visit_reports"][0]["role"] == "applicant"
    assert public["follow_ups"][0]["status"] == "open"
    assert public["financial_report"] is None and public["version"] is None
    committee = ok(path, users["unseated"])
    assert [s["member_state"] for s in committee["scores"]] == ["DNK"]
    assert committee["scores"][0]["total"] == 20
    assert committee["screening"]["eligible"] is True
    assert ok(path, users["nigeria"])["scores"] is None


def test_a_draft_has_a_version_for_those_who_may_change_it(users):
    application = f.application_at("draft")
    path = f"/applications/{application.pk}"
    answer = get(path, users["peru"])
    body = answer.json()
    assert body["version"] == services.application_version(application)
    assert answer["ETag"] == f'"{body["version"]}"'
    # ISU staff and the host's people read it, but do not change it
    host = get(path, users["turkiye"])
    assert host.status_code == 200 and host.json()["version"] is None and "ETag" not in host


def test_host_suggestions_are_ranked_with_their_reasons(users):
    for slug, capabilities in (
        ("turkiye-turmac", [Theme.NON_TECHNICAL_SURVEY, Theme.CLEARANCE]),
        ("cambodia-cmaa", [Theme.CLEARANCE]),
        ("nigeria-nmac", [Theme.NON_TECHNICAL_SURVEY]),
    ):
        services.host_profile_set(
            actor=SYSTEM, body=Actor.objects.get(slug=slug), capabilities=capabilities
        )
    application = f.application_at("draft")  # Peru, non-technical survey
    path = f"/applications/{application.pk}/host-suggestions"
    assert get(path).status_code == 404  # a draft is not public
    ranked = ok(path, users["peru"])
    codes = [s["body"]["code"] for s in ranked]
    assert codes[0] in {"turkiye-turmac", "nigeria-nmac"} and codes[-1] == "cambodia-cmaa"
    top = ranked[0]
    assert top["reasons"][0]["component"] == "theme" and top["score"] >= 3
    assert all(s["body"]["state"] != "PER" for s in ranked)


def test_visits_held_and_host_profiles_are_public():
    services.host_profile_set(
        actor=SYSTEM,
        body=Actor.objects.get(slug="peru-contraminas"),
        capabilities=[Theme.CLEARANCE],
        languages=["es"],
    )
    f.application_at("granted")  # not held yet
    held = f.application_at("visit_held", applicant="nigeria-nmac", host="peru-contraminas")
    page = ok("/visits")
    assert page["count"] == 1
    (visit,) = page["items"]
    assert visit["application"] == held.pk and visit["host"]["state"] == "PER"
    assert visit["held_from"] == "2024-11-03" and visit["lessons"] == []
    assert ok("/visits", state="PER")["count"] == 1
    assert ok("/visits", state="NGA")["count"] == 1
    assert ok("/visits", state="JPN")["count"] == 0
    assert get("/visits", theme="cooking").status_code == 422
    (profile,) = ok("/host-profiles")
    assert profile["body"]["code"] == "peru-contraminas"
    assert profile["languages"] == ["es"] and profile["visits_hosted"] == 1


def test_the_seed_visit_reads_as_synthetic_demo_data(users):
    from minefree.fund.scenario import seed_visit_load
    from minefree.fund.tests.world import scenario_cast

    scenario = seed_visit_load(scenario_cast(users))
    assert scenario.application.status == ApplicationStatus.CLOSED
    assert ok("/summary")["synthetic"] is True
    (contribution,) = ok("/contributions")["items"]
    assert contribution["origin"] == "synthetic" and contribution["announced_at"] == "19MSP"
    detail = ok(f"/applications/{scenario.application.pk}")
    assert detail["origin"] == "synthetic" and "Known:" in detail["notes"]
    assert detail["source"] is None
