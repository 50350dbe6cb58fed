"""Open data: published reports and form rows as CSV, JSON and API, with one set of filters."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minefree.accounts.tests.factories import make_cast
from minefree.core.models import Origin
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.models import Article7Report, FormRow, ReportVersion, VersionStatus
from minefree.reporting.publication import opendata_views
from minefree.reporting.publication.opendata import (
    REPORT_COLUMNS,
    TABLES,
    OpenDataFilters,
    row_columns,
)
from minefree.reporting.tests.factories import submit_explained

pytestmark = pytest.mark.django_db

PAGE = "reporting:open_data"


def _download(client: Client, dataset: str, fmt: str, params: Any = None) -> Any:
    response = client.get(
        reverse("reporting:open_data_download", args=[dataset, fmt]), params or {}
    )
    assert response.status_code == 200, response.content
    assert response.streaming
    raw = b"".join(response.streaming_content)
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without a byte order mark
    text = raw.decode("utf-8")
    if fmt == "csv":
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        return list(csv.DictReader(io.StringIO(text, newline="")))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(text)


def _api(client: Client, dataset: str, params: Any = None) -> list[dict[str, Any]]:
    response = client.get(f"/api/open-data/{dataset}", {**(params or {}), "limit": 200})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return body["items"]


def _publish(
    iso3: str,
    year: int,
    rows: list[tuple[str, str, dict[str, Any]]] = (),  # type: ignore[assignment]
    *,
    origin: str = Origin.REPORTED,
) -> ReportVersion:
    """A submitted report written straight to the database (test set-up)."""
    report = Article7Report.objects.create(
        state=Actor.objects.get(iso3=iso3),
        year=year,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        due_date=Article7Report.annual_due_date(year),
        origin=origin,
    )
    version = ReportVersion.objects.create(
        report=report,
        number=1,
        status=VersionStatus.SUBMITTED,
        submitted_at=dt.datetime(year + 1, 4, 1, 9, 0, tzinfo=dt.UTC),
    )
    FormRow.objects.bulk_create(
        FormRow(version=version, letter=letter, table=table, position=n, data=data)
        for n, (letter, table, data) in enumerate(rows, start=1)
    )
    return version


@pytest.fixture
def data() -> dict[str, Any]:
    """Peru 2023 amended (v1 superseded by v2), a Peru 2024 draft, a synthetic Colombia 2023."""
    cast = make_cast()
    peru = Actor.objects.get(iso3="PER")
    fp = cast["focal_point_peru"]
    draft = services.report_open(actor=fp, state=peru, year=2023)
    services.row_save(
        actor=fp,
        version=draft,
        letter="A",
        table="measures",
        values={"kind": "legislation", "title": "Ley 28824, con “comillas”, y comas"},
    )
    services.row_save(
        actor=fp,
        version=draft,
        letter="C",
        table="land_release",
        values={"region": "Cenepa", "method": "cleared", "area_m2": "1200"},
    )
    services.row_save(
        actor=fp,
        version=draft,
        letter="J",
        table="assistance",
        values={"direction": "received", "counterpart": "Norway", "amount": 5000},
    )
    v1 = submit_explained(fp, draft)
    amendment = services.amendment_open(actor=fp, report=v1.report, reason="area corrected")
    row = FormRow.objects.get(version=amendment, table="land_release")
    services.row_save(
        actor=fp,
        version=amendment,
        letter="C",
        table="land_release",
        row=row,
        values={"region": "Cenepa", "method": "cleared", "area_m2": "1500"},
    )
    v2 = submit_explained(fp, amendment)
    draft_2024 = services.report_open(actor=fp, state=peru, year=2024)
    services.row_save(
        actor=fp,
        version=draft_2024,
        letter="A",
        table="measures",
        values={"kind": "regulation", "title": "DRAFT ONLY"},
    )
    colombia = _publish(
        "COL",
        2023,
        [("C", "mined_areas", {"region": "Antioquia", "hazard_class": "SHA", "area_m2": 900})],
        origin=Origin.SYNTHETIC,
    )
    return {"cast": cast, "v1": v1, "v2": v2, "draft": draft_2024, "colombia": colombia}


def test_reports_csv_lists_the_latest_submitted_version_with_origin(data):
    lines = _download(Client(), "reports", "csv")
    assert list(lines[0].keys()) == REPORT_COLUMNS
    by_key = {(line["state_iso3"], line["year"]): line for line in lines}
    assert set(by_key) == {("COL", "2023"), ("PER", "2023")}  # no 2024 draft
    peru = by_key[("PER", "2023")]
    v2 = data["v2"]
    assert peru["version"] == "2"  # v1 is superseded
    assert peru["state_name_en"] == "Peru"
    assert peru["kind"] == "annual"
    assert peru["origin"] == "reported"
    assert peru["due_date"] == "2024-04-30"
    assert peru["submitted_at"] == v2.submitted_at.astimezone(dt.UTC).isoformat()
    assert peru["first_submitted_at"] == data["v1"].submitted_at.astimezone(dt.UTC).isoformat()
    assert peru["on_time"] == "false"  # submitted in the test run, long after 30 April 2024
    assert peru["url"] == "http://testserver" + reverse("reporting:version", args=[v2.pk])
    colombia = by_key[("COL", "2023")]
    assert colombia["origin"] == "synthetic" and colombia["on_time"] == "true"


def test_reports_json_is_an_array_with_the_same_content(data):
    csv_lines = _download(Client(), "reports", "csv")
    json_lines = _download(Client(), "reports", "json")
    assert isinstance(json_lines, list)
    assert [line["url"] for line in json_lines] == [line["url"] for line in csv_lines]
    peru = next(line for line in json_lines if line["state_iso3"] == "PER")
    assert peru["version"] == 2 and peru["year"] == 2023 and peru["on_time"] is False
    assert set(peru) == set(REPORT_COLUMNS)


def test_rows_csv_has_a_column_per_schema_field_and_the_amended_values(data):
    lines = _download(Client(), "rows", "csv")
    assert list(lines[0].keys()) == row_columns(OpenDataFilters())
    peru = [line for line in lines if line["state_iso3"] == "PER"]
    assert {line["version"] for line in peru} == {"2"}
    assert "DRAFT ONLY" not in json.dumps(lines)
    release = next(line for line in peru if line["table"] == "land_release")
    assert release["land_release.area_m2"] == "1500"  # the amended value, not 1200
    assert release["land_release.method"] == "cleared"
    assert release["form"] == "C" and release["measures.title"] == ""
    measure = next(line for line in peru if line["table"] == "measures")
    assert measure["measures.title"] == "Ley 28824, con “comillas”, y comas"
    assistance = next(line for line in peru if line["table"] == "assistance")
    assert assistance["assistance.counterpart"] == "Norway"
    assert (assistance["counterpart_iso3"], assistance["counterpart_slug"]) == (
        "NOR",
        Actor.objects.get(iso3="NOR").slug,
    )
    assert {line["origin"] for line in lines if line["state_iso3"] == "COL"} == {"synthetic"}
    stored = {
        (r.table, r.position): r.data
        for r in FormRow.objects.filter(version__in=[data["v2"], data["colombia"]])
    }
    assert len(lines) == len(stored)


def test_rows_json_nests_the_table_fields(data):
    lines = _download(Client(), "rows", "json")
    release = next(line for line in lines if line["table"] == "land_release")
    assert release["data"] == {
        f.name: {"region": "Cenepa", "method": "cleared", "area_m2": 1500}.get(f.name)
        for f in TABLES["land_release"][1].fields
    }
    assert release["origin"] == "reported" and release["version"] == 2


FILTERS: list[dict[str, Any]] = [
    {},
    {"state": "PER"},
    {"state": ["per", "COL"]},
    {"state": "PER,COL"},
    {"origin": "synthetic"},
    {"origin": "reported"},
    {"year_from": "2024"},
    {"year_from": "2023", "year_to": "2023"},
    {"form": "C"},
    {"table": "assistance"},
    {"form": "C", "table": "mined_areas", "state": "COL"},
]


@pytest.mark.parametrize("params", FILTERS)
def test_filters_give_the_same_lines_in_files_and_api(data, params):
    client = Client()
    for dataset, key in (
        ("reports", lambda line: (line["state_iso3"], str(line["year"]), str(line["version"]))),
        (
            "rows",
            lambda line: (line["state_iso3"], str(line["year"]), line["table"], line["position"]),
        ),
    ):
        from_csv = [key(line) for line in _download(client, dataset, "csv", params)]
        from_json = [key(line) for line in _download(client, dataset, "json", params)]
        from_api = [key(line) for line in _api(client, dataset, params)]
        assert [tuple(map(str, k)) for k in from_json] == [tuple(map(str, k)) for k in from_csv]
        assert [tuple(map(str, k)) for k in from_api] == [tuple(map(str, k)) for k in from_csv]
    page = client.get(reverse(PAGE), params)
    assert page.status_code == 200
    counts = {d["name"]: d["count"] for d in page.context["datasets"]}
    assert counts == {
        "reports": len(_api(client, "reports", params)),
        "rows": len(_api(client, "rows", params)),
    }


def test_filters_select_what_they_say(data):
    client = Client()
    assert {line["state_iso3"] for line in _api(client, "reports", {"state": "PER"})} == {"PER"}
    assert {line["state_iso3"] for line in _api(client, "reports", {"origin": "synthetic"})} == {
        "COL"
    }
    assert _api(client, "reports", {"year_from": "2024"}) == []  # the 2024 report is a draft
    assert {line["form"] for line in _api(client, "rows", {"form": "C"})} == {"C"}
    assert {line["table"] for line in _api(client, "rows", {"table": "assistance"})} == {
        "assistance"
    }
    columns = _download(client, "rows", "csv", {"table": "land_release"})[0].keys()
    assert [c for c in columns if "." in c] == [
        f"land_release.{f.name}" for f in TABLES["land_release"][1].fields
    ]


def test_drafts_never_appear_even_for_their_authors(data):
    client = Client()
    client.force_login(data["cast"]["focal_point_peru"])
    for fmt in ("csv", "json"):
        assert "DRAFT ONLY" not in json.dumps(_download(client, "rows", fmt))
    staff = Client()
    staff.force_login(data["cast"]["isu_staff"])
    versions = {(line["state_iso3"], line["year"]) for line in _api(staff, "reports")}
    assert ("PER", 2024) not in versions


def test_api_pages_through_the_lines(data):
    client = Client()
    everything = _api(client, "rows")
    first = client.get("/api/open-data/rows", {"limit": 2}).json()
    second = client.get("/api/open-data/rows", {"limit": 2, "offset": 2}).json()
    assert first["count"] == second["count"] == len(everything)
    assert first["items"] + second["items"] == everything[:4]
    assert client.get("/api/open-data/rows", {"limit": 0}).status_code == 422


def test_page_is_public_and_links_every_download(data):
    response = Client().get(reverse(PAGE), {"state": "PER"})
    assert response.status_code == 200
    body = response.content.decode()
    for dataset in ("reports", "rows"):
        for fmt in ("csv", "json"):
            url = reverse("reporting:open_data_download", args=[dataset, fmt]) + "?state=PER"
            assert url in body
    assert "/api/open-data/rows?state=PER" in body
    assert "synthetic" in body


def test_reporting_home_and_compliance_dashboard_link_the_page(data):
    url = reverse(PAGE)
    assert url in Client().get(reverse("reporting:home")).content.decode()
    assert url in Client().get(reverse("reporting:compliance")).content.decode()


BAD = [
    ({"year_from": "2020", "year_to": "2010"}, "year_to", "before the first year"),
    ({"state": "XXX"}, "state", "Unknown state code: XXX"),
    ({"year_from": "abc"}, "year_from", "whole number"),
    ({"year_to": "3000"}, "year_to", "up to this year"),
    ({"form": "Z"}, "form", "Z"),
    ({"form": "A", "table": "land_release"}, "table", "belongs to Form C"),
    ({"origin": "invented"}, "origin", "invented"),
]


@pytest.mark.parametrize(("params", "name", "words"), BAD)
def test_bad_filters_are_refused_clearly_everywhere(data, params, name, words):
    client = Client()
    page = client.get(reverse(PAGE), params)
    assert page.status_code == 400
    assert name in page.context["form"].errors
    body = page.content.decode()
    assert 'role="alert"' in body and "The filters are not valid" in body
    assert words in " ".join(page.context["form"].errors[name])
    assert page.context["datasets"] == []
    download = client.get(reverse("reporting:open_data_download", args=["rows", "csv"]), params)
    assert download.status_code == 400
    assert f"{name}: " in download.content.decode() and words in download.content.decode()
    for dataset in ("reports", "rows"):
        api = client.get(f"/api/open-data/{dataset}", params)
        assert api.status_code == 422
        assert api.json()["code"] == "invalid"
        assert f"{name}: " in api.json()["detail"] and words in api.json()["detail"]


def test_unknown_dataset_or_format_is_404():
    client = Client()
    assert (
        client.get(reverse("reporting:open_data_download", args=["rows", "xml"])).status_code == 404
    )
    assert client.get(reverse("reporting:open_data_download", args=["x", "csv"])).status_code == 404


SLOTS = [
    (iso3, year)
    for year in range(2005, 2025)
    for iso3 in ("NOR", "CHE", "AUT", "BEL", "CAN", "DNK", "FIN", "IRL", "NLD", "NZL")
]


def _grow(start: int, stop: int) -> None:
    """Published reports in slots ``start`` to ``stop``, half of them synthetic."""
    for n, (iso3, year) in enumerate(SLOTS[start:stop], start=start):
        _publish(
            iso3,
            year,
            [
                ("A", "measures", {"kind": "legislation", "title": f"Act {year}"}),
                ("J", "assistance", {"direction": "provided", "counterpart": "Peru"}),
            ],
            origin=Origin.SYNTHETIC if n % 2 else Origin.REPORTED,
        )


def _queries(call: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx)


def _all_queries() -> dict[str, int]:
    cache.clear()  # the page is cached; _publish writes rows directly, not through services
    client = Client()
    found = {}
    for dataset in ("reports", "rows"):
        for fmt in ("csv", "json"):
            found[f"{dataset}.{fmt}"] = _queries(lambda d=dataset, f=fmt: _download(client, d, f))
        found[f"api {dataset}"] = _queries(lambda d=dataset: _api(client, d))
    found["page"] = _queries(lambda: client.get(reverse(PAGE), {"origin": "reported"}))
    return found


def test_queries_do_not_grow_with_reports():
    _grow(0, 2)
    few = _all_queries()
    _grow(2, 20)
    assert ReportVersion.objects.filter(status="submitted").count() >= 20
    assert _all_queries() == few
    assert few["reports.csv"] == few["rows.csv"] == 2  # the state codes, then one streamed read
    assert few["api rows"] == few["api reports"] == 3  # codes, the page of lines, the count
    assert few["page"] == 4  # the cache counters (a miss), codes and two counts


def test_big_downloads_stream_in_chunks(monkeypatch):
    monkeypatch.setattr(opendata_views, "LINES_PER_CHUNK", 10)
    _grow(0, 20)
    response = Client().get(reverse("reporting:open_data_download", args=["rows", "csv"]))
    chunks = list(response.streaming_content)
    assert len(chunks) == 5  # header and 40 rows, ten lines a chunk
    lines = list(csv.reader(io.StringIO(b"".join(chunks).decode(), newline="")))
    assert len(lines) == 41
    assert b"".join(chunks).count(b"\r\n") == 41  # RFC 4180 line ends


def test_formula_text_in_a_report_is_exported_as_text(client: Client):
    _publish("NOR", 2024, [("A", "measures", {"kind": "legislation", "title": "=1+1"})])
    (line,) = _download(client, "rows", "csv")
    assert line["measures.title"] == "'=1+1"
    assert _api(client, "rows")[0]["data"]["title"] == "=1+1"  # JSON keeps it as it is
