"""The reports API: submitted versions public, drafts only for their state; bounded queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minefree.accounts.models import Role
from minefree.accounts.tests.factories import make_user
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.tests.factories import submit_explained

pytestmark = pytest.mark.django_db


@pytest.fixture
def focal_point():
    return make_user("fp_nor", Role.STATE_FOCAL_POINT, scope="NOR")


def _submitted(user, year):
    draft = services.report_open(actor=user, state=Actor.objects.get(iso3="NOR"), year=year)
    services.row_save(
        actor=user,
        version=draft,
        letter="J",
        table="assistance",
        values={"direction": "provided", "counterpart": "Colombia", "amount": 1000},
    )
    return submit_explained(user, draft)


def test_drafts_are_private_submitted_versions_public(client: Client, focal_point):
    submitted = _submitted(focal_point, 2024)
    draft = services.report_open(actor=focal_point, state=Actor.objects.get(iso3="NOR"), year=2025)
    public = client.get("/api/reports?state=NOR").json()
    assert [i["id"] for i in public["items"]] == [submitted.pk]
    assert client.get(f"/api/reports/{draft.pk}").status_code == 404
    detail = client.get(f"/api/reports/{submitted.pk}").json()
    form_j = next(f for f in detail["forms"] if f["letter"] == "J")
    assert form_j["rows"][0]["counterpart"] == "COL"
    client.force_login(focal_point)
    assert client.get(f"/api/reports/{draft.pk}").status_code == 200
    assert {i["id"] for i in client.get("/api/reports?state=NOR").json()["items"]} == {
        submitted.pk,
        draft.pk,
    }


def test_list_queries_do_not_grow_with_rows(client: Client, focal_point):
    _submitted(focal_point, 2022)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/reports")
    for year in (2023, 2024, 2025):
        _submitted(focal_point, year)
    with CaptureQueriesContext(connection) as more:
        assert len(client.get("/api/reports").json()["items"]) >= 4
    assert len(more) == len(few)
