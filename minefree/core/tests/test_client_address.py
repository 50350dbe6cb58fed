"""Behind nginx, rate limits must count each client, not the proxy's one address."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from minefree.core.middleware import ClientAddressMiddleware


def _seen_address(**headers: str) -> str:
    def echo(request: HttpRequest) -> HttpResponse:
        return HttpResponse(request.META["REMOTE_ADDR"])

    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", **headers)
    return ClientAddressMiddleware(echo)(request).content.decode()


@override_settings(MINEFREE_BEHIND_PROXY=True)
def test_behind_the_proxy_the_client_address_comes_from_x_real_ip():
    assert _seen_address(HTTP_X_REAL_IP="203.0.113.7") == "203.0.113.7"
    assert _seen_address(HTTP_X_REAL_IP="2001:db8::1") == "2001:db8::1"
    # not an address: the proxy's own stays (nothing a client writes there gets through)
    assert _seen_address(HTTP_X_REAL_IP="203.0.113.7, 10.0.0.1") == "127.0.0.1"
    assert _seen_address() == "127.0.0.1"


@override_settings(MINEFREE_BEHIND_PROXY=False)
def test_without_a_proxy_the_header_is_ignored():
    assert _seen_address(HTTP_X_REAL_IP="203.0.113.7") == "127.0.0.1"
