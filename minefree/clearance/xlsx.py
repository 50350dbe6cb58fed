"""An Article 5 extension request as a spreadsheet: the documented template
(``MINEFREE-A5X-1``, ``docs/extension-request-xlsx-template.md``) to export and re-import.

States draft their request offline with the ministries and the national mine action
centre, from their own databases; this template lets them do it and upload the result.
A version (or a blank template for a state) is written by ``export_xlsx`` /
``blank_xlsx``; ``parse_xlsx`` reads a filled one back into the dict that
``content.read_content`` reads, so the very checks of the API and the pages apply, and
names every problem by its sheet, row and column ("sheet “milestones”, row 5, column D
(area_m2): Enter a number…"). Row 1 of every sheet holds the column NAMES, which import
reads; row 2 the labels for people, which it ignores; so columns may be moved and labels
reworded.

A workbook is untrusted input: the limits of ``core.workbooks`` apply (expanded size,
shared strings, XML declarations refused, ``MAX_CELLS`` cells, ``content.MAX_ROWS`` rows a
table, ``MAX_SECONDS``), as for the Article 7 template. Text is written so that no cell
is ever a formula.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from minefree.clearance.content import MAX_ROWS, TABLES, RequestContent, read_content
from minefree.clearance.models import (
    SECTIONS,
    BudgetLine,
    CapacityYear,
    FundingSource,
    Hazard,
    Language,
    Method,
    Milestone,
    ProgressYear,
    RemainingArea,
    RequestVersion,
)
from minefree.core import workbooks
from minefree.core.workbooks import (
    DATE,
    NUMBER,
    TEXT,
    CellKind,
    Problems,
    Stop,
    StructuralError,
    where,
)
from minefree.registry.models import Actor, Obligation

TEMPLATE_VERSION = "MINEFREE-A5X-1"
COVER = "Cover"
NARRATIVES = "Narratives"
CHOICES = "Choices"
#: a narrative longer than a cell holds continues on the next rows of the same section
CHUNK = 32_000
#: where the data of a table sheet starts (row 1: names, row 2: labels)
FIRST_ROW = 3
#: the Narratives sheet: a line per section, more for a long text (``content.MAX_TEXT``
#: characters take four)
NARRATIVE_MAX_ROWS = 200


@dataclass(frozen=True)
class CoverLine:
    key: str
    label: str
    kind: CellKind
    imported: bool


#: the Cover sheet, in order: column A the key import reads, B the value, D a label
COVER_LINES = (
    CoverLine("template", "Template version (do not change)", TEXT, True),
    CoverLine("state", "State (ISO 3166 alpha-3)", TEXT, True),
    CoverLine("submitted_on", "Date of the request (YYYY-MM-DD)", DATE, True),
    CoverLine("requested_deadline", "Deadline requested (YYYY-MM-DD)", DATE, True),
    CoverLine("language", "Language of the request (en / fr / es; blank: en)", TEXT, True),
    CoverLine("current_deadline", "Current deadline (export only)", DATE, False),
    CoverLine("request", "Request number in minefree (export only)", TEXT, False),
    CoverLine("version", "Version number (export only)", TEXT, False),
    CoverLine("status", "Status (export only)", TEXT, False),
    CoverLine("reason", "Reason for the revision (export only)", TEXT, False),
    CoverLine("submitted_at", "Submitted at, UTC (export only)", TEXT, False),
    CoverLine("origin", "Origin (reported / entered / synthetic demo data)", TEXT, True),
)
COVER_BY_KEY = {line.key: line for line in COVER_LINES}

#: each table sheet: its rows' model and its columns (name, kind), in the template's order
TABLE_MODELS: dict[str, type[models.Model]] = {
    "remaining": RemainingArea,
    "previous_period": ProgressYear,
    "milestones": Milestone,
    "budget": BudgetLine,
    "capacity": CapacityYear,
}
TABLE_COLUMNS: dict[str, tuple[tuple[str, CellKind], ...]] = {
    "remaining": (("region", TEXT), ("hazard", TEXT), ("areas", NUMBER), ("area_m2", NUMBER)),
    "previous_period": (
        ("year", NUMBER),
        ("method", TEXT),
        ("mine_type", TEXT),
        ("planned_m2", NUMBER),
        ("achieved_m2", NUMBER),
    ),
    "milestones": (("year", NUMBER), ("method", TEXT), ("areas", NUMBER), ("area_m2", NUMBER)),
    "budget": (("year", NUMBER), ("source", TEXT), ("amount", NUMBER), ("currency", TEXT)),
    "capacity": (
        ("year", NUMBER),
        ("teams", NUMBER),
        ("deminers", NUMBER),
        ("dogs", NUMBER),
        ("machines", NUMBER),
    ),
}
#: the choices of a table's columns, offered as a list in the cells
TABLE_CHOICES: dict[tuple[str, str], tuple[list[str], bool]] = {
    ("remaining", "hazard"): (Hazard.values, False),
    ("previous_period", "method"): (Method.values, True),
    ("milestones", "method"): (Method.values, False),
    ("budget", "source"): (FundingSource.values, False),
}
NARRATIVE_COLUMNS: tuple[tuple[str, CellKind], ...] = (
    ("section", TEXT),
    ("title", TEXT),
    ("text", TEXT),
)
SHEETS = (COVER, NARRATIVES, *TABLES, CHOICES)


# --- export -------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    """A stored value as the template writes it: numbers as numbers, dates as ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _labels(name: str) -> list[str]:
    model = TABLE_MODELS[name]
    return [
        str(getattr(model._meta.get_field(column), "verbose_name", column))
        for column, _kind in TABLE_COLUMNS[name]
    ]


