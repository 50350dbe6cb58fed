"""The country page for signed-in readers: shared fragments (core.fragments) render the
same page as a fresh render, follow every change of the state's data at once and keep
the warm page's queries few and constant."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from minefree.accounts.tests.factories import make_cast
from minefree.cooperation.tests.test_pages import make_need
from minefree.core.audit import SYSTEM
from minefree.core.fragments import (
    Fragment,
    PageFragments,
    cached_fragment,
    fragments_bypassed,
)
from minefree.core.models import Origin, Visibility
from minefree.registry.models import Obligation
from minefree.registry.tests.factories import grow_country
from minefree.reporting.exchange.imports import reports_import_history
from minefree.reporting.exchange.synthetic import synthetic_history

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
READERS = ["anonymous", "focal_point_peru", "focal_point_colombia", "committee_chair", "isu_staff"]


def test_page_fragments_render_only_what_is_missing_and_all_when_bypassed():
    calls: list[str] = []

    def part(name: str) -> Fragment:
        return Fragment(lambda: calls.append(name) or f"<p>{name}</p>")

    fragments = PageFragments(["state:PER", "shared"], "PER")
    assert fragments.get("a", lambda: "<p>a</p>") == "<p>a</p>"  # stored alone
    found = fragments.get_many({"a": part("a"), "b": part("b"), "empty": Fragment(lambda: "")})
    assert found == {"a": "<p>a</p>", "b": "<p>b</p>", "empty": ""}
    assert calls == ["b"]
    assert fragments.get_many({"b": part("b"), "empty": Fragment(lambda: "x")})["empty"] == ""
    assert calls == ["b"]
    with fragments_bypassed():
        fragments.get_many({"a": part("a"), "b": part("b")})
    assert calls == ["b", "a", "b"]
    # another reader kind, another language: other keys
    fragments.get_many({"b": Fragment(part("b").render, ("reader:staff",))})
    assert calls == ["b", "a", "b", "b"]


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


def _client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _same_apart_from_whitespace(html: str) -> str:
    """Whitespace, the CSRF token and the charts' random element ids vary between renders."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r"chart-[0-9a-f]{12}", "chart-id", html)
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_cached_fragment_renders_once_per_key_and_never_when_bypassed():
    calls: list[str] = []

    def render() -> str:
        calls.append("x")
        return "<p>shared</p>"

    assert cached_fragment("part", ["v=1"], render) == "<p>shared</p>"
    assert cached_fragment("part", ["v=1"], render) == "<p>shared</p>"
    assert len(calls) == 1
    cached_fragment("part", ["v=2"], render)
    cached_fragment("other", ["v=1"], render)
    assert len(calls) == 3
    with fragments_bypassed():
        cached_fragment("part", ["v=1"], render)
    assert len(calls) == 4


def test_the_shared_fragments_give_every_reader_the_page_a_fresh_render_gives(
    cast: dict[str, Any],
):
    # the synthetic demo history: its labels must survive the cache as well
    reports_import_history(
        actor=SYSTEM,
        reports=synthetic_history(states=["PER"], last_year=2025, now=NOW),
        origin=Origin.SYNTHETIC,
    )
    for visibility in Visibility.values:
        make_need("PER", visibility)
    clients = {who: _client(cast[who]) for who in READERS}
    urls = {
        f"{prefix}/states/PER/": lang for prefix, lang in (("", "en"), ("/fr", "fr"), ("/es", "es"))
    }
    for client in clients.values():  # every reader fills the same cache in turn
        for url in urls:
            _page(client, url)
    clients["anonymous"].cookies["messages"] = ""  # past the page cache, to the fragments
    for who, client in clients.items():
        for url, language in urls.items():
            cached = _page(client, url)
            with fragments_bypassed():
                fresh = _page(client, url)
            same = _same_apart_from_whitespace(cached) == _same_apart_from_whitespace(fresh)
            assert same, (who, url)
            with translation.override(language):
                label = translation.gettext("synthetic demo data")
            assert 'class="source' in cached and label in cached, (who, url)
        # each kind of reader its own cooperation part (the owner sees all of its own)
        private = "private need of PER" in cached
        assert private is (who in ("focal_point_peru", "isu_staff")), who
        committee = "committee need of PER" in cached
        assert committee is (who in ("focal_point_peru", "committee_chair", "isu_staff")), who


def test_only_the_states_focal_point_gets_the_platform_edit_link(cast: dict[str, Any]):
    link = "/cooperation/platforms/PER/"
    for who, shown in [
        ("focal_point_colombia", False),
        ("focal_point_peru", True),
        ("isu_staff", True),
        ("committee_chair", False),
    ]:
        assert (link in _page(_client(cast[who]), "/states/PER/")) is shown, who


def test_a_change_to_the_state_shows_at_once_and_another_states_does_not_re_render(
    cast: dict[str, Any],
):
    client = _client(cast["focal_point_peru"])
    before = _page(client, "/states/PER/")
    assert "synthetic demo data" not in before
    warm = _queries(client, "/states/PER/")

    # a report of Colombia: Peru's fragments stay as they are (no query re-renders them)
    reports_import_history(
        actor=SYSTEM,
        reports=synthetic_history(states=["COL"], last_year=2025, now=NOW),
        origin=Origin.SYNTHETIC,
    )
    assert _queries(client, "/states/PER/") == warm

    # Peru's own reports, through the import service: on the very next request
    reports_import_history(
        actor=SYSTEM,
        reports=synthetic_history(states=["PER"], last_year=2025, now=NOW),
        origin=Origin.SYNTHETIC,
    )
    with CaptureQueriesContext(connection) as ctx:
        after = _page(client, "/states/PER/")
    assert len(ctx.captured_queries) > warm
    assert "synthetic demo data" in after
    assert "/reports/v/" in after


def test_warm_signed_in_country_page_queries_are_few_and_constant_when_history_grows(
    cast: dict[str, Any],
):
    from django.core.cache import cache

    client = _client(cast["focal_point_peru"])
    url = "/states/PER/"
    cold = _queries(client, url)
    warm = _queries(client, url)
    # the state, the counters, session and user, what the reader may read: none for a
    # shared part
    assert warm <= 8 < cold
    events = Obligation.objects.get(actor__iso3="PER", article=5).events.count()
    grow_country("PER", events=events * 9, seats=20)  # a factory: no counter moves
    cache.clear()
    assert _queries(client, "/fr/states/PER/") == cold
    assert _queries(client, "/fr/states/PER/") == warm
