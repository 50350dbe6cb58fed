"""The JSON API: one NinjaAPI object mounting each app's router.

Errors are mapped here, in one place, to JSON bodies with a stable ``code``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from minefree.accounts.api import router as accounts_router
from minefree.clearance import api_writes as clearance_writes  # noqa: F401 (see add_router)
from minefree.clearance.api import router as clearance_router
from minefree.cooperation import api_casework, api_funding  # noqa: F401 (see add_router)
from minefree.cooperation.api import router as cooperation_router
from minefree.core.schemas import ErrorOut
from minefree.core.uploads import StorageFull
from minefree.core.versions import VersionConflictError, VersionRequiredError
from minefree.core.workflow import AlreadyDone
from minefree.fund import api_report as fund_report  # noqa: F401 (see add_router)
from minefree.fund import api_writes as fund_writes  # noqa: F401 (see add_router)
from minefree.fund.api import router as fund_router
from minefree.indicators import api_writes as indicators_writes  # noqa: F401 (see add_router)
from minefree.indicators.api import router as indicators_router
from minefree.knowledge.api import router as knowledge_router
from minefree.registry.api import router as registry_router
from minefree.reporting.api import router as reporting_router
from minefree.reporting.drafting.api import router as drafting_router
from minefree.reporting.publication.compliance_api import router as compliance_router
from minefree.reporting.publication.opendata_api import router as opendata_router

#: the refusals any operation may answer, by what the operation takes: every call may
#: carry a bad token (401) or come too often (429); what takes parameters may find them
#: wrong (422), what has a record's address may find none (404), what takes a body may get
#: one that is not JSON (400), what needs a signed-in caller may refuse it (401, 403), and a
#: write may be refused to a read-only token (403); an address longer than the server reads
#: (4,094 bytes for gunicorn's request line) is refused by the server itself (414, no JSON)
COMMON_REFUSALS = {
    "all": {401: "Wrong, revoked or expired token", 429: "Too many calls (see Retry-After)"},
    "parameters": {
        414: "The address is too long for the server (the query string is too long)",
        422: "A parameter is out of range or wrong",
    },
    "path": {404: "No such record, or it is not shared with you"},
    "body": {400: "The body is not JSON", 422: "A value is wrong (see fields)"},
    "auth": {401: "Sign in or send a token", 403: "Not allowed to you"},
    "write": {403: "Not allowed to you, or the token may only read"},
}
WRITE_METHODS = {"post", "put", "patch", "delete"}
#: refusals the web server answers before minefree, in its own format
SERVER_REFUSALS = {414}


class MinefreeApi(NinjaAPI):
    """The API whose document lists every refusal an operation may answer (``ErrorOut``),
    not only those its endpoint names, so that clients and fuzzers can rely on it."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault(
            "ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for item in schema["paths"].values():
            for method, operation in item.items():
                parameters = operation.get("parameters", [])
                kinds = ["all"]
                kinds += ["parameters"] if parameters else []
                kinds += ["path"] if any(p["in"] == "path" for p in parameters) else []
                kinds += ["body"] if "requestBody" in operation else []
                kinds += ["auth"] if operation.get("security") else []
                kinds += ["write"] if method in WRITE_METHODS else []
                responses = operation.setdefault("responses", {})
                for kind in kinds:
                    for status, description in COMMON_REFUSALS[kind].items():
                        if status not in responses and str(status) not in responses:
                            responses[status] = {"description": description}
                            if status not in SERVER_REFUSALS:
                                responses[status]["content"] = error
        return schema


