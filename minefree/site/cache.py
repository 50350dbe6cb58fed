"""Public page cache with exact invalidation.

Views that show public data are marked with ``cached_public_page``, naming the
version counters (``core.ContentVersion``) of the data they show. Services bump
those counters in the same transaction as the change. ``PageCacheMiddleware``
sits near the top of the stack: for an anonymous GET of a marked page it reads
the counters (one small query) and serves the stored page under that exact key,
skipping sessions, authentication and rendering. After a change the key moves,
so the next request renders fresh data in every worker. Anyone with a session
cookie (signed-in staff) always gets a fresh page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation

from minefree.core.audit import current_versions

View = Callable[..., HttpResponse]
VersionKeys = Callable[..., Iterable[str]]
CACHE_HEADER = "X-Page-Cache"
_REPLAYED_HEADERS = ("Content-Type", "Content-Language", "Vary", "X-Frame-Options")


def cached_public_page(version_keys: VersionKeys) -> Callable[[View], View]:
    """Mark a view's anonymous GET responses as cacheable, keyed by these counters."""

    def decorator(view: View) -> View:
        view.minefree_version_keys = version_keys  # type: ignore[attr-defined]
        return view

    return decorator


def _cache_key(request: HttpRequest, versions: dict[str, int]) -> str:
    raw = "|".join(
        [
            request.get_full_path(),
            "htmx" if request.headers.get("HX-Request") else "full",
            dt.date.today().isoformat(),  # "days left" changes at midnight
            *(f"{k}={v}" for k, v in sorted(versions.items())),
        ]
    )
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _version_keys(request: HttpRequest) -> list[str] | None:
    """The counters behind the requested page, or None if it is not a cached page."""
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            match = resolve(request.path_info)
    except Resolver404:
        return None
    keys: VersionKeys | None = getattr(match.func, "minefree_version_keys", None)
    if keys is None:
        return None
    return list(keys(*match.args, **match.kwargs))


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        personal = {settings.SESSION_COOKIE_NAME, "messages"} & request.COOKIES.keys()
        if request.method not in ("GET", "HEAD") or personal:
            return self.get_response(request)
        keys = _version_keys(request)
        if keys is None:
            return self.get_response(request)
        key = _cache_key(request, current_versions(keys))
        hit: tuple[bytes, dict[str, str]] | None = cache.get(key)
        if hit is not None:
            content, headers = hit
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            response[CACHE_HEADER] = "hit"
            return response
        response = self.get_response(request)
        if response.status_code == 200 and not response.cookies and not response.streaming:
            headers = {h: response[h] for h in _REPLAYED_HEADERS if h in response}
            cache.set(key, (response.content, headers))
            response[CACHE_HEADER] = "miss"
        return response
