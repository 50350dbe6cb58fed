"""Every write endpoint × every role: allowed roles change data (audited), others change nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from minefree.accounts.models import Membership, Role
from minefree.accounts.tests.factories import CAST, make_cast, make_user
from minefree.clearance.tests import web_writes as clearance_web_writes
from minefree.core.models import AuditEvent
from minefree.fund.tests import web_writes as fund_web_writes
from minefree.indicators.tests import web_writes as indicators_web_writes
from minefree.knowledge.tests import web_writes as knowledge_web_writes
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db

STAFF = {"isu_staff", "administrator"}
PERU_FOCAL = STAFF | {"focal_point_peru"}


@dataclass
class Endpoint:
    name: str
    allowed: set[str]
    call: Callable[[Client, dict[str, Any]], Any]
    changed: Callable[[dict[str, Any]], bool]
    #: what the endpoint needs in the database first, added to the context (which holds
    #: the cast by name)
    setup: Callable[[dict[str, Any]], None] | None = None


def _api_post(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def _new_delegate(ctx: dict[str, Any]) -> bool:
    return Membership.objects.filter(user=ctx["colleague"], role=Role.STATE_DELEGATE).exists()


def _new_focal_point(ctx: dict[str, Any]) -> bool:
    return Membership.objects.filter(user=ctx["colleague"], role=Role.STATE_FOCAL_POINT).exists()


def _granted(ctx: dict[str, Any]) -> bool:
    return Membership.objects.filter(user=ctx["colleague"], role=Role.DONOR_FOCAL_POINT).exists()


def _ended(ctx: dict[str, Any]) -> bool:
    return Membership.objects.get(pk=ctx["target"].pk).ends_on is not None


def _renamed(ctx: dict[str, Any]) -> bool:
    return Actor.objects.get(iso3="PER").name_en == "Peru (corrected)"


def _admin_actor_change(client: Client, ctx: dict[str, Any]) -> Any:
    peru = Actor.objects.get(iso3="PER")
    data = {
        "kind": peru.kind,
        "iso3": "PER",
        "iso2": "PE",
        "slug": "per",
        "name_en": "Peru (corrected)",
        "name_fr": peru.name_fr,
        "name_es": peru.name_es,
        "region": peru.region,
        "subregion": peru.subregion,
        "parent": "",
        "origin": peru.origin,
        "source": peru.source_id or "",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
    }
    return client.post(f"/admin/registry/actor/{peru.pk}/change/", data)


ENDPOINTS = [
    Endpoint(
        "api delegate",
        PERU_FOCAL,
        lambda c, ctx: _api_post(
            c, "/api/accounts/delegations", {"state": "PER", "colleague": "colleague"}
        ),
        _new_delegate,
    ),
    Endpoint(
        "api hand-over",
        PERU_FOCAL,
        lambda c, ctx: _api_post(
            c, "/api/accounts/hand-overs", {"state": "PER", "successor": "colleague"}
        ),
        _new_focal_point,
    ),
    Endpoint(
        "api grant",
        STAFF,
        lambda c, ctx: _api_post(
            c,
            "/api/accounts/memberships",
            {"username": "colleague", "role": "donor_focal_point", "actor": "NOR"},
        ),
        _granted,
    ),
    Endpoint(
        "api end",
        STAFF,
        lambda c, ctx: _api_post(c, f"/api/accounts/memberships/{ctx['target'].pk}/end", {}),
        _ended,
    ),
    Endpoint(
        "web delegate",
        PERU_FOCAL,
        lambda c, ctx: c.post("/account/states/PER/delegate/", {"d-PER-colleague": "colleague"}),
        _new_delegate,
    ),
    Endpoint(
        "web hand-over",
        PERU_FOCAL,
        lambda c, ctx: c.post("/account/states/PER/hand-over/", {"h-PER-successor": "colleague"}),
        _new_focal_point,
    ),
    Endpoint("admin registry edit", STAFF, _admin_actor_change, _renamed),
    *(
        Endpoint(name, allowed, call, changed, setup)
        for name, allowed, setup, call, changed in clearance_web_writes.WEB_WRITES
    ),
    *(
        Endpoint(name, allowed, call, changed, setup)
        for name, allowed, setup, call, changed in knowledge_web_writes.WEB_WRITES
    ),
    *(
        Endpoint(name, allowed, call, changed, setup)
        for name, allowed, setup, call, changed in fund_web_writes.WEB_WRITES
    ),
    *(
        Endpoint(name, allowed, call, changed, setup)
        for name, allowed, setup, call, changed in indicators_web_writes.WEB_WRITES
    ),
]


@pytest.fixture
def cast(settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path  # files a form uploads
    users = make_cast()
    users["colleague"] = make_user("colleague")
    return users


@pytest.mark.parametrize("role", list(CAST))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_write_is_allowed_only_to_its_roles(endpoint: Endpoint, role: str, cast: dict[str, Any]):
    client = Client()
    if cast[role] is not None:
        client.force_login(cast[role])
    ctx = {
        **cast,
        "colleague": cast["colleague"],
        "target": Membership.objects.get(user=cast["delegate_peru"]),
    }
    if endpoint.setup is not None:
        endpoint.setup(ctx)
    memberships = list(Membership.objects.order_by("pk").values_list("pk", "ends_on", "role"))
    audits = AuditEvent.objects.count()
    response = endpoint.call(client, ctx)
    if role in endpoint.allowed:
        assert response.status_code in (200, 201, 302), response.content[:300]
        assert endpoint.changed(ctx)
        assert AuditEvent.objects.count() > audits
    else:
        assert response.status_code in (302, 401, 403, 404), response.status_code
        if response.status_code == 302:
            assert "/sign-in/" in response["Location"] or "/admin/login/" in response["Location"]
        assert not endpoint.changed(ctx)
        assert (
            list(Membership.objects.order_by("pk").values_list("pk", "ends_on", "role"))
            == memberships
        )
        assert AuditEvent.objects.count() == audits


def test_hand_over_keeps_history_and_moves_delegations(cast: dict[str, Any]):
    client = Client()
    client.force_login(cast["focal_point_peru"])
    delegate = Membership.objects.get(user=cast["delegate_peru"])
    response = _api_post(
        client, "/api/accounts/hand-overs", {"state": "PER", "successor": "colleague"}
    )
    assert response.status_code == 201
    old = Membership.objects.get(user=cast["focal_point_peru"], role=Role.STATE_FOCAL_POINT)
    new = Membership.objects.get(user=cast["colleague"], role=Role.STATE_FOCAL_POINT)
    assert old.ends_on is not None and new.succeeded == old
    delegate.refresh_from_db()
    assert delegate.delegated_by == new and delegate.ends_on is None
    actions = set(AuditEvent.objects.filter(state_code="PER").values_list("action", flat=True))
    assert {"focal_point.handed_over", "focal_point.taken_over"} <= actions


def test_bad_input_is_a_clear_error(cast: dict[str, Any]):
    client = Client()
    client.force_login(cast["focal_point_peru"])
    response = _api_post(
        client, "/api/accounts/delegations", {"state": "PER", "colleague": "nobody"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    response = _api_post(
        client, "/api/accounts/delegations", {"state": "XXX", "colleague": "colleague"}
    )
    assert response.status_code == 404
