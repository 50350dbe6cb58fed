"""How often a client may call the API: per token, or per address for everyone else.

Counting uses django-ratelimit's fixed windows in the default cache (``RATELIMIT_USE_CACHE``).
With a per-process cache each app server counts on its own; a shared cache makes the limit
global. Past the limit the API answers 429 with ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage


def _client(_group: str, request: HttpRequest) -> str:
    token = getattr(request, "api_token", None)
    if token is not None:
        return f"token:{token.prefix}"
    return f"address:{request.META.get('REMOTE_ADDR', '')}"


def _rate(_group: str, request: HttpRequest) -> str:
    if getattr(request, "api_token", None) is not None:
        return str(settings.MINEFREE_API_RATE_TOKEN)
    return str(settings.MINEFREE_API_RATE_ANONYMOUS)


def too_many(usage: dict[str, Any], detail: str) -> JsonResponse:
    """The 429 answer, saying when to try again."""
    wait = max(int(usage["time_left"]), 1)
    response = JsonResponse({"code": "rate_limited", "detail": detail})
    response.status_code = 429
    response["Retry-After"] = str(wait)
    return response


class ApiRateLimitMiddleware:
    """Count every ``/api/`` call of a token or an address (after the token is read)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        usage = get_usage(request, group="api", key=_client, rate=_rate, increment=True)
        if usage is not None and usage["should_limit"]:
            detail = _("Too many requests: at most %(limit)s in this period. Try again in %(s)s s.")
            return too_many(usage, detail % {"limit": usage["limit"], "s": usage["time_left"]})
        return self.get_response(request)
