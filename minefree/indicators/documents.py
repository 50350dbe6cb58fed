"""The committee's documents as printed: an editable DOCX (python-docx) and a tagged PDF
(WeasyPrint), both from one description (``describe``) made in the reader's language.

A published version prints what was frozen into it when it was published (its text and,
per language, its figures, tables, chart and source annex), so a later change in the
records never changes it. A draft prints its text with the figures computed from the
records as they stand now, and is marked DRAFT. Every figure carries its reference ("F1"…)
and the annex lists the records behind each; synthetic demo data and reconstructed
wording are labelled wherever they appear.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from minefree.clearance.documents.content import Chart
from minefree.clearance.documents.formats import png_chart
from minefree.core import charts
from minefree.core.documents import Table, docx_table, html_pdf, in_language
from minefree.indicators import drafting
from minefree.indicators.models import DocumentKind, DocumentVersion


@dataclass
class Block:
    """A paragraph, or a bulleted list (a section's lines starting with "- ")."""

    bullets: bool
    lines: list[str]


@dataclass
class Section:
    code: str
    heading: str
    blocks: list[Block]


@dataclass
class AnnexEntry:
    """One figure and the records it is counted from."""

    ref: str
    label: str
    value: str
    synthetic: bool
    records: list[str]


@dataclass
class CommitteeDoc:
    title: str
    subtitle: str
    language: str
    version: str
    draft: bool
    synthetic: bool
    reconstructed: bool
    sections: list[Section]
    tables: list[Table]
    chart: Chart | None
    annex: list[AnnexEntry]
    footer: str
    labels: dict[str, str] = field(default_factory=dict)


def synthetic_label() -> str:
    return _("synthetic demo data")


def title_of(kind: str, committee: str) -> str:
    if kind == DocumentKind.STATEMENT:
        return _("Statement of the %(committee)s") % {"committee": committee}
    return _("Observations and conclusions of the %(committee)s") % {"committee": committee}


def content_of(version: DocumentVersion, language: str) -> dict[str, Any]:
    """What the version shows in ``language``: frozen when published, computed for a draft."""
    if not version.is_draft and version.content:
        frozen = version.content
        found = frozen.get(language) or frozen.get(settings.LANGUAGE_CODE)
        if found is None:
            found = next(iter(frozen.values()))
        return dict(found)
    with translation.override(language):
        return drafting.content(version.document)


def blocks(text: str) -> list[Block]:
    """A section's text as paragraphs and bulleted lists, as every format shows it."""
    found: list[Block] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        bullet = line.startswith(("- ", "• "))
        line = line[2:].strip() if bullet else line
        if found and found[-1].bullets and bullet:
            found[-1].lines.append(line)
        else:
            found.append(Block(bullet, [line]))
    return found


def _link(url: str, base: str) -> str:
    return f"{base.rstrip('/')}{url}" if url.startswith("/") and base else url


def _record(record: dict[str, Any], base: str) -> str:
    parts = [str(record.get("label", ""))]
    if record.get("state"):
        parts.append(str(record["state"]))
    if record.get("url"):
        parts.append(_link(str(record["url"]), base))
    text = " — ".join(p for p in parts if p)
    if record.get("synthetic"):
        text += f" [{synthetic_label()}]"
    return text


def describe(version: DocumentVersion, language: str, base: str = "") -> CommitteeDoc:
    """The version as printed in ``language``; ``base`` makes the records' links absolute."""
    with in_language(language):
        document = version.document
        data = content_of(version, language)
        titles = drafting.section_titles()
        sections = [
            Section(code, titles.get(code) or code, blocks(str(version.sections.get(code) or "")))
            for code in drafting.SECTIONS.get(str(document.kind), list(version.sections))
        ]
        tables = [
            Table(
                t["caption"], list(t["columns"]), [list(r) for r in t["rows"]], list(t["numeric"])
            )
            for t in data.get("tables", [])
        ]
        chart_data = data.get("chart") or {}
        series = [
            charts.Series(
                str(s["name"]),
                [(int(y), v) for y, v in s["points"]],
                bool(s.get("synthetic")),
            )
            for s in chart_data.get("series", [])
        ]
        chart = (
            Chart(str(chart_data.get("title", "")), str(chart_data.get("unit", "")), series)
            if series
            else None
        )
        annex = [
            AnnexEntry(
                f["id"],
                str(f["label"])
                + (f" ({_('reconstructed wording')})" if f.get("reconstructed") else ""),
                str(f["value"]),
                bool(f.get("synthetic")),
                [_record(r, base) for r in f.get("records", [])],
            )
            for f in data.get("figures", [])
        ]
        marker = synthetic_label()
        synthetic = (
            any(a.synthetic or any(marker in r for r in a.records) for a in annex)
            or any(marker in text for text in version.sections.values())
            or any(marker in cell for t in tables for row in t.rows for cell in row)
        )
        reconstructed_mark = _("reconstructed wording")
        reconstructed = any(
            reconstructed_mark in cell for t in tables for row in t.rows for cell in row
        ) or any(f.get("reconstructed") for f in data.get("figures", []))
        committee = str(data.get("committee") or document.committee.name)
        title = title_of(document.kind, committee)
        subtitle = _("%(meeting)s — year %(year)s") % {
            "meeting": data.get("meeting") or document.meeting.name,
            "year": document.year,
        }
        status = _("DRAFT") if version.is_draft else _("published")
        version_label = _("Version %(number)s (%(status)s)") % {
            "number": version.number,
            "status": status,
        }
        if not version.is_draft and version.published_at:
            version_label += " — " + _("published on %(day)s") % {
                "day": version.published_at.date().isoformat()
            }
        footer = f"{title} · {subtitle} · {version_label}"
        if synthetic:
            footer += f" · {marker}"
        return CommitteeDoc(
            title=title,
            subtitle=subtitle,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            version=version_label,
            draft=version.is_draft,
            synthetic=synthetic,
            reconstructed=reconstructed,
            sections=sections,
            tables=tables,
            chart=chart,
            annex=annex,
            footer=footer,
            labels={
                "draft_note": _(
                    "DRAFT — not published. Its figures are computed from the records as they "
                    "stand today and will change with them until the version is published."
                ),
                "synthetic_note": _(
                    "Some figures and records of this document come from synthetic demo data: "
                    "they are invented and labelled where they appear."
                ),
                "reconstructed_note": _(
                    "The indicators marked “reconstructed wording” are not the official text: "
                    "their wording was reconstructed from the action plan."
                ),
                "no_text": _("No text yet."),
                "no_rows": _("None."),
                "figures": _("Figures and tables"),
                "annex": _("Annex: the records behind each figure"),
                "no_records": _("No record."),
                "synthetic_label": marker,
            },
        )


def _labelled(chart: Chart) -> Chart:
    """The chart for the PNG, whose legend has no style for synthetic series: said in words."""
    series = [
        charts.Series(f"{s.label} ({synthetic_label()})", s.points, True) if s.synthetic else s
        for s in chart.series
    ]
    return Chart(chart.title, chart.unit, series, chart.kind)


def document_pdf(version: DocumentVersion, language: str, base: str = "") -> bytes:
    """The version as a tagged PDF (PDF/UA-1) in ``language``, the chart as the site's SVG."""
    with in_language(language):
        doc = describe(version, language, base)
        figure = (
            doc.chart.svg("chart-indicators", doc.labels["synthetic_label"]) if doc.chart else ""
        )
        html = render_to_string("indicators/document_print.html", {"doc": doc, "chart": figure})
    return html_pdf(html)


def document_docx(version: DocumentVersion, language: str, base: str = "") -> bytes:
    """The version as an editable DOCX in ``language``, the chart as a PNG image."""
    import docx
    from docx.shared import Inches

    with in_language(language):
        doc = describe(version, language, base)
        out = docx.Document()
        out.core_properties.title = f"{doc.title}: {doc.subtitle}"
        out.core_properties.language = doc.language
        out.add_heading(doc.title, level=0)
        out.add_paragraph(doc.subtitle)
        out.add_paragraph().add_run(doc.version).bold = True
        if doc.draft:
            out.add_paragraph().add_run(doc.labels["draft_note"]).bold = True
        if doc.synthetic:
            out.add_paragraph().add_run(doc.labels["synthetic_note"]).bold = True
        if doc.reconstructed:
            out.add_paragraph().add_run(doc.labels["reconstructed_note"]).italic = True
        for section in doc.sections:
            out.add_heading(section.heading, level=1)
            if not section.blocks:
                out.add_paragraph(doc.labels["no_text"])
            for block in section.blocks:
                for line in block.lines:
                    out.add_paragraph(line, style="List Bullet" if block.bullets else None)
        out.add_heading(doc.labels["figures"], level=1)
        for table in doc.tables:
            out.add_heading(table.caption, level=2)
            if table.rows:
                docx_table(out, table, table.columns, table.rows)
            else:
                out.add_paragraph(doc.labels["no_rows"])
        if doc.chart is not None:
            out.add_heading(doc.chart.title, level=2)
            out.add_picture(io.BytesIO(png_chart(_labelled(doc.chart))), width=Inches(6.3))
        out.add_heading(doc.labels["annex"], level=1)
        for entry in doc.annex:
            out.add_heading(f"{entry.ref}. {entry.label}", level=2)
            value = out.add_paragraph(entry.value)
            if entry.synthetic:
                value.add_run(f" [{doc.labels['synthetic_label']}]")
            if not entry.records:
                out.add_paragraph(doc.labels["no_records"])
            for record in entry.records:
                out.add_paragraph(record, style="List Bullet")
        out.sections[0].footer.paragraphs[0].text = doc.footer
        buffer = io.BytesIO()
        out.save(buffer)
    return buffer.getvalue()
