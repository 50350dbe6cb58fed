"""The analysis document as a tagged PDF (WeasyPrint) and an editable DOCX (python-docx),
with the charts as the site's SVG in the PDF and as PNG images drawn here in the DOCX."""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils.formats import number_format

from minefree.clearance.documents.content import Chart, build
from minefree.clearance.models import AnalysisVersion, ExtensionRequest
from minefree.core import charts
from minefree.core.documents import docx_table as _docx_table
from minefree.core.documents import html_pdf
from minefree.core.documents import in_language as _in


def analysis_pdf(
    request: ExtensionRequest,
    analysis_version: AnalysisVersion,
    user: Any = None,
    language: str | None = None,
) -> bytes:
    """The analysis as a tagged PDF (PDF/UA-1), in ``language`` (default: the active one)."""
    with _in(language):
        doc = build(request, analysis_version, user)
        figures = {
            (s.code, n): c.svg(
                f"chart-{s.code}-{n}", doc.labels["synthetic_label"] if doc.synthetic else ""
            )
            for s in doc.sections
            for n, c in enumerate(s.charts)
        }
        html = render_to_string(
            "clearance/analysis_print.html",
            {
                "doc": doc,
                "sections": [
                    (s, [figures[(s.code, n)] for n in range(len(s.charts))]) for s in doc.sections
                ],
            },
        )
    return html_pdf(html)


def analysis_docx(
    request: ExtensionRequest,
    analysis_version: AnalysisVersion,
    user: Any = None,
    language: str | None = None,
) -> bytes:
    """The analysis as an editable DOCX, in ``language`` (default: the active one)."""
    import docx
    from docx.shared import Inches

    with _in(language):
        doc = build(request, analysis_version, user)
        document = docx.Document()
        document.core_properties.title = f"{doc.title}: {doc.subtitle}"
        document.core_properties.language = doc.language
        document.add_heading(f"{doc.title}: {doc.subtitle}", level=0)
        if doc.draft:
            document.add_paragraph().add_run(doc.labels["draft_note"]).bold = True
        if doc.synthetic:
            document.add_paragraph().add_run(doc.labels["synthetic_note"]).bold = True
        _docx_table(document, None, ["", ""], [[k, v] for k, v in doc.cover], header=False)
        for section in doc.sections:
            document.add_heading(section.heading, level=1)
            for paragraph in (section.text or doc.labels["no_text"]).split("\n\n"):
                document.add_paragraph(paragraph.strip())
            for table in section.tables:
                document.add_heading(table.caption, level=2)
                if table.rows:
                    _docx_table(document, table, table.columns, table.rows)
                else:
                    document.add_paragraph(doc.labels["no_rows"])
            for chart in section.charts:
                if chart.empty:
                    continue
                document.add_heading(chart.title, level=2)
                document.add_picture(io.BytesIO(png_chart(chart)), width=Inches(6.3))
            for item in section.items:
                document.add_paragraph(item, style="List Bullet")
        document.add_heading(doc.labels["sources"], level=1)
        for label, ref in doc.sources:
            document.add_paragraph(f"{label} ({ref})", style="List Bullet")
        footer = document.sections[0].footer.paragraphs[0]
        footer.text = doc.footer
        buffer = io.BytesIO()
        document.save(buffer)
    return buffer.getvalue()


def png_chart(chart: Chart, width: int = 1200, height: int = 520) -> bytes:
    """A chart as a PNG for the DOCX: a bar per series and year (a gap where unknown)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=22)
    small = ImageFont.load_default(size=18)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    years = sorted({y for s in chart.series for y, _v in s.points})
    values = [v for s in chart.series for _y, v in s.points if v is not None]
    top = max(values) if values else 1.0
    top = top if top > 0 else 1.0
    left, right, upper, lower = 130, width - 20, 60, height - 110
    draw.text((left, 14), f"{chart.title} ({chart.unit})", fill=charts.INK, font=font)
    for step in range(5):
        value = top * step / 4
        y = lower - (lower - upper) * step / 4
        draw.line((left, y, right, y), fill=charts.GRID)
        label = number_format(round(value), force_grouping=True)
        draw.text((left - 10, y), str(label), fill=charts.MUTED, font=small, anchor="rm")
    band = (right - left) / max(len(years), 1)
    bar = band * 0.8 / max(len(chart.series), 1)
    for i, year_ in enumerate(years):
        x0 = left + band * i + band * 0.1
        for j, series in enumerate(chart.series):
            point = dict(series.points).get(year_)
            if point is None:
                continue
            x = x0 + bar * j
            y = lower - (lower - upper) * max(point, 0) / top
            draw.rectangle((x, y, x + bar - 2, lower), fill=charts.PALETTE[j % len(charts.PALETTE)])
        draw.text(
            (left + band * (i + 0.5), lower + 8),
            str(year_),
            fill=charts.MUTED,
            font=small,
            anchor="ma",
        )
    x = left
    for j, series in enumerate(chart.series):
        colour = charts.PALETTE[j % len(charts.PALETTE)]
        draw.rectangle((x, height - 44, x + 22, height - 22), fill=colour)
        draw.text((x + 30, height - 33), series.label, fill=charts.INK, font=small, anchor="lm")
        x += 60 + int(draw.textlength(series.label, font=small))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
