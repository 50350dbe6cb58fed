"""Spreadsheet templates (XLSX) as untrusted input, and written so that no cell runs.

What the Article 7 template (``reporting.exchange.xlsx``) and the extension request
template (``clearance.xlsx``) share: a workbook is bounded before and while it is read,
so a hostile or broken file is refused in about a second instead of tying up a server
worker. Its expanded size and its shared strings are checked first (``check_xml_parts``,
which also refuses XML declarations: no entity is ever resolved), each sheet is given a
stated size so that openpyxl never scans it whole to find one (``open_workbook``), then
reading stops after ``MAX_CELLS`` cells, a table's row limit or ``MAX_SECONDS``, and at
most ``MAX_PROBLEMS`` problems are listed (with the count of the others). Every problem
names its sheet, row and column (``where``).

Writing, text is always text: a value a spreadsheet would take for a formula gets
Excel's quote prefix (``put``), and is kept as it is for the round trip.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import shutil
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from minefree.core.exports import is_formula_like
from minefree.core.uploads import UploadRejected, check_xml_parts

MB = 1024 * 1024
#: What a workbook may hold. A real template is far below: the largest Form C table of the
#: demo history has 40 rows, a workbook of every form a few thousand cells.
MAX_EXPANDED_BYTES = 50 * MB
#: Parts openpyxl reads whole into memory when it opens a workbook.
MAX_PART_BYTES = {"xl/sharedStrings.xml": 20 * MB, "xl/styles.xml": 5 * MB}
MAX_CELLS = 100_000  # every cell read counts, empty or not (about 0.7 s on this server)
MAX_COLUMNS = 64
MAX_TEXT = 32_767  # Excel's own limit on the characters of a cell
MAX_PROBLEMS = 100
MAX_SECONDS = 10.0

#: how a column's cells are read: text, a number, or a date
CellKind = Literal["text", "number", "date"]
TEXT: CellKind = "text"
NUMBER: CellKind = "number"
DATE: CellKind = "date"


class StructuralError(ValidationError):
    """The workbook is not the template: nothing of it can be imported."""


class Stop(Exception):  # noqa: N818 - control flow inside a parser
    """Reading stops: the workbook holds more than any template does."""


# --- writing -------------------------------------------------------------------------------


def put(ws: Any, row: int, column: int, value: Any) -> None:
    """Write one cell; text is always text (never a formula or an error code).

    Text that a spreadsheet would take for a formula also gets Excel's quote prefix, so it
    stays text when someone edits the cell; the value itself is kept, for the round trip.
    """
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True


def append(ws: Any, row: int, values: list[Any]) -> None:
    """Write ``values`` into ``row`` from column A, leaving blanks empty."""
    for column, value in enumerate(values, start=1):
        if value is not None and value != "":
            put(ws, row, column, value)


def fill(ws: Any, rows: list[list[Any]]) -> None:
    """Write ``rows`` from the sheet's first line down."""
    for line, values in enumerate(rows, start=1):
        append(ws, line, values)


# --- reading -------------------------------------------------------------------------------


def where(sheet: str, row: int | None = None, column: int | None = None, name: str = "") -> str:
    """A place in a workbook as people name it: sheet, row, column letter (and its name)."""
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


class Problems:
    """What is wrong with a workbook: the first ``MAX_PROBLEMS`` in full, the rest counted.

    Also the reading budget: ``spend`` counts the cells read and stops the parse when the
    workbook holds more than any template or takes too long to read.
    """

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.more = 0
        self.cells = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def add(self, place: str | Callable[[], str], message: str | Callable[[], str]) -> None:
        """Record a problem; past the listed ones, only count it (nothing is formatted)."""
        if len(self.messages) >= MAX_PROBLEMS:
            self.more += 1
            return
        text = place() if callable(place) else place
        self.messages.append(f"{text}: {message() if callable(message) else message}")

    def spend(self, cells: int, sheet: str) -> None:
        self.cells += cells
        if self.cells > MAX_CELLS:
            raise Stop(
                _(
                    "Reading stopped in sheet “%(sheet)s”: the workbook holds more than "
                    "%(max)s cells, far more than any report. Remove the empty formatted rows "
                    "and columns, or the data that is not part of the template."
                )
                % {"sheet": sheet, "max": formats.number_format(MAX_CELLS, force_grouping=True)}
            )
        if self.cells % 1000 < cells and time.monotonic() > self.deadline:
            raise Stop(
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


def cell_value(cell: Any, kind: CellKind, place: Callable[[], str], problems: Problems) -> Any:
    """A cell's raw value, or None after recording why it cannot be read.

    ``place`` names the cell only when there is a problem: most cells are fine, and
    building a translated location for each would dominate parsing time.
    """
    value = cell.value
    if value is None:
        return None
    if getattr(cell, "data_type", None) == "e":
        problems.add(place, lambda: _("the cell holds the error %(value)s.") % {"value": value})
        return None
    if isinstance(value, bool):
        if kind in (NUMBER, DATE):
            problems.add(place, _("a TRUE/FALSE value where a number or date is expected."))
            return None
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime | dt.date):
        if kind == NUMBER:
            problems.add(place, _("a date where a number is expected."))
            return None
        day = value.date() if isinstance(value, dt.datetime) else value
        if isinstance(value, dt.datetime) and kind != DATE and value.time() != dt.time():
            return value.isoformat()
        return day.isoformat()
    if isinstance(value, str) and len(value) > MAX_TEXT:
        problems.add(
            place,
            _("more than %(max)s characters, Excel's own limit for a cell.")
            % {"max": formats.number_format(MAX_TEXT, force_grouping=True)},
        )
        return None
    if isinstance(value, int | float | str):
        return value
    problems.add(
        place,
        _("a value of a type that cannot be read (%(type)s).") % {"type": type(value).__name__},
    )
    return None


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def rows(ws: Any, sheet: str, problems: Problems, max_col: int | None = None) -> Iterator[Any]:
    """The sheet's rows as stored, each one paid for from the reading budget.

    The size a sheet declares (its ``dimension``) is ignored: a forged one would make
    openpyxl pad every row to 16,384 columns and a million rows.
    """
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    for cells in ws.iter_rows(max_col=max_col):
        problems.spend(max(len(cells), 1), sheet)
        yield cells


