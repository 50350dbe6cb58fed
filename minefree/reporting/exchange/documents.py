"""A version as a printable document: PDF (WeasyPrint), DOCX (python-docx) and JSON.

The three formats are built from one description (``build``) in the active
language, so they always show the same cover, forms, tables and marks.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from minefree.core.documents import html_pdf
from minefree.core.models import Origin
from minefree.reporting.models import FormStatus, ReportVersion
from minefree.reporting.specification.content import Content, load_content
from minefree.reporting.specification.schema import (
    AMOUNT,
    AREA_M2,
    CHOICE,
    FORMS,
    INTEGER,
    Field,
    FormSpec,
)

GROUPED = {INTEGER, AREA_M2, AMOUNT}


@dataclass
class TableDoc:
    code: str
    label: str
    names: list[str]
    columns: list[str]
    rows: list[list[str]]
    data: list[dict[str, Any]]
    numeric: list[bool] = field(default_factory=list)

    @property
    def cells(self) -> list[list[tuple[str, bool]]]:
        """Each row's printed values with whether they are figures (aligned right)."""
        return [list(zip(row, self.numeric, strict=True)) for row in self.rows]


@dataclass
class FormDoc:
    letter: str
    heading: str
    title: str
    article: str
    status: str
    unchanged_since: int | None
    mark: str
    tables: list[TableDoc] = field(default_factory=list)
    narratives: list[tuple[str, str]] = field(default_factory=list)
    totals: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""

    @property
    def applicable(self) -> bool:
        return self.status != FormStatus.NOT_APPLICABLE

    @property
    def has_content(self) -> bool:
        """Rows, narratives or declared totals to print: such a form gets its own page."""
        return self.applicable and (
            any(t.rows for t in self.tables) or bool(self.narratives) or bool(self.totals)
        )


@dataclass
class ReportDoc:
    version: ReportVersion
    title: str
    subtitle: str
    cover: list[tuple[str, str]]
    forms: list[FormDoc]
    footer: str
    labels: dict[str, str]

    @property
    def with_content(self) -> list[FormDoc]:
        return [f for f in self.forms if f.has_content]

    @property
    def without_content(self) -> list[FormDoc]:
        """Not applicable or empty forms: listed together in one short section."""
        return [f for f in self.forms if not f.has_content]


def mark_label(status: str, since: int | None) -> str:
    if status == FormStatus.NOT_APPLICABLE:
        return _("not applicable")
    if status == FormStatus.UNCHANGED:
        if since:
            return _("unchanged (last reporting: %(year)s)") % {"year": since}
        return _("unchanged")
    return _("changed")


def display(spec: Field, value: Any) -> str:
    """A stored value as printed: choice labels, grouped figures, text as typed."""
    if value is None or value == "":
        return ""
    if spec.kind == CHOICE:
        return str(dict(spec.choices).get(str(value), value))
    if spec.kind in GROUPED and isinstance(value, int | float) and not isinstance(value, bool):
        return str(number_format(value, force_grouping=True))
    return str(value)


def _form(content: Content, letter: str, spec: FormSpec) -> FormDoc:
    entry = content.entries.get(letter)
    status = content.status(letter)
    since = entry.unchanged_since if entry else None
    doc = FormDoc(
        letter=letter,
        heading=_("Form %(letter)s") % {"letter": letter},
        title=str(spec.title),
        article=str(spec.article),
        status=str(status),
        unchanged_since=since,
        mark=mark_label(status, since),
    )
    if not doc.applicable:
        return doc
    if letter == "C":
        doc.note = _(
            "No coordinates are published: mined areas are given by administrative region."
        )
    totals = entry.declared_totals if entry else {}
    narratives = entry.narratives if entry else {}
    for table in spec.tables:
        rows = content.table(letter, table.code)
        doc.tables.append(
            TableDoc(
                code=table.code,
                label=str(table.label),
                names=[f.name for f in table.fields],
                columns=[str(f.label) for f in table.fields],
                rows=[[display(f, row.data.get(f.name)) for f in table.fields] for row in rows],
                data=[{f.name: row.data.get(f.name) for f in table.fields} for row in rows],
                numeric=[f.kind in GROUPED for f in table.fields],
            )
        )
        declared = totals.get(table.code)
        if declared not in (None, ""):
            summed = table.field(table.total_of) if table.total_of else Field("total", "")
            doc.totals.append(
                (
                    _("Declared total of “%(table)s”") % {"table": table.label},
                    display(summed, declared),
                )
            )
    for narrative in spec.narratives:
        text = str(narratives.get(narrative.name) or "")
        if text:
            doc.narratives.append((str(narrative.label), text))
    return doc


