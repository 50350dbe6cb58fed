"""The Article 7 report as a spreadsheet: a documented template to export and re-import.

States often draft their report offline with several ministries; this template
lets them do so and upload the result. The template is described sheet by sheet
in ``docs/article7-xlsx-template.md``. Import reads the field NAMES in row 1 of
each table sheet (labels in row 2 are for people), so translating or rewording
labels never breaks an upload.

A workbook is bounded before and while it is read, so a hostile or broken file is
refused in about a second instead of tying up a server worker: its expanded size and
its shared strings are checked first (``check_xml_parts``, which also refuses XML
declarations: no entity is ever resolved), then reading stops after ``MAX_CELLS``
cells, ``MAX_TABLE_ROWS`` rows in a sheet or ``MAX_SECONDS``, and at most
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
import re
import shutil
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from minefree.core.exports import is_formula_like
from minefree.core.uploads import UploadRejected, check_xml_parts
from minefree.reporting.models import FormStatus, ReportKind, ReportVersion
from minefree.reporting.specification.content import load_content
from minefree.reporting.specification.schema import AMOUNT, DATE, FORMS, NUMERIC, TEXT, Table

TEMPLATE_VERSION = "MINEFREE-A7-1"

MB = 1024 * 1024
#: What a workbook may hold. A real report is far below: the largest Form C table of the
#: demo history has 40 rows, a workbook of every form a few thousand cells.
MAX_EXPANDED_BYTES = 50 * MB
#: Parts openpyxl reads whole into memory when it opens a workbook.
MAX_PART_BYTES = {"xl/sharedStrings.xml": 20 * MB, "xl/styles.xml": 5 * MB}
MAX_CELLS = 100_000  # every cell read counts, empty or not (about 0.7 s on this server)
MAX_TABLE_ROWS = 5_000
MAX_COLUMNS = 64
MAX_TEXT = 32_767  # Excel's own limit on the characters of a cell
MAX_PROBLEMS = 100
MAX_SECONDS = 10.0
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


class StructuralError(ValidationError):
    """The workbook is not the template: nothing of it can be imported."""


class _Stop(Exception):  # noqa: N818 - control flow inside the parser
    """Reading stops: the workbook holds more than any report does."""


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


def _put(ws: Any, row: int, column: int, value: Any) -> None:
    """Write one cell; text is always text (never a formula or an error code).

    Text that a spreadsheet would take for a formula also gets Excel's quote prefix, so it
    stays text when someone edits the cell; the value itself is kept, for the round trip.
    """
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True


def _append(ws: Any, row: int, values: list[Any]) -> None:
    for column, value in enumerate(values, start=1):
        if value is not None and value != "":
            _put(ws, row, column, value)


def _fill(ws: Any, rows: list[list[Any]]) -> None:
    """Write ``rows`` from the sheet's first line down."""
    for line, values in enumerate(rows, start=1):
        _append(ws, line, values)


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


def _where(sheet: str, row: int | None = None, column: int | None = None, name: str = "") -> str:
    place = _("sheet “%(sheet)s”") % {"sheet": sheet}
    if row is not None:
        place += ", " + _("row %(row)s") % {"row": row}
    if column is not None:
        col = get_column_letter(column)
        place += ", " + (
            _("column %(col)s (%(name)s)") % {"col": col, "name": name}
            if name
            else _("column %(col)s") % {"col": col}
        )
    return place


