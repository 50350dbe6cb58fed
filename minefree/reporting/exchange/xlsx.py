"""The Article 7 report as a spreadsheet: a documented template to export and re-import.

States often draft their report offline with several ministries; this template
lets them do so and upload the result. The template is described sheet by sheet
in ``docs/article7-xlsx-template.md``. Import reads the field NAMES in row 1 of
each table sheet (labels in row 2 are for people), so translating or rewording
labels never breaks an upload.

A workbook is bounded before and while it is read (``core.workbooks``, shared with the
extension request template), so a hostile or broken file is refused in about a second
instead of tying up a server worker: its expanded size and its shared strings are checked
first (no XML declaration, so no entity is ever resolved), then reading stops after
``MAX_CELLS`` cells, ``MAX_TABLE_ROWS`` rows in a sheet or ``MAX_SECONDS``, and at most
``MAX_PROBLEMS`` problems are listed (with the count of the others).

``parse_xlsx`` only checks the *shape* of the workbook (sheets, columns, cell
types it cannot read). What a state wrote is kept as written, as in the web
tool: validation flags wrong content later. Every structural problem is
collected and raised at once so a state can fix its file in one go.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from minefree.core import workbooks
from minefree.core.workbooks import (  # noqa: F401 - the names this module's callers know
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_EXPANDED_BYTES,
    MAX_PART_BYTES,
    MAX_PROBLEMS,
    MAX_SECONDS,
    MAX_TEXT,
    MB,
    CellKind,
    Problems,
    Stop,
    StructuralError,
)
from minefree.core.workbooks import fill as _fill
from minefree.core.workbooks import text as _text
from minefree.core.workbooks import where as _where
from minefree.reporting.models import FormStatus, ReportKind, ReportVersion
from minefree.reporting.specification.content import load_content
from minefree.reporting.specification.schema import AMOUNT, DATE, FORMS, NUMERIC, TEXT, Table

TEMPLATE_VERSION = "MINEFREE-A7-1"

MAX_TABLE_ROWS = 5_000
COVER = "Cover"
NARRATIVES = "Narratives"
TOTALS = "Totals"
NARRATIVE_COLUMNS = ("letter", "field", "text")
TOTAL_COLUMNS = ("letter", "table", "declared_total")
#: Cover lines before the form marks, in order: (key, label for people).
COVER_KEYS = (
    ("template", "Template version (do not change)"),
    ("state", "State (ISO 3166 alpha-3)"),
    ("year", "Reporting year"),
    ("kind", "Kind (annual / initial)"),
    ("version", "Version number"),
    ("status", "Status (draft / submitted)"),
    ("period_start", "Period from"),
    ("period_end", "Period to"),
    ("submitted_at", "Submitted at (UTC)"),
    ("origin", "Origin (reported / entered / synthetic demo data)"),
)
FORM_KEY_PREFIX = "form."
MARKS = {s.value for s in FormStatus}


@dataclass
class ParsedReport:
    state: str
    year: int
    kind: str
    #: letter -> (mark, unchanged_since)
    marks: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    #: (letter, table code) -> rows of raw values keyed by field name
    rows: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    narratives: dict[str, dict[str, str]] = field(default_factory=dict)
    totals: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: what the exporting system said about the data (``synthetic`` never imports as real)
    origin: str = ""
    #: when the version was submitted, as the exporting system wrote it (ISO, UTC), if at all
    submitted_at: str = ""


def sheet_name(letter: str, table: Table) -> str:
    return f"{letter}.{table.code}"


def table_sheets() -> dict[str, tuple[str, Table]]:
    return {
        sheet_name(letter, t): (letter, t) for letter, form in FORMS.items() for t in form.tables
    }


# --- export -------------------------------------------------------------------------------


def export_xlsx(version: ReportVersion) -> bytes:
    """The version as the MINEFREE-A7-1 workbook."""
    content = load_content(version)
    report = version.report
    wb = Workbook()
    cover = wb.active
    cover.title = COVER
    submitted = (
        version.submitted_at.astimezone(dt.UTC).isoformat(timespec="seconds")
        if version.submitted_at
        else ""
    )
    values: dict[str, Any] = {
        "template": TEMPLATE_VERSION,
        "state": report.state.iso3 or "",
        "year": report.year,
        "kind": report.kind,
        "version": version.number,
        "status": version.status,
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "submitted_at": submitted,
        "origin": report.origin,
    }
    cover_rows = [[key, values[key], None, label] for key, label in COVER_KEYS]
    narratives = [list(NARRATIVE_COLUMNS)]
    totals = [list(TOTAL_COLUMNS)]
    for letter, form in FORMS.items():
        entry = content.entries.get(letter)
        mark = entry.status if entry else FormStatus.CHANGED
        since = entry.unchanged_since if entry else None
        cover_rows.append([f"{FORM_KEY_PREFIX}{letter}", mark, since, str(form.title)])
        if entry is None:
            continue
        narratives += [
            [letter, spec.name, entry.narratives[spec.name]]
            for spec in form.narratives
            if entry.narratives.get(spec.name)
        ]
        for table in form.tables:
            total = entry.declared_totals.get(table.code)
            if table.total_of and total is not None and total != "":
                totals.append([letter, table.code, total])
    _fill(cover, cover_rows)

    for name, (letter, table) in table_sheets().items():
        rows = sorted(content.table(letter, table.code), key=lambda r: (r.position, r.pk))
        _fill(
            wb.create_sheet(name),
            [
                [f.name for f in table.fields],
                [str(f.label) for f in table.fields],
                *([row.data.get(f.name) for f in table.fields] for row in rows),
            ],
        )
    _fill(wb.create_sheet(NARRATIVES), narratives)
    _fill(wb.create_sheet(TOTALS), totals)

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- parse --------------------------------------------------------------------------------


def _kind(kind: str) -> CellKind:
    """How the template reads a column of the schema's ``kind``."""
    if kind in NUMERIC:
        return workbooks.NUMBER
    return workbooks.DATE if kind == DATE else workbooks.TEXT


