"""Tag each request with an id that audit events carry and responses echo."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from minefree.core.audit import new_request_id, request_id_var


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
