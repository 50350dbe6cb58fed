"""The knowledge base's writes: passages from submitted reports and requests (refreshed on
amendment, people's decisions kept), documents with their text, label decisions, practices."""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest
import weasyprint
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from minefree.clearance.tests.factories import submitted as submitted_request
from minefree.core.models import AuditEvent, Visibility
from minefree.core.workflow import AlreadyDone
from minefree.knowledge import services
from minefree.knowledge.models import LabelStatus, Passage, PassageLabel, PracticeStatus
from minefree.registry.models import Actor
from minefree.reporting import services as reporting
from minefree.reporting.tests.factories import submit_explained

pytestmark = pytest.mark.django_db

FUNDING = "The lack of financial resources remains the main challenge to complete clearance."
TERRAIN = "Heavy rains and dense jungle slow the survey teams in the Cordillera del Cóndor."


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what a block leaves to after its commit (the hooks), as the real commit would."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def _report(user: Any, commit: Any, challenges: list[tuple[str, str]], narrative: str = "") -> Any:
    peru = Actor.objects.get(iso3="PER")
    draft = reporting.report_open(actor=user, state=peru, year=2025)
    for category, text in challenges:
        reporting.row_save(
            actor=user,
            version=draft,
            letter="J",
            table="challenges",
            values={"category": category, "description": text},
        )
    if narrative:
        reporting.form_entry_save(
            actor=user, version=draft, letter="J", narratives={"other_matters": narrative}
        )
    return commit(submit_explained, user, draft)


def test_a_submitted_report_becomes_passages_with_their_source(cast, commit):
    version = _report(cast["focal_point_peru"], commit, [("financial", FUNDING)], narrative=TERRAIN)
    passages = {p.text: p for p in Passage.objects.filter(state__iso3="PER")}
    funding, terrain = passages[FUNDING], passages[TERRAIN]
    assert funding.source_kind == "reporting.article7report"
    assert funding.source_id == str(version.report_id)
    assert "Form J" in funding.locator and "row" in funding.locator
    assert funding.url == f"/reports/v/{version.pk}/forms/J/"
    assert funding.stated_category == "financial"
    assert (funding.year, funding.language) == (2025, "en")
    assert "Form J" in terrain.locator and terrain.stated_category == ""
    stated = funding.labels.get(category="financial")
    assert (stated.method, stated.confidence) == ("stated", 1.0)
    assert AuditEvent.objects.filter(action="passages.indexed").exists()


def test_an_amendment_refreshes_the_passages_and_keeps_peoples_decisions(cast, commit):
    user = cast["focal_point_peru"]
    version = _report(user, commit, [("financial", FUNDING), ("other", TERRAIN)])
    terrain = Passage.objects.get(text=TERRAIN)
    services.label_decide(
        actor=cast["committee_chair"],
        passage=terrain,
        category="environment_terrain",
        status=LabelStatus.CONFIRMED,
    )
    funding = Passage.objects.get(text=FUNDING)
    services.label_decide(
        actor=cast["isu_staff"],
        passage=funding,
        category="financial",
        status=LabelStatus.REJECTED,
    )
    draft = reporting.amendment_open(actor=user, report=version.report, reason="Rows corrected.")
    new_text = "Access to some areas is impossible for security reasons."
    reporting.row_save(
        actor=user,
        version=draft,
        letter="J",
        table="challenges",
        values={"category": "access", "description": new_text},
    )
    commit(submit_explained, user, draft)
    texts = set(Passage.objects.filter(state__iso3="PER").values_list("text", flat=True))
    assert {FUNDING, TERRAIN, new_text} <= texts
    assert Passage.objects.filter(text=FUNDING).count() == 1  # replaced, not added again
    terrain = Passage.objects.get(text=TERRAIN)
    assert "version 2" in terrain.locator
    kept = terrain.labels.get(category="environment_terrain")
    assert kept.status == LabelStatus.CONFIRMED and kept.decided_by == cast["committee_chair"]
    assert Passage.objects.get(text=FUNDING).labels.get(category="financial").status == (
        LabelStatus.REJECTED
    )


