"""Every write endpoint × every role, with personal API tokens: allowed roles change the
data and the audit log names their token; every other role changes nothing at all."""

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
from minefree.api.tests.writes import ApiWrite, database_state
from minefree.core.models import AuditEvent

pytestmark = pytest.mark.django_db

#: the apps whose tests declare their API writes (``<app>/tests/api_writes.py``)
APPS = ["accounts", "clearance", "cooperation", "knowledge", "reporting"]
WRITES: list[ApiWrite] = [
    w for app in APPS for w in importlib.import_module(f"minefree.{app}.tests.api_writes").WRITES
]
WRITE_METHODS = {"post", "put", "patch", "delete"}


def test_every_write_operation_of_the_api_is_in_the_matrix():
    schema = api.get_openapi_schema()
    operations = {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in WRITE_METHODS
    }
    assert operations == {w.operation for w in WRITES}


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
