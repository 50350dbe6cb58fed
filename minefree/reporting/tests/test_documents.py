"""The printable report: PDF, DOCX and JSON of a version, and their downloads."""

from __future__ import annotations

import io
import re
import subprocess
import zlib
from pathlib import Path
from typing import Any

import docx
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.test import Client
from django.utils import translation

from minefree.accounts.models import Role
from minefree.accounts.tests.factories import make_user
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.exchange.documents import mark_label, report_docx, report_json, report_pdf
from minefree.reporting.models import FormStatus, ReportVersion
from minefree.reporting.specification.schema import FORMS
from minefree.reporting.tests.factories import submit_explained

pytestmark = pytest.mark.django_db


def _draft() -> tuple[Any, ReportVersion]:
    user = make_user("fp", Role.STATE_FOCAL_POINT, scope="NOR")
    draft = services.report_open(actor=user, state=Actor.objects.get(iso3="NOR"), year=2025)
    services.row_save(
        actor=user,
        version=draft,
        letter="B",
        table="stockpile",
        values={"mine_type": "PMN-2", "quantity": 42},
    )
    services.row_save(
        actor=user,
        version=draft,
        letter="C",
        table="mined_areas",
        values={"region": "Finnmark", "hazard_class": "CHA", "area_m2": 12345},
    )
    services.form_status_set(
        actor=user, version=draft, letter="E", status=FormStatus.NOT_APPLICABLE
    )
    return user, draft


@pytest.fixture
def submitted() -> ReportVersion:
    user, draft = _draft()
    return submit_explained(user, draft)


