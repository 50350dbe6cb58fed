"""The country page's Article 5 extension requests: the history of the state's requests and
what its decisions ask until met, public only, in a fixed number of queries; a submission or
a decision refreshes the cached page of that state and of no other."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minefree.accounts.tests.factories import make_cast
from minefree.clearance import services
from minefree.clearance.models import Outcome
from minefree.clearance.tests.factories import DECIDED_ON, filled_draft, submitted
from minefree.core.audit import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_cast()


def _section(html: str) -> str:
    start = html.index('<section id="extension-requests"')
    return html[start : html.index("</section>", start)]


def test_a_state_without_requests_says_so_and_a_draft_never_shows(cast, client: Client):
    assert "No extension request of this state is recorded" in _section(
        client.get("/states/PER/").content.decode()
    )
    filled_draft(cast["focal_point_peru"])
    assert "No extension request of this state is recorded" in _section(
        client.get("/states/PER/").content.decode()
    )


def test_the_decision_shows_on_the_country_page_and_refreshes_only_that_state(
    cast, client: Client, django_capture_on_commit_callbacks
):
    assert client.get("/states/PER/")["X-Page-Cache"] == "miss"
    assert client.get("/states/COL/")["X-Page-Cache"] == "miss"
    request = submitted(cast["focal_point_peru"]).request
    after_submission = client.get("/states/PER/")
    assert after_submission["X-Page-Cache"] == "miss"  # filed under PER: the page is fresh
    section = _section(after_submission.content.decode())
    assert f'href="/clearance/{request.pk}/"' in section
    assert "31 March 2029" in section and 'datetime="2034-12-31"' in section
    # the plan against the result of the request's previous period, drawn from its analysis
    assert "Plan against result in the previous period" in section and "<svg" in section
    assert client.get("/states/PER/")["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_record(
            actor=cast["isu_staff"],
            request=request,
            outcome=Outcome.GRANTED_WITH_REQUESTS,
            decided_on=DECIDED_ON,
            new_deadline=dt.date(2034, 12, 31),
            requirements=[
                ("An updated workplan", dt.date(2020, 4, 30)),
                ("A survey of Amazonas", None),
            ],
        )
    assert client.get("/states/COL/")["X-Page-Cache"] == "hit"  # Colombia's data did not change
    fresh = client.get("/states/PER/")
    assert fresh["X-Page-Cache"] == "miss"
    html = fresh.content.decode()
    current = re.search(r'<dd class="current-deadline">.*?</dd>', html, re.S)[0]
    assert 'datetime="2034-12-31"' in current  # the registry's deadline history has it
    section = _section(html)
    assert re.search(r'<td class="outcome">granted with requests</td>', section)
    assert re.search(r'<td class="granted"><time datetime="2034-12-31">', section)
    assert re.search(r'class="requirement overdue">An updated workplan', section)
    assert re.search(r'class="requirement open">A survey of Amazonas', section)


def test_the_country_page_reads_a_fixed_number_of_queries_whatever_the_requests(
    cast, client: Client
):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/fr/states/PER/").status_code == 200
        return len(ctx.captured_queries)

    request = submitted(cast["focal_point_peru"]).request
    services.decision_record(
        actor=SYSTEM,
        request=request,
        outcome=Outcome.GRANTED_WITH_REQUESTS,
        decided_on=DECIDED_ON,
        new_deadline=dt.date(2034, 12, 31),
        requirements=[("An updated workplan", dt.date(2031, 4, 30))],
    )
    before = count()
    for n in range(9):
        request = submitted(cast["focal_point_peru"]).request
        revision = services.revision_open(actor=SYSTEM, request=request, reason=f"Revision {n}")
        services.request_submit(actor=SYSTEM, version=revision)
        services.decision_record(
            actor=SYSTEM,
            request=request,
            outcome=Outcome.GRANTED_WITH_REQUESTS,
            decided_on=DECIDED_ON,
            new_deadline=dt.date(2034, 12, 31),
            requirements=[(f"Item {i}", dt.date(2031, 4, 30)) for i in range(3)],
        )
    assert count() == before
    assert len(re.findall(r"<tr data-request=", client.get("/states/PER/").content.decode())) == 10
