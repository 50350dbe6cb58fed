"""The knowledge base over the API: the key challenges and their passages, a passage and
the decisions on its labels, documents (multipart upload) and practices; the refusals
each write documents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minefree.accounts.tests.factories import bearer
from minefree.core.models import AuditEvent, Origin, Visibility
from minefree.knowledge import services
from minefree.knowledge.models import Document, LabelStatus, PassageLabel
from minefree.knowledge.tests.factories import committee_document, passage, reported, state

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, body: Any, auth: dict[str, str]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json", **auth)


def test_the_key_challenges_with_links_to_their_passages(cast):
    for iso3 in ("PER", "COL"):
        reported(iso3, 2024)
    reported("KHM", 2024, origin=Origin.SYNTHETIC)
    peru = passage("PER", 2024, "financial")
    passage("COL", 2024, "capacity")
    passage("KHM", 2024, "financial", origin=Origin.SYNTHETIC)
    passage("PER", 2024, "coordination", status=LabelStatus.REJECTED)
    body = Client().get("/api/knowledge/challenges?year_from=2024").json()
    assert "rejected" in body["rule"]
    assert [t["data"] for t in body["tables"]] == ["reported", "synthetic"]
    table = body["tables"][0]
    first = table["categories"][0]
    assert first["code"] in {"financial", "capacity"} and first["rank"] == 1
    financial = next(c for c in table["categories"] if c["code"] == "financial")
    year = financial["years"][0]
    assert (year["states"], year["reporting_states"], year["share"]) == (1, 2, 0.5)
    coordination = next(c for c in table["categories"] if c["code"] == "coordination")
    assert coordination["state_years"] == 0 and coordination["rank"] is None
    listed = Client().get(year["passages"]).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == peru.pk
    assert listed["items"][0]["source_url"] == peru.url
    detail = Client().get(listed["items"][0]["link"]).json()
    assert detail["labels"][0]["category"] == "financial"
    assert Client().get("/api/knowledge/challenges/none/passages").status_code == 404
    assert Client().get("/api/knowledge/challenges/financial/passages?data=x").status_code == 422
    assert Client().get("/api/knowledge/challenges?year_from=1").status_code == 422


def test_a_committee_only_passage_is_not_found_nor_counted_for_others(cast):
    reported("PER", 2024)
    notes = committee_document("PER")
    secret = passage("PER", 2024, "coordination", visibility=Visibility.COMMITTEE, document=notes)
    assert Client().get(f"/api/knowledge/passages/{secret.pk}").status_code == 404
    body = Client().get("/api/knowledge/challenges").json()
    counted = [
        y["states"]
        for c in body["tables"][0]["categories"]
        if c["code"] == "coordination"
        for y in c["years"]
    ]
    assert counted == [0]
    auth = bearer(cast["committee_chair"])
    assert Client().get(f"/api/knowledge/passages/{secret.pk}", **auth).status_code == 200
    assert Client().get(f"/api/knowledge/documents/{notes.pk}").status_code == 404
    ids = [d["id"] for d in Client().get("/api/knowledge/documents").json()["items"]]
    assert notes.pk not in ids


def test_label_decisions_answer_each_refusal(cast):
    found = passage("PER", 2024, "financial")
    url = f"/api/knowledge/passages/{found.pk}/labels"
    auth = bearer(cast["committee_chair"])
    client = Client()
    confirmed = _post(client, url, {"category": "financial", "status": "confirmed"}, auth)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    again = _post(client, url, {"category": "financial", "status": "confirmed"}, auth)
    assert again.status_code == 409 and again.json()["code"] == "already_done"
    added = _post(client, url, {"category": "capacity", "status": "confirmed"}, auth)
    assert added.status_code == 201 and added.json()["method"] == "person"
    assert added["Location"] == f"/api/knowledge/passages/{found.pk}"
    for body in (
        {"category": "wealth", "status": "confirmed"},
        {"category": "financial", "status": "maybe"},
        {"category": "expertise", "status": "rejected"},
    ):
        refused = _post(client, url, body, auth)
        assert refused.status_code == 422 and refused.json()["code"] == "invalid", body
    denied = _post(
        client,
        url,
        {"category": "financial", "status": "rejected"},
        bearer(cast["focal_point_peru"], "p"),
    )
    assert denied.status_code == 403
    missing = _post(
        client,
        "/api/knowledge/passages/999999/labels",
        {"category": "financial", "status": "confirmed"},
        auth,
    )
    assert missing.status_code == 404
    assert AuditEvent.objects.filter(action="challenge_label.added", api_token="script").exists()
    assert PassageLabel.objects.get(passage=found, category="financial").status == "confirmed"


def test_a_document_is_uploaded_and_read(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    auth = bearer(cast["isu_staff"])
    text = b"Heavy rains and dense jungle slow the survey teams.\n\nFunding fell by half."
    response = Client().post(
        "/api/knowledge/documents",
        data={
            "title": "Visit to Peru",
            "kind": "visit_report",
            "language": "en",
            "states": "PER",
            "year": "2024",
            "meeting": "5RC",
            "articles": "5",
            "actions": "oap-43",
            "pillars": "survey_clearance",
            "file": SimpleUploadedFile("visit.txt", text, "text/plain"),
        },
        **auth,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["states"], body["articles"], body["actions"]) == (["PER"], [5], ["OAP-43"])
    assert body["meeting"] == "5RC"
    assert body["passages"] >= 1 and body["file"].endswith("/file")
    assert Client().get(response["Location"]).json()["title"] == "Visit to Peru"
    fake = Client().post(
        "/api/knowledge/documents",
        data={
            "title": "Fake",
            "kind": "study",
            "language": "en",
            "file": SimpleUploadedFile("fake.pdf", b"not a pdf", "application/pdf"),
        },
        **auth,
    )
    assert fake.status_code == 422
    unknown = Client().post(
        "/api/knowledge/documents",
        data={
            "title": "Study",
            "kind": "study",
            "language": "en",
            "url": "https://example.org/",
            "meeting": "99MSP",
        },
        **auth,
    )
    assert unknown.status_code == 422 and "meeting" in unknown.json()["fields"]
    nothing = Client().post(
        "/api/knowledge/documents",
        data={"title": "Nothing", "kind": "study", "language": "en"},
        **auth,
    )
    assert nothing.status_code == 422
    unknown = Client().post(
        "/api/knowledge/documents",
        data={
            "title": "X",
            "kind": "study",
            "language": "en",
            "url": "https://a.org",
            "states": "ZZZ",
        },
        **auth,
    )
    assert unknown.status_code == 422 and "states" in unknown.json()["fields"]
    assert not Document.objects.filter(title__in=["Fake", "Nothing", "X"]).exists()


def test_practices_are_proposed_published_and_found_useful(cast):
    client = Client()
    proposer = bearer(cast["focal_point_peru"])
    created = _post(
        client,
        "/api/knowledge/practices",
        {
            "title": "Dogs in the Andes",
            "what": "Dogs survey high areas.",
            "where": ["PER"],
            "contact": "peru-contraminas",
        },
        proposer,
    )
    assert created.status_code == 201 and created.json()["status"] == "proposed"
    assert created.json()["contact"] == "Peruvian Mine Action Centre (CONTRAMINAS)"
    pk = created.json()["id"]
    assert client.get(f"/api/knowledge/practices/{pk}").status_code == 404
    assert client.get("/api/knowledge/practices").json()["count"] == 0
    staff = bearer(cast["isu_staff"])
    assert _post(client, f"/api/knowledge/practices/{pk}/publish", {}, staff).status_code == 200
    again = _post(client, f"/api/knowledge/practices/{pk}/publish", {}, staff)
    assert again.status_code == 409
    assert client.get("/api/knowledge/practices").json()["items"][0]["id"] == pk
    reader = bearer(cast["donor_japan"])
    useful = _post(
        client, f"/api/knowledge/practices/{pk}/feedback", {"follow_up": "Costs?"}, reader
    )
    assert useful.status_code == 201
    twice = _post(client, f"/api/knowledge/practices/{pk}/feedback", {}, reader)
    assert twice.status_code == 409
    assert client.get(f"/api/knowledge/practices/{pk}").json()["useful"] == 1
    bad = _post(
        client,
        "/api/knowledge/practices",
        {"title": "X", "what": "Y", "documents": [999999]},
        proposer,
    )
    assert bad.status_code == 422 and "documents" in bad.json()["fields"]
    nobody = _post(
        client,
        "/api/knowledge/practices",
        {"title": "X", "what": "Y", "contact": "no-such-centre"},
        proposer,
    )
    assert nobody.status_code == 422 and "contact" in nobody.json()["fields"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/knowledge/challenges",
        "/api/knowledge/challenges/financial/passages",
        "/api/knowledge/documents",
        "/api/knowledge/practices",
    ],
)
def test_lists_read_in_a_fixed_number_of_queries(cast, url, django_assert_max_num_queries):
    for iso3 in ("PER", "COL", "KHM", "AGO"):
        for year in (2022, 2023):
            reported(iso3, year)
            passage(iso3, year, "financial", "capacity")
        Document.objects.create(title=f"Study {iso3}", kind="study", language="en").states.add(
            state(iso3)
        )
        practice = services.practice_propose(
            actor=cast["isu_staff"], title=f"Practice {iso3}", what="x", where=[state(iso3)]
        )
        services.practice_publish(actor=cast["isu_staff"], practice=practice)
    auth = bearer(cast["committee_chair"])
    Client().get(url, **auth)  # the token's first use is recorded once
    with django_assert_max_num_queries(
        9
    ):  # the token, the reader, the count, the page, its relations
        assert Client().get(url, **auth).status_code == 200


def test_documents_come_newest_year_first_in_one_order_page_after_page(cast):
    # a list with a count of passages per document is a GROUP BY query, where Django
    # leaves the model's default order out: the API orders it itself
    for year, title in ((2019, "B"), (2024, "Z"), (2024, "A"), (2021, "M"), (2024, "A")):
        Document.objects.create(title=title, year=year, kind="statement", language="en", text=title)
    expected = list(
        Document.objects.filter(visibility=Visibility.PUBLIC)
        .order_by("-year", "title", "pk")
        .values_list("pk", flat=True)
    )
    client = Client()
    whole = [d["id"] for d in client.get("/api/knowledge/documents").json()["items"]]
    assert whole == expected
    paged = [
        d["id"]
        for offset in range(0, len(expected), 2)
        for d in client.get(f"/api/knowledge/documents?limit=2&offset={offset}").json()["items"]
    ]
    assert paged == expected
