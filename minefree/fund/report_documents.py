"""The yearly report as printed: the page, the DOCX (python-docx) and the tagged PDF
(WeasyPrint) all come from one description (``describe``) made in the reader's language,
with the helpers the clearance analysis document uses (``minefree.core.documents``).

Its four parts are the ATT Voluntary Trust Fund's: I. Background; II. Status of operations
(contributions and money); III. Status of tasks (calls, applications, visits, outcomes);
IV. Looking forward; then an annex listing the records every figure is counted from.
Synthetic demo data is labelled on each line it is in and counted apart in each total.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from minefree.core.documents import (
    Table,
    day,
    docx_table,
    html_pdf,
    in_language,
    unknown,
)
from minefree.fund import report
from minefree.fund.report import Books, CallLine, Figure, Ref, YearReport


@dataclass
class Items:
    """A bulleted list under its caption."""

    caption: str
    items: list[str]


@dataclass
class Part:
    code: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    #: tables and lists, in the order printed
    blocks: list[Table | Items] = field(default_factory=list)


@dataclass
class ReportDoc:
    year: int
    title: str
    subtitle: str
    language: str
    synthetic: bool
    has_data: bool
    parts: list[Part]
    footer: str
    labels: dict[str, str]
    report: YearReport


# --- figures as printed ---------------------------------------------------------------------


def amount(value: Decimal | int | None) -> str:
    if value is None:
        return unknown()
    return str(number_format(Decimal(value), 2, force_grouping=True))


def synthetic_label() -> str:
    return _("synthetic demo data")


def figure(fig: Figure, money: bool = False, unit: str = "") -> str:
    """A total (with its unit), the part of it from synthetic demo data said apart."""
    show = amount if money else (lambda v: str(v) if v is not None else unknown())
    text = f"{show(fig.value)} {unit}".strip()
    if fig.synthetic:
        text += " " + _("(of which %(part)s synthetic demo data)") % {"part": show(fig.synthetic)}
    return text


def synthetic_part(fig: Figure) -> Figure:
    return Figure(fig.synthetic, 0, [r for r in fig.refs if r.synthetic])


def records(refs: list[Ref]) -> str:
    return ", ".join(f"#{r.id}" for r in refs) or "—"


def origin(synthetic: bool, source: str = "") -> str:
    if synthetic:
        return synthetic_label() + (f"; {source}" if source else "")
    return source or _("entered by ISU staff")


def dates(start: Any, end: Any) -> str:
    if start and end and start != end:
        return f"{day(start)} – {day(end)}"
    return day(start)


def kind_label(kind: str) -> str:
    try:
        return str(apps.get_model(kind)._meta.verbose_name_plural)
    except LookupError:
        return kind


# --- the parts ------------------------------------------------------------------------------


def _background(r: YearReport) -> Part:
    b = r.background
    paragraphs = [b.text]
    if b.meeting_start:
        paragraphs.append(
            _("The %(meeting)s was held at %(place)s from %(start)s to %(end)s.")
            % {
                "meeting": b.meeting_name,
                "place": b.meeting_place or unknown(),
                "start": day(b.meeting_start),
                "end": day(b.meeting_end),
            }
        )
    paragraphs.append(_("Source: %(source)s.") % {"source": b.source})
    return Part("background", _("I. Background"), paragraphs)


def _call_table(caption: str, lines: list[CallLine]) -> Table:
    return Table(
        caption,
        [
            _("Call"),
            _("Open"),
            _("Budget"),
            _("Applications received"),
            _("Selected"),
            _("Not selected"),
            _("Awaiting decision"),
            _("Origin"),
            _("Records"),
        ],
        [
            [
                c.title,
                dates(c.opens_on, c.closes_on),
                f"{amount(c.budget)} {c.currency}",
                figure(c.received),
                figure(c.selected),
                figure(c.not_selected),
                figure(c.pending),
                origin(c.synthetic),
                records([c.ref]),
            ]
            for c in lines
        ],
        [False, False, True, True, True, True, True, False, False],
        wide=True,
    )


def _money_row(label: str, b: Books, pick: Any) -> list[str]:
    figures = (
        b.received,
        b.disbursed,
        b.refunded,
        b.balance_at_end,
        b.reserved_at_end,
        b.available_at_end,
    )
    return [
        label,
        *(amount(pick(f).value) for f in figures),
        records(pick(b.available_at_end).refs),
    ]


def _operations(r: YearReport) -> Part:
    c = r.contributions
    contributions = Table(
        _("Contributions received or pledged in %(year)s") % {"year": r.year},
        [
            _("Donor"),
            _("Status"),
            _("Amount"),
            _("Currency"),
            _("USD equivalent"),
            _("Pledged on"),
            _("Received on"),
            _("Announced at"),
            _("Origin"),
            _("Records"),
        ],
        [
            [
                line.donor,
                line.status_label,
                amount(line.amount),
                line.currency or unknown(),
                amount(line.amount_usd),
                day(line.pledged_on),
                day(line.received_on) if line.received_on else "—",
                line.announced_at or "—",
                origin(line.synthetic, line.source),
                records([line.ref]),
            ]
            for line in c.lines
        ],
        [False, False, True, False, True, False, False, False, False, False],
        wide=True,
    )
    totals = [
        _("Received in %(year)s: %(amount)s")
        % {"year": r.year, "amount": figure(m.figure, money=True, unit=m.currency)}
        for m in c.received
    ]
    if c.received:
        totals.append(
            _("In US dollars: %(amount)s")
            % {"amount": figure(c.received_usd, money=True, unit="USD")}
            + (
                " "
                + _("(%(n)s contributions without a known exchange rate not included)")
                % {"n": c.usd_unknown}
                if c.usd_unknown
                else ""
            )
        )
    money_rows = []
    for b in r.books:
        money_rows.append(_money_row(b.currency, b, lambda f: f))
        if any(ref.synthetic for ref in b.available_at_end.refs):
            label = _("%(currency)s: of which synthetic demo data") % {"currency": b.currency}
            money_rows.append(_money_row(label, b, synthetic_part))
    money = Table(
        _("Money in %(year)s and at 31 December %(year)s, from the ledger") % {"year": r.year},
        [
            _("Currency"),
            _("Received in the year"),
            _("Disbursed in the year"),
            _("Refunded in the year"),
            _("Held at 31 December"),
            _("Reserved for grants at 31 December"),
            _("Available at 31 December"),
            _("Records"),
        ],
        money_rows,
        [False, True, True, True, True, True, True, False],
        wide=True,
    )
    blocks: list[Table | Items] = [contributions]
    if totals:
        blocks.append(Items(_("Contributions received"), totals))
    blocks.append(money)
    return Part("operations", _("II. Status of operations"), [], blocks)


def _tasks(r: YearReport) -> Part:
    calls = _call_table(
        _("Calls for applications opened in %(year)s") % {"year": r.year}, r.calls.lines
    )
    applications = [
        _("Applications received: %(n)s") % {"n": figure(r.calls.received)},
        _("Selected: %(n)s") % {"n": figure(r.calls.selected)},
        _("Not selected: %(n)s") % {"n": figure(r.calls.not_selected)},
        _("Awaiting a decision: %(n)s") % {"n": figure(r.calls.pending)},
    ]
    visits = Table(
        _("Exchange visits held in %(year)s") % {"year": r.year},
        [
            _("Visiting body"),
            _("Host body"),
            _("Theme"),
            _("Dates"),
            _("Grant"),
            _("Origin"),
            _("Records"),
        ],
        [
            [
                f"{v.applicant} ({v.applicant_state})",
                f"{v.host} ({v.host_state})",
                v.theme_label,
                dates(v.held_from, v.held_until),
                f"{amount(v.grant)} {v.currency}",
                origin(v.synthetic),
                records([v.ref]),
            ]
            for v in r.visits
        ],
        [False, False, False, False, True, False, False],
        wide=True,
    )
    follow_ups = Table(
        _("Follow-up actions still open"),
        [_("Visit"), _("Action"), _("Owner"), _("Due on"), _("Origin"), _("Records")],
        [
            [f.visit, f.action, f.owner, day(f.due_on), origin(f.synthetic), records([f.ref])]
            for f in r.follow_ups
        ],
        [False] * 6,
    )
    known = [v.known for v in r.visits if v.known]
    outcomes = [
        f"{o.visit} ({o.role_label}): {o.outputs}"
        + (f" [{synthetic_label()}]" if o.synthetic else "")
        for o in r.outcomes
    ]
    lessons = [
        f"{lesson.title}: {lesson.text} ({lesson.visit})"
        + (f" [{synthetic_label()}]" if lesson.synthetic else "")
        for lesson in r.lessons
    ]
    blocks: list[Table | Items] = [
        calls,
        Items(_("Applications under these calls"), applications),
        visits,
    ]
    if known:
        blocks.append(Items(_("What is known of the visits, and from where"), known))
    blocks.append(Items(_("Outcomes reported"), outcomes))
    blocks.append(Items(_("Lessons learned"), lessons))
    blocks.append(follow_ups)
    return Part("tasks", _("III. Status of tasks"), [], blocks)


def _forward(r: YearReport) -> Part:
    calls = _call_table(_("Calls open after %(year)s") % {"year": r.year}, r.forward.calls)
    pipeline = [f"{step.label}: {figure(step.figure)}" for step in r.forward.pipeline]
    return Part(
        "forward",
        _("IV. Looking forward"),
        [
            _(
                "Applications in the pipeline are counted as they stand on the day the report is made."
            )
        ],
        [calls, Items(_("Applications in the pipeline"), pipeline)],
    )


def _annex(r: YearReport) -> Part:
    by_kind: dict[str, list[Ref]] = {}
    for ref in r.records:
        by_kind.setdefault(ref.kind, []).append(ref)
    items = [
        f"{kind_label(kind)}: {records(refs)}"
        + (
            " " + _("(%(n)s synthetic demo data)") % {"n": sum(1 for x in refs if x.synthetic)}
            if any(x.synthetic for x in refs)
            else ""
        )
        for kind, refs in sorted(by_kind.items())
    ]
    return Part(
        "annex",
        _("Annex: the records the figures are counted from"),
        [],
        [Items("", items)],
    )


def describe(r: YearReport) -> ReportDoc:
    """The report as printed, in the active language."""
    title = _("Cooperation and Assistance Fund: report to the Meeting of the States Parties")
    subtitle = _("Year %(year)s") % {"year": r.year}
    parts = (
        [_background(r), _operations(r), _tasks(r), _forward(r), _annex(r)]
        if r.has_data
        else [_background(r), _forward(r)]
    )
    footer = f"{title} · {subtitle}"
    if r.synthetic:
        footer += " · " + synthetic_label()
    return ReportDoc(
        year=r.year,
        title=title,
        subtitle=subtitle,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        synthetic=r.synthetic,
        has_data=r.has_data,
        parts=parts,
        footer=footer,
        report=r,
        labels={
            "no_rows": _("None."),
            "no_data": _(
                "Nothing is recorded for the fund in %(year)s: no contribution, call, visit or "
                "movement of money."
            )
            % {"year": r.year},
            "synthetic_note": _(
                "Some figures of this report come from synthetic demo data: they are invented, "
                "labelled on each line and counted apart in each total."
            ),
            "synthetic_label": synthetic_label(),
        },
    )


def year_doc(year: int, language: str | None = None) -> ReportDoc:
    with in_language(language):
        return describe(report.build(year))


def year_pdf(year: int, language: str | None = None) -> bytes:
    """The report as a tagged PDF (PDF/UA-1), in ``language`` (default: the active one)."""
    with in_language(language):
        doc = describe(report.build(year))
        html = render_to_string("fund/report_print.html", {"doc": doc})
    return html_pdf(html)


def year_docx(year: int, language: str | None = None) -> bytes:
    """The report as an editable DOCX, in ``language`` (default: the active one)."""
    import docx

    with in_language(language):
        doc = describe(report.build(year))
        document = docx.Document()
        document.core_properties.title = f"{doc.title}: {doc.subtitle}"
        document.core_properties.language = doc.language
        document.add_heading(doc.title, level=0)
        document.add_paragraph(doc.subtitle)
        if doc.synthetic:
            document.add_paragraph().add_run(doc.labels["synthetic_note"]).bold = True
        if not doc.has_data:
            document.add_paragraph().add_run(doc.labels["no_data"]).bold = True
        for part in doc.parts:
            document.add_heading(part.heading, level=1)
            for paragraph in part.paragraphs:
                document.add_paragraph(paragraph)
            for block in part.blocks:
                if block.caption:
                    document.add_heading(block.caption, level=2)
                if isinstance(block, Table) and block.rows:
                    docx_table(document, block, block.columns, block.rows)
                elif isinstance(block, Items) and block.items:
                    for item in block.items:
                        document.add_paragraph(item, style="List Bullet")
                else:
                    document.add_paragraph(doc.labels["no_rows"])
        document.sections[0].footer.paragraphs[0].text = doc.footer
        buffer = io.BytesIO()
        document.save(buffer)
    return buffer.getvalue()
