"""The draft analysis document: PDF and DOCX in the committee's structure, the text sections
with the tables and charts of the data, in the document's language, synthetic data
labelled, and a published analysis made only of what the public may see."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from django.utils import translation

from minefree.accounts.tests.factories import make_cast
from minefree.clearance import services
from minefree.clearance.documents import analysis_docx, analysis_pdf, build, png_chart
from minefree.clearance.documents.content import Chart
from minefree.clearance.models import ANALYSIS_SECTIONS
from minefree.clearance.tests.analysis_world import flow, peru_history, submitted_request
from minefree.core import charts
from minefree.core.models import Origin

pytestmark = pytest.mark.django_db

TEXT = {
    "summary": "Peru asks for five more years, to 31 December 2034.",
    "observations": "The Committee noted that the plan was not met in four of five years.",
}


@pytest.fixture
def cast():
    return make_cast()


@pytest.fixture
def analysed(cast, django_capture_on_commit_callbacks):
    """Peru's history, its 2026 request and a draft analysis of the committee."""
    with django_capture_on_commit_callbacks(execute=True):
        peru_history()
        version = submitted_request(cast["focal_point_peru"])
    flow("NOR", 2024, 80_000)
    analysis = services.analysis_save(
        actor=cast["committee_chair"], request=version.request, sections=TEXT
    )
    return version.request, analysis


def _text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "analysis.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _digits(text: str) -> str:
    return re.sub(r"(?<=\d)[\s,.\u202f\u00a0](?=\d{3})", "", text)


def test_the_pdf_follows_the_committee_s_structure_with_the_data(analysed, cast, tmp_path):
    request, analysis = analysed
    data = analysis_pdf(request, analysis, cast["committee_chair"])
    assert data.startswith(b"%PDF")
    text = _text(data, tmp_path)
    positions = [text.index(f"{n}. {label}") for n, (_c, label) in enumerate(ANALYSIS_SECTIONS, 1)]
    assert positions == sorted(positions)  # the sections in the committee's order
    assert TEXT["summary"] in text and TEXT["observations"] in text
    assert "Plan against result in the previous period" in text
    assert "Projection from the observed yearly release" in text
    assert "Budget of the workplan against money on record" in text
    assert "330000" in _digits(text)  # the remaining contamination
    assert "Deadline before projected completion" in text  # a flag, under the observations
    assert "report-version:" in text  # every figure's source is listed
    assert "Draft: not the committees' published analysis" in text
    assert "<svg" not in text and "synthetic" not in text


def test_the_docx_is_editable_with_headings_tables_and_charts(analysed, cast):
    request, analysis = analysed
    document = docx.Document(io.BytesIO(analysis_docx(request, analysis, cast["committee_chair"])))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[: len(ANALYSIS_SECTIONS)] == [
        f"{n}. {label}" for n, (_c, label) in enumerate(ANALYSIS_SECTIONS, 1)
    ]
    paragraphs = [p.text for p in document.paragraphs]
    assert TEXT["summary"] in paragraphs
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["2024", "unknown", "40,000", "40,000", "100.0 %", "40,000", "100.0 %", ""] in cells
    assert len(document.inline_shapes) == 3  # plan vs result, yearly release, money
    assert document.core_properties.language == "en"


def test_a_published_analysis_shows_only_what_the_public_may_see(analysed, cast):
    request, analysis = analysed
    flow("JPN", 2026, 300_000, status="commitment", visibility="committee")
    draft = build(request, analysis, cast["committee_chair"])
    services.analysis_publish(actor=cast["isu_staff"], request=request)
    analysis.refresh_from_db()
    published = build(request, analysis, cast["committee_chair"])

    def committed(doc) -> str:
        section = next(s for s in doc.sections if s.code == "resources")
        return section.tables[0].rows[0][5]

    assert committed(draft) == "300,000" and committed(published) == "0"
    assert published.draft is False and "published" in published.cover[-1][1]


def test_synthetic_data_is_labelled(cast, tmp_path):
    version = submitted_request(cast["focal_point_peru"], origin=Origin.SYNTHETIC)
    analysis = services.analysis_save(
        actor=cast["committee_chair"], request=version.request, sections={}
    )
    text = _text(analysis_pdf(version.request, analysis, cast["committee_chair"]), tmp_path)
    assert "This analysis uses synthetic demo data" in text
    assert text.count("synthetic demo data") >= 3  # the note, the cover and every footer
    document = docx.Document(
        io.BytesIO(analysis_docx(version.request, analysis, cast["committee_chair"]))
    )
    assert any("synthetic demo data" in p.text for p in document.paragraphs)


@pytest.fixture
def headings_translated(tmp_path: Path, settings: Any) -> None:
    """A catalogue with two of the document's headings in French and Spanish (the project's
    catalogues get the clearance strings in the translation pass of the whole issue)."""
    words = {
        "fr": {"Summary of the request": "Résumé de la demande", "Key figures": "Chiffres clés"},
        "es": {"Summary of the request": "Resumen de la solicitud", "Key figures": "Cifras clave"},
    }
    for language, messages in words.items():
        catalog = Catalog(locale=language)
        for source, target in messages.items():
            catalog.add(source, target)
        path = tmp_path / "locale" / language / "LC_MESSAGES" / "django.mo"
        path.parent.mkdir(parents=True)
        with path.open("wb") as out:
            write_mo(out, catalog)
    settings.LOCALE_PATHS = [tmp_path / "locale"]


@pytest.mark.usefixtures("headings_translated")
@pytest.mark.parametrize(
    ("language", "heading", "table", "submitted"),
    [
        ("fr", "1. Résumé de la demande", "Chiffres clés", "31 mars 2026"),
        ("es", "1. Resumen de la solicitud", "Cifras clave", "31 de marzo de 2026"),
    ],
)
def test_the_document_s_language(analysed, cast, tmp_path, language, heading, table, submitted):
    request, analysis = analysed
    pdf = analysis_pdf(request, analysis, cast["committee_chair"], language=language)
    text = _text(pdf, tmp_path)
    assert heading in text and table in text and submitted in text
    with translation.override(language):
        assert build(request, analysis, cast["committee_chair"]).language == language  # <html lang>
    document = docx.Document(
        io.BytesIO(analysis_docx(request, analysis, cast["committee_chair"], language=language))
    )
    assert heading in [p.text for p in document.paragraphs]
    assert document.core_properties.language == language


def test_a_chart_is_drawn_for_the_docx():
    chart = Chart(
        "Plan", "m²", [charts.Series("a", [(2020, 1.0), (2021, None)]), charts.Series("b", [])]
    )
    data = png_chart(chart, width=600, height=300)
    assert data.startswith(b"\x89PNG")
    from PIL import Image

    assert Image.open(io.BytesIO(data)).size == (600, 300)