def build(version: ReportVersion) -> ReportDoc:
    """The document in the active language."""
    report = version.report
    content = load_content(version)
    status = _("draft") if version.is_draft else _("submitted")
    submitted = (
        date_format(timezone.localtime(version.submitted_at), "DATE_FORMAT")
        if version.submitted_at
        else "—"
    )
    period = _("%(start)s to %(end)s") % {
        "start": date_format(report.period_start, "DATE_FORMAT"),
        "end": date_format(report.period_end, "DATE_FORMAT"),
    }
    title = _("Article 7 report")
    cover = [
        (_("State"), report.state.name),
        (_("Year covered"), str(report.year)),
        (_("Period"), period),
        (_("Version"), f"{version.number} ({status})"),
        (_("Submitted"), submitted),
    ]
    synthetic = report.origin == Origin.SYNTHETIC
    if synthetic:
        cover.append((_("Origin"), _("synthetic demo data: invented, not a real submission")))
    forms = [_form(content, letter, spec) for letter, spec in FORMS.items()]
    footer = f"{report.state.name} · {title} {report.year} · " + (
        _("version %(n)s") % {"n": version.number}
    )
    if synthetic:
        footer += " · " + _("synthetic demo data")
    labels = {
        "forms": _("Forms"),
        "form": _("Form"),
        "article": _("Article"),
        "mark": _("Mark"),
        "no_rows": _("No rows."),
        "without_content": _("Forms not applicable or without content"),
        "without_content_note": _(
            "These forms are marked not applicable, or have no rows, narratives or declared "
            "totals in this version."
        ),
        "draft_note": _(
            "This is a draft. It is not official and not public: only the state's focal point "
            "and delegates and the ISU see it."
        ),
    }
    return ReportDoc(
        version=version,
        title=title,
        subtitle=f"{report.state.name}, {report.year}",
        cover=cover,
        forms=forms,
        footer=footer,
        labels=labels,
    )


def report_pdf(version: ReportVersion) -> bytes:
    """The version as a tagged PDF (PDF/UA-1): structure tree, language and title are set.

    The language comes from ``<html lang>`` and the title from ``<title>`` (shown by viewers
    instead of the file name); fonts are embedded as subsets.
    """
    return html_pdf(render_to_string("reporting/print.html", {"doc": build(version)}))


def report_docx(version: ReportVersion) -> bytes:
    import docx
    from docx.enum.section import WD_ORIENT

    doc = build(version)
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width

    document.add_heading(f"{doc.title}: {doc.subtitle}", level=0)
    if version.is_draft:
        document.add_paragraph(doc.labels["draft_note"])
    cover = document.add_table(rows=0, cols=2)
    cover.style = "Table Grid"
    for label, value in doc.cover:
        cells = cover.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_heading(doc.labels["forms"], level=1)
    marks = document.add_table(rows=1, cols=3)
    marks.style = "Table Grid"
    for cell, text in zip(
        marks.rows[0].cells,
        (doc.labels["form"], doc.labels["article"], doc.labels["mark"]),
        strict=True,
    ):
        cell.text = text
    for form in doc.forms:
        cells = marks.add_row().cells
        cells[0].text = f"{form.heading}: {form.title}"
        cells[1].text, cells[2].text = form.article, form.mark

    for form in doc.forms:
        heading = document.add_heading(f"{form.heading}: {form.title}", level=1)
        heading.paragraph_format.page_break_before = True
        document.add_paragraph(f"{form.article} · {doc.labels['mark']}: {form.mark}")
        if not form.applicable:
            continue
        if form.note:
            document.add_paragraph().add_run(form.note).bold = True
        for table in form.tables:
            document.add_heading(table.label, level=2)
            if not table.rows:
                document.add_paragraph(doc.labels["no_rows"])
                continue
            grid = document.add_table(rows=1, cols=len(table.columns))
            grid.style = "Table Grid"
            for cell, text in zip(grid.rows[0].cells, table.columns, strict=True):
                cell.text = text
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in table.rows:
                for cell, text in zip(grid.add_row().cells, row, strict=True):
                    cell.text = text
        for label, value in [*form.totals, *form.narratives]:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def report_json(version: ReportVersion) -> dict[str, Any]:
    doc = build(version)
    report = version.report
    forms: list[dict[str, Any]] = []
    for form in doc.forms:
        item: dict[str, Any] = {
            "letter": form.letter,
            "title": form.title,
            "article": form.article,
            "status": form.status,
            "unchanged_since": form.unchanged_since,
            "mark": form.mark,
        }
        if form.applicable:
            item["tables"] = [
                {
                    "code": t.code,
                    "label": t.label,
                    "columns": [
                        {"name": n, "label": c} for n, c in zip(t.names, t.columns, strict=True)
                    ],
                    "rows": t.data,
                }
                for t in form.tables
            ]
            item["declared_totals"] = [{"label": k, "value": v} for k, v in form.totals]
            item["narratives"] = [{"label": k, "text": v} for k, v in form.narratives]
        forms.append(item)
    return {
        "cover": {
            "title": doc.title,
            "state": report.state.name,
            "iso3": report.state.iso3,
            "year": report.year,
            "kind": report.kind,
            "period_start": report.period_start.isoformat(),
            "period_end": report.period_end.isoformat(),
            "version": version.number,
            "status": version.status,
            "submitted_at": version.submitted_at.isoformat() if version.submitted_at else None,
            "origin": report.origin,
            "fields": [{"label": k, "value": v} for k, v in doc.cover],
        },
        "forms": forms,
    }
