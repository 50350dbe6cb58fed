"""Rendered parts of a page shared between signed-in readers, invalidated like the page cache.

The page cache (``core.pagecache``) serves whole pages to anonymous visitors only: a
signed-in reader's page has a user menu, edit links and records only they may read.
Most of such a page is still the same for everyone, so a view renders those parts
through ``cached_fragment`` and only the reader's own parts fresh each time::

    fragments = PageFragments([f"state:{iso3}", SHARED_VERSION_KEY], iso3)
    profile = fragments.get("profile", lambda: render_to_string(...))
    parts = fragments.get_many({"profile": Fragment(render), "needs": Fragment(other, (kind,))})

A fragment's key is made of the page's version counters (read once per page, with the
same ``current_versions`` the page cache uses, so a committed change invalidates both
alike), the language, today's date ("days left" changes at midnight), the page's own
scope (e.g. the state) and the fragment's name. ``render`` runs only on a miss, so the
queries behind a fragment must happen inside it (lazily), not before.

Fragments live in Django's default cache (per process unless memcached is configured).
``fragments_bypassed()`` renders everything afresh: the tests compare both ways.
All HTML stored is what our own templates rendered (autoescaped), hence ``mark_safe``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from minefree.core.audit import current_versions

_bypassed: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "minefree_fragments_bypassed", default=False
)


@contextmanager
def fragments_bypassed() -> Iterator[None]:
    """Render every fragment afresh and store nothing (to compare with the cached page)."""
    token = _bypassed.set(True)
    try:
        yield
    finally:
        _bypassed.reset(token)


def fragment_key(name: str, keys: Iterable[str]) -> str:
    raw = "|".join([name, *keys])
    return "fragment:" + hashlib.sha256(raw.encode()).hexdigest()


def cached_fragment(name: str, keys: Iterable[str], render: Callable[[], str]) -> SafeString:
    """The HTML ``render`` returns, stored under ``name`` and ``keys``; ``render`` runs
    only when nothing is stored. ``keys`` must name everything the HTML depends on."""
    if _bypassed.get():
        return mark_safe(render())  # rendered by our own templates
    key = fragment_key(name, keys)
    html: str | None = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html)
    return mark_safe(html)  # rendered by our own templates


def version_keys(versions: Mapping[str, int]) -> list[str]:
    return [f"{k}={v}" for k, v in sorted(versions.items())]


@dataclass(frozen=True)
class Fragment:
    """How to render one part of a page, and what else keys it (e.g. a kind of reader)."""

    render: Callable[[], str]
    extra: tuple[str, ...] = ()


class PageFragments:
    """The shared fragments of one page in one request: counters read once, on creation.

    ``scope`` names what else the page shows them for (e.g. the state's code).
    """

    def __init__(self, counters: Iterable[str], *scope: str) -> None:
        self.keys = [
            *version_keys(current_versions(list(counters))),
            translation.get_language() or "",
            dt.date.today().isoformat(),
            *scope,
        ]

    def get(self, name: str, render: Callable[[], str], *extra: str) -> SafeString:
        """Fragment ``name``; ``extra`` keys a variant (e.g. a class of reader)."""
        return cached_fragment(name, [*self.keys, *extra], render)

    def get_many(self, parts: Mapping[str, Fragment]) -> dict[str, SafeString]:
        """Several fragments by name, looked up together (one round trip to memcached),
        the missing ones rendered and stored together."""
        if _bypassed.get():
            return {name: mark_safe(part.render()) for name, part in parts.items()}
        keys = {name: fragment_key(name, [*self.keys, *part.extra]) for name, part in parts.items()}
        found: dict[str, str] = cache.get_many(list(keys.values()))
        missing = {
            keys[name]: str(part.render())
            for name, part in parts.items()
            if keys[name] not in found
        }
        if missing:
            cache.set_many(missing)
        html = {**found, **missing}
        return {name: mark_safe(html[key]) for name, key in keys.items()}