def _cell_value(cell: Any, kind: str, where: Callable[[], str], problems: Problems) -> Any:
    return workbooks.cell_value(cell, _kind(kind), where, problems)


def _rows(ws: Any, sheet: str, problems: Problems, max_col: int | None = None) -> Any:
    return workbooks.rows(ws, sheet, problems, max_col)


def _table(
    ws: Any, sheet: str, first_row: int, kinds: dict[str, str], problems: Problems
) -> list[tuple[int, dict[str, Any]]]:
    """A table sheet read in one pass (at most ``MAX_TABLE_ROWS`` rows)."""
    return workbooks.table(
        ws,
        sheet,
        first_row,
        {name: _kind(kind) for name, kind in kinds.items()},
        problems,
        max_rows=MAX_TABLE_ROWS,
    )


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _parse_cover(ws: Any, problems: Problems) -> tuple[dict[str, Any], dict[str, Any]]:
    values: dict[str, Any] = {}
    marks: dict[str, Any] = {}
    for cells in _rows(ws, COVER, problems, max_col=3):
        cells = list(cells)
        if not cells or getattr(cells[0], "value", None) is None:
            continue
        key = _text(cells[0].value)
        row = cells[0].row
        rest = [
            _cell_value(c, TEXT, functools.partial(_where, COVER, row, i), problems)
            for i, c in enumerate(cells[1:], start=2)
        ]
        rest += [None] * (2 - len(rest))
        if key.startswith(FORM_KEY_PREFIX):
            letter = key.removeprefix(FORM_KEY_PREFIX)
            if letter not in FORMS:
                problems.add(_where(COVER, row, 1), _("unknown form “%(key)s”.") % {"key": key})
            else:
                marks[letter] = (row, rest[0], rest[1])
        elif key in dict(COVER_KEYS):
            values[key] = rest[0]
        else:
            problems.add(_where(COVER, row, 1), _("unknown line “%(key)s”.") % {"key": key})
    return values, marks


def parse_xlsx(data: bytes) -> ParsedReport:
    """Read a MINEFREE-A7-1 workbook; raise ``StructuralError`` listing every structural problem."""
    problems = Problems()
    wb = workbooks.open_workbook(data)
    try:
        return _parse_workbook(wb, problems)
    except Stop as stop:
        raise StructuralError(problems.summary(str(stop))) from None
    finally:
        wb.close()


