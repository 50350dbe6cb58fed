"""Article 7 compliance across States Parties: counts, rates, gaps, the dashboard and its CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minefree.accounts.models import Role
from minefree.accounts.tests.factories import make_user
from minefree.registry.models import Actor, ActorKind, PartyPeriod
from minefree.registry.selectors import parties_in_year
from minefree.reporting import services
from minefree.reporting.models import ReportVersion
from minefree.reporting.publication.compliance import (
    _facts,
    compliance_by_year,
    multi_year_gaps,
    parse_years,
)
from minefree.reporting.publication.compliance_views import STATES_PER_PAGE
from minefree.reporting.tests.factories import submit_explained

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 28)
ON_TIME = dt.datetime(2025, 4, 1, 9, 0, tzinfo=dt.UTC)
# 23:30 UTC on 30 April is 01:30 on 1 May in Geneva: late.
LATE_IN_GENEVA = dt.datetime(2025, 4, 30, 23, 30, tzinfo=dt.UTC)


def _report(iso3: str, year: int, submitted_at: dt.datetime | None = None) -> ReportVersion:
    user = make_user(f"fp_{iso3.lower()}_{year}", Role.STATE_FOCAL_POINT, scope=iso3)
    state = Actor.objects.get(iso3=iso3)
    version = submit_explained(user, services.report_open(actor=user, state=state, year=year))
    if submitted_at is not None:
        version.submitted_at = submitted_at
        version.save(update_fields=["submitted_at"])
    return version


def _year(year: int) -> Any:
    return compliance_by_year(year, year, today=TODAY)[0]


def test_counts_and_rates_for_a_year():
    before = _year(2024)
    _report("NOR", 2024, ON_TIME)
    _report("CHE", 2024, LATE_IN_GENEVA)
    row = _year(2024)
    assert row.parties == before.parties == parties_in_year(2024).count()
    assert (row.submitted, row.on_time, row.late) == (
        before.submitted + 2,
        before.on_time + 1,
        before.late + 1,
    )
    assert row.not_submitted == row.parties - row.submitted
    assert row.rate == pytest.approx(row.submitted / row.parties)
    assert row.on_time_rate == pytest.approx(row.on_time / row.parties)
    assert row.not_yet_due is False


def test_first_submission_decides_on_time():
    version = _report("NOR", 2024, LATE_IN_GENEVA)
    user = make_user("fp_nor_amend", Role.STATE_FOCAL_POINT, scope="NOR")
    amended = submit_explained(
        user, services.amendment_open(actor=user, report=version.report, reason="typo")
    )
    amended.submitted_at = ON_TIME  # cannot happen, but shows only the first version counts
    amended.save(update_fields=["submitted_at"])
    row = _year(2024)
    assert (row.submitted, row.late) == (1, 1)


def test_party_counts_follow_party_periods_and_withdrawal():
    for year in (1999, 2010, 2025, 2026):
        assert _year(year).parties == parties_in_year(year).count()
    estonia = Actor.objects.get(iso3="EST").pk
    facts = _facts(2025, 2026)
    assert estonia in facts.parties(2025)
    assert estonia not in facts.parties(2026)


def test_year_not_yet_due_has_no_rates():
    row = compliance_by_year(2025, 2025, today=dt.date(2026, 4, 30))[0]
    assert row.not_yet_due is True
    assert row.rate is None and row.on_time_rate is None and row.art45_rate is None
    assert compliance_by_year(2025, 2025, today=dt.date(2026, 5, 1))[0].rate is not None


def test_art45_columns_count_states_with_open_obligations():
    row = _year(2024)
    assert row.art5_parties > 0
    assert row.art4_submitted == row.art5_submitted == 0


def test_multi_year_gaps_run_up_to_the_last_year():
    _report("NOR", 2022, ON_TIME)
    gaps = {g.state.iso3: g.years for g in multi_year_gaps(last=2025, today=TODAY)}
    assert gaps["NOR"] == [2023, 2024, 2025]
    assert "NOR" not in {g.state.iso3 for g in multi_year_gaps(last=2025, min_years=4, today=TODAY)}
    _report("NOR", 2025, ON_TIME)
    assert "NOR" not in {g.state.iso3 for g in multi_year_gaps(last=2025, today=TODAY)}


def test_parse_years():
    assert parse_years("2010", "2012", TODAY) == (2010, 2012, True)
    assert parse_years(None, None, TODAY) == (1999, 2025, True)
    for first, last in [("abc", "2010"), ("2012", "2010"), ("1990", "2000"), ("2000", "2030")]:
        assert parse_years(first, last, TODAY) == (1999, 2025, False)


def test_dashboard_renders_with_gaps_and_links():
    _report("NOR", 2022, ON_TIME)
    response = Client().get(reverse("reporting:compliance"), {"from": "2020", "to": "2024"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and "/states/NOR/" in body
    assert [r.year for r in response.context["rows"]] == [2020, 2021, 2022, 2023, 2024]


@pytest.mark.parametrize(
    "query", [{"from": "abc"}, {"from": "2020", "to": "2010"}, {"to": "3000"}, {"from": "1900"}]
)
def test_bad_years_give_the_default_page(query):
    response = Client().get(reverse("reporting:compliance"), query)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows[0].year == 1999 and rows[-1].year == dt.date.today().year - 1
    assert "not valid" in response.content.decode()


def test_csv_has_header_and_numbers():
    _report("NOR", 2024, ON_TIME)
    _report("CHE", 2024, LATE_IN_GENEVA)
    expected = _year(2024)
    for url, params in [
        (reverse("reporting:compliance"), {"from": "2023", "to": "2024", "format": "csv"}),
        (reverse("reporting:compliance_csv"), {"from": "2023", "to": "2024"}),
    ]:
        response = Client().get(url, params)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0][:6] == ["year", "parties", "submitted", "on_time", "late", "not_submitted"]
        assert [r[0] for r in rows[1:]] == ["2023", "2024"]
        line = dict(zip(rows[0], rows[2], strict=True))
        assert int(line["parties"]) == expected.parties
        assert (int(line["submitted"]), int(line["on_time"]), int(line["late"])) == (
            expected.submitted,
            expected.on_time,
            expected.late,
        )
        assert line["rate_pct"] == f"{expected.submitted / expected.parties * 100:.1f}"


def _dashboard_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(reverse("reporting:compliance"))
    assert response.status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_reports():
    _report("NOR", 2023, ON_TIME)
    _report("CHE", 2023, LATE_IN_GENEVA)
    few = _dashboard_queries()
    for year in range(2005, 2023):
        _report("NOR", year)
    assert ReportVersion.objects.filter(status="submitted").count() >= 20
    assert _dashboard_queries() == few


def test_api_returns_the_same_rows():
    _report("NOR", 2024, ON_TIME)
    response = Client().get("/api/compliance", {"from": "2023", "to": "2024"})
    assert response.status_code == 200
    body = response.json()
    expected = compliance_by_year(2023, 2024)
    assert [r["year"] for r in body] == [2023, 2024]
    assert body[1]["submitted"] == expected[1].submitted
    assert body[1]["rate"] == pytest.approx(expected[1].rate)


@pytest.mark.parametrize("query", [{"from": "abc"}, {"from": "2020", "to": "2010"}])
def test_api_rejects_bad_years(query):
    response = Client().get("/api/compliance", query)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


# --- one year, state by state, with completeness ----------------------------------------


def _filled_report(iso3: str, year: int, submitted_at: dt.datetime = ON_TIME) -> ReportVersion:
    """A submitted report with Form A filled and Form B marked not applicable."""
    user = make_user(f"fp_{iso3.lower()}_{year}_full", Role.STATE_FOCAL_POINT, scope=iso3)
    draft = services.report_open(actor=user, state=Actor.objects.get(iso3=iso3), year=year)
    services.row_save(
        actor=user,
        version=draft,
        letter="A",
        table="measures",
        values={"kind": "legislation", "title": "Act"},
    )
    services.form_status_set(actor=user, version=draft, letter="B", status="not_applicable")
    version = submit_explained(user, draft)
    version.submitted_at = submitted_at
    version.save(update_fields=["submitted_at"])
    return version


def test_dashboard_lists_the_states_of_a_year_with_completeness():
    version = _filled_report("NOR", 2024)
    _report("CHE", 2024, LATE_IN_GENEVA)
    response = Client().get(reverse("reporting:compliance"), {"year": "2024"})
    assert response.status_code == 200
    lines = {line.state.iso3: line for line in response.context["state_lines"]}
    assert response.context["state_year"] == 2024
    assert len(lines) == parties_in_year(2024).count()
    assert lines["NOR"].status == "on_time" and lines["CHE"].status == "late"
    assert lines["NOR"].pct == pytest.approx(40.0)  # A and B of A, B, D, E, H
    assert lines["NOR"].completeness.missing_forms == ["D", "E", "H"]
    assert lines["PER"].status == "not_submitted"
    body = response.content.decode()
    assert 'id="states"' in body
    assert reverse("reporting:compliance_states_csv") + "?year=2024" in body
    # the table shows one page; Norway's report is linked from the page it falls on
    place = [line.state.iso3 for line in response.context["state_lines"]].index("NOR")
    response = Client().get(
        reverse("reporting:compliance"), {"year": "2024", "page": place // STATES_PER_PAGE + 1}
    )
    assert reverse("reporting:version", args=[version.pk]) + "#completeness" in (
        response.content.decode()
    )


def test_dashboard_state_table_defaults_to_last_year_and_warns_on_a_bad_year():
    response = Client().get(reverse("reporting:compliance"), {"year": "abc"})
    assert response.status_code == 200
    assert response.context["state_year"] == dt.date.today().year - 1
    assert "not valid" in response.content.decode()


def test_states_csv_has_completeness_and_origin():
    _filled_report("NOR", 2024)
    response = Client().get(reverse("reporting:compliance_states_csv"), {"year": "2024"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == parties_in_year(2024).count()
    norway = next(r for r in rows if r["state_iso3"] == "NOR")
    assert norway["status"] == "on_time" and norway["origin"] == "reported"
    assert norway["completeness_pct"] == "40.0"
    assert norway["required_forms"] == "A B D E H"
    assert norway["missing_forms"] == "D E H"
    assert norway["form_A_pct"] == "100.0" and norway["form_C_pct"] == ""
    peru = next(r for r in rows if r["state_iso3"] == "PER")
    assert peru["status"] == "not_submitted" and peru["completeness_pct"] == ""
    assert peru["origin"] == ""
    bad = Client().get(reverse("reporting:compliance_states_csv"), {"year": "1900"})
    assert bad.status_code == 400


def _state_table_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(reverse("reporting:compliance"), {"year": "2023"})
    assert response.status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_the_reports_of_the_state_year():
    _filled_report("NOR", 2023)
    _filled_report("CHE", 2023)
    few = _state_table_queries()
    for iso3 in ("AUT", "BEL", "CAN", "DNK", "FIN", "IRL", "NLD", "NZL", "PER", "COL"):
        _filled_report(iso3, 2023)
    user = make_user("fp_nor_amender", Role.STATE_FOCAL_POINT, scope="NOR")
    for version in list(ReportVersion.objects.filter(report__year=2023, report__state__iso3="NOR")):
        amended = services.amendment_open(actor=user, report=version.report, reason="more")
        submit_explained(user, amended)
    assert ReportVersion.objects.filter(report__year=2023, status="submitted").count() >= 13
    assert _state_table_queries() == few


def test_api_states_of_a_year_match_the_dashboard():
    _filled_report("NOR", 2024)
    response = Client().get("/api/compliance/2024/states")
    assert response.status_code == 200
    body = {item["iso3"]: item for item in response.json()}
    assert len(body) == parties_in_year(2024).count()
    norway = body["NOR"]
    assert norway["status"] == "on_time" and norway["origin"] == "reported"
    assert norway["completeness"] == pytest.approx(0.4)
    assert norway["required_forms"] == ["A", "B", "D", "E", "H"]
    assert norway["missing_forms"] == ["D", "E", "H"]
    form_b = next(f for f in norway["forms"] if f["letter"] == "B")
    assert form_b["mark"] == "not_applicable" and form_b["completeness"] == 1.0
    form_d = next(f for f in norway["forms"] if f["letter"] == "D")
    assert form_d["missing"] == [
        {
            "table": "retained",
            "position": None,
            "field": "",
            "text": "Form D, “Mines retained or transferred”: no row",
        }
    ]
    assert body["PER"]["completeness"] is None and body["PER"]["forms"] == []
    assert body["PER"]["required_forms"] == ["A", "B", "C", "D", "E", "F", "G", "H", "I"]


@pytest.mark.parametrize("year", ["1990", "3000"])
def test_api_states_rejects_a_bad_year(year):
    response = Client().get(f"/api/compliance/{year}/states")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_compliance_counts_obligations_of_the_year_shown():
    by_year = {row.year: row for row in compliance_by_year(2004, 2024, today=dt.date(2026, 1, 1))}
    assert by_year[2004].art4_parties > by_year[2024].art4_parties


def test_a_name_that_looks_like_a_formula_downloads_as_text():
    from minefree.core.audit import SYSTEM
    from minefree.registry.services import registry_record_save

    norway = Actor.objects.get(iso3="NOR")
    norway.name_en = "=cmd|' /C calc'!A0"
    registry_record_save(actor=SYSTEM, record=norway, fields=["name_en"])
    response = Client().get(reverse("reporting:compliance_states_csv"), {"year": "2024"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert next(r for r in rows if r["state_iso3"] == "NOR")["state_name_en"] == (
        "'=cmd|' /C calc'!A0"
    )


# --- the state table: region filter, pages, place on the page, query count -----------------


def _dashboard(**params: str) -> Any:
    response = Client().get(reverse("reporting:compliance"), params)
    assert response.status_code == 200
    return response


def _shown(response: Any) -> list[str]:
    """The states of the table's page, in order."""
    return [line.state.iso3 for line in response.context["state_page"]]


