"""Every upload endpoint, web and API, ready to receive a file: what it needs first (the
set-ups of the write matrices, reused), who may upload, and the request as a browser or
a script sends it. The multipart body is built here, byte by byte, so that a file name can
hold what no browser would send (a NUL, bytes that are not UTF-8)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.utils import timezone

from minefree.accounts import services as accounts
from minefree.accounts.models import ApiToken
from minefree.clearance.tests import api_writes as clearance_api
from minefree.clearance.tests import web_writes as clearance_web
from minefree.fund.tests import api_writes as fund_api
from minefree.registry.models import Actor
from minefree.reporting.tests import api_writes as reporting_api

BOUNDARY = b"----minefreeFuzzBoundaryQ2x9"


@dataclass(frozen=True)
class UploadEndpoint:
    """``fields`` and ``url`` take the context the set-up made (with the cast by role)."""

    name: str
    role: str
    url: Callable[[dict[str, Any]], str]
    fields: Callable[[dict[str, Any]], dict[str, str]] = lambda ctx: {}
    setup: Callable[[dict[str, Any]], dict[str, Any]] = lambda cast: {}
    file_field: str = "file"
    #: what the endpoint stores the file as: "file" (on disk) or "batch" (in the database)
    stores: str = "file"
    #: the statuses its refusals come with (a page's form is redirected to, or shown again)
    refusals: frozenset[int] = field(default_factory=lambda: frozenset({422}))

    @property
    def api(self) -> bool:
        return self.url({"pk": 1, "application": _Pk(), "draft": _Pk()}).startswith("/api/")


class _Pk:
    pk = 1


def _peru_pk(ctx: dict[str, Any]) -> str:
    return str(Actor.objects.get(iso3="PER").pk)


def _clearance_draft(cast: dict[str, Any]) -> dict[str, Any]:
    ctx = dict(cast)
    clearance_web.a_draft(ctx)
    return ctx


PAGE = frozenset({302})  # refused with a message on the page it goes back to
ENDPOINTS = [
    UploadEndpoint(
        "web attachment",
        "focal_point_peru",
        lambda ctx: f"/reports/v/{ctx['pk']}/forms/A/attachments/",
        lambda ctx: {"description": "Hostile"},
        reporting_api._draft,
        refusals=PAGE,
    ),
    UploadEndpoint(
        "web report import",
        "focal_point_peru",
        lambda ctx: "/reports/import/",
        lambda ctx: {"state": _peru_pk(ctx)},
        reporting_api._workbook,
        refusals=PAGE,
    ),
    UploadEndpoint(
        "web bulk import",
        "isu_staff",
        lambda ctx: "/reports/import/batches/",
        lambda ctx: {"mode": "drafts", "received_on": ""},
        file_field="files",
        stores="batch",
        refusals=frozenset({302, 400}),
    ),
    UploadEndpoint(
        "web request document",
        "focal_point_peru",
        lambda ctx: f"/clearance/v/{ctx['draft'].pk}/document/",
        setup=_clearance_draft,
        refusals=frozenset({422, 302}),
    ),
    UploadEndpoint(
        "web request import",
        "focal_point_peru",
        lambda ctx: "/clearance/template/import/",
        lambda ctx: {"state": "PER"},
        clearance_api._workbook,
        refusals=PAGE,
    ),
    UploadEndpoint(
        "web knowledge document",
        "isu_staff",
        lambda ctx: "/knowledge/documents/add/",
        lambda ctx: {
            "title": "Hostile",
            "kind": "guidance",
            "language": "en",
            "visibility": "public",
        },
        refusals=frozenset({200, 422}),
    ),
    UploadEndpoint(
        "web fund letter",
        "focal_point_peru",
        lambda ctx: f"/fund/applications/{ctx['application'].pk}/letters/",
        lambda ctx: {"title": "Hostile"},
        fund_api._letter,
        refusals=frozenset({200, 422}),
    ),
    UploadEndpoint(
        "api attachment",
        "focal_point_peru",
        lambda ctx: f"/api/reports/{ctx['pk']}/forms/A/attachments",
        lambda ctx: {"description": "Hostile"},
        reporting_api._draft,
    ),
    UploadEndpoint(
        "api report import",
        "focal_point_peru",
        lambda ctx: "/api/reports/imports",
        lambda ctx: {"state": "PER"},
        reporting_api._workbook,
    ),
    UploadEndpoint(
        "api request import",
        "focal_point_peru",
        lambda ctx: "/api/extension-requests/imports",
        lambda ctx: {"state": "PER"},
        clearance_api._workbook,
    ),
    UploadEndpoint(
        "api knowledge document",
        "isu_staff",
        lambda ctx: "/api/knowledge/documents",
        lambda ctx: {"title": "Hostile", "kind": "guidance", "language": "en"},
    ),
    UploadEndpoint(
        "api fund letter",
        "focal_point_peru",
        lambda ctx: f"/api/fund/applications/{ctx['application'].pk}/letters",
        lambda ctx: {"title": "Hostile"},
        fund_api._letter,
    ),
]


def multipart(
    fields: dict[str, str],
    file_field: str,
    filename: bytes,
    data: bytes,
    boundary: bytes = BOUNDARY,
) -> bytes:
    """A multipart/form-data body with ``filename`` sent as raw bytes."""
    out = b"".join(
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (boundary, name.encode(), value.encode())
        for name, value in fields.items()
    )
    out += (
        b'--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
        % (boundary, file_field.encode(), filename)
    )
    return out + data + b"\r\n--%s--\r\n" % boundary


def client_for(endpoint: UploadEndpoint, user: Any) -> tuple[Client, dict[str, str]]:
    """A signed-in browser, or a script with a read-write token already used once (so the
    call writes nothing about the token)."""
    client = Client()
    if not endpoint.api:
        client.force_login(user)
        return client, {}
    _token, secret = accounts.api_token_create(
        actor=user, user=user, name="fuzz", expires_in_days=1
    )
    ApiToken.objects.filter(user=user).update(last_used_at=timezone.now())
    return client, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post(
    endpoint: UploadEndpoint,
    client: Client,
    auth: dict[str, str],
    ctx: dict[str, Any],
    filename: bytes,
    data: bytes,
) -> Any:
    """The upload of ``data`` as ``filename`` (``client_for`` the endpoint's role)."""
    body = multipart(endpoint.fields(ctx), endpoint.file_field, filename, data)
    return client.post(
        endpoint.url(ctx),
        data=body,
        content_type=f"multipart/form-data; boundary={BOUNDARY.decode()}",
        **auth,
    )