def table(
    ws: Any,
    sheet: str,
    first_row: int,
    kinds: Mapping[str, CellKind],
    problems: Problems,
    *,
    max_rows: int,
    names: dict[str, int] | None = None,
) -> list[tuple[int, dict[str, Any]]]:
    """A sheet read in one pass: row 1 names the columns, data starts at ``first_row``;
    each row with a value as ``(row number, {column name: raw value})``. ``names``, when
    given, receives the column of each name found in row 1 (to name a cell in a refusal).

    One pass matters: a read-only worksheet parses its XML again for every iteration.
    """
    columns: dict[int, str] = {}
    result: list[tuple[int, dict[str, Any]]] = []
    wide = False
    for cells in rows(ws, sheet, problems):
        if not cells:
            continue
        if len(cells) > MAX_COLUMNS:
            if not wide and any(getattr(c, "value", None) is not None for c in cells[MAX_COLUMNS:]):
                wide = True
                problems.add(
                    where(sheet, cells[0].row, MAX_COLUMNS + 1),
                    _("values beyond column %(col)s: the template's tables are narrower.")
                    % {"col": get_column_letter(MAX_COLUMNS)},
                )
            cells = cells[:MAX_COLUMNS]
        row = cells[0].row
        if row == 1:
            columns = header(cells, sheet, set(kinds), problems)
            if names is not None:
                names.update({name: column for column, name in columns.items()})
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
                    functools.partial(where, sheet, cell.row, cell.column),
                    lambda: _("a value in a column without a name in row 1."),
                )
                continue
            value = cell_value(
                cell,
                kinds[name],
                functools.partial(where, sheet, cell.row, cell.column, name),
                problems,
            )
            if value is not None and not (isinstance(value, str) and not value.strip()):
                values[name] = value
        if values and number is not None:
            if len(result) == max_rows:
                problems.add(
                    where(sheet, number),
                    _("more than %(max)s rows: a table of the template holds at most that many.")
                    % {"max": formats.number_format(max_rows, force_grouping=True)},
                )
                break
            result.append((number, values))
    return result


def header(cells: Any, sheet: str, known: set[str], problems: Problems) -> dict[int, str]:
    """Row 1: the column names import reads (column index -> name)."""
    columns: dict[int, str] = {}
    seen: set[str] = set()
    for cell in cells:
        name = text(getattr(cell, "value", None))
        if not name:
            continue
        column = cell.column
        if name not in known:
            problems.add(where(sheet, 1, column), _("unknown column “%(name)s”.") % {"name": name})
        elif name in seen:
            problems.add(
                where(sheet, 1, column), _("column “%(name)s” appears twice.") % {"name": name}
            )
        else:
            columns[column] = name
            seen.add(name)
    return columns


def open_workbook(data: bytes) -> Any:
    """The workbook in ``data``, read-only with cached values (``data_only``: a formula is
    read as the result Excel saved, never run), after the checks that keep a hostile file
    from reaching the XML parser. Close it after use."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise StructuralError(_("The file is not an Excel workbook (.xlsx) and cannot be read."))
    try:
        check_xml_parts(data, max_total=MAX_EXPANDED_BYTES, max_part=MAX_PART_BYTES)
    except UploadRejected as error:
        raise StructuralError(error.messages) from error
    try:
        return load_workbook(io.BytesIO(sized(data)), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as error:
        raise StructuralError(
            _("The file is not an Excel workbook (.xlsx) and cannot be read.")
        ) from error


#: An XML declaration, then the root element's start tag (nothing else may come first).
_ROOT_TAG = re.compile(rb"\s*(?:<\?xml[^>]*\?>)?\s*<[A-Za-z][^<>]*>")
_DIMENSION = (
    b'<dimension xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ref="A1"/>'
)
_COPY_CHUNK = 1024 * 1024


def sized(data: bytes) -> bytes:
    """The workbook with a stated size at the top of every sheet, copied part by part.

    Opening a workbook, openpyxl looks for each sheet's ``<dimension>``; where there is none
    it reads the whole sheet to find it, before any limit of ours can apply (a second
    each 10 MB). The size it finds is ignored anyway (``rows``), so every sheet gets one
    first, which openpyxl reads and stops at. A sheet that does not start with its root
    element is not a template's.
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