api = MinefreeApi(
    title="minefree API",
    version="1",
    description=(
        "Public data of the Anti-Personnel Mine Ban Convention's cooperation and assistance "
        "work. Dates carry their precision and source; unknown values are null."
    ),
    urls_namespace="api",
)
api.add_router("/", registry_router)
api.add_router("/accounts", accounts_router)
api.add_router("/", drafting_router)  # before /reports/{version_id}: /reports/drafts
api.add_router("/", reporting_router)
api.add_router("/", compliance_router)
api.add_router("/", opendata_router)
api.add_router("/knowledge", knowledge_router)
# with the endpoints of cooperation.api_casework and api_funding, which join its router:
# Django sends a path to one router's view, and their writes share paths with its reads
api.add_router("/", cooperation_router)
# with the writes of clearance.api_writes, which join its router (they share its paths)
api.add_router("/", clearance_router)
# with the writes of fund.api_writes and the report of fund.api_report, which join its router
api.add_router("/fund", fund_router)
# with the writes of indicators.api_writes, which join its router (they share its paths)
api.add_router("/indicators", indicators_router)


#: each refusal by its exception (the most specific one counts: ``AlreadyDone`` is also a
#: ``ValidationError``): the HTTP status, the stable code and the detail's text
REFUSALS: dict[type[Exception], tuple[int, str, Callable[[Any], str]]] = {
    PermissionDenied: (403, "forbidden", lambda exc: str(exc) or "Not allowed."),
    VersionConflictError: (412, "version_conflict", lambda exc: " ".join(exc.messages)),
    VersionRequiredError: (428, "version_required", str),
    AuthenticationError: (401, "unauthenticated", lambda exc: "Sign in first."),
    AlreadyDone: (409, "already_done", lambda exc: " ".join(exc.messages)),
    ValidationError: (422, "invalid", lambda exc: " ".join(exc.messages)),
    # an accepted upload the disk has no room for: nothing stored, to be tried again later
    StorageFull: (507, "storage_full", lambda exc: " ".join(exc.messages)),
    # a number beyond what the database holds (SQLite raises OverflowError, PostgreSQL a
    # DataError): whatever parameter carried it, it is out of range, not a fault
    OverflowError: (422, "invalid", lambda exc: "A number is out of range."),
    MultiPartParserError: (400, "bad_request", lambda exc: f"The form data is malformed: {exc}"),
    DataError: (422, "invalid", lambda exc: "A value is out of range."),
    Http404: (404, "not_found", lambda exc: str(exc) or "Not found."),
}


def _refusal(status: int, code: str, detail: Callable[[Any], str]) -> Callable[..., HttpResponse]:
    """A handler answering with the ``{"code", "detail"}`` body of every refusal."""

    def handler(request: HttpRequest, exc: Any) -> HttpResponse:
        body: dict[str, Any] = {"code": code, "detail": detail(exc)}
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            body["fields"] = exc.message_dict
        if isinstance(exc, VersionConflictError):
            body["version"] = exc.current
        response = api.create_response(request, body, status=status)
        if isinstance(exc, VersionConflictError):
            response["ETag"] = f'"{exc.current}"'
        return response

    return handler


for refused, (status, code, detail) in REFUSALS.items():
    api.add_exception_handler(refused, _refusal(status, code, detail))


#: the stable code of an HTTP error raised by ninja itself (e.g. a body that is not JSON)
HTTP_ERROR_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 429: "rate_limited"}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ninja's own refusals get the ``{"code", "detail"}`` body of every other refusal."""
    code = HTTP_ERROR_CODES.get(exc.status_code, "error")
    body = {"code": code, "detail": exc.message}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def malformed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """A parameter or body that does not fit the schema: the same shape as any refusal,
    each problem under the field it concerns (``fields``). A body's field is named as the
    body names it (``amount``), as a service's refusal names it too, not under the
    endpoint's parameter (``payload.amount``)."""
    problems = []
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        where = [str(p) for p in error.get("loc", ())]
        message = str(error.get("msg", ""))
        problems.append(f"{'.'.join(where)}: {message}")
        skip = 2 if where[0:1] == ["body"] and len(where) > 2 else 1
        name = ".".join(where[skip:]) if len(where) > 1 else ".".join(where) or "__all__"
        fields.setdefault(name, []).append(message)
    body = {"code": "invalid", "detail": "; ".join(problems), "fields": fields}
    return api.create_response(request, body | {"errors": exc.errors}, status=422)
