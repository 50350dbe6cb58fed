"""Request ids that audit events carry and responses echo; JSON errors for the API; the
client's address behind a proxy."""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from minefree.core.audit import new_request_id, request_id_var


class ClientAddressMiddleware:
    """Behind nginx every request comes from 127.0.0.1; take the client's address from the
    ``X-Real-IP`` header nginx sets, so rate limits count per client, not for all at once.

    Only with ``MINEFREE_BEHIND_PROXY=1``, where the app servers listen on loopback and
    nothing but the proxy can reach them (a client's own ``X-Real-IP`` is overwritten).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.enabled = getattr(settings, "MINEFREE_BEHIND_PROXY", False)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.enabled:
            forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
            with contextlib.suppress(ValueError):  # none, or not an address: keep the proxy's
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(forwarded))
        return self.get_response(request)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-Id", "")
        rid = incoming[:64] if incoming.isalnum() else new_request_id("web-")
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-Id"] = rid
        return response


#: The ``code`` of an API error, by HTTP status (documented in the README, "API errors").
ERROR_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "already_done",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
    503: "unavailable",
}
#: What an API client is told beyond the status's name, where there is more to say.
ERROR_DETAILS = {
    503: "The database cannot be reached for a moment; nothing was saved. "
    "Send the same request again after Retry-After seconds.",
}


class ApiErrorsAsJsonMiddleware:
    """An API client always gets JSON with a ``code``, never an HTML error page.

    Errors the API raises are answered by its own handlers (``api/api.py``). This catches
    what happens around it: an unknown address under ``/api/`` (404), a method the
    endpoint does not take (405), a refused host (400), a crash (500).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path_info.startswith("/api/") or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        body = {
            "code": ERROR_CODES.get(status, "server_error" if status >= 500 else "error"),
            "detail": ERROR_DETAILS.get(status, response.reason_phrase),
            "request_id": request_id_var.get(),
        }
        answer = JsonResponse(body, status=status)
        for header in ("Allow", "Retry-After"):
            if header in response:
                answer[header] = response[header]
        return answer