class _Problems:
    """What is wrong with a workbook: the first ``MAX_PROBLEMS`` in full, the rest counted.

    Also the reading budget: ``spend`` counts the cells read and stops the parse when the
    workbook holds more than any report or takes too long to read.
    """

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.more = 0
        self.cells = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def add(self, where: str | Callable[[], str], message: str | Callable[[], str]) -> None:
        """Record a problem; past the listed ones, only count it (nothing is formatted)."""
        if len(self.messages) >= MAX_PROBLEMS:
            self.more += 1
            return
        place = where() if callable(where) else where
        self.messages.append(f"{place}: {message() if callable(message) else message}")

    def spend(self, cells: int, sheet: str) -> None:
        self.cells += cells
        if self.cells > MAX_CELLS:
            raise _Stop(
                _(
                    "Reading stopped in sheet “%(sheet)s”: the workbook holds more than "
                    "%(max)s cells, far more than any report. Remove the empty formatted rows "
                    "and columns, or the data that is not part of the template."
                )
                % {"sheet": sheet, "max": formats.number_format(MAX_CELLS, force_grouping=True)}
            )
        if self.cells % 1000 < cells and time.monotonic() > self.deadline:
            raise _Stop(
                _("Reading stopped in sheet “%(sheet)s”: the workbook takes too long to read.")
                % {"sheet": sheet}
            )

    def summary(self, stop: str = "") -> list[str]:
        lines = list(self.messages)
        if self.more:
            lines.append(
                _("… and %(count)s more problems, not listed: fix these first.")
                % {"count": formats.number_format(self.more, force_grouping=True)}
            )
        if stop:
            lines.append(stop)
        return lines

    def raise_if_any(self) -> None:
        if self.messages:
            raise StructuralError(self.summary())


def _cell_value(cell: Any, kind: str, where: Callable[[], str], problems: _Problems) -> Any:
    """A cell's raw value, or None after recording why it cannot be read.

    ``where`` names the cell only when there is a problem: most cells are fine, and
    building a translated location for each would dominate parsing time.
    """
    value = cell.value
    if value is None:
        return None
    if getattr(cell, "data_type", None) == "e":
        problems.add(where, lambda: _("the cell holds the error %(value)s.") % {"value": value})
        return None
    if isinstance(value, bool):
        if kind in NUMERIC or kind == DATE:
            problems.add(where, _("a TRUE/FALSE value where a number or date is expected."))
            return None
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime | dt.date):
        if kind in NUMERIC:
            problems.add(where, _("a date where a number is expected."))
            return None
        day = value.date() if isinstance(value, dt.datetime) else value
        if isinstance(value, dt.datetime) and kind != DATE and value.time() != dt.time():
            return value.isoformat()
        return day.isoformat()
    if isinstance(value, str) and len(value) > MAX_TEXT:
        problems.add(
            where,
            _("more than %(max)s characters, Excel's own limit for a cell.")
            % {"max": formats.number_format(MAX_TEXT, force_grouping=True)},
        )
        return None
    if isinstance(value, int | float | str):
        return value
    problems.add(
        where,
        _("a value of a type that cannot be read (%(type)s).") % {"type": type(value).__name__},
    )
    return None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _rows(ws: Any, sheet: str, problems: _Problems, max_col: int | None = None) -> Any:
    """The sheet's rows as stored, each one paid for from the reading budget.

    The size a sheet declares (its ``dimension``) is ignored: a forged one would make
    openpyxl pad every row to 16,384 columns and a million rows.
    """
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    for cells in ws.iter_rows(max_col=max_col):
        problems.spend(max(len(cells), 1), sheet)
        yield cells


def _table(
    ws: Any,
    sheet: str,
    first_row: int,
    kinds: dict[str, str],
    problems: _Problems,
) -> list[tuple[int, dict[str, Any]]]:
    """A sheet read in one pass: row 1 names the columns, data starts at ``first_row``.

    One pass matters: a read-only worksheet parses its XML again for every iteration.
    """
    columns: dict[int, str] = {}
    result: list[tuple[int, dict[str, Any]]] = []
    wide = False
    for cells in _rows(ws, sheet, problems):
        if not cells:
            continue
        if len(cells) > MAX_COLUMNS:
            if not wide and any(getattr(c, "value", None) is not None for c in cells[MAX_COLUMNS:]):
                wide = True
                problems.add(
                    _where(sheet, cells[0].row, MAX_COLUMNS + 1),
                    _("values beyond column %(col)s: the template's tables are narrower.")
                    % {"col": get_column_letter(MAX_COLUMNS)},
                )
            cells = cells[:MAX_COLUMNS]
        row = cells[0].row
        if row == 1:
            columns = _header(cells, sheet, set(kinds), problems)
            continue
        if row is None or row < first_row:
            continue
        values: dict[str, Any] = {}
        number = None
        for cell in cells:
            if getattr(cell, "value", None) is None:
                continue
            number = cell.row
            name = columns.get(cell.column)
            if name is None:
                problems.add(
                    functools.partial(_where, sheet, cell.row, cell.column),
                    lambda: _("a value in a column without a name in row 1."),
                )
                continue
            value = _cell_value(
                cell,
                kinds[name],
                functools.partial(_where, sheet, cell.row, cell.column, name),
                problems,
            )
            if value is not None and not (isinstance(value, str) and not value.strip()):
                values[name] = value
        if values and number is not None:
            if len(result) == MAX_TABLE_ROWS:
                problems.add(
                    _where(sheet, number),
                    _("more than %(max)s rows: a table of the template holds at most that many.")
                    % {"max": formats.number_format(MAX_TABLE_ROWS, force_grouping=True)},
                )
                break
            result.append((number, values))
    return result


