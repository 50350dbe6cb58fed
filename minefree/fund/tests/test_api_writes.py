"""The fund written over the API: the seed visit from the contribution to the closed grant,
each step by the person whose step it is with their personal token; a draft changed only
from the version read (428, 412); a step taken twice (409); over-commitment (422); who is
refused what (401, 403, 404), with the service's message."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from minefree.accounts.tests.factories import bearer
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent
from minefree.fund import services
from minefree.fund.ledger import totals_from_entries
from minefree.fund.models import (
    Application,
    ApplicationStatus,
    FundBalance,
    Grant,
)
from minefree.fund.scenario import ACTUALS, BUDGET, LESSONS
from minefree.fund.tests import factories as f
from minefree.fund.tests.world import fund_cast
from minefree.knowledge.models import Practice
from minefree.registry.models import CommitteeSeat

pytestmark = pytest.mark.django_db
BASE = "/api/fund"


TOKENS = itertools.count(1)


class Api:
    """A script of ``user`` with a personal token (anonymous when ``user`` is None)."""

    def __init__(self, user: Any = None) -> None:
        self.client = Client()
        name = f"fund-script-{next(TOKENS)}"
        self.headers = bearer(user, name) if user is not None else {}

    def send(self, method: str, path: str, body: Any = None, version: str | None = None) -> Any:
        extra = {"HTTP_IF_MATCH": version} if version is not None else {}
        send = getattr(self.client, method)
        if body is None:
            return send(BASE + path, **self.headers, **extra)
        return send(BASE + path, body, content_type="application/json", **self.headers, **extra)

    def ok(self, method: str, path: str, body: Any = None, status: int = 200, **kw: Any) -> Any:
        answer = self.send(method, path, body, **kw)
        assert answer.status_code == status, (path, answer.status_code, answer.content[:500])
        return answer


@pytest.fixture
def users() -> dict[str, Any]:
    return fund_cast()


def _refused(answer: Any, status: int, code: str, words: str = "") -> None:
    assert answer.status_code == status, answer.content
    body = answer.json()
    assert body["code"] == code
    assert words in body["detail"], body["detail"]


def test_the_seed_visit_runs_through_the_api(users, django_capture_on_commit_callbacks):
    """The Nigeria → Türkiye visit as the seed scenario records it, every step over the API.
    The API submits on the day it is called, so the call is open today; the committee's
    2024 members (Algeria chair, Denmark, Japan, Türkiye) are taken to sit on into the
    call's year for this test."""
    CommitteeSeat.objects.filter(
        committee__code="cooperation_assistance", term_start_year=2023, term_end_year=2024
    ).update(term_end_year=timezone.localdate().year + 1)
    isu, nigeria, turkiye = Api(users["isu"]), Api(users["nigeria"]), Api(users["turkiye"])

    # the Netherlands' contribution, announced at the 19MSP
    answer = isu.ok(
        "post",
        "/contributions",
        {
            "donor": "NLD",
            "amount": "60000",
            "currency": "EUR",
            "received_on": "2024-03-01",
            "announced_at": "19MSP",
            "earmark": "exchange visits between national mine action centres",
            "source_url": "https://example.org/5RC-committee-statement",
        },
        status=201,
    )
    contribution = answer.json()
    assert answer["Location"] == f"{BASE}/contributions/{contribution['id']}"
    assert contribution["announced_at"] == "19MSP" and contribution["status"] == "received"
    assert contribution["donor"]["code"] == "NLD" and contribution["amount"] == "60000.00"

    # TURMAC's profile, by Türkiye's focal point
    profile = turkiye.ok(
        "put",
        "/host-profiles/turkiye-turmac",
        {"capabilities": ["information_management", "quality_management"], "languages": ["en"]},
        status=201,
    ).json()
    assert profile["body"] == {
        "code": "turkiye-turmac",
        "name": profile["body"]["name"],
        "state": "TUR",
    }

    # the call: drafted, published (once)
    today = timezone.localdate()
    call = isu.ok(
        "post",
        "/calls",
        {
            "title": "Exchange visits between national mine action centres (pilot)",
            "opens_on": (today - dt.timedelta(days=60)).isoformat(),
            "closes_on": (today + dt.timedelta(days=20)).isoformat(),
            "budget": "40000",
            "max_amount": "15000",
            "currency": "EUR",
            "eligibility": "national_bodies",
        },
        status=201,
    ).json()
    assert call["status"] == "draft" and len(call["criteria"]) == 5
    assert Api().ok("get", "/calls").json()["count"] == 0  # a draft is ISU staff's
    path = f"/calls/{call['id']}"
    assert isu.ok("post", path + "/publish").json()["status"] == "published"
    _refused(isu.send("post", path + "/publish"), 409, "already_done")
    assert Api().ok("get", path).json()["title"].endswith("(pilot)")

    # Nigeria's centre drafts its application
    answer = nigeria.ok(
        "post",
        "/applications",
        {
            "call": call["id"],
            "applicant": "nigeria-nmac",
            "theme": "information_management",
            "objectives": "Learn how a national centre sets up information management.",
            "articles": [5, 6, 7],
            "delegation": [
                {"function": "Director", "gender": "man", "age_band": "45-59"},
                {"function": "IM officer", "gender": "woman", "age_band": "30-44"},
            ],
            "starts_on": "2024-11-03",
            "ends_on": "2024-11-08",
            "agenda": "Day 1 structure; day 2 information management; day 3 field visit.",
        },
        status=201,
    )
    draft = answer.json()
    app = f"/applications/{draft['id']}"
    assert answer["Location"] == BASE + app
    assert draft["status"] == "draft" and draft["host"] is None
    assert answer["ETag"] == f'"{draft["version"]}"'

    # ranked hosts: TURMAC offers the theme
    suggestions = nigeria.ok("get", app + "/host-suggestions").json()
    assert suggestions[0]["body"]["code"] == "turkiye-turmac"
    assert "theme" in {r["component"] for r in suggestions[0]["reasons"]}

    # the host and the budget, each from the version read
    answer = nigeria.ok("patch", app, {"host": "turkiye-turmac"}, version=draft["version"])
    assert answer.json()["host"]["code"] == "turkiye-turmac"
    version = answer.json()["version"]
    _refused(nigeria.send("patch", app, {"agenda": "Other"}), 428, "version_required")
    lines = [{"category": c, "description": d, "amount": str(a)} for c, d, a in BUDGET]
    answer = nigeria.ok("put", app + "/budget", {"lines": lines}, version=version)
    assert answer.json()["requested"] == "12300.00"
    stale = nigeria.send("put", app + "/budget", {"lines": lines[:1]}, version=version)
    _refused(stale, 412, "version_conflict", "Nothing was saved")
    assert stale.json()["version"] == answer.json()["version"]

    letter = SimpleUploadedFile("turmac.pdf", f.PDF, content_type="application/pdf")
    answer = nigeria.client.post(
        BASE + app + "/letters",
        {"title": "TURMAC agrees to host", "file": letter},
        **nigeria.headers,
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["title"] == "TURMAC agrees to host"

    # submitted once; screened; the public does not see it yet
    assert nigeria.ok("post", app + "/submit").json()["status"] == "submitted"
    _refused(nigeria.send("post", app + "/submit"), 409, "already_done")
    assert Api().send("get", app).status_code == 404
    checks = dict.fromkeys(
        ("eligible", "host_agreed", "complete", "within_ceiling", "letters"), True
    )
    screened = isu.ok("post", app + "/screening", {"checks": checks}).json()
    assert screened["status"] == "in_review" and screened["screening"]["complete"] is True

    # the members score: Türkiye, the host's state, may not; each state once
    scores = {"relevance": 4, "host_fit": 4, "plan": 4, "value": 4, "follow_up": 4}
    _refused(
        Api(users["member_TUR"]).send("post", app + "/scores", {"values": scores}),
        403,
        "forbidden",
        "host",
    )
    for iso3 in ("DZA", "DNK", "JPN"):
        member = Api(users[f"member_{iso3}"])
        score = member.ok("post", app + "/scores", {"values": scores}, status=201).json()
        assert score["member_state"] == iso3 and score["total"] == 20
    again = Api(users["member_DNK"]).send("post", app + "/scores", {"values": scores})
    _refused(again, 409, "already_done", "Denmark")

    # the chair decides (a member who is not the chair may not)
    decision = {"selected": True, "reasons": "The pilot the fund was set up for."}
    _refused(
        Api(users["member_DNK"]).send("post", app + "/decision", decision),
        403,
        "forbidden",
        "chair",
    )
    chair = Api(users["member_DZA"])
    assert chair.ok("post", app + "/decision", decision).json()["status"] == "selected"

    # the grant reserves; two tranches; a third is more than the grant holds
    grant = isu.ok(
        "post", app + "/grant", {"amount": "12300", "signed_on": "2024-10-01"}, status=201
    ).json()
    assert grant["undisbursed"] == "12300.00"
    _refused(
        isu.send("post", app + "/grant", {"amount": "12300", "signed_on": "2024-10-01"}),
        409,
        "already_done",
    )
    assert FundBalance.objects.get(currency="EUR").reserved == Decimal("12300.00")
    for amount, day in (("9840", "2024-10-07"), ("2460", "2024-11-20")):
        paid = {"amount": amount, "paid_on": day}
        isu.ok("post", app + "/grant/disbursements", paid, status=201)
    extra = {"amount": "1", "paid_on": "2024-11-21"}
    _refused(isu.send("post", app + "/grant/disbursements", extra), 422, "invalid", "0.00 EUR left")

    # the visit, the two reports (lessons reach the knowledge base), a follow-up done
    held = {"held_from": "2024-11-03", "held_until": "2024-11-08"}
    assert nigeria.ok("post", app + "/visit-held", held).json()["status"] == "visit_held"
    report = {
        "role": "applicant",
        "programme": "Briefings at TURMAC and a visit to a clearance site.",
        "lessons": list(LESSONS),
        "follow_ups": [
            {"action": "Draft national standards", "owner": "NMAC", "due_on": "2025-06-30"}
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        nigeria.ok("post", app + "/visit-reports", report, status=201)
    assert Practice.objects.filter(source_kind="fund.visitreport").count() == 2
    host_report = {"role": "host", "programme": "Five days of briefings."}
    _refused(nigeria.send("post", app + "/visit-reports", host_report), 403, "forbidden", "host")
    turkiye.ok("post", app + "/visit-reports", host_report, status=201)
    detail = nigeria.ok("get", app).json()
    follow_up = detail["follow_ups"][0]
    done = nigeria.ok("patch", f"{app}/follow-ups/{follow_up['id']}", {"status": "done"})
    assert done.json()["status"] == "done"
    again = nigeria.send("patch", f"{app}/follow-ups/{follow_up['id']}", {"status": "done"})
    _refused(again, 409, "already_done")

    # the financial report, then ISU staff close: unspent refunded
    actuals = {str(line["id"]): str(a) for line, a in zip(detail["budget"], ACTUALS, strict=True)}
    accounted = nigeria.ok("post", app + "/financial-report", {"actuals": actuals}).json()
    spent = sum(ACTUALS)
    assert accounted["financial_report"]["unspent"] == str(Decimal("12300.00") - spent)
    closed = isu.ok("post", app + "/close", {"closed_on": "2025-01-31"}).json()
    assert closed["status"] == "closed"
    _refused(isu.send("post", app + "/close", {}), 409, "already_done")

    balance = FundBalance.objects.get(currency="EUR")
    assert balance.reserved == 0 and balance.available == Decimal("60000.00") - spent
    assert totals_from_entries("EUR")["refunded"] == balance.refunded
    summary = Api().ok("get", "/summary").json()
    assert summary["balances"][0]["available"] == str(Decimal("60000.00") - spent)
    assert summary["visits_held"] == 1 and summary["grants"] == 1
    visits = Api().ok("get", "/visits").json()["items"]
    assert visits[0]["lessons"] == [lesson["title"] for lesson in LESSONS]
    # every step was audited under the scripts' tokens
    application = Application.objects.get(pk=draft["id"])
    events = AuditEvent.objects.filter(
        object_id=str(application.pk), action__startswith="fund_application."
    )
    tokens = set(events.values_list("api_token", flat=True))
    assert events.count() >= 10 and all(name.startswith("fund-script-") for name in tokens)


def test_a_grant_the_fund_cannot_cover_is_refused_and_nothing_is_reserved(users):
    application = f.application_at("selected", fund=Decimal("5000.00"))
    answer = Api(users["isu"]).send(
        "post",
        f"/applications/{application.pk}/grant",
        {"amount": "7000", "signed_on": "2024-10-01"},
    )
    _refused(
        answer,
        422,
        "invalid",
        "The fund has 5000.00 EUR available; this needs 7000.00 EUR. Nothing was reserved.",
    )
    assert not Grant.objects.filter(application=application).exists()
    assert FundBalance.objects.get(currency="EUR").reserved == 0
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SELECTED


def test_writes_are_refused_with_the_services_messages(users):
    application = f.application_at("submitted", applicant="nigeria-nmac")
    path = f"/applications/{application.pk}"
    # anonymous: sign in; another state's people do not see a submitted application
    _refused(Api().send("post", path + "/return", {"reason": "x"}), 401, "unauthenticated")
    _refused(Api(users["peru"]).send("post", path + "/return", {"reason": "x"}), 404, "not_found")
    # the applicant sees it but does not screen it
    nigeria = Api(users["nigeria"])
    _refused(
        nigeria.send("post", path + "/return", {"reason": "x"}),
        403,
        "forbidden",
        "Only ISU staff screen applications.",
    )
    # a submitted application is no longer the applicant's to change
    _refused(
        nigeria.send("patch", path, {"agenda": "x"}, version="anything"),
        403,
        "forbidden",
        "cannot be changed",
    )
    isu = Api(users["isu"])
    _refused(isu.send("post", path + "/return", {"reason": " "}), 422, "invalid", "Say why")
    _refused(
        isu.send("post", path + "/screening", {"checks": {"eligible": True}}),
        422,
        "invalid",
        "Not checked",
    )
    returned = isu.ok("post", path + "/return", {"reason": "Attach the host's letter."}).json()
    assert (
        returned["status"] == "draft" and returned["returned_reason"] == "Attach the host's letter."
    )
    # unknown records and values
    _refused(isu.send("post", "/applications/999999/submit"), 404, "not_found")
    _refused(
        isu.send("post", "/contributions", {"donor": "XXX", "amount": "1", "currency": "EUR"}),
        422,
        "invalid",
    )
    _refused(
        isu.send(
            "post",
            "/contributions",
            {"donor": "NLD", "currency": "EUR", "received_on": "2025-01-01"},
        ),
        422,
        "invalid",
        "needs its amount",
    )


def test_a_pledge_of_unknown_amount_stays_unknown_until_received(users):
    isu = Api(users["isu"])
    pledge = isu.ok(
        "post", "/contributions", {"donor": "NLD", "announced_at": "19MSP"}, status=201
    ).json()
    assert pledge["amount"] is None and pledge["status"] == "pledged"
    path = f"/contributions/{pledge['id']}/receive"
    _refused(isu.send("post", path, {"received_on": "2025-02-01"}), 422, "invalid", "amount")
    received = isu.ok(
        "post", path, {"received_on": "2025-02-01", "amount": "20000", "currency": "EUR"}
    ).json()
    assert received["amount"] == "20000.00" and received["status"] == "received"
    _refused(isu.send("post", path, {"received_on": "2025-02-02"}), 409, "already_done")
    assert FundBalance.objects.get(currency="EUR").available == Decimal("20000.00")


def test_a_grant_whose_visit_will_not_take_place_is_released_once(users):
    application = f.application_at("granted")
    isu = Api(users["isu"])
    path = f"/applications/{application.pk}/grant/release"
    grant = isu.ok("post", path, {"reason": "The visit was cancelled."}).json()
    assert grant["released"] == "7000.00" and grant["undisbursed"] == "0.00"
    assert "cancelled" in grant["conditions"]
    _refused(isu.send("post", path, {"reason": "Again."}), 409, "already_done")
    assert FundBalance.objects.get(currency="EUR").available == Decimal("50000.00")


def test_a_decision_without_scores_or_reasons_is_refused(users):
    application = f.application_at("in_review", now=False)
    isu = Api(users["isu"])
    path = f"/applications/{application.pk}/decision"
    _refused(isu.send("post", path, {"selected": True, "reasons": ""}), 422, "invalid", "reasons")
    _refused(
        isu.send("post", path, {"selected": True, "reasons": "Good."}), 422, "invalid", "scored"
    )
    # ISU staff record a member state's scores, under the same conflict rule
    scores = {"relevance": 1, "host_fit": 1, "plan": 1, "value": 1, "follow_up": 1}
    conflicted = {"values": scores, "on_behalf_of": "TUR"}
    _refused(
        isu.send("post", path.replace("decision", "scores"), conflicted), 403, "forbidden", "host"
    )
    out_of_range = {"values": scores | {"plan": 9}, "on_behalf_of": "JPN"}
    _refused(
        isu.send("post", path.replace("decision", "scores"), out_of_range),
        422,
        "invalid",
        "from 0 to 5",
    )


def test_a_letter_of_support_is_a_pdf_or_docx_of_at_most_10_mb(users):
    application = f.application_at("draft")
    peru = Api(users["peru"])
    path = f"{BASE}/applications/{application.pk}/letters"

    def upload(name: str, data: bytes) -> Any:
        letter = SimpleUploadedFile(name, data)
        return peru.client.post(path, {"title": "Letter", "file": letter}, **peru.headers)

    _refused(upload("letter.pdf", b"not a pdf at all"), 422, "invalid")
    too_large = f.PDF + b"0" * (10 * 1024 * 1024)
    _refused(upload("letter.pdf", too_large), 413, "too_large", "larger than the limit of 10 MB")
    assert not application.support_letters.exists()
    assert upload("letter.pdf", f.PDF).status_code == 201
    # once submitted, the application's letters are kept as they are
    services.application_submit(actor=SYSTEM, application=application)
    _refused(upload("late.pdf", f.PDF), 403, "forbidden", "cannot be changed")
