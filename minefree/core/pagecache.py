"""Public page cache with exact invalidation.

Views that show public data are marked with ``cached_public_page``, naming the
version counters (``core.ContentVersion``) of the data they show and the query
parameters they read. Services bump those counters in the same transaction as the
change. ``PageCacheMiddleware`` sits near the top of the stack: for an anonymous GET
of a marked page it checks the host, reads the counters (one small query) and serves
the stored page under that exact key, skipping sessions, authentication and rendering.
After a change the key moves, so the next request renders fresh data in every worker.
Anyone with a session cookie (signed-in staff) always gets a fresh page.

On a miss, the page is rendered from the PostgreSQL standby when one is configured and
holds exactly the counters' version (``core.standby``), else from the primary.

Query parameters a page does not read are dropped before the key is made and before
the view sees the request, so ``?r=<random>`` is the same page (a hit), not a new render
each time: random query strings cannot push work past the cache.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils import translation

from minefree.core.audit import current_versions
from minefree.core.standby import reading_from_standby, standby_caught_up, standby_configured

View = Callable[..., HttpResponse]
VersionKeys = Callable[..., Iterable[str]]
CACHE_HEADER = "X-Page-Cache"
_REPLAYED_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Disposition",
    "Vary",
    "X-Frame-Options",
)


@dataclass(frozen=True)
class CachedPage:
    version_keys: VersionKeys
    params: frozenset[str]


def cached_public_page(
    version_keys: VersionKeys, params: Iterable[str] = ()
) -> Callable[[View], View]:
    """Mark a view's anonymous GET responses as cacheable, keyed by these counters.

    ``params`` names the query parameters the view reads (e.g. a filter form's fields and
    ``page``); any other parameter is dropped from the request before the view runs.
    """
    page = CachedPage(version_keys, frozenset(params))

    def decorator(view: View) -> View:
        view.minefree_cached_page = page  # type: ignore[attr-defined]
        return view

    return decorator


def _normalise_query(request: HttpRequest, params: frozenset[str]) -> None:
    """Keep only the parameters the page reads, in a fixed order (``?b=1&a=2`` = ``?a=2&b=1``)."""
    kept = QueryDict(mutable=True)
    for name in sorted(params & request.GET.keys()):
        kept.setlist(name, request.GET.getlist(name))
    canonical = kept.urlencode()
    if canonical != request.META.get("QUERY_STRING", ""):
        request.META["QUERY_STRING"] = canonical
        request.GET = QueryDict(canonical)


def _cache_key(request: HttpRequest, versions: dict[str, int]) -> str:
    raw = "|".join(
        [
            request.get_host(),
            request.get_full_path(),
            "htmx" if request.headers.get("HX-Request") else "full",
            dt.date.today().isoformat(),  # "days left" changes at midnight
            *(f"{k}={v}" for k, v in sorted(versions.items())),
        ]
    )
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _cached_page(request: HttpRequest) -> tuple[CachedPage, list[str]] | None:
    """The requested page's cache rules and counters, or None if it is not a cached page."""
    found = _page_at(settings.ROOT_URLCONF, request.path_info)
    if found is None:
        return None
    page, args, kwargs = found
    return page, list(page.version_keys(*args, **kwargs))


@functools.lru_cache(maxsize=4096)
def _page_at(urlconf: str, path: str) -> tuple[CachedPage, tuple[Any, ...], dict[str, Any]] | None:
    """Which cached page an address is, remembered: matching the address against every URL
    pattern costs more than the rest of a cached hit. Bounded, so random addresses only
    push out other entries. ``urlconf`` is part of the key for tests that change it."""
    language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            match = resolve(path, urlconf)
    except Resolver404:
        return None
    page: CachedPage | None = getattr(match.func, "minefree_cached_page", None)
    if page is None:
        return None
    return page, tuple(match.args), dict(match.kwargs)


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        personal = {settings.SESSION_COOKIE_NAME, "messages"} & request.COOKIES.keys()
        if (
            request.method not in ("GET", "HEAD")
            or personal
            or "HTTP_AUTHORIZATION" in request.META
        ):
            return self.get_response(request)
        cached = _cached_page(request)
        if cached is None:
            return self.get_response(request)
        try:
            request.get_host()  # a forged Host header never reaches the cache
        except DisallowedHost:
            return self.get_response(request)  # Django answers it with 400
        page, keys = cached
        _normalise_query(request, page.params)
        versions = current_versions(keys)
        key = _cache_key(request, versions)
        hit: tuple[bytes, dict[str, str]] | None = cache.get(key)
        if hit is not None:
            content, headers = hit
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            response[CACHE_HEADER] = "hit"
            return response
        if standby_configured() and standby_caught_up(keys, versions):
            with reading_from_standby():
                response = self.get_response(request)
        else:
            response = self.get_response(request)
        if response.status_code == 200 and not response.cookies and not response.streaming:
            headers = {h: response[h] for h in _REPLAYED_HEADERS if h in response}
            cache.set(key, (response.content, headers))
            response[CACHE_HEADER] = "miss"
        return response