def test_a_submitted_extension_request_becomes_passages(cast, commit):
    version = commit(submitted_request, cast["focal_point_peru"])
    passages = Passage.objects.filter(source_kind="clearance.extensionrequest")
    assert passages.count() == 3
    impediments = passages.get(text__startswith="Difficult terrain")
    assert impediments.source_id == str(version.request_id)
    assert "Circumstances impeding compliance" in impediments.locator
    assert (impediments.language, impediments.year) == ("es", 2029)
    assert impediments.url == f"/clearance/v/{version.pk}/"
    assert {"financial", "environment_terrain"} <= set(
        impediments.labels.values_list("category", flat=True)
    )


def _passage() -> Passage:
    return Passage.objects.create(
        source_kind="test",
        source_id="1",
        locator="1",
        kind="statement",
        language="en",
        text=TERRAIN,
    )


def test_label_decisions_are_audited_and_refused_to_others(cast):
    passage = _passage()
    for who in ("focal_point_peru", "donor_japan", "anonymous"):
        with pytest.raises(PermissionDenied):
            services.label_decide(
                actor=cast[who],
                passage=passage,
                category="capacity",
                status=LabelStatus.CONFIRMED,
            )
    assert not PassageLabel.objects.filter(passage=passage, category="capacity").exists()
    label = services.label_decide(
        actor=cast["isu_staff"],
        passage=passage,
        category="capacity",
        status=LabelStatus.CONFIRMED,
    )
    assert label.method == "person" and label.decided_by == cast["isu_staff"]
    event = AuditEvent.objects.get(action="challenge_label.added")
    assert event.actor == cast["isu_staff"]
    with pytest.raises(AlreadyDone):
        services.label_decide(
            actor=cast["isu_staff"],
            passage=passage,
            category="capacity",
            status=LabelStatus.CONFIRMED,
        )
    services.label_decide(
        actor=cast["committee_chair"],
        passage=passage,
        category="capacity",
        status=LabelStatus.REJECTED,
    )
    label.refresh_from_db()
    assert label.status == LabelStatus.REJECTED and label.decided_by == cast["committee_chair"]
    with pytest.raises(ValidationError):
        services.label_decide(
            actor=cast["isu_staff"],
            passage=passage,
            category="weather",
            status=LabelStatus.CONFIRMED,
        )


def _pdf(pages: list[str]) -> bytes:
    html = "".join(f'<p style="page-break-after: always">{p}</p>' for p in pages)
    return weasyprint.HTML(string=html).write_pdf()


def _docx(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "where"),
    [
        ("statement.pdf", lambda: _pdf([TERRAIN, FUNDING]), "page 2"),
        ("statement.docx", lambda: _docx([TERRAIN, FUNDING]), "1"),
        ("statement.txt", lambda: f"{TERRAIN}\n\n{FUNDING}".encode(), "1"),
    ],
)
def test_an_uploaded_document_gives_its_text_as_passages(cast, name, content, where):
    peru = Actor.objects.get(iso3="PER")
    document = services.document_add(
        actor=cast["isu_staff"],
        title="Statement of Peru",
        kind="statement",
        language="en",
        file=SimpleUploadedFile(name, content()),
        states=[peru],
        year=2024,
        visibility=Visibility.COMMITTEE,
    )
    assert "Cordillera del" in document.text and "challenge to complete" in document.text
    passages = Passage.objects.filter(document=document)
    assert any(TERRAIN in p.text for p in passages)
    funding = next(p for p in passages if FUNDING in p.text)
    assert funding.locator.startswith(where)
    assert (funding.state, funding.year, funding.visibility) == (peru, 2024, "committee")
    assert funding.source_kind == "knowledge.document"
    if name.endswith(".pdf"):
        assert document.pages == 2


def test_a_document_is_checked_by_content_and_needs_a_file_or_an_address(cast):
    with pytest.raises(ValidationError):
        services.document_add(
            actor=cast["isu_staff"],
            title="Fake",
            kind="study",
            language="en",
            file=SimpleUploadedFile("study.pdf", b"MZ\x90\x00 not a pdf at all"),
        )
    with pytest.raises(ValidationError):
        services.document_add(actor=cast["isu_staff"], title="Nothing", kind="study", language="en")
    with pytest.raises(PermissionDenied):
        services.document_add(
            actor=cast["focal_point_peru"],
            title="Study",
            kind="study",
            language="en",
            url="https://www.apminebanconvention.org/",
        )
    document = services.document_add(
        actor=cast["isu_staff"],
        title="Study",
        kind="study",
        language="en",
        url="https://www.apminebanconvention.org/",
    )
    assert document.text == "" and not document.passages.exists()


