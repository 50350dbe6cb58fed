"""What every printed document of minefree shares: the document's language, tables of
figures (numbers aligned right), the way figures and days are printed ("unknown" where no
source gives them), a tagged PDF from HTML (WeasyPrint) and a table in a DOCX
(python-docx). The clearance analysis and the fund's yearly report use them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

#: tagged PDF: structure tree, language (``<html lang>``) and title (``<title>``)
PDF_VARIANT = "pdf/ua-1"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]
    #: which columns hold figures (aligned right)
    numeric: list[bool]
    #: many columns: printed smaller
    wide: bool = False

    @property
    def cells(self) -> list[list[tuple[str, bool]]]:
        return [list(zip(row, self.numeric, strict=True)) for row in self.rows]


def in_language(language: str | None) -> Any:
    """The document's language: ``language``, else the active one."""
    return translation.override(language or translation.get_language())


def language_asked(value: str | None) -> str | None:
    """``value`` if it is one of the site's languages (e.g. ``?lang=fr``), else None."""
    code = (value or "").strip().lower()[:2]
    return code if code in dict(settings.LANGUAGES) else None


def unknown() -> str:
    return _("unknown")


def usd(value: Decimal | None) -> str:
    """A sum of money rounded to the unit, grouped; "unknown" when none is known."""
    if value is None:
        return unknown()
    return str(number_format(round(value), force_grouping=True))


def day(value: Any) -> str:
    return date_format(value, "DATE_FORMAT") if value else unknown()


def html_pdf(html: str) -> bytes:
    """HTML as a tagged PDF (PDF/UA-1), fonts embedded as subsets."""
    import weasyprint

    pdf = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant=PDF_VARIANT
    )
    assert pdf is not None
    return bytes(pdf)


def docx_table(
    document: Any,
    table: Table | None,
    columns: list[str],
    rows: list[list[str]],
    header: bool = True,
) -> None:
    """A grid in ``document``: bold header row (unless ``header`` is false), figures right."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    grid = document.add_table(rows=1 if header else 0, cols=len(columns))
    grid.style = "Table Grid"
    if header:
        for cell, text in zip(grid.rows[0].cells, columns, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
    numeric = table.numeric if table else [False] * len(columns)
    for row in rows:
        for cell, text, figure in zip(grid.add_row().cells, row, numeric, strict=True):
            cell.text = text
            if figure:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
