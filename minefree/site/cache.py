"""Public page cache with exact invalidation.

A cached page's key carries the version counters of the data it shows
(``core.ContentVersion``). Services bump those counters in the same transaction
as the change, so the next request after a commit misses the cache and renders
fresh data, in every worker. Signed-in users always get a fresh page.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from minefree.core.audit import current_versions

View = Callable[..., HttpResponse]


def cached_public_page(version_keys: Callable[..., Iterable[str]]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "GET" or request.user.is_authenticated:
                return view(request, *args, **kwargs)
            versions = current_versions(version_keys(*args, **kwargs))
            raw = "|".join(
                [
                    view.__module__,
                    view.__qualname__,
                    request.get_full_path(),
                    translation.get_language() or "",
                    "htmx" if getattr(request, "htmx", False) else "full",
                    *(f"{k}={v}" for k, v in sorted(versions.items())),
                ]
            )
            key = "page:" + hashlib.sha256(raw.encode()).hexdigest()
            hit = cache.get(key)
            if hit is not None:
                response = HttpResponse(hit[0], content_type=hit[1])
                response["X-Page-Cache"] = "hit"
                return response
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            if response.status_code == 200:
                cache.set(key, (response.content, response["Content-Type"]))
            response["X-Page-Cache"] = "miss"
            return response

        return wrapper

    return decorator
