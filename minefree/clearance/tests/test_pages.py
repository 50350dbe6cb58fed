"""The public pages of extension requests: the list with its filters, a request's page with
its versions, questions, analysis and decision, a version and what changed in it, the
submitted document; who sees a draft; bounded queries whatever the data."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minefree.accounts.tests.factories import make_cast
from minefree.clearance import services
from minefree.clearance.content import checked
from minefree.clearance.models import (
    DecisionRequirement,
    ExtensionRequest,
    Milestone,
    Question,
    RequestVersion,
)
from minefree.clearance.tests.factories import PERU_REQUEST, filled_draft, submitted
from minefree.clearance.tests.web import client_of, decided
from minefree.core.audit import SYSTEM
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def cast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_cast()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_requests_under_way_and_decided_but_no_draft(cast, client):
    under_way = submitted(cast["focal_point_peru"]).request
    colombia = Actor.objects.get(iso3="COL")
    draft = services.request_open(actor=cast["focal_point_colombia"], state=colombia)
    html = client.get("/clearance/").content.decode()
    assert f'data-request="{under_way.pk}"' in html
    assert f'data-request="{draft.request_id}"' not in html
    assert "31 December 2034" in html and "31 March 2029" in html
    assert 'data-count="1"' in html
    assert "Open an extension request" not in html  # the public opens nothing


def test_the_list_filters_by_state_year_and_status(cast, client):
    peru = submitted(cast["focal_point_peru"]).request
    assert f'data-request="{peru.pk}"' in client.get("/clearance/?state=PER").content.decode()
    assert 'data-count="0"' in client.get("/clearance/?status=decided").content.decode()
    assert 'data-count="1"' in client.get("/clearance/?year=2029&status=submitted").content.decode()
    assert 'data-count="0"' not in client.get("/clearance/?year=1066").content.decode()  # refused
    years = client.get("/clearance/").content.decode()
    assert '<option value="2029">2029</option>' in years


def test_the_state_s_people_see_their_draft_and_open_a_request(cast):
    focal = client_of(cast["focal_point_peru"])
    html = focal.get("/clearance/").content.decode()
    assert "Open an extension request of Peru" in html
    opened = focal.post("/clearance/open/", {"state": "PER"})
    assert opened.status_code == 302
    version = RequestVersion.objects.get(request__state__iso3="PER")
    assert opened["Location"] == f"/clearance/v/{version.pk}/"
    again = focal.get("/clearance/").content.decode()
    assert "edit the draft, version 1" in again and "Open an extension request" not in again
    # the public and another state's people do not see it
    assert (
        "edit the draft"
        not in client_of(cast["focal_point_colombia"]).get("/clearance/").content.decode()
    )
    refused = client_of(cast["focal_point_colombia"]).post("/clearance/open/", {"state": "PER"})
    assert refused.status_code == 403
    assert ExtensionRequest.objects.count() == 1


def test_the_list_is_cached_for_the_public_and_a_submission_refreshes_it(cast, client):
    assert client.get("/clearance/")["X-Page-Cache"] == "miss"
    assert client.get("/clearance/")["X-Page-Cache"] == "hit"
    submitted(cast["focal_point_peru"])
    fresh = client.get("/clearance/")
    assert fresh["X-Page-Cache"] == "miss" and 'data-count="1"' in fresh.content.decode()


def test_the_list_reads_a_fixed_number_of_queries_whatever_the_number_of_requests(cast, client):
    submitted(cast["focal_point_peru"])
    before = _queries(client, "/clearance/?status=submitted")
    for iso3 in ("COL", "AGO", "BIH", "KHM", "TCD", "ECU", "ERI", "ETH", "IRQ"):
        state = Actor.objects.get(iso3=iso3)
        draft = services.request_open(actor=SYSTEM, state=state)
        services.version_fill(
            actor=SYSTEM,
            version=draft,
            content=checked(PERU_REQUEST | {"requested_deadline": "2040-12-31"}),
        )
        services.request_submit(actor=SYSTEM, version=draft)
        revision = services.revision_open(actor=SYSTEM, request=draft.request, reason="Revised")
        services.request_submit(actor=SYSTEM, version=revision)
    assert ExtensionRequest.objects.count() == 10
    assert _queries(client, "/clearance/?status=submitted&year=2029") == before


# --- a request -----------------------------------------------------------------------------


def test_a_request_s_page_shows_its_content_process_and_decision(cast, client):
    request = decided(
        cast,
        requirements=[
            ("An updated workplan", dt.date(2020, 4, 30)),
            ("A survey report", dt.date(2099, 1, 1)),
        ],
    )
    html = client.get(f"/clearance/{request.pk}/").content.decode()
    assert "Peru: Article 5 extension request" in html
    assert 'class="outcome outcome-granted_with_requests"' in html
    assert 'datetime="2034-12-31"' in html
    # the published analysis, the questions and the state's answer are public
    assert "Peru asks five years." in html
    assert "How many teams in 2031?" in html and "Four teams." in html
    assert "committee_chair" not in html  # names only for signed-in readers
    assert (
        "committee_chair"
        in client_of(cast["no_role"]).get(f"/clearance/{request.pk}/").content.decode()
    )
    # the request as submitted: header, narratives and tables
    assert "Difficult terrain in the Cordillera del Cóndor" in html
    assert "150\u202f000" in html and "1\u202f200\u202f000" in html
    # the requirements: the one past its due date stands out
    overdue = re.search(
        r'<li id="requirement-\d+" class="requirement (\w+)">\s*<p>An updated workplan', html
    )
    later = re.search(
        r'<li id="requirement-\d+" class="requirement (\w+)">\s*<p>A survey report', html
    )
    assert overdue and overdue[1] == "overdue" and later and later[1] == "open"
    assert html.count('class="badge late">overdue') == 1
    # the computed analysis beside the text: plan against result, projection, flags, sources
    figures = html[html.index('id="analysis-figures"') :]
    assert "Plan against result in the previous period" in figures
    assert "Against the deadline requested" in figures and "Sources of the figures" in figures
    assert 'href="/clearance/' in html and "/analysis.pdf" in html


def test_a_draft_request_is_the_state_s_and_the_isu_s_only(cast, client):
    draft = filled_draft(cast["focal_point_peru"])
    for url in (f"/clearance/{draft.request_id}/", f"/clearance/v/{draft.pk}/"):
        assert client.get(url).status_code == 404
        for name in ("focal_point_colombia", "committee_chair", "donor_japan", "no_role"):
            assert client_of(cast[name]).get(url).status_code == 404, name
        for name in ("focal_point_peru", "delegate_peru", "isu_staff"):
            assert client_of(cast[name]).get(url).status_code == 200, name
    staff = client_of(cast["isu_staff"]).get(f"/clearance/v/{draft.pk}/").content.decode()
    assert "You can read this draft but not change it" in staff and "<textarea" not in staff


def test_the_state_revises_its_request_and_everyone_sees_what_changed(cast, client):
    first = submitted(cast["focal_point_peru"])
    request = first.request
    focal = client_of(cast["focal_point_peru"])
    page = focal.get(f"/clearance/{request.pk}/").content.decode()
    assert "Open a revision" in page
    assert (
        "Open a revision"
        not in client_of(cast["isu_staff"]).get(f"/clearance/{request.pk}/").content.decode()
    )
    blank = focal.post(f"/clearance/{request.pk}/revise/", {"reason": " "}, follow=True)
    assert "Reason for the revision: This field is required." in blank.content.decode()
    opened = focal.post(f"/clearance/{request.pk}/revise/", {"reason": "Answers to the Committee"})
    revision = request.versions.get(number=2)
    assert opened["Location"] == f"/clearance/v/{revision.pk}/"
    services.version_fill(
        actor=cast["focal_point_peru"],
        version=revision,
        content=checked(
            {
                "requested_deadline": "2033-12-31",
                "narratives": PERU_REQUEST["narratives"] | {"rationale": "Four years are enough."},
                "milestones": [
                    *PERU_REQUEST["milestones"][:3],
                    {"year": 2033, "method": "cleared", "area_m2": 55000},
                ],
            }
        ),
    )
    # while a draft, what changed is the state's and the ISU's
    assert client.get(f"/clearance/v/{revision.pk}/changes/").status_code == 404
    services.request_submit(actor=cast["focal_point_peru"], version=revision)
    html = client.get(f"/clearance/v/{revision.pk}/changes/").content.decode()
    assert "Answers to the Committee" in html
    assert "2034-12-31" in html and "2033-12-31" in html
    assert "Four years are enough." in html and "Five years at the rate of 2026-2028." in html
    milestones = re.search(r'data-table="milestones" data-removed="(\d+)" data-added="(\d+)"', html)
    assert milestones and milestones.groups() == ("1", "1")
    assert 'data-table="budget" data-removed="0" data-added="0"' in html
    assert client.get(f"/clearance/v/{first.pk}/changes/").status_code == 404  # nothing before
    listed = client.get(f"/clearance/{request.pk}/").content.decode()
    assert f'href="/clearance/v/{revision.pk}/changes/"' in listed
    assert "The request as submitted: version 2" in listed
    old = client.get(f"/clearance/v/{first.pk}/").content.decode()
    assert "Five years at the rate of 2026-2028." in old  # the first version stays as it was


def test_the_submitted_document_is_downloaded_where_the_version_is_visible(cast, client):
    draft = filled_draft(cast["focal_point_peru"])
    services.version_document_attach(
        actor=cast["focal_point_peru"], version=draft, file=io.BytesIO(PDF), name="request.pdf"
    )
    url = f"/clearance/v/{draft.pk}/request.pdf"
    assert client.get(url).status_code == 404  # a draft's document is not public yet
    own = client_of(cast["delegate_peru"]).get(url)
    assert own.status_code == 200 and b"".join(own.streaming_content) == PDF
    services.request_submit(actor=cast["focal_point_peru"], version=draft)
    public = client.get(url)
    assert public.status_code == 200 and public["Content-Type"] == "application/pdf"
    assert 'filename="extension-request-PER-v1.pdf"' in public["Content-Disposition"]
    assert f'href="{url}"' in client.get(f"/clearance/{draft.request_id}/").content.decode()


def test_the_request_page_reads_a_fixed_number_of_queries(cast, client):
    request = decided(cast, requirements=[("An updated workplan", dt.date(2031, 4, 30))])
    url = f"/clearance/{request.pk}/"
    focal = client_of(cast["focal_point_peru"])
    before = (_queries(client, url), _queries(focal, url))
    version = services.current_version(request)
    assert version is not None
    Question.objects.bulk_create(
        Question(request=request, version=version, text=f"Q{n}", asked_by=cast["committee_chair"])
        for n in range(10)
    )
    Milestone.objects.bulk_create(
        Milestone(version=version, year=2030 + n, method="cleared", area_m2=1000) for n in range(10)
    )
    DecisionRequirement.objects.bulk_create(
        DecisionRequirement(decision=request.decision, text=f"R{n}") for n in range(10)
    )
    cache.clear()  # rows written in bulk, as no page does: the cached page is stale
    assert (_queries(client, url), _queries(focal, url)) == before


def test_the_analysis_document_is_public_once_published_and_a_draft_only_for_the_committees():
    from minefree.accounts.tests.factories import make_cast
    from minefree.clearance import services
    from minefree.clearance.tests.factories import submitted

    cast = make_cast()
    request = submitted(cast["focal_point_peru"]).request
    services.analysis_save(
        actor=cast["committee_chair"], request=request, sections={"summary": "Five years."}
    )
    url = f"/clearance/{request.pk}/analysis/v1/analysis.pdf"
    assert Client().get(url).status_code == 404  # a draft: not public
    chair = Client()
    chair.force_login(cast["committee_chair"])
    draft = chair.get(url)
    assert draft.status_code == 200 and draft.content.startswith(b"%PDF")
    services.analysis_publish(actor=cast["isu_staff"], request=request)
    docx = Client().get(url.replace(".pdf", ".docx"))
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert "article5-analysis-PER" in docx["Content-Disposition"]
    assert Client().get(url.replace(".pdf", ".odt")).status_code == 404