def _header(cells: Any, sheet: str, known: set[str], problems: _Problems) -> dict[int, str]:
    """Row 1: the column names import reads (column index -> name)."""
    columns: dict[int, str] = {}
    seen: set[str] = set()
    for cell in cells:
        name = _text(getattr(cell, "value", None))
        if not name:
            continue
        column = cell.column
        if name not in known:
            problems.add(_where(sheet, 1, column), _("unknown column “%(name)s”.") % {"name": name})
        elif name in seen:
            problems.add(
                _where(sheet, 1, column), _("column “%(name)s” appears twice.") % {"name": name}
            )
        else:
            columns[column] = name
            seen.add(name)
    return columns


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _parse_cover(ws: Any, problems: _Problems) -> tuple[dict[str, Any], dict[str, Any]]:
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
    problems = _Problems()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise StructuralError(_("The file is not an Excel workbook (.xlsx) and cannot be read."))
    try:
        check_xml_parts(data, max_total=MAX_EXPANDED_BYTES, max_part=MAX_PART_BYTES)
    except UploadRejected as error:
        raise StructuralError(error.messages) from error
    try:
        wb = load_workbook(io.BytesIO(_sized(data)), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as error:
        raise StructuralError(
            _("The file is not an Excel workbook (.xlsx) and cannot be read.")
        ) from error
    try:
        return _parse_workbook(wb, problems)
    except _Stop as stop:
        raise StructuralError(problems.summary(str(stop))) from None
    finally:
        wb.close()


#: An XML declaration, then the root element's start tag (nothing else may come first).
_ROOT_TAG = re.compile(rb"\s*(?:<\?xml[^>]*\?>)?\s*<[A-Za-z][^<>]*>")
_DIMENSION = (
    b'<dimension xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ref="A1"/>'
)
_COPY_CHUNK = 1024 * 1024


def _sized(data: bytes) -> bytes:
    """The workbook with a stated size at the top of every sheet, copied part by part.

    Opening a workbook, openpyxl looks for each sheet's ``<dimension>``; where there is none
    it reads the whole sheet to find it, before any limit of ours can apply (a second
    each 10 MB). The size it finds is ignored anyway (``_rows``), so every sheet gets one
    first, which openpyxl reads and stops at. A sheet that does not start with its root
    element is not the template.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for member in source.infolist():
            with source.open(member) as part, target.open(member.filename, "w") as copy:
                head = part.read(4096)
                if member.filename.startswith("xl/worksheets/"):
                    root = _ROOT_TAG.match(head)
                    if root is None:
                        raise StructuralError(
                            _("The sheet %(part)s does not start as a worksheet does.")
                            % {"part": member.filename}
                        )
                    head = head[: root.end()] + _DIMENSION + head[root.end() :]
                copy.write(head)
                shutil.copyfileobj(part, copy, _COPY_CHUNK)
    return out.getvalue()


def _parse_workbook(wb: Any, problems: _Problems) -> ParsedReport:
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


def _parse_narratives(ws: Any, parsed: ParsedReport, problems: _Problems) -> None:
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


def _parse_totals(ws: Any, parsed: ParsedReport, problems: _Problems) -> None:
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