def _workbook(
    cover: Mapping[str, Any], tables: Mapping[str, list[list[Any]]], narratives: Any
) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.title = COVER
    workbooks.fill(
        sheet, [[line.key, _cell(cover.get(line.key)), None, line.label] for line in COVER_LINES]
    )
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["D"].width = 50

    sheet = wb.create_sheet(NARRATIVES)
    rows: list[list[Any]] = [
        [name for name, _kind in NARRATIVE_COLUMNS],
        [_("Section code"), _("Section"), _("Text")],
    ]
    for code, title in SECTIONS:
        text = narratives.get(code, "")
        pieces = [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]
        rows += [[code, str(title), piece] for piece in pieces]
    workbooks.fill(sheet, rows)
    sheet.column_dimensions["B"].width = 40
    sheet.column_dimensions["C"].width = 100

    for name in TABLES:
        sheet = wb.create_sheet(name)
        columns = [column for column, _kind in TABLE_COLUMNS[name]]
        workbooks.fill(sheet, [columns, _labels(name), *tables.get(name, [])])
        for index, column in enumerate(columns):
            letter = chr(ord("A") + index)
            sheet.column_dimensions[letter].width = 18
            choices = TABLE_CHOICES.get((name, column))
            if choices:
                values, blank = choices
                check = DataValidation(
                    type="list", formula1=f'"{",".join(values)}"', allow_blank=blank
                )
                check.add(f"{letter}{FIRST_ROW}:{letter}{FIRST_ROW + MAX_ROWS - 1}")
                sheet.add_data_validation(check)

    sheet = wb.create_sheet(CHOICES)
    listed: list[list[Any]] = [["column", "code", "label"]]
    for column, pairs in (
        ("language", Language.choices),
        ("hazard", Hazard.choices),
        ("method", Method.choices),
        ("source", FundingSource.choices),
    ):
        listed += [[column, code, str(label)] for code, label in pairs]
    workbooks.fill(sheet, listed)

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _current_deadline(state: Actor) -> dt.date | None:
    obligation = Obligation.objects.filter(actor=state, article=5).first()
    return obligation.current_deadline if obligation else None


