"""Counting windows for rate-limit tests.

django-ratelimit counts in fixed windows; a window that ends between a test's calls resets
the count and the expected refusal never comes. A test that counts waits for a fresh window.
"""

from __future__ import annotations

import time

from django.test import RequestFactory
from django_ratelimit.core import get_usage


def wait_for_a_fresh_window(group: str, key: str, rate: str, needed: int = 5) -> None:
    """Sleep past the current window of ``key`` if it ends within ``needed`` seconds."""
    request = RequestFactory().get("/")
    usage = get_usage(request, group=group, key=lambda _g, _r: key, rate=rate, increment=False)
    assert usage is not None
    if usage["time_left"] < needed:
        time.sleep(usage["time_left"] + 1)
