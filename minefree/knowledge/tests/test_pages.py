"""The knowledge base's pages: the key challenges with drill-down and CSV, a passage and
the decisions on its labels, documents and practices; each in a fixed number of queries."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minefree.core.models import AuditEvent, Origin, Visibility
from minefree.knowledge import services
from minefree.knowledge.models import Document, LabelStatus, PassageLabel, Practice, PracticeStatus
from minefree.knowledge.tests.factories import client as _client
from minefree.knowledge.tests.factories import committee_document, passage, reported, state

pytestmark = pytest.mark.django_db


def _world() -> dict[str, Any]:
    for iso3 in ("PER", "COL", "KHM"):
        reported(iso3, 2023)
        reported(iso3, 2024)
    found = {
        "peru": passage("PER", 2024, "financial", text="Donor funding fell by half."),
        "colombia": passage("COL", 2024, "financial", "capacity"),
        "old": passage("KHM", 2023, "environment_terrain"),
        "rejected": passage("KHM", 2024, "coordination", status=LabelStatus.REJECTED),
    }
    notes = committee_document("PER")
    found["secret"] = passage(
        "PER",
        2024,
        "security_access",
        visibility=Visibility.COMMITTEE,
        document=notes,
        text="Armed groups block the northern areas.",
    )
    return found


def test_the_key_challenges_page_ranks_and_links_every_number(cast):
    world = _world()
    html = _client().get("/knowledge/challenges/").content.decode()
    assert 'data-leader="financial"' in html
    assert "/knowledge/challenges/financial/?year=2024&amp;data=reported" in html
    assert "67%" in html  # 2 of the 3 reporting states
    assert "<svg" in html and "<script" not in html.split("<main", 1)[1]
    assert "How the challenges are counted" in html
    assert 'data-category="security_access"' in html
    page = _client().get("/knowledge/challenges/financial/?year=2024&data=reported")
    text = page.content.decode()
    assert f"/knowledge/passages/{world['peru'].pk}/" in text
    assert world["peru"].url in text
    assert world["old"].text not in text
    assert (
        _client()
        .get("/knowledge/challenges/security_access/")
        .content.decode()
        .count("Armed groups")
        == 0
    )
    committee = _client(cast["committee_chair"])
    assert (
        "Armed groups" in committee.get("/knowledge/challenges/security_access/").content.decode()
    )
    assert _client().get("/knowledge/challenges/nonsense/").status_code == 404


def test_the_filters_are_in_the_url(cast):
    _world()
    html = _client().get("/knowledge/challenges/?year_from=2023&year_to=2023").content.decode()
    assert 'data-leader="environment_terrain"' in html
    html = _client().get("/knowledge/challenges/?state=COL").content.decode()
    assert 'data-leader="financial"' in html and 'data-year="2023"' in html
    bad = _client().get("/knowledge/challenges/?year_from=abc")
    assert bad.status_code == 200


def test_the_csv_holds_the_table(cast):
    reported("PER", 2024)
    reported("COL", 2024, origin=Origin.SYNTHETIC)
    passage("PER", 2024, "financial")
    passage("COL", 2024, "capacity", origin=Origin.SYNTHETIC)
    response = _client().get("/knowledge/challenges.csv?year_from=2024")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    financial = next(r for r in rows if r["category"] == "financial" and r["data"] == "reported")
    assert (financial["states"], financial["reporting_states"], financial["share"]) == (
        "1",
        "1",
        "1.0000",
    )
    synthetic = next(r for r in rows if r["category"] == "capacity" and r["data"] == "synthetic")
    assert synthetic["states"] == "1" and synthetic["rank_in_year"] == "1"


def test_synthetic_data_is_labelled_on_the_page(cast):
    reported("COL", 2024, origin=Origin.SYNTHETIC)
    passage("COL", 2024, "capacity", origin=Origin.SYNTHETIC)
    html = _client().get("/knowledge/challenges/").content.decode()
    assert 'id="table-synthetic"' in html and "synthetic demo data" in html
    assert 'id="table-reported"' not in html
    assert html.count('<figure class="chart"') == 8  # one per category
    assert 'stroke-dasharray="6 4"' in html  # the synthetic line is dashed
    drill = _client().get("/knowledge/challenges/capacity/?data=synthetic").content.decode()
    assert drill.count("synthetic-label") >= 2  # the heading and the passage
    assert (
        _client()
        .get("/knowledge/challenges/capacity/?data=reported")
        .context["page"]
        .paginator.count
        == 0
    )


def test_a_passage_shows_its_source_and_labels(cast):
    world = _world()
    html = _client().get(f"/knowledge/passages/{world['peru'].pk}/").content.decode()
    assert "Donor funding fell by half." in html and world["peru"].url in html
    assert 'data-label="financial"' in html and "lack of funds" in html
    assert "Record the decision" not in html
    assert _client().get(f"/knowledge/passages/{world['secret'].pk}/").status_code == 404
    assert (
        _client(cast["focal_point_colombia"])
        .get(f"/knowledge/passages/{world['secret'].pk}/")
        .status_code
        == 404
    )
    html = (
        _client(cast["committee_chair"])
        .get(f"/knowledge/passages/{world['secret'].pk}/")
        .content.decode()
    )
    assert "Record the decision" in html and 'data-action="confirm-security_access"' in html


def test_a_committee_member_confirms_rejects_and_adds_labels(cast):
    world = _world()
    client = _client(cast["committee_chair"])
    url = f"/knowledge/passages/{world['peru'].pk}/labels/"
    response = client.post(url, {"category": "financial", "status": "confirmed"})
    assert response.status_code == 302
    assert (
        PassageLabel.objects.get(passage=world["peru"], category="financial").status == "confirmed"
    )
    client.post(url, {"category": "capacity", "status": "confirmed"})
    added = PassageLabel.objects.get(passage=world["peru"], category="capacity")
    assert (added.method, added.decided_by) == ("person", cast["committee_chair"])
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))[-2:]
    assert actions == ["challenge_label.decided", "challenge_label.added"]
    again = client.post(url, {"category": "financial", "status": "confirmed"}, follow=True)
    assert "already has that decision" in again.content.decode()
    missing = client.post(url, {"category": "expertise", "status": "rejected"}, follow=True)
    assert "no such label to reject" in missing.content.decode()
    bad = client.post(url, {"category": "wealth", "status": "confirmed"})
    assert bad.status_code == 422 and "Select a valid choice" in bad.content.decode()
    html = _client().get("/knowledge/challenges/").content.decode()
    assert 'data-category="capacity"' in html


def test_labels_are_decided_only_by_the_committee_and_isu(cast):
    world = _world()
    url = f"/knowledge/passages/{world['peru'].pk}/labels/"
    for name in ("focal_point_peru", "donor_japan", "no_role"):
        response = _client(cast[name]).post(url, {"category": "financial", "status": "rejected"})
        assert response.status_code == 403
    assert _client().post(url, {"category": "financial", "status": "rejected"}).status_code == 302
    assert not PassageLabel.objects.filter(
        status=LabelStatus.REJECTED, category="financial"
    ).exists()


def test_documents_are_listed_read_and_added(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    notes = committee_document("PER")
    public = Document.objects.create(title="Guide to land release", kind="guidance", language="en")
    listed = _client().get("/knowledge/documents/").content.decode()
    assert "Guide to land release" in listed and "Committee notes" not in listed
    assert _client().get(f"/knowledge/documents/{notes.pk}/").status_code == 404
    assert _client(cast["isu_staff"]).get(f"/knowledge/documents/{notes.pk}/").status_code == 200
    assert _client().get(f"/knowledge/documents/{public.pk}/").status_code == 200
    client = _client(cast["committee_chair"])
    assert "Help" not in client.get("/knowledge/documents/add/").content.decode()
    refused = client.post(
        "/knowledge/documents/add/",
        {"title": "Visit to Peru", "kind": "visit_report", "language": "en", "articles": "5, x"},
    )
    assert refused.status_code == 422
    text = refused.content.decode()
    assert 'value="Visit to Peru"' in text and "Give article numbers" in text
    empty = client.post(
        "/knowledge/documents/add/",
        {"title": "Visit", "kind": "visit_report", "language": "en", "visibility": "public"},
    )
    assert "Upload the document or give its address." in empty.content.decode()
    upload = SimpleUploadedFile(
        "visit.txt",
        b"The lack of funding is the main challenge for the survey teams.",
        "text/plain",
    )
    response = client.post(
        "/knowledge/documents/add/",
        {
            "title": "Visit to Peru",
            "kind": "visit_report",
            "language": "en",
            "file": upload,
            "states": ["PER"],
            "year": "2024",
            "articles": "5, 6",
            "actions": "oap-43",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(title="Visit to Peru")
    assert (document.articles, document.actions, document.year) == ([5, 6], ["OAP-43"], 2024)
    assert document.passages.exists()
    assert _client().get(f"/knowledge/documents/{document.pk}/file").status_code == 200


def test_practices_are_proposed_published_and_found_useful(cast):
    guide = Document.objects.create(title="Dogs guide", kind="guidance", language="en")
    notes = committee_document("PER")
    proposer = _client(cast["focal_point_peru"])
    form = proposer.get("/knowledge/practices/propose/").content.decode()
    assert "Dogs guide" in form and "Committee notes" not in form
    refused = proposer.post("/knowledge/practices/propose/", {"title": "Dogs", "language": "en"})
    assert refused.status_code == 422 and 'value="Dogs"' in refused.content.decode()
    response = proposer.post(
        "/knowledge/practices/propose/",
        {
            "title": "Mine detection dogs in the Andes",
            "what": "Teams of dogs survey high-altitude areas.",
            "where": ["PER"],
            "contact": "peru-contraminas",
            "documents": [str(guide.pk)],
            "language": "en",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    practice = Practice.objects.get()
    assert practice.status == PracticeStatus.PROPOSED
    assert list(practice.documents.all()) == [guide]
    assert practice.contact is not None and practice.contact.slug == "peru-contraminas"
    smuggled = proposer.post(
        "/knowledge/practices/propose/",
        {
            "title": "X",
            "what": "Y",
            "documents": [str(notes.pk)],
            "language": "en",
            "visibility": "public",
        },
    )
    assert smuggled.status_code == 422 and Practice.objects.count() == 1
    assert "Mine detection dogs" not in _client().get("/knowledge/practices/").content.decode()
    assert _client().get(f"/knowledge/practices/{practice.pk}/").status_code == 404
    staff = _client(cast["isu_staff"])
    assert "Mine detection dogs" in staff.get("/knowledge/practices/").content.decode()
    assert proposer.post(f"/knowledge/practices/{practice.pk}/publish/").status_code == 404
    assert staff.post(f"/knowledge/practices/{practice.pk}/publish/").status_code == 302
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.PUBLISHED
    assert "Mine detection dogs" in _client().get("/knowledge/practices/").content.decode()
    reader = _client(cast["donor_japan"])
    reader.post(
        f"/knowledge/practices/{practice.pk}/feedback/", {"useful": "on", "follow_up": "Costs?"}
    )
    html = reader.get(f"/knowledge/practices/{practice.pk}/").content.decode()
    assert 'data-useful="1"' in html
    again = reader.post(
        f"/knowledge/practices/{practice.pk}/feedback/", {"useful": "on"}, follow=True
    )
    assert "already gave your feedback" in again.content.decode()


@pytest.mark.parametrize(
    ("url", "bound"),
    [
        ("/knowledge/challenges/", 14),
        ("/knowledge/challenges/financial/", 14),
        ("/knowledge/challenges.csv", 12),
        ("/knowledge/documents/", 14),
        ("/knowledge/practices/", 14),
    ],
)
def test_pages_read_in_a_fixed_number_of_queries(cast, url, bound, django_assert_max_num_queries):
    for n, iso3 in enumerate(("PER", "COL", "KHM", "AGO", "AFG")):
        for year in (2021, 2022, 2023):
            reported(iso3, year)
            passage(iso3, year, "financial", "capacity")
            passage(iso3, year, "information" if n % 2 else "coordination", "financial")
        Document.objects.create(title=f"Study {iso3}", kind="study", language="en").states.add(
            state(iso3)
        )
        services.practice_propose(
            actor=cast["isu_staff"], title=f"Practice {iso3}", what="x", where=[state(iso3)]
        )
    client = _client(cast["committee_chair"])
    client.get(url)  # the session, the language
    with django_assert_max_num_queries(bound):
        assert client.get(url).status_code == 200


def test_a_passage_page_reads_in_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    found = passage("PER", 2024, "financial", "capacity", "expertise", "information")
    client = _client(cast["committee_chair"])
    client.get(f"/knowledge/passages/{found.pk}/")
    with django_assert_max_num_queries(10):
        assert client.get(f"/knowledge/passages/{found.pk}/").status_code == 200
