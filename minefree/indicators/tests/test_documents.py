"""The committee's documents as DOCX (opened with python-docx) and PDF (read with
pdftotext): title, version and status, sections, tables, the chart, the annex of records,
in English, French and Spanish; a published version prints what was frozen into it, a
draft what the records say today; a draft is never given to the public."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from minefree.accounts.models import Role
from minefree.accounts.tests.factories import make_user
from minefree.core.audit import SYSTEM
from minefree.fund.scenario import demo_fund_load
from minefree.indicators import services
from minefree.indicators.documents import document_docx, document_pdf
from minefree.indicators.models import DocumentKind, DocumentVersion
from minefree.knowledge.tests.factories import passage, reported
from minefree.registry.models import Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def statement() -> DocumentVersion:
    demo_fund_load(SYSTEM)
    return _open(DocumentKind.STATEMENT)


def _open(kind: str) -> DocumentVersion:
    return services.document_open(
        actor=SYSTEM, kind=kind, meeting=Meeting.objects.get(code="5RC"), year=2024
    )


def _publish(version: DocumentVersion) -> DocumentVersion:
    return services.document_publish(
        actor=SYSTEM, version=version, expected_version=services.version_etag(version)
    )


def _paragraphs(data: bytes) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in docx.Document(io.BytesIO(data)).paragraphs]


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed"
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", path, "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_docx_has_the_title_sections_tables_chart_and_annex(statement):
    data = document_docx(statement, "en", "https://minefree.example")
    paragraphs = _paragraphs(data)
    headings = [text for style, text in paragraphs if style.startswith(("Title", "Heading"))]
    assert headings[0] == (
        "Statement of the Committee on the Enhancement of Cooperation and Assistance"
    )
    assert headings[1:7] == [
        "Opening",
        "The mandate and what was done",
        "The individualised approach",
        "The Cooperation and Assistance Fund",
        "Closing",
        "Figures and tables",
    ]
    texts = [text for _style, text in paragraphs]
    assert "Version 1 (DRAFT)" in texts
    assert any(t.startswith("DRAFT — not published.") for t in texts)
    assert any("synthetic demo data" in t and "invented" in t for t in texts)
    bullets = [text for style, text in paragraphs if style == "List Bullet"]
    assert any(b.startswith("supporting States Parties in taking advantage") for b in bullets)
    document = docx.Document(io.BytesIO(data))
    assert len(document.inline_shapes) == 1  # the chart, as a PNG
    assert len(document.tables) == 2  # indicators and activities (no challenge reported)
    indicators = document.tables[0]
    assert [c.text for c in indicators.rows[0].cells] == [
        "Action",
        "Indicator",
        "Value",
        "Published figure",
        "Sources",
    ]
    assert any("(reconstructed wording)" in row.cells[1].text for row in indicators.rows[1:])
    annex = texts.index("Annex: the records behind each figure")
    refs = [t.split(".")[0] for s, t in paragraphs[annex:] if s == "Heading 2"]
    assert refs == [f"F{n}" for n in range(1, len(refs) + 1)] and len(refs) > 10
    assert any(
        "Nigerian Mine Action Centre visited the Turkish Mine Action Centre" in t
        and "https://minefree.example/fund/" in t
        and t.endswith("[synthetic demo data]")
        for t in texts[annex:]
    )


def test_the_pdf_reads_in_english_french_and_spanish(statement, tmp_path):
    english = _pdf_text(document_pdf(statement, "en"), tmp_path)
    assert "Statement of the Committee on the Enhancement" in english
    assert "Version 1 (DRAFT)" in english
    assert "The mandate and what was done" in english
    assert "Annex: the records behind each figure" in english
    assert "Peru (June 2024" in english
    assert "synthetic demo data" in english
    for language, month in (("fr", "juin 2024"), ("es", "junio de 2024")):
        text = " ".join(_pdf_text(document_pdf(statement, language), tmp_path).split())
        with translation.override(language):
            expected = [
                _("The mandate and what was done"),
                _("Annex: the records behind each figure"),
                _("Indicators of the action plan for %(year)s") % {"year": 2024},
                _("synthetic demo data"),
            ]
        for heading in expected:
            assert heading in text, (language, heading)
        assert month in text  # the Peru meeting, in the language's own words (Django's)


def test_a_published_version_prints_what_was_frozen_a_draft_what_is_recorded(statement):
    published = _publish(statement)
    observations = _open(DocumentKind.OBSERVATIONS)
    before = _docx_text(document_docx(published, "en"))
    assert "Version 1 (published)" in before
    assert "DRAFT" not in before
    reported("COL", 2024)
    passage("COL", 2024, "financial")
    published.refresh_from_db()
    after = _docx_text(document_docx(published, "en"))
    assert after == before
    assert "financial resources" not in after
    draft = _docx_text(document_docx(observations, "en"))
    assert "financial resources" in draft  # the draft's challenge table counts it now
    assert "Lack of financial resources" not in draft  # its text was drafted before


def test_a_published_version_in_french_is_the_french_frozen_content(statement):
    published = _publish(statement)
    document = docx.Document(io.BytesIO(document_docx(published, "fr")))
    assert document.core_properties.language == "fr"
    french = _docx_text(document_docx(published, "fr"))
    assert "juin 2024" in french  # the frozen French content, not the English
    with translation.override("fr"):
        assert _("Figures and tables") in french
        assert _("The Committee's year in records") in french


def _url(version: DocumentVersion, fmt: str) -> str:
    return reverse("indicators:document_file", args=[version.document_id, version.number, fmt])


def test_a_draft_is_refused_to_the_public_and_given_to_the_committee(client, statement):
    assert client.get(_url(statement, "docx")).status_code == 404
    assert client.get(_url(statement, "pdf")).status_code == 404
    member = make_user(
        "member_dza_docs", Role.COMMITTEE_MEMBER, scope="DZA", committee="cooperation_assistance"
    )
    client.force_login(member)
    response = client.get(_url(statement, "docx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxml")
    assert "Version 1 (DRAFT)" in _docx_text(response.content)
    client.logout()
    focal_point = make_user("fp_per_docs", Role.STATE_FOCAL_POINT, scope="PER")
    client.force_login(focal_point)
    assert client.get(_url(statement, "docx")).status_code == 404


def test_a_published_version_is_public_in_the_language_asked(client, statement, tmp_path):
    published = _publish(statement)
    response = client.get(_url(published, "pdf") + "?lang=es")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="statement-5RC-2024-v1-es.pdf"' in response["Content-Disposition"]
    assert "junio de 2024" in " ".join(_pdf_text(response.content, tmp_path).split())
    assert client.get(_url(published, "odt")).status_code == 404
    missing = reverse("indicators:document_file", args=[published.document_id, 9, "pdf"])
    assert client.get(missing).status_code == 404
