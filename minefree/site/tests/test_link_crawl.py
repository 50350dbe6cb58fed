"""No page shows a reader a link that answers that reader with an error.

Each role of the cast starts from the pages its menus lead to and follows every link on
this site, breadth first, up to a bound; every link a page shows must answer without
403, 404, 405 or a server error for the reader who was shown it.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.test import Client

from minefree.accounts.tests.factories import make_cast
from minefree.casework.platforms import platform_save
from minefree.clearance import services as clearance
from minefree.clearance.tests.factories import submitted as submitted_request
from minefree.cooperation.demo import demo_cooperation_load
from minefree.core.audit import SYSTEM
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.tests.factories import submit_explained

pytestmark = pytest.mark.django_db
START = ["/", "/states/", "/states/PER/", "/reports/", "/cooperation/", "/clearance/", "/account/"]
#: pages per role: enough to reach every kind of page from the menus and the lists
LIMIT = 400
PER_KIND = 3
SKIP = re.compile(r"^/(static|media|admin|sign-out)/|\.(pdf|docx|xlsx)$")
HREF = re.compile(r'href="([^"]+)"')


def _links(html: str, base: str) -> set[str]:
    """Links to this site on a page at ``base`` (relative ones resolved against it)."""
    found = set()
    for raw in HREF.findall(html):
        href = urldefrag(raw.replace("&amp;", "&"))[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            assert parts.scheme in ("http", "https", "mailto", "data"), raw
            continue
        if not href:
            continue  # a link to a part of the same page
        target = urljoin(base, href)
        if not SKIP.search(urlsplit(target).path):
            found.add(target)
    return found


def _kind(url: str) -> str:
    """Pages of one kind (every country page, every version) share a kind: ids, state codes
    and query values are blanked, so the crawl samples each kind instead of exhausting one."""
    parts = urlsplit(url)
    path = re.sub(r"/(\d+|[A-Z]{3})(?=/|$|\.)", "/_", parts.path)
    keys = sorted(k.split("=")[0] for k in parts.query.split("&") if k)
    return f"{path}?{'&'.join(keys)}"


def _crawl(client: Client) -> dict[str, tuple[int, str]]:
    """Each link shown → (status it answered, the page that showed it)."""
    seen: dict[str, tuple[int, str]] = {}
    kinds: dict[str, int] = {}
    queue = deque((url, "start") for url in START)
    while queue and len(seen) < LIMIT:
        url, shown_on = queue.popleft()
        if url in seen or kinds.get(_kind(url), 0) >= PER_KIND:
            continue
        kinds[_kind(url)] = kinds.get(_kind(url), 0) + 1
        response = client.get(url)
        seen[url] = (response.status_code, shown_on)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            for link in sorted(_links(response.content.decode(), url)):
                if link not in seen:
                    queue.append((link, url))
    return seen


@pytest.mark.parametrize(
    "role",
    ["anonymous", "focal_point_peru", "donor_japan", "committee_chair", "isu_staff"],
)
def test_no_link_a_reader_is_shown_answers_them_with_an_error(role):
    cast = make_cast()
    peru = Actor.objects.get(iso3="PER")
    focal_point = cast["focal_point_peru"]
    submit_explained(focal_point, services.report_open(actor=focal_point, state=peru, year=2023))
    services.report_open(actor=focal_point, state=peru, year=2024)
    demo_cooperation_load(actor=SYSTEM, needs=30, offers=15, partnerships=3)
    platform_save(
        actor=focal_point,
        state=peru,
        convening_authority=peru,
        established_on=None,
        members=[Actor.objects.get(iso3="JPN")],
        terms_of_reference="Meets twice a year.",
    )
    # an extension request under analysis, with a question, a draft analysis and a revision
    extension = submitted_request(focal_point).request
    clearance.question_ask(actor=cast["committee_chair"], request=extension, text="Why?")
    clearance.analysis_save(
        actor=cast["committee_chair"], request=extension, sections={"summary": "Draft."}
    )
    clearance.revision_open(actor=focal_point, request=extension, reason="Answers")
    client = Client()
    if cast[role] is not None:
        client.force_login(cast[role])
    answered = _crawl(client)
    broken = {
        url: found
        for url, found in answered.items()
        if found[0] in (403, 404, 405) or found[0] >= 500
    }
    assert not broken, broken
    reached = {_kind(url) for url in answered}
    assert len(reached) > 25, sorted(reached)