def test_practices_are_proposed_published_once_and_found_useful_once(cast):
    peru = Actor.objects.get(iso3="PER")
    practice = services.practice_propose(
        actor=cast["focal_point_peru"],
        title="Community liaison before survey",
        what="Liaison officers visit each village before the survey teams.",
        result="Fewer suspected areas recorded without evidence.",
        where=[peru],
    )
    assert practice.status == PracticeStatus.PROPOSED
    with pytest.raises(PermissionDenied):
        services.practice_publish(actor=cast["committee_chair"], practice=practice)
    services.practice_publish(actor=cast["isu_staff"], practice=practice)
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.PUBLISHED and practice.published_at
    with pytest.raises(AlreadyDone):
        services.practice_publish(actor=cast["isu_staff"], practice=practice)
    services.practice_feedback(
        actor=cast["donor_japan"], practice=practice, follow_up="Could we visit?"
    )
    with pytest.raises(AlreadyDone):
        services.practice_feedback(actor=cast["donor_japan"], practice=practice)
    with pytest.raises(PermissionDenied):
        services.practice_feedback(actor=cast["anonymous"], practice=practice)
    assert practice.feedback.get().follow_up == "Could we visit?"
    assert {"practice.proposed", "practice.published", "practice.feedback_given"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_a_challenge_the_state_names_is_never_also_none(cast, commit):
    odd = "Twelve kilometres of road were checked in the north."  # no cue of any category
    _report(cast["focal_point_peru"], commit, [("capacity", odd)])
    categories = set(Passage.objects.get(text=odd).labels.values_list("category", flat=True))
    assert categories == {"capacity"}


def test_the_reference_documents_are_loaded_with_their_source_once(cast):
    from pathlib import Path

    from django.conf import settings

    from minefree.core.audit import SYSTEM
    from minefree.knowledge.models import Document
    from minefree.knowledge.reference_documents import reference_documents_load

    statement = Document.objects.get(origin="reference", kind="statement", year=2024)
    assert statement.meeting.code == "5RC"
    assert {s.iso3 for s in statement.states.all()} == {"DZA", "DNK", "JPN", "TUR"}
    assert statement.source.links[0][0] is None  # cited from the records, never a dead link
    key = next(p for p in statement.passages.all() if "key challenge" in p.text)
    assert "financial resources" in key.text and key.origin == "reference"
    assert "financial" in set(key.labels.values_list("category", flat=True))
    path = Path(settings.BASE_DIR) / "data" / "reference" / "documents.csv"
    passages = list(statement.passages.values_list("pk", flat=True))
    assert reference_documents_load(actor=SYSTEM, path=path) == (0, 0)
    assert list(statement.passages.values_list("pk", flat=True)) == passages


def test_a_rebuild_makes_the_passages_of_what_was_submitted_before_and_is_idempotent(cast, commit):
    from django.core.management import call_command

    from minefree.knowledge import fulltext
    from minefree.knowledge.search import SearchFilters, search

    _report(cast["focal_point_peru"], commit, [("financial", FUNDING)], narrative=TERRAIN)
    commit(submitted_request, cast["focal_point_peru"])
    # as in an installation whose reports and requests came before the knowledge base
    Passage.objects.exclude(source_kind="knowledge.document").delete()
    with pytest.raises(PermissionDenied):
        services.passages_rebuild(actor=cast["committee_chair"])
    counts = services.passages_rebuild(actor=cast["isu_staff"])
    assert counts["reports"] == 1 and counts["extension requests"] == 1
    found = {p.source_kind for p in Passage.objects.all()}
    assert found == {"reporting.article7report", "clearance.extensionrequest", "knowledge.document"}
    assert fulltext.index_size() == Passage.objects.count()
    hits = search(cast["anonymous"], "Cordillera", SearchFilters()).hits
    assert {h.passage.text for h in hits} >= {TERRAIN}
    before = sorted(Passage.objects.values_list("source_kind", "source_id", "text"))
    call_command("knowledge_index", stdout=io.StringIO())
    assert sorted(Passage.objects.values_list("source_kind", "source_id", "text")) == before
    assert fulltext.index_size() == Passage.objects.count()