def export_xlsx(version: RequestVersion) -> bytes:
    """A version of a request as the MINEFREE-A5X-1 workbook."""
    request = version.request
    obligation = request.obligation
    submitted = (
        version.submitted_at.astimezone(dt.UTC).isoformat(timespec="seconds")
        if version.submitted_at
        else ""
    )
    cover = {
        "template": TEMPLATE_VERSION,
        "state": request.state.iso3 or "",
        "submitted_on": version.submitted_on,
        "requested_deadline": version.requested_deadline,
        "language": version.language,
        "current_deadline": obligation.current_deadline if obligation else None,
        "request": request.pk,
        "version": version.number,
        "status": version.status,
        "reason": version.reason,
        "submitted_at": submitted,
        "origin": request.origin,
    }
    related: dict[str, Any] = {
        "remaining": version.remaining,
        "previous_period": version.progress,
        "milestones": version.milestones,
        "budget": version.budget,
        "capacity": version.capacity,
    }
    tables = {
        name: [
            [_cell(value) for value in row]
            for row in related[name].values_list(*(c for c, _kind in TABLE_COLUMNS[name]))
        ]
        for name in TABLES
    }
    return _workbook(cover, tables, version.narratives)


def blank_xlsx(state: Actor) -> bytes:
    """The empty template for ``state``: its code and current deadline filled in."""
    cover = {
        "template": TEMPLATE_VERSION,
        "state": state.iso3 or "",
        "current_deadline": _current_deadline(state),
    }
    return _workbook(cover, {}, {})


# --- import -------------------------------------------------------------------------------


@dataclass
class ParsedRequest:
    """A filled template: the state it names, what the exporting system said of its
    origin, and its content, checked (``content.errors`` is empty)."""

    state: str
    origin: str
    content: RequestContent
    #: the document read (what ``read_content`` read), by table
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Places:
    """Where each value of the document came from, to name it in a refusal."""

    cover: dict[str, int] = field(default_factory=dict)
    narratives: dict[str, int] = field(default_factory=dict)
    narrative_column: int | None = None
    rows: dict[str, list[int]] = field(default_factory=dict)
    columns: dict[str, dict[str, int]] = field(default_factory=dict)

    def of(self, key: str) -> str:
        """The place of a field as ``read_content`` names it (``milestones.3.area_m2``)."""
        parts = key.split(".")
        if parts[0] in TABLES:
            sheet = parts[0]
            if len(parts) < 2 or not parts[1].isdigit():
                return where(sheet)
            row = self.rows.get(sheet, [])[int(parts[1])]
            if len(parts) < 3:
                return where(sheet, row)
            column = self.columns.get(sheet, {}).get(parts[2])
            if column is None:
                return f"{where(sheet, row)}, {parts[2]}"
            return where(sheet, row, column, parts[2])
        if parts[0] == "narratives":
            line = self.narratives.get(parts[1]) if len(parts) > 1 else None
            return where(NARRATIVES, line, self.narrative_column if line else None, "text")
        if parts[0] in self.cover:
            return where(COVER, self.cover[parts[0]], 2, parts[0])
        return where(COVER)


def parse_xlsx(data: bytes) -> ParsedRequest:
    """Read a MINEFREE-A5X-1 workbook, all or nothing: ``StructuralError`` lists every
    problem of its shape and of its values, each at its sheet, row and column."""
    problems = Problems()
    wb = workbooks.open_workbook(data)
    try:
        return _parse_workbook(wb, problems)
    except Stop as stop:
        raise StructuralError(problems.summary(str(stop))) from None
    finally:
        wb.close()


