"""Bad input gets a clear answer, never a 500; API errors are JSON with a documented code."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from minefree.accounts.services import api_token_create
from minefree.accounts.tests.factories import CAST, make_cast
from minefree.core.middleware import ERROR_CODES

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/states",
    "/api/reports",
    "/api/open-data/reports",
    "/api/open-data/rows",
    "/api/cooperation/needs",
    "/api/cooperation/offers",
    "/api/cooperation/flows",
]


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


def _client(cast: dict[str, Any], who: str) -> Client:
    client = Client()
    if cast[who] is not None:
        client.force_login(cast[who])
    return client


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    "query", ["offset=9223372036854775808", "offset=1000000001", "offset=-1", "limit=0", "limit=x"]
)
def test_list_parameters_out_of_range_are_a_422_with_a_code(client: Client, url: str, query: str):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 422, response.content[:200]
    body = response.json()
    assert body["code"] == "invalid"
    assert ("offset" in body["detail"]) or ("limit" in body["detail"])


@pytest.mark.parametrize("url", LISTS)
def test_the_largest_offset_allowed_is_an_empty_page(client: Client, url: str):
    response = client.get(f"{url}?offset=1000000000")
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/api/nothing-here", 404),
        ("delete", "/api/states", 405),
        ("put", "/api/meetings", 405),
    ],
)
def test_errors_around_the_api_are_json_too(client: Client, method: str, url: str, status: int):
    response = getattr(client, method)(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == ERROR_CODES[status]


def test_a_forged_host_on_the_api_is_a_json_400(client: Client):
    response = client.get("/api/states", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize("year", ["²", "٢٠٢٤", "1_000", "99999999999999999999999", "-1", "x"])
def test_published_totals_take_any_year_text(client: Client, year: str):
    assert client.get("/cooperation/flows/published-totals/", {"year": year}).status_code == 200


@pytest.mark.parametrize("who", list(CAST))
@pytest.mark.parametrize("state", ["COL", "1e3", "99999999999999999999", ""])
def test_the_import_form_with_a_state_code_is_refused_not_a_crash(
    cast: dict[str, Any], who: str, state: str
):
    response = _client(cast, who).post("/reports/import/", {"state": state})
    assert response.status_code in (302, 403), (who, state, response.status_code)


@pytest.mark.parametrize("offer", ["abc", "", "1.5", "99999999999999999999"])
def test_confirming_with_an_offer_that_is_not_an_id_is_a_404(cast: dict[str, Any], offer: str):
    from minefree.assistance.models import Need
    from minefree.assistance.services import need_save
    from minefree.cooperation.tests.test_needs_offers import NEED
    from minefree.core.audit import SYSTEM
    from minefree.registry.models import Actor

    need: Need = need_save(actor=SYSTEM, state=Actor.objects.get(iso3="PER"), data=NEED)
    response = _client(cast, "committee_chair").post(
        f"/cooperation/needs/{need.pk}/confirm/", {"offer": offer}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("pair", ["from=x&to=1", "from=99999999999999999999&to=1", ""])
def test_comparing_with_bad_version_ids_is_a_404(client: Client, pair: str):
    assert client.get(f"/reports/compare/?{pair}").status_code == 404


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_400_with_its_code():
    from minefree.accounts import services
    from minefree.accounts.tests.factories import make_cast

    user = make_cast()["focal_point_peru"]
    _token, secret = services.api_token_create(
        actor=user, user=user, name="broken client", expires_in_days=1
    )
    response = Client().post(
        "/api/cooperation/needs",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "url",
    [
        f"/api/cooperation/needs/{HUGE}",
        f"/api/cooperation/offers/{HUGE}",
        f"/api/cooperation/cases/{HUGE}",
        f"/api/reports/{HUGE}",
        f"/api/states?deadline_year={HUGE}",
        "/api/states?deadline_year=-56127650077040512",
        f"/api/reports?year={HUGE}",
    ],
)
def test_numbers_beyond_the_database_are_refused_not_a_crash(client: Client, url: str):
    response = client.get(url)
    assert response.status_code in (404, 422), response.content[:200]
    assert response.json()["code"] in ("not_found", "invalid")


def test_an_unknown_counterpart_filter_is_a_422_naming_the_field(client: Client):
    response = client.get("/api/cooperation/bilateral-meetings?counterpart=XXX")
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["counterpart"]


def test_a_body_that_does_not_fit_names_each_field_as_the_body_does(client: Client):
    cast = make_cast()
    client.force_login(cast["isu_staff"])
    body = {"state": "PER", "pillar": "survey_clearance", "title": "Dogs", "year_from": "soon"}
    response = client.post("/api/cooperation/needs", body, content_type="application/json")
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert {"year_from", "year_to", "assistance_type"} <= set(fields), fields


@pytest.mark.parametrize("who", ["anonymous", "focal_point_peru"])
@pytest.mark.parametrize(
    "url", ["/api/reports/imports", "/api/reports/1/forms/A/attachments", "/api/cooperation/needs"]
)
def test_a_multipart_body_without_its_boundary_is_a_400(cast: dict[str, Any], who: str, url: str):
    auth = {}
    if cast[who] is not None:
        _token, secret = api_token_create(
            actor=cast[who], user=cast[who], name="fuzz", expires_in_days=1
        )
        auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    response = Client().generic("POST", url, b"x", content_type="multipart/form-data", **auth)
    assert response.status_code in (400, 401, 403), response.content[:300]
    assert response.json()["code"] in ("bad_request", "unauthenticated", "forbidden")
    if response.status_code == 400:  # said by the API's own refusal, not a generic page
        assert "malformed" in response.json()["detail"] or "parse" in response.json()["detail"]
