"""The allow/deny matrix of the API's writes: what each app declares, and how it is run.

Each app lists its write endpoints in ``<app>/tests/api_writes.py`` as ``WRITES``: the
operation (method and path as the OpenAPI document names it), the roles of the cast that
may take it, how to set up its target, and the request. ``test_write_matrix`` runs every
write for every role with a personal API token and checks that an allowed role's write
succeeds with an audit event naming the token, and that a denied one changes nothing in
the whole database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection
from django.test import Client

#: the cast's roles by what they may do (``accounts.tests.factories.CAST``)
STAFF = frozenset({"isu_staff", "administrator"})
PERU = STAFF | {"focal_point_peru", "delegate_peru"}
PERU_FOCAL = STAFF | {"focal_point_peru"}
JAPAN = STAFF | {"donor_japan"}
COMMITTEE = STAFF | {"committee_chair"}
SIGNED_IN = frozenset(
    {
        "no_role",
        "focal_point_peru",
        "delegate_peru",
        "focal_point_colombia",
        "donor_japan",
        "committee_chair",
        "isu_staff",
        "administrator",
    }
)


@dataclass
class Call:
    """One HTTP request: a JSON ``body``, or ``files`` and form ``data`` (multipart)."""

    method: str
    path: str
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    files: dict[str, Any] | None = None

    def send(self, client: Client, auth: dict[str, str]) -> Any:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in self.headers.items()}
        send = getattr(client, self.method.lower())
        if self.files is not None:
            return send(self.path, data=self.files, **auth, **extra)
        if self.body is None:
            return send(self.path, **auth, **extra)
        return send(
            self.path, data=json.dumps(self.body), content_type="application/json", **auth, **extra
        )


@dataclass
class ApiWrite:
    """A write endpoint in the matrix.

    ``setup`` makes what the write needs (from the cast: ``{role: user}``) and returns a
    context; ``call`` builds the request from it (read the ``ETag`` it must send as the
    write's author would, with ``etag``); ``changed`` tells, after an allowed call, that
    the data changed as the endpoint promises.
    """

    name: str
    operation: tuple[str, str]  # ("POST", "/api/cooperation/needs/{need_id}")
    allowed: frozenset[str]
    call: Callable[[dict[str, Any]], Call]
    changed: Callable[[dict[str, Any]], bool]
    setup: Callable[[dict[str, Any]], dict[str, Any]] = lambda cast: {}


def etag(path: str, user: Any) -> str:
    """The ``ETag`` of ``path`` as ``user`` reads it (staff when the caller may not read)."""
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.content[:200])
    return str(response["ETag"])


def database_state() -> str:
    """A fingerprint of every row of every table minefree and Django keep."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            pk = model._meta.pk.column if model._meta.pk else "1"
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY "{pk}"')
            digest.update(table.encode())
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
    return digest.hexdigest()
