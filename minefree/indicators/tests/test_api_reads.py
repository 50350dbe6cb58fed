"""The indicators read over the API as the selectors compute them: the plans with their
wording's status, each indicator's values by year (reported and synthetic apart, null with
a reason when unknown), the states behind a value, a state's profile; and the committee's
documents, drafts to their editors only, a draft's content computed live with its ETag."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minefree.accounts.tests.factories import bearer, make_cast
from minefree.core.audit import SYSTEM
from minefree.indicators import selectors, services
from minefree.indicators.facts import FIRST_YEAR
from minefree.indicators.models import ActionPlan, Indicator, PlanAction
from minefree.registry.models import Actor, Meeting

pytestmark = pytest.mark.django_db
BASE = "/api/indicators"
TOKENS = itertools.count(1)


def get(path: str, user: Any = None, **params: Any) -> Any:
    headers = bearer(user, f"reader-{next(TOKENS)}") if user is not None else {}
    return Client().get(BASE + path, params, **headers)


def ok(path: str, user: Any = None, **params: Any) -> Any:
    answer = get(path, user, **params)
    assert answer.status_code == 200, (path, answer.status_code, answer.content[:400])
    return answer.json()


def _part(part: Any) -> dict[str, Any]:
    return {
        "numerator": part.numerator,
        "denominator": part.denominator,
        "percentage": part.percentage,
        "reason": part.reason or None,
    }


def test_the_plans_give_sections_actions_and_indicators_with_the_wording_status():
    body = ok("/plans")
    assert body["count"] == ActionPlan.objects.count() > 0
    actions = [a for p in body["items"] for s in p["sections"] for a in s["actions"]]
    assert len(actions) == PlanAction.objects.count()
    listed = {i["code"]: i for a in actions for i in a["indicators"]}
    assert set(listed) == set(Indicator.objects.values_list("code", flat=True))
    for code, item in listed.items():
        stored = Indicator.objects.get(code=code)
        assert item["wording_status"] == stored.wording_status
        assert item["action"] == stored.action.number and item["plan"] == stored.action.plan.code
    assert {a["wording_status"] for a in actions} <= {"official", "reconstructed"}


def test_the_list_gives_each_indicator_its_latest_value_as_the_selectors_compute_it():
    body = ok("", limit=200)
    lines = {s.indicator.code: s for s in selectors.series(selectors.indicators())}
    assert body["count"] == len(lines) == len(body["items"])
    assert body["first"] == FIRST_YEAR
    for item in body["items"]:
        latest = lines[item["code"]].latest
        if latest is None:
            assert item["latest"] is None
        else:
            assert item["latest"]["year"] == latest.year
            assert item["latest"]["reported"] == _part(latest.reported)


def test_the_list_pages():
    total = Indicator.objects.count()
    body = ok("", limit=2, offset=1)
    assert body["count"] == total and len(body["items"]) == min(2, total - 1)
    codes = list(selectors.indicators().values_list("code", flat=True))
    assert [i["code"] for i in body["items"]] == codes[1:3]
    assert get("", limit=0).status_code == 422


def test_an_indicator_gives_its_definition_and_every_year_reported_and_synthetic_apart():
    item = selectors.indicators().first()
    assert item is not None
    body = ok(f"/{item.code}", first=2020, last=2024)
    (line,) = selectors.series([item], 2020, 2024)
    rule = line.definition
    assert body["definition_rule"]["name"] == item.definition == rule.name
    assert body["definition_rule"]["population"] == str(rule.population)
    assert body["definition_rule"]["year_rule"] == str(rule.year_rule)
    assert [v["year"] for v in body["values"]] == [2020, 2021, 2022, 2023, 2024]
    for got, value in zip(body["values"], line.values, strict=True):
        assert got["reported"] == _part(value.reported)
        assert got["synthetic"] == (_part(value.synthetic) if value.synthetic else None)
        if got["reported"]["numerator"] is None:
            assert got["reported"]["reason"]  # unknown says why, never 0
    published = list(item.published.all())
    assert len(body["published"]) == len(published)


def test_an_unknown_indicator_or_year_is_a_404_and_wrong_years_a_422():
    item = selectors.indicators().first()
    assert item is not None
    assert get("/no-such-indicator").status_code == 404
    assert get("/no-such-indicator/2020").status_code == 404
    for year in (FIRST_YEAR - 1, selectors.today().year + 1):
        answer = get(f"/{item.code}/{year}")
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"
        assert str(FIRST_YEAR) in answer.json()["detail"]
    assert get(f"/{item.code}", first=2024, last=2020).status_code == 422
    assert get(f"/{item.code}", first=1200).status_code == 422


def test_the_drill_down_gives_the_counted_states_with_their_records_and_the_rest():
    year = selectors.today().year - 1
    lines = selectors.series(selectors.indicators())
    line = next((s for s in lines if (v := s.at(year)) and v.reported.numerator), None)
    if line is None:  # no reported value last year: take any computed one
        line = next(s for s in lines if s.computed)
        year = line.computed[-1].year
    value = line.at(year)
    assert value is not None
    body = ok(f"/{line.indicator.code}/{year}")
    assert body["numerator"] == value.reported.numerator == len(body["counted"])
    assert body["data"] == "reported"
    counted = {s["iso3"] for s in body["counted"]}
    expected = Actor.objects.filter(pk__in=value.reported.counted).values_list("iso3", flat=True)
    assert counted == set(expected)
    if value.reported.population is not None:
        assert len(body["counted"]) + len(body["not_counted"]) == len(
            set(value.reported.population) | set(value.reported.counted)
        )
    for state in body["counted"]:
        assert state["records"], state
        assert {"kind", "id", "label", "url", "synthetic"} <= set(state["records"][0])
        assert not any(r["synthetic"] for r in state["records"])


def test_synthetic_data_is_drilled_apart_or_a_404_when_there_is_none():
    lines = selectors.series(selectors.indicators())
    found = [(s, v) for s in lines for v in s.values if v.synthetic is not None]
    missing = next((s, v) for s in lines for v in s.values if v.synthetic is None)
    answer = get(f"/{missing[0].indicator.code}/{missing[1].year}", data="synthetic")
    assert answer.status_code == 404
    if found:
        line, value = found[-1]
        body = ok(f"/{line.indicator.code}/{value.year}", data="synthetic")
        assert body["data"] == "synthetic"
        assert body["numerator"] == value.synthetic.numerator  # type: ignore[union-attr]
    assert get(f"/{missing[0].indicator.code}/2020", data="invented").status_code == 422


def test_a_state_profile_gives_each_indicator_and_year():
    peru = Actor.objects.get(iso3="PER")
    body = ok("/states/per", first=2021, last=2023)
    rows = selectors.state_profile(peru, 2021, 2023)
    assert body["state"] == {"iso3": "PER", "name": peru.name}
    assert [r["indicator"] for r in body["rows"]] == [r.indicator.code for r in rows]
    for got, row in zip(body["rows"], rows, strict=True):
        assert [c["status"] for c in got["cells"]] == [c.status for c in row.cells]
    assert get("/states/XXX").status_code == 404


def test_the_reads_take_a_fixed_number_of_queries():
    item = selectors.indicators().first()
    assert item is not None
    counts = {}
    for path in ("/plans", "", f"/{item.code}", f"/{item.code}/2023", "/states/PER"):
        with CaptureQueriesContext(connection) as queries:
            assert get(path).status_code == 200
        counts[path] = len(queries)
    # the plans: one query per level whatever their size; the values: the facts read once
    assert counts["/plans"] <= 6, counts
    assert max(counts.values()) <= 12, counts


def _queries(path: str, user: Any = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert get(path, user).status_code == 200
    return len(queries)


def test_the_documents_read_in_queries_that_do_not_grow_with_them():
    first = _draft("observations")
    services.document_publish(actor=SYSTEM, version=first)
    path = f"/documents/{first.document_id}"
    one = [_queries("/documents"), _queries(path), _queries(path + "/versions/1")]
    for kind, code in (("statement", "22MSP"), ("statement", "21MSP")):
        services.document_publish(actor=SYSTEM, version=_draft(kind, code))
    services.document_open(actor=SYSTEM, kind="observations", meeting=first.document.meeting)
    assert ok("/documents")["count"] == 3
    assert [_queries("/documents"), _queries(path), _queries(path + "/versions/1")] == one
    assert one[0] <= 3, one


# --- documents --------------------------------------------------------------------------------


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


def _draft(kind: str = "statement", code: str = "22MSP") -> Any:
    return services.document_open(
        actor=SYSTEM, kind=kind, meeting=Meeting.objects.get(code=code), year=2024
    )


def test_a_draft_is_its_editors_only(cast: dict[str, Any]):
    draft = _draft()
    path = f"/documents/{draft.document_id}"
    assert ok("/documents")["count"] == 0
    assert get(path).status_code == 404
    assert get(path + "/versions/1", cast["focal_point_peru"]).status_code == 404
    assert ok("/documents", cast["committee_chair"])["items"][0]["draft_version"] == 1
    body = ok(path + "/versions/1", cast["isu_staff"])
    assert body["status"] == "draft" and body["live"] is True
    assert list(body["sections"]) == [
        "opening",
        "mandate",
        "individualised_approach",
        "fund",
        "closing",
    ]
    assert body["version"] == services.version_etag(draft)
    assert body["content"]["year"] == 2024 and body["content"]["figures"]
    answer = get(path + "/versions/1", cast["committee_chair"])
    assert answer["ETag"] == f'"{services.version_etag(draft)}"'


def test_a_published_version_is_public_frozen_in_each_language(cast: dict[str, Any]):
    draft = _draft("observations")
    services.document_publish(actor=SYSTEM, version=draft)
    path = f"/documents/{draft.document_id}"
    listed = ok("/documents")
    assert listed["count"] == 1 and listed["items"][0]["published_version"] == 1
    assert listed["items"][0]["draft_version"] is None
    assert [v["status"] for v in ok(path)["versions"]] == ["published"]
    english = get(path + "/versions/1")
    assert english.status_code == 200 and "ETag" not in english
    body = english.json()
    assert body["live"] is False and body["version"] is None
    assert body["content"]["tables"] == draft.content["en"]["tables"]
    french = ok(path + "/versions/1", lang="fr")
    assert french["content"] == draft.content["fr"]
    assert get(path + "/versions/1", lang="de").status_code == 422
    assert get(path + "/versions/2").status_code == 404
    # a new draft opened from it is its editors' only
    services.document_open(
        actor=SYSTEM, kind="observations", meeting=Meeting.objects.get(code="22MSP")
    )
    assert [v["number"] for v in ok(path)["versions"]] == [1]
    assert [v["number"] for v in ok(path, cast["isu_staff"])["versions"]] == [1, 2]