def test_region_filter_lists_only_the_states_of_that_region():
    _filled_report("NOR", 2024)
    _report("PER", 2024, ON_TIME)
    response = _dashboard(year="2024", region="Europe")
    lines = response.context["state_lines"]
    expected = parties_in_year(2024).filter(region="Europe")
    assert {line.state.iso3 for line in lines} == set(expected.values_list("iso3", flat=True))
    assert {line.state.region for line in lines} == {"Europe"}
    assert next(line for line in lines if line.state.iso3 == "NOR").status == "on_time"
    body = response.content.decode()
    assert '<option value="Europe" selected>' in body
    assert f"{len(lines)} States Parties in Europe in 2024" in body
    everyone = _dashboard(year="2024").context["state_lines"]
    assert len(lines) < len(everyone)
    assert "PER" in {line.state.iso3 for line in everyone}


def test_state_table_is_paginated_and_the_links_keep_the_filters():
    first = _dashboard(year="2024")
    parties = parties_in_year(2024).count()
    pages = -(-parties // STATES_PER_PAGE)
    assert pages > 1
    assert len(_shown(first)) == STATES_PER_PAGE
    assert f"{parties} states, page 1 of {pages}" in first.content.decode()
    second = _dashboard(year="2024", page="2")
    assert _shown(second) and not set(_shown(second)) & set(_shown(first))
    body = second.content.decode()
    assert f"{parties} states, page 2 of {pages}" in body
    last = dt.date.today().year - 1
    assert f'href="?from=1999&amp;to={last}&amp;year=2024&amp;page=1#states"' in body
    assert f'href="?from=1999&amp;to={last}&amp;year=2024&amp;page=3#states"' in body
    europe = _dashboard(year="2024", region="Europe", page="2").content.decode()
    assert "year=2024&amp;region=Europe&amp;page=1#states" in europe


def test_chart_comes_before_the_tables():
    body = _dashboard().content.decode()
    chart = body.index("<svg")
    assert chart < body.index("<table") < body.index('class="state-completeness"')


@pytest.mark.parametrize(
    ("page", "expected"), [("abc", 1), ("0", "last"), ("-1", "last"), ("99999", "last"), ("", 1)]
)
def test_a_bad_page_number_gives_a_page_of_the_table(page, expected):
    response = _dashboard(year="2024", page=page)
    shown = response.context["state_page"]
    assert shown.number == (shown.paginator.num_pages if expected == "last" else expected)
    assert _shown(response)


@pytest.mark.parametrize("region", ["Atlantis", "europe", "<script>", "Europe" * 50])
def test_an_unknown_region_gives_every_region_with_a_warning(region):
    response = _dashboard(year="2024", region=region)
    assert response.context["region"] == ""
    assert len(response.context["state_lines"]) == parties_in_year(2024).count()
    body = response.content.decode()
    assert "The region asked for was not known" in body
    assert "<script>" not in body.split("<main", 1)[-1].split("</main>")[0]


def test_region_and_page_are_part_of_the_cache_key_and_other_parameters_are_not(
    client: Client,
):
    url = reverse("reporting:compliance")
    assert client.get(f"{url}?region=Europe&page=2")["X-Page-Cache"] == "miss"
    assert client.get(f"{url}?page=2&region=Europe&r=1")["X-Page-Cache"] == "hit"
    assert client.get(f"{url}?region=Europe&page=1")["X-Page-Cache"] == "miss"
    assert client.get(f"{url}?region=Asia&page=2")["X-Page-Cache"] == "miss"


def _paged_queries() -> int:
    from django.core.cache import cache

    cache.clear()  # the rows added below bypass the services that move the cache key
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(
            reverse("reporting:compliance"), {"year": "2023", "region": "Europe", "page": "2"}
        )
    assert response.status_code == 200 and response["X-Page-Cache"] == "miss"
    return len(queries)


def test_paged_dashboard_queries_do_not_grow_with_states_and_reports():
    _filled_report("NOR", 2023)
    few = _paged_queries()
    for n in range(STATES_PER_PAGE + 5):
        state = Actor.objects.create(
            kind=ActorKind.STATE, slug=f"test-state-{n}", name_en=f"Zz Test {n}", region="Europe"
        )
        PartyPeriod.objects.create(
            actor=state, start_earliest=dt.date(2000, 1, 1), start_latest=dt.date(2000, 1, 1)
        )
    for iso3 in ("AUT", "BEL", "CHE", "DNK", "IRL", "NLD", "PER", "COL"):
        _filled_report(iso3, 2023)
    more = _paged_queries()
    assert more == few
