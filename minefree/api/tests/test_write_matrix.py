"""Every write endpoint × every role, with personal API tokens: allowed roles change the
data and the audit log names their token; every other role changes nothing at all.

An operation that takes a body but stores nothing (``POST /api/knowledge/classify``) says
so in the OpenAPI document (``x-stores-nothing``); it is not a write, and every role's call
is checked to change nothing instead."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from minefree.accounts import services as accounts
from minefree.accounts.models import ApiToken
from minefree.accounts.tests.factories import CAST, make_cast
from minefree.api.api import api
from minefree.api.tests.writes import ApiWrite, Call, database_state
from minefree.core.models import AuditEvent

pytestmark = pytest.mark.django_db

#: the apps whose tests declare their API writes (``<app>/tests/api_writes.py``)
APPS = ["accounts", "clearance", "cooperation", "fund", "indicators", "knowledge", "reporting"]
MODULES = [importlib.import_module(f"minefree.{app}.tests.api_writes") for app in APPS]
WRITES: list[ApiWrite] = [w for module in MODULES for w in module.WRITES]
#: the calls of operations that take a body but store nothing (``STORES_NOTHING``)
READS: list[Call] = [c for module in MODULES for c in getattr(module, "STORES_NOTHING", [])]
WRITE_METHODS = {"post", "put", "patch", "delete"}


def _operations(*, stores_nothing: bool) -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in WRITE_METHODS and bool(operation.get("x-stores-nothing")) is stores_nothing
    }


def test_every_write_operation_of_the_api_is_in_the_matrix():
    assert _operations(stores_nothing=False) == {w.operation for w in WRITES}


def test_every_operation_said_to_store_nothing_is_called_below():
    assert _operations(stores_nothing=True) == {(c.method, c.path) for c in READS}


@pytest.mark.parametrize("role", list(CAST))
@pytest.mark.parametrize("call", READS, ids=lambda c: f"{c.method} {c.path}")
def test_an_operation_said_to_store_nothing_changes_nothing_for_anyone(call: Call, role: str):
    cast = make_cast()
    auth = _auth(cast[role])
    events = AuditEvent.objects.count()
    before = database_state()
    response = call.send(Client(), auth)
    assert response.status_code == 200, response.content[:400]
    assert database_state() == before and AuditEvent.objects.count() == events


def _auth(user: Any) -> dict[str, str]:
    """A read-write token of ``user``, already used (so the call under test writes nothing
    about the token itself)."""
    if user is None:
        return {}
    token, secret = accounts.api_token_create(
        actor=user, user=user, name="matrix", expires_in_days=1
    )
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.parametrize("role", list(CAST))
@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
def test_write_is_allowed_only_to_its_roles(write: ApiWrite, role: str):
    cast = make_cast()
    ctx = write.setup(cast)
    auth = _auth(cast[role])
    call = write.call(ctx)
    events = set(AuditEvent.objects.values_list("pk", flat=True))
    before = database_state()
    response = call.send(Client(), auth)
    if role in write.allowed:
        assert response.status_code in (200, 201, 204), response.content[:400]
        assert write.changed(ctx) and database_state() != before
        new = AuditEvent.objects.exclude(pk__in=events)
        assert new.exists() and set(new.values_list("api_token", flat=True)) == {"matrix"}
    else:
        assert response.status_code in (401, 403, 404), (response.status_code, response.content)
        assert response.json()["code"] in {"unauthenticated", "forbidden", "not_found"}
        assert database_state() == before
