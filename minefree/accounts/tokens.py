"""Personal API tokens on the wire: ``Authorization: Bearer mf_<prefix>_<secret>``.

The middleware reads the header on ``/api/`` requests. A valid token makes its user the
request's user (with the memberships they hold at that moment) and exempts the request
from CSRF, since no browser cookie is involved; its name goes into every audit event the
request writes. A wrong, expired or revoked token, or a read-only token on a write, is
refused here with a stable code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, django_auth

from minefree.accounts.models import ApiToken
from minefree.core.audit import api_token_var

SCHEME = "Bearer "
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def new_secret() -> tuple[str, str, str]:
    """A new token: (the whole token to show once, its prefix, the digest to store)."""
    prefix = secrets.token_hex(6)
    token = f"mf_{prefix}_{secrets.token_urlsafe(32)}"
    return token, prefix, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenRefusedError(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


def token_for(header: str) -> ApiToken:
    """The live token the header names; ``TokenRefusedError`` says why not."""
    raw = header[len(SCHEME) :].strip()
    parts = raw.split("_")
    token = None
    if len(parts) >= 3 and parts[0] == "mf":
        token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, digest(raw)):
        raise TokenRefusedError(401, "token_invalid", _("This API token is not valid."))
    if token.revoked_at is not None:
        raise TokenRefusedError(401, "token_revoked", _("This API token was revoked."))
    if token.expires_at <= timezone.now():
        raise TokenRefusedError(401, "token_expired", _("This API token has expired."))
    if not token.user.is_active:
        raise TokenRefusedError(401, "token_invalid", _("This API token is not valid."))
    return token


class ApiTokenMiddleware:
    """Authenticate ``/api/`` requests that carry a bearer token (after the session)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if not (request.path.startswith("/api/") and header.startswith(SCHEME)):
            return self.get_response(request)
        try:
            token = token_for(header)
            if token.read_only and request.method not in SAFE_METHODS:
                raise TokenRefusedError(403, "token_read_only", _("This API token may only read."))
        except TokenRefusedError as refused:
            response = JsonResponse({"code": refused.code, "detail": refused.detail})
            response.status_code = refused.status
            if refused.status == 401:
                response["WWW-Authenticate"] = 'Bearer realm="minefree"'
            return response
        from minefree.accounts.services import api_token_used

        request.user = token.user
        request.api_token = token  # type: ignore[attr-defined]
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        mark = api_token_var.set(token.name)
        try:
            api_token_used(actor=token.user, token=token)
            return self.get_response(request)
        finally:
            api_token_var.reset(mark)


class ApiTokenAuth(HttpBearer):
    """Ninja auth, documented as the ``bearer`` scheme: the token's user when the
    middleware above accepted the request's token (it has refused any other already)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return request.user if getattr(request, "api_token", None) is not None else None


token_user = ApiTokenAuth()
#: every write endpoint: a personal API token, or a signed-in session (with its CSRF token)
WRITE_AUTH = [token_user, django_auth]
