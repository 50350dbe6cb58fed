"""The JSON API: one NinjaAPI object mounting each app's router.

Errors are mapped here, in one place, to JSON bodies with a stable ``code``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from minefree.accounts.api import router as accounts_router
from minefree.cooperation.api import router as cooperation_router
from minefree.core.workflow import AlreadyDone
from minefree.registry.api import router as registry_router
from minefree.reporting.api import router as reporting_router
from minefree.reporting.publication.compliance_api import router as compliance_router
from minefree.reporting.publication.opendata_api import router as opendata_router

api = NinjaAPI(
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
api.add_router("/", reporting_router)
api.add_router("/", compliance_router)
api.add_router("/", opendata_router)
api.add_router("/", cooperation_router)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"code": "forbidden", "detail": str(exc)}, status=403)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"code": "unauthenticated", "detail": "Sign in first."}, status=401
    )


@api.exception_handler(AlreadyDone)
def already_done(request: HttpRequest, exc: AlreadyDone) -> HttpResponse:
    return api.create_response(
        request, {"code": "already_done", "detail": " ".join(exc.messages)}, status=409
    )


@api.exception_handler(NinjaValidationError)
def malformed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """A parameter or body that does not fit the schema: the same shape as any refusal."""
    problems = [
        f"{'.'.join(str(p) for p in error.get('loc', ()))}: {error.get('msg', '')}"
        for error in exc.errors
    ]
    return api.create_response(
        request,
        {"code": "invalid", "detail": "; ".join(problems), "errors": exc.errors},
        status=422,
    )


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request, {"code": "invalid", "detail": " ".join(exc.messages)}, status=422
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request, {"code": "not_found", "detail": str(exc) or "Not found."}, status=404
    )