def _parse_workbook(wb: Any, problems: Problems) -> ParsedReport:
    if COVER not in wb.sheetnames:
        raise StructuralError(
            _("The workbook has no “Cover” sheet: it is not the MINEFREE Article 7 template.")
        )
    cover, marks_raw = _parse_cover(wb[COVER], problems)
    template = _text(cover.get("template"))
    if template != TEMPLATE_VERSION:
        raise StructuralError(
            _("%(where)s: the template version is “%(found)s”; this system reads %(expected)s.")
            % {"where": _where(COVER, 1, 2), "found": template, "expected": TEMPLATE_VERSION}
        )
    state = _text(cover.get("state")).upper()
    if not state:
        problems.add(_where(COVER, 2, 2), _("the state is missing."))
    year = _int_or_none(cover.get("year"))
    if year is None:
        problems.add(_where(COVER, 3, 2), _("the year must be a whole number."))
    kind = _text(cover.get("kind")) or ReportKind.ANNUAL
    if kind not in ReportKind.values:
        problems.add(_where(COVER, 4, 2), _("unknown kind “%(kind)s”.") % {"kind": kind})
    marks: dict[str, tuple[str, int | None]] = {}
    for letter, (row, mark_raw, since_raw) in marks_raw.items():
        mark = _text(mark_raw) or FormStatus.CHANGED
        since = _int_or_none(since_raw)
        if mark not in MARKS:
            problems.add(
                _where(COVER, row, 2),
                _("unknown mark “%(mark)s” (changed, unchanged or not_applicable).")
                % {"mark": mark},
            )
        elif since_raw not in (None, "") and since is None:
            problems.add(_where(COVER, row, 3), _("“unchanged since” must be a year."))
        else:
            marks[letter] = (mark, since if mark == FormStatus.UNCHANGED else None)

    parsed = ParsedReport(
        state=state,
        year=year or 0,
        kind=kind,
        marks=marks,
        origin=_text(cover.get("origin")),
        submitted_at=_text(cover.get("submitted_at")),
    )
    sheets = table_sheets()
    for name in wb.sheetnames:
        ws = wb[name]
        if name == COVER:
            continue
        if name == NARRATIVES:
            _parse_narratives(ws, parsed, problems)
        elif name == TOTALS:
            _parse_totals(ws, parsed, problems)
        elif name in sheets:
            letter, table = sheets[name]
            kinds = {f.name: f.kind for f in table.fields}
            rows = _table(ws, name, 3, kinds, problems)
            parsed.rows[(letter, table.code)] = [values for _row, values in rows]
        else:
            problems.add(
                _where(name),
                _(
                    "unknown sheet: table sheets are named form letter, dot, table code (e.g. C.land_release)."
                ),
            )
    problems.raise_if_any()
    return parsed


def _parse_narratives(ws: Any, parsed: ParsedReport, problems: Problems) -> None:
    kinds = dict.fromkeys(NARRATIVE_COLUMNS, TEXT)
    for row, values in _table(ws, NARRATIVES, 2, kinds, problems):
        letter, name = _text(values.get("letter")).upper(), _text(values.get("field"))
        if letter not in FORMS:
            problems.add(
                _where(NARRATIVES, row), _("unknown form “%(letter)s”.") % {"letter": letter}
            )
        elif name not in {f.name for f in FORMS[letter].narratives}:
            problems.add(
                _where(NARRATIVES, row),
                _("Form %(letter)s has no narrative “%(name)s”.")
                % {"letter": letter, "name": name},
            )
        else:
            text = _text(values.get("text"))
            if text:
                parsed.narratives.setdefault(letter, {})[name] = text


def _parse_totals(ws: Any, parsed: ParsedReport, problems: Problems) -> None:
    kinds = {"letter": TEXT, "table": TEXT, "declared_total": AMOUNT}
    for row, values in _table(ws, TOTALS, 2, kinds, problems):
        letter, code = _text(values.get("letter")).upper(), _text(values.get("table"))
        tables = {t.code: t for t in FORMS[letter].tables if t.total_of} if letter in FORMS else {}
        if letter not in FORMS:
            problems.add(_where(TOTALS, row), _("unknown form “%(letter)s”.") % {"letter": letter})
        elif code not in tables:
            problems.add(
                _where(TOTALS, row),
                _("Form %(letter)s has no table “%(code)s” with a declared total.")
                % {"letter": letter, "code": code},
            )
        elif values.get("declared_total") is not None:
            parsed.totals.setdefault(letter, {})[code] = values["declared_total"]