def _pdf_text(data: bytes, tmp_path: Path, *pages: str) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def _pdf_tool(tool: str, data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "tool.pdf"
    path.write_bytes(data)
    return subprocess.run([tool, str(path)], check=True, capture_output=True, text=True).stdout


def _pages(data: bytes, tmp_path: Path) -> int:
    found = re.search(r"^Pages:\s+(\d+)$", _pdf_tool("pdfinfo", data, tmp_path), re.M)
    assert found
    return int(found.group(1))


def _objects(data: bytes) -> bytes:
    """The raw file with its compressed streams inflated (the catalog sits in an object stream)."""
    inflated = [data]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            inflated.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
    return b"\n".join(inflated)


def _digits(text: str) -> str:
    return re.sub(r"(?<=\d)[\s,.\u202f\u00a0](?=\d{3})", "", text)


def test_pdf_has_the_cover_first_then_the_forms(submitted: ReportVersion, tmp_path: Path):
    data = report_pdf(submitted)
    assert data.startswith(b"%PDF")
    text = _pdf_text(data, tmp_path)
    assert "Form B" in text
    assert "Finnmark" in text
    assert "12345" in _digits(text)
    assert "No coordinates are published" in text
    e_section = text.split("Form E:")[-1].split("Form F:")[0]
    assert "not applicable" in e_section
    assert "Production facilities" not in e_section  # only the mark

    cover = _pdf_text(data, tmp_path, "-f", "1", "-l", "1")
    assert "Article 7 report" in cover
    assert "Norway" in cover
    assert all(f"Form {letter}:" in cover for letter in "ABCDEFGHIJ")
    assert "Finnmark" not in cover
    assert re.search(r"\b1 ?/ ?\d+\s*$", cover)  # pdftotext may drop the spaces around "/"


def test_forms_without_content_share_one_page(tmp_path: Path):
    user, draft = _draft()  # rows in B and C, E not applicable
    for letter in "DFGHI":
        services.form_status_set(
            actor=user, version=draft, letter=letter, status=FormStatus.NOT_APPLICABLE
        )
    data = report_pdf(submit_explained(user, draft))

    # One cover page, one page each for B and C, one for the six not applicable forms and the
    # two empty ones (A, J). It used to be a page per form: 1 + 10.
    with_content, cover_pages = 2, 1
    pages = _pages(data, tmp_path)
    assert pages <= with_content + cover_pages + 1
    assert pages == 4 < cover_pages + len(FORMS) == 11
    assert "Form B:" in _pdf_text(data, tmp_path, "-f", "2", "-l", "2").split("Form C:")[0]
    assert "Form C:" in _pdf_text(data, tmp_path, "-f", "3", "-l", "3")
    last = _pdf_text(data, tmp_path, "-f", "4", "-l", "4")
    assert "Forms not applicable or without content" in last
    listed = re.findall(r"Form ([A-J]):.*?(not applicable|changed · No rows\.)$", last, re.M)
    assert listed == [
        ("A", "changed · No rows."),
        *((letter, "not applicable") for letter in "DEFGHI"),
        ("J", "changed · No rows."),
    ]
    assert "Finnmark" not in last


def test_pdf_is_tagged_with_language_and_title(submitted: ReportVersion, tmp_path: Path):
    data = report_pdf(submitted)
    info = _pdf_tool("pdfinfo", data, tmp_path)
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(r"^Title:\s+Article 7 report: Norway, 2025$", info, re.M)
    objects = _objects(data)
    assert b"/MarkInfo <</Marked true>>" in objects
    assert re.search(rb"/StructTreeRoot \d+ 0 R", objects)
    assert b"/Lang (en)" in objects
    assert b"/DisplayDocTitle true" in objects
    assert b'pdfuaid:part="1"' in objects  # PDF/UA-1 identification in the XMP metadata
    for tag in (b"Document", b"H1", b"H2", b"Table", b"TH", b"TD"):
        assert re.search(rb"/S /" + tag + rb"\b", objects), tag  # the structure tree

    fonts = _pdf_tool("pdffonts", data, tmp_path).splitlines()[2:]
    assert fonts
    assert all(line.split()[-5] == "yes" for line in fonts), fonts  # the "emb" column


def test_docx_has_a_heading_per_form_and_the_rows(submitted: ReportVersion):
    document = docx.Document(io.BytesIO(report_docx(submitted)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    for letter in "ABCDEFGHIJ":
        assert any(h.startswith(f"Form {letter}:") for h in headings), letter
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert any("Finnmark" in row for row in cells)
    assert next(row[:3] for row in cells if "Administrative region" in row) == [
        "Administrative region",
        "Hazard class",
        "Number of areas",
    ]


def test_json_has_the_rows_and_marks(submitted: ReportVersion):
    data = report_json(submitted)
    assert data["cover"]["iso3"] == "NOR"
    assert data["cover"]["status"] == "submitted"
    forms = {f["letter"]: f for f in data["forms"]}
    assert list(forms) == list("ABCDEFGHIJ")
    mined = next(t for t in forms["C"]["tables"] if t["code"] == "mined_areas")
    assert mined["rows"] == [
        {
            "region": "Finnmark",
            "hazard_class": "CHA",
            "areas": None,
            "area_m2": 12345,
            "mine_types": None,
            "emplaced": None,
            "notes": None,
        }
    ]
    assert forms["E"]["status"] == "not_applicable"
    assert "tables" not in forms["E"]


@pytest.fixture
def catalogues(tmp_path: Path, settings: Any) -> None:
    """Compile the committed French catalogue (the .mo in the tree may be older than the .po)."""
    base = Path(settings.BASE_DIR) / "locale"
    for po in base.glob("*/LC_MESSAGES/django.po"):
        target = tmp_path / "locale" / po.relative_to(base).with_suffix(".mo")
        target.parent.mkdir(parents=True)
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parts[-3])
        with target.open("wb") as out:
            write_mo(out, catalog)
    settings.LOCALE_PATHS = [tmp_path / "locale"]


@pytest.mark.usefixtures("catalogues")
def test_french(submitted: ReportVersion, tmp_path: Path):
    with translation.override("fr"):
        pdf = report_pdf(submitted)
        text = _pdf_text(pdf, tmp_path)
        data = report_json(submitted)
        document = docx.Document(io.BytesIO(report_docx(submitted)))
    assert "Formulaire B" in text
    assert "sans objet" in text
    assert "Rapport au titre de l'article 7" in text
    assert b"/Lang (fr)" in _objects(pdf)
    assert data["forms"][4]["mark"] == "sans objet"
    assert any(p.text.startswith("Formulaire C") for p in document.paragraphs)


def test_downloads_follow_the_version_visibility(submitted: ReportVersion):
    client = Client()
    url = f"/reports/v/{submitted.pk}/report"
    response = client.get(f"{url}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="NOR-2025-v1.pdf"'
    assert response.content.startswith(b"%PDF")

    response = client.get(f"{url}.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="NOR-2025-v1.docx"'

    response = client.get(f"{url}.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="NOR-2025-v1.json"'
    assert response.json()["cover"]["year"] == 2025

    assert client.get(f"{url}.exe").status_code == 404
    assert client.get(f"{url}.xlsx")["Content-Disposition"].endswith('.xlsx"')


def test_drafts_stay_private(client: Client):
    user, draft = _draft()
    for fmt in ("pdf", "docx", "json"):
        assert Client().get(f"/reports/v/{draft.pk}/report.{fmt}").status_code == 404
    outsider = make_user("donor", Role.DONOR_FOCAL_POINT, scope="JPN")
    client.force_login(outsider)
    assert client.get(f"/reports/v/{draft.pk}/report.pdf").status_code == 404
    client.force_login(user)
    response = client.get(f"/reports/v/{draft.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_marks():
    assert mark_label(FormStatus.UNCHANGED, 2023) == "unchanged (last reporting: 2023)"
    assert mark_label(FormStatus.UNCHANGED, None) == "unchanged"
    assert mark_label(FormStatus.CHANGED, None) == "changed"