def _parse_workbook(wb: Any, problems: Problems) -> ParsedRequest:
    if COVER not in wb.sheetnames:
        raise StructuralError(
            _(
                "The workbook has no “Cover” sheet: it is not the MINEFREE extension request "
                "template."
            )
        )
    places = _Places()
    cover = _parse_cover(wb[COVER], places, problems)
    template = workbooks.text(cover.get("template"))
    if template != TEMPLATE_VERSION:
        raise StructuralError(
            _("%(where)s: the template version is “%(found)s”; this system reads %(expected)s.")
            % {
                "where": where(COVER, places.cover.get("template", 1), 2),
                "found": template,
                "expected": TEMPLATE_VERSION,
            }
        )
    state = workbooks.text(cover.get("state")).upper()
    if not state:
        problems.add(
            where(COVER, places.cover.get("state"), 2, "state"), _("the state is missing.")
        )
    for key in ("submitted_on", "requested_deadline"):
        if cover.get(key) is None:
            problems.add(where(COVER, places.cover.get(key), 2, key), _("This field is required."))
    document: dict[str, Any] = {
        "submitted_on": cover.get("submitted_on"),
        "requested_deadline": cover.get("requested_deadline"),
        "language": workbooks.text(cover.get("language")) or Language.EN,
        "narratives": {},
    }
    found = set()
    for name in wb.sheetnames:
        if name in (COVER, CHOICES):
            continue
        found.add(name)
        if name == NARRATIVES:
            document["narratives"] = _parse_narratives(wb[name], places, problems)
        elif name in TABLES:
            names: dict[str, int] = {}
            rows = workbooks.table(
                wb[name],
                name,
                FIRST_ROW,
                dict(TABLE_COLUMNS[name]),
                problems,
                max_rows=MAX_ROWS,
                names=names,
            )
            document[name] = [values for _row, values in rows]
            places.rows[name] = [row for row, _values in rows]
            places.columns[name] = names
        else:
            problems.add(
                where(name),
                _("unknown sheet: the template's sheets are %(sheets)s.")
                % {"sheets": ", ".join(SHEETS)},
            )
    for name in (NARRATIVES, *TABLES):
        if name not in found:
            problems.add(
                where(name),
                _(
                    "the sheet is missing: every sheet of the template must be there, an empty "
                    "table with its two header rows."
                ),
            )
    content = read_content(document)
    for key, messages in content.errors.items():
        for message in messages:
            problems.add(places.of(key), message)
    problems.raise_if_any()
    return ParsedRequest(
        state=state,
        origin=workbooks.text(cover.get("origin")),
        content=content,
        data=document,
    )


def _parse_cover(ws: Any, places: _Places, problems: Problems) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for cells in workbooks.rows(ws, COVER, problems, max_col=2):
        if not cells or getattr(cells[0], "value", None) is None:
            continue
        row = cells[0].row
        key = workbooks.text(cells[0].value)
        line = COVER_BY_KEY.get(key)
        if line is None:
            problems.add(where(COVER, row, 1), _("unknown line “%(key)s”.") % {"key": key})
            continue
        if key in places.cover:
            problems.add(
                where(COVER, row, 1), _("the line “%(key)s” appears twice.") % {"key": key}
            )
            continue
        places.cover[key] = row
        if line.imported and len(cells) > 1:
            value = workbooks.cell_value(
                cells[1], line.kind, functools.partial(where, COVER, row, 2, key), problems
            )
            values[key] = None if value == "" else value
    return values


def _parse_narratives(ws: Any, places: _Places, problems: Problems) -> dict[str, str]:
    """The sections' texts: a text goes on in the next rows of the same section."""
    names: dict[str, int] = {}
    texts: dict[str, str] = {}
    rows = workbooks.table(
        ws,
        NARRATIVES,
        FIRST_ROW,
        dict(NARRATIVE_COLUMNS),
        problems,
        max_rows=NARRATIVE_MAX_ROWS,
        names=names,
    )
    places.narrative_column = names.get("text")
    for row, values in rows:
        code = workbooks.text(values.get("section"))
        text = values.get("text")
        if text is None:
            continue
        if not code:
            problems.add(
                where(NARRATIVES, row, names.get("section"), "section"),
                _("a text without its section code."),
            )
            continue
        places.narratives.setdefault(code, row)
        texts[code] = texts.get(code, "") + str(text)
    return texts
