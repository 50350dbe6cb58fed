"""What every printed document of minefree shares: the document's language, tables of
figures (numbers aligned right), the way figures and days are printed ("unknown" where no
source gives them), a tagged PDF from HTML (WeasyPrint) and a table in a DOCX
(python-docx). The clearance analysis and the fund's yearly report use them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags.static import static
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
    """HTML as a tagged PDF (PDF/UA-1), fonts embedded as subsets; its ``{% static %}``
    stylesheets are read from the site's static files."""
    import weasyprint

    pdf = weasyprint.HTML(
        string=html, base_url=str(settings.BASE_DIR), url_fetcher=static_files_fetcher()
    ).write_pdf(pdf_variant=PDF_VARIANT)
    assert pdf is not None
    return bytes(pdf)


def static_file(url: str) -> Path | None:
    """The file behind a ``{% static %}`` address as WeasyPrint resolves it against
    ``BASE_DIR`` (``file:///static/core/print.css``), or None for any other address.

    The print pages link their stylesheets the way the site's pages do, not inline, so
    every HTML minefree builds keeps the Content-Security-Policy; the PDF reads them from
    disk: from the apps' ``static/`` folders, or after ``collectstatic`` under the hashed
    names the manifest storage gives them.
    """
    parts = urlsplit(url)
    prefix = urlsplit(static("")).path
    if parts.scheme != "file" or not parts.path.startswith(prefix):
        return None
    name = unquote(parts.path.removeprefix(prefix))
    found = finders.find(name)
    if isinstance(found, str):
        return Path(found)
    if staticfiles_storage.exists(name):
        return Path(staticfiles_storage.path(name))
    return None


def static_files_fetcher() -> Any:
    """WeasyPrint's fetcher, reading ``{% static %}`` addresses from the static files."""
    from weasyprint.urls import URLFetcher

    class StaticFilesFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = static_file(url)
            return super().fetch(path.as_uri() if path else url, headers)

    return StaticFilesFetcher()


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
