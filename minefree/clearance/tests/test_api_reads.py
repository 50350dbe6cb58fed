"""The extension request reads of the API: the list, one request, its analysis; what each
reader may see; a fixed number of queries as the data grows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minefree.accounts.tests.factories import make_cast
from minefree.clearance import services
from minefree.clearance.content import checked
from minefree.clearance.models import Outcome
from minefree.clearance.tests.analysis_world import (
    PERU_2026,
    flow,
    peru_history,
    release_report,
    submitted_request,
)
from minefree.core.audit import SYSTEM
from minefree.core.models import Origin
from minefree.registry.models import Actor
from minefree.reporting.exchange.imports import reports_import_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return make_cast()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _open_for(iso3: str, deadline: str = "2040-12-31", submit: bool = True):
    draft = services.request_open(actor=SYSTEM, state=Actor.objects.get(iso3=iso3))
    services.version_fill(
        actor=SYSTEM,
        version=draft,
        content=checked(PERU_2026 | {"requested_deadline": deadline}),
    )
    return services.request_submit(actor=SYSTEM, version=draft) if submit else draft


def test_the_list_shows_what_each_reader_may_see_filtered_and_paginated(cast, client):
    peru_request = submitted_request(cast["focal_point_peru"]).request
    colombia_draft = _open_for("COL", submit=False).request
    _open_for("KHM")
    public = client.get("/api/extension-requests").json()
    assert public["count"] == 2 and {i["state"] for i in public["items"]} == {"PER", "KHM"}
    item = next(i for i in public["items"] if i["state"] == "PER")
    assert item == {
        "id": peru_request.pk,
        "state": "PER",
        "state_name": "Peru",
        "status": "submitted",
        "origin": "reported",
        "version": 1,
        "submitted_on": "2026-03-31",
        "requested_deadline": "2034-12-31",
        "current_deadline": "2029-12-31",
        "outcome": None,
    }
    colombia = signed_in(cast["focal_point_colombia"]).get("/api/extension-requests").json()
    assert colombia["count"] == 3
    assert any(i["id"] == colombia_draft.pk and i["status"] == "draft" for i in colombia["items"])
    assert [
        i["state"] for i in client.get("/api/extension-requests?state=khm").json()["items"]
    ] == ["KHM"]
    assert client.get("/api/extension-requests?status=draft").json()["count"] == 0
    assert client.get("/api/extension-requests?year=2026").json()["count"] == 2
    assert client.get("/api/extension-requests?year=2025").json()["count"] == 0
    first = client.get("/api/extension-requests?limit=1").json()
    second = client.get("/api/extension-requests?limit=1&offset=1").json()
    assert first["count"] == second["count"] == 2
    assert first["items"][0]["id"] != second["items"][0]["id"]


@pytest.mark.parametrize("query", ["status=maybe", "limit=0", "limit=500", "offset=-1", "year=1"])
def test_bad_list_parameters_are_clear_errors(client, query):
    response = client.get(f"/api/extension-requests?{query}")
    assert response.status_code == 422 and response.json()["code"] == "invalid"


def test_one_request_with_its_tables_versions_questions_decision_and_analyses(cast, client):
    first = submitted_request(cast["focal_point_peru"])
    request = first.request
    question = services.question_ask(
        actor=cast["committee_chair"], request=request, text="How many teams in 2027?"
    )
    services.question_answer(actor=cast["delegate_peru"], question=question, answer="Six.")
    revision = services.revision_open(
        actor=cast["focal_point_peru"], request=request, reason="Answers to the Committee"
    )
    services.analysis_save(
        actor=cast["committee_chair"], request=request, sections={"summary": "Peru asks..."}
    )
    body = client.get(f"/api/extension-requests/{request.pk}").json()
    assert body["version"] == 1 and body["current"]["status"] == "submitted"
    assert [v["number"] for v in body["versions"]] == [1]  # the draft revision is Peru's
    assert body["current"]["remaining"][0] == {
        "region": "Amazonas",
        "hazard": "CHA",
        "areas": 20,
        "area_m2": "280000",
    }
    assert body["current"]["previous_period"][0]["achieved_m2"] == "30000"
    assert len(body["current"]["milestones"]) == 9 and body["current"]["budget"][0]["amount_usd"]
    assert body["questions"] == [
        {
            "id": question.pk,
            "version": 1,
            "text": "How many teams in 2027?",
            "asked_at": body["questions"][0]["asked_at"],
            "answer": "Six.",
            "answered_at": body["questions"][0]["answered_at"],
        }
    ]
    assert body["analyses"] == [] and body["decision"] is None  # the analysis is a draft
    committee = signed_in(cast["committee_chair"]).get(f"/api/extension-requests/{request.pk}")
    assert [a["sections"] for a in committee.json()["analyses"]] == [{"summary": "Peru asks..."}]
    own = signed_in(cast["focal_point_peru"]).get(f"/api/extension-requests/{request.pk}")
    assert own.json()["current"]["number"] == 2 and len(own.json()["versions"]) == 2
    assert own["ETag"] == f'"{services.version_version(revision)}"'
    assert committee["ETag"] == f'"{services.version_version(first)}"'

    services.request_submit(actor=cast["focal_point_peru"], version=revision)
    services.decision_record(
        actor=cast["isu_staff"],
        request=request,
        outcome=Outcome.GRANTED_WITH_REQUESTS,
        decided_on=dt.date(2026, 11, 20),
        new_deadline=dt.date(2034, 12, 31),
        requirements=[("An updated workplan", dt.date(2028, 4, 30))],
    )
    decided = client.get(f"/api/extension-requests/{request.pk}").json()
    assert decided["status"] == "decided" and decided["outcome"] == "granted_with_requests"
    assert decided["decision"]["requirements"] == [
        {"text": "An updated workplan", "due_on": "2028-04-30", "met_on": None, "met_note": ""}
    ]


def test_a_draft_is_not_found_by_others(cast, client):
    draft = services.request_open(
        actor=cast["focal_point_peru"], state=Actor.objects.get(iso3="PER")
    )
    for path in ("", "/analysis"):
        assert client.get(f"/api/extension-requests/{draft.request_id}{path}").status_code == 404
        colombia = signed_in(cast["focal_point_colombia"])
        assert colombia.get(f"/api/extension-requests/{draft.request_id}{path}").status_code == 404
        own = signed_in(cast["delegate_peru"])
        assert own.get(f"/api/extension-requests/{draft.request_id}{path}").status_code == 200


def test_the_analysis_gives_each_figure_with_its_sources(
    cast, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        peru_history()
        version = submitted_request(cast["focal_point_peru"])
    flow("NOR", 2024, 80_000)
    response = client.get(f"/api/extension-requests/{version.request_id}/analysis?extra_usd=350000")
    assert response.status_code == 200
    body = response.json()
    assert body["synthetic"] is False and body["version_number"] == 1
    first = body["previous_period"][0]
    assert {k: first[k] for k in ("year", "planned_m2", "achieved_m2", "percent_of_plan")} == {
        "year": 2021,
        "planned_m2": "40000",
        "achieved_m2": "30000",
        "percent_of_plan": "75.0",
    }
    assert first["article7_m2"] == "30000"
    assert {s["kind"] for s in first["sources"]} == {"request", "article7"}
    assert body["previous_period_totals"]["stated"]["percent"] == "75.0"
    projection = body["projection"]
    assert projection["status"] == "not_plausible" and projection["completion_year"] == 2036
    assert projection["remaining"]["source"]["ref"].endswith("/remaining")
    assert projection["sources"]
    money = body["money"]
    assert money["years"][0]["year"] == 2026 and money["years"][0]["sources"]
    assert money["extra"]["amount_usd"] == "350000" and money["extra"]["median_m2"] == "100000"
    flags = {f["code"]: f for f in body["flags"]}
    assert set(flags) == {
        "behind_plan",
        "deadline_before_projected_completion",
        "workplan_short",
        "unfunded_years",
    }
    assert all(f["label"] and f["reason"] and f["sources"] for f in flags.values())
    assert flags["workplan_short"]["figures"]["shortfall_m2"] == "60000"
    assert body["context"]["challenges"][0]["category_label"] == "lack of financial resources"
    assert Decimal(body["money"]["cost_per_m2_median"]) == Decimal("3.5")


def test_a_synthetic_request_says_so(cast, client):
    version = submitted_request(cast["focal_point_peru"], origin=Origin.SYNTHETIC)
    body = client.get(f"/api/extension-requests/{version.request_id}/analysis").json()
    assert body["synthetic"] is True and body["synthetic_parts"] == ["request"]
    listed = client.get("/api/extension-requests").json()["items"][0]
    assert listed["origin"] == "synthetic"


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_the_reads_take_as_many_queries_however_much_data(cast):
    client = signed_in(cast["committee_chair"])
    peru_history(years=range(2021, 2022))
    version = submitted_request(cast["focal_point_peru"])
    pk = version.request_id
    paths = [
        "/api/extension-requests",
        f"/api/extension-requests/{pk}",
        f"/api/extension-requests/{pk}/analysis",
    ]
    few = [_count(client, p) for p in paths]
    peru_history()
    for year in range(2018, 2026):
        flow("NOR", year, 1_000 * year)
    for number in range(3):
        services.question_ask(
            actor=cast["committee_chair"], request=version.request, text=f"Q{number}"
        )
    for iso3 in ("COL", "KHM", "BIH", "AGO", "TCD"):
        reports_import_history(
            actor=SYSTEM,
            reports=[release_report(iso3, y, (1000, 0, 0, 9000, 0)) for y in range(2019, 2026)],
            origin=Origin.REPORTED,
        )
        _open_for(iso3)
    more = [_count(client, p) for p in paths]
    assert more == few, (few, more)


def test_the_analysis_read_gives_the_committees_the_text_s_version_to_change_it():
    from minefree.accounts.tests.factories import bearer, make_cast
    from minefree.clearance import services
    from minefree.clearance.tests.factories import submitted

    cast = make_cast()
    request = submitted(cast["focal_point_peru"]).request
    chair = bearer(cast["committee_chair"], "workspace")
    url = f"/api/extension-requests/{request.pk}/analysis"
    first = Client().get(url, **chair)
    assert first.status_code == 200 and first["ETag"] == '""'
    saved = Client().put(
        url,
        {"sections": {"summary": "Five years."}},
        content_type="application/json",
        HTTP_IF_MATCH=first["ETag"],
        **chair,
    )
    assert saved.status_code == 200, saved.content
    after = Client().get(url, **chair)
    latest = services.latest_analysis(request)
    assert after["ETag"] == f'"{services.analysis_version(latest)}"' != first["ETag"]
    assert not Client().get(url).has_header("ETag")  # the public reads no draft's version
