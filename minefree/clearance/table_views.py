"""The tables of a draft, each on its page: a row added, changed or deleted (with htmx, the
table's rows come back in place; without, the page), or the whole table replaced by rows
pasted from a spreadsheet.

Every change is the table's whole content stored by ``services.version_fill`` over the
version the writer read: the rows are read as they are, the change applied, and the result
read by ``content.read_content``, whose refusals (``milestones.3.area_m2``) are shown
beside the row and column they name. A refused value keeps the version the form was sent
with; a change refused over someone else's is shown with the values now saved beside what
was typed, and saving again saves it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from minefree.clearance import services
from minefree.clearance.content import read_content
from minefree.clearance.forms import TableReplaceForm
from minefree.clearance.models import RequestVersion
from minefree.clearance.web import (
    CHOICE,
    TABLES,
    TABLES_BY_NAME,
    Column,
    TableSpec,
    conflict_messages,
    held_version,
    is_htmx,
    may_edit,
    refusals,
    refused_as_403,
    table_url,
    version_of,
)
from minefree.core.versions import VersionConflictError
from minefree.core.views import form_errors, int_param, or_404


@dataclass
class CellView:
    column: Column
    form_id: str
    value: str
    shown: str
    errors: list[str] = field(default_factory=list)
    #: after a change refused over someone else's: the value now saved, where it differs
    current: str | None = None

    @property
    def id(self) -> str:
        return f"{self.form_id}-{self.column.name}"

    @property
    def is_choice(self) -> bool:
        return self.column.kind == CHOICE


@dataclass
class RowView:
    form_id: str
    pk: int | None
    cells: list[CellView]
    errors: list[str] = field(default_factory=list)
    #: the typed values of a change refused over someone else's change of the row
    conflict: bool = False

    @property
    def invalid(self) -> bool:
        return bool(self.errors or any(c.errors for c in self.cells))


def _row_view(
    spec: TableSpec,
    form_id: str,
    pk: int | None,
    values: Mapping[str, Any],
    errors: Mapping[str, list[str]] | None = None,
    saved: Mapping[str, Any] | None = None,
) -> RowView:
    errors = errors or {}
    cells = []
    for c in spec.columns:
        typed = c.typed(values.get(c.name))
        cell = CellView(
            c, form_id, typed, c.shown(values.get(c.name)), list(errors.get(c.name, []))
        )
        if saved is not None and c.typed(saved.get(c.name)).strip() != typed.strip():
            cell.current = c.shown(saved.get(c.name)) or "—"
        cells.append(cell)
    return RowView(form_id, pk, cells, list(errors.get("", [])), conflict=saved is not None)


@dataclass
class Refusal:
    """A table change that was not saved: what was typed, and why. ``position`` is the
    row's place in the table as sent (a new row's is after the last); ``errors`` are by
    place and column."""

    pk: int | None
    values: dict[str, str]
    position: int | None = None
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    table_errors: list[str] = field(default_factory=list)
    conflict: bool = False


def _errors_by_row(
    spec: TableSpec, errors: Mapping[str, list[str]]
) -> tuple[list[str], dict[int, dict[str, list[str]]]]:
    """``read_content``'s refusals of one table: the table's own, and by row and column."""
    table: list[str] = []
    rows: dict[int, dict[str, list[str]]] = {}
    for where, problems in errors.items():
        parts = where.split(".")
        if parts[0] != spec.name or len(parts) == 1 or not parts[1].isdigit():
            table += problems
            continue
        column = parts[2] if len(parts) > 2 else ""
        rows.setdefault(int(parts[1]), {}).setdefault(column, []).extend(problems)
    return table, rows


def _table_context(
    version: RequestVersion,
    spec: TableSpec,
    user: Any,
    refusal: Refusal | None = None,
    held: str | None = None,
) -> dict[str, Any]:
    """The rows of a table as they are now; a refused change is shown in its row (or, for
    a new row or a row no longer there, in the line that adds a row) with what was typed."""
    editable = may_edit(user, version)
    errors = refusal.errors if refusal is not None else {}
    views = []
    placed = False
    for n, row in enumerate(spec.rows(version)):
        if refusal is not None and refusal.pk is not None and refusal.pk == row.pk:
            placed = True
            saved = spec.raw(row) if refusal.conflict else None
            views.append(
                _row_view(spec, f"row-{row.pk}", row.pk, refusal.values, errors.get(n), saved)
            )
        else:
            views.append(_row_view(spec, f"row-{row.pk}", row.pk, spec.raw(row), errors.get(n)))
    add = None
    if editable:
        waiting = refusal is not None and not placed
        add = _row_view(
            spec,
            "row-new",
            None,
            refusal.values if refusal is not None and waiting else {},
            errors.get(refusal.position)
            if refusal is not None and waiting and refusal.position is not None
            else None,
        )
    return {
        "ext": version.request,
        "version": version,
        "spec": spec,
        "rows": views,
        "add": add,
        "table_errors": refusal.table_errors if refusal is not None else [],
        "may_edit": editable,
        "version_token": held or services.version_version(version),
        "tables": TABLES,
    }


@require_GET
@refused_as_403
def table_page(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    version = version_of(request, pk)
    spec = or_404(TABLES_BY_NAME.get(table), "No such table")
    context = _table_context(version, spec, request.user) | {"replace_form": TableReplaceForm()}
    return render(request, "clearance/table.html", context)


def _table_answer(
    request: HttpRequest,
    version: RequestVersion,
    spec: TableSpec,
    refusal: Refusal | None,
    status: int,
    *,
    replace_form: TableReplaceForm | None = None,
    said: list[str] | None = None,
    oob_version: bool = False,
) -> HttpResponse:
    """The table again: its rows block for htmx, the whole page otherwise (so that what
    was typed stays in the form). Refused for its values (422), the forms keep the
    version they were sent with; refused over someone else's change (409), they take the
    version now saved, shown to the writer, so that saving again saves theirs."""
    held = held_version(request) if status == 422 else None
    context = _table_context(version, spec, request.user, refusal, held) | {
        "said": (said or []) if replace_form is None else [],
        "replace_said": (said or []) if replace_form is not None else [],
        "replace_form": replace_form or TableReplaceForm(),
        "oob_version": oob_version,
    }
    if is_htmx(request) and replace_form is None:
        return render(request, "clearance/_table_rows.html", context, status=status)
    return render(request, "clearance/table.html", context, status=status)


def _fill_table(
    request: HttpRequest,
    version: RequestVersion,
    spec: TableSpec,
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """Store ``rows`` as the table's whole content, over the version the writer read (the
    version of the rows this request read, if the form sent none)."""
    held = request.POST.get("_version") or services.version_version(version)
    services.version_fill(
        actor=request.user,
        version=version,
        content=read_content({spec.name: rows}),
        expected_version=held,
    )


@login_required
@require_POST
@refused_as_403
def row_save(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    """Add a row (no ``_row``) or change one: the table's rows block for htmx (422 with the
    refusals beside the inputs, 409 over someone else's change), the page otherwise."""
    version = version_of(request, pk)
    spec = or_404(TABLES_BY_NAME.get(table), "No such table")
    rows = spec.rows(version)
    typed = {c.name: str(request.POST.get(c.name, "")) for c in spec.columns}
    raw_id = request.POST.get("_row", "")
    row_pk = int_param(request.POST, "_row") if raw_id else None
    if raw_id and row_pk is None:
        raise Http404("No such row")
    position = len(rows)
    if row_pk is not None:
        found = next((n for n, r in enumerate(rows) if r.pk == row_pk), None)
        if found is None:
            held = request.POST.get("_version", "")
            if (
                held
                and held != services.version_version(version)
                and may_edit(request.user, version)
            ):
                return _gone(request, version, spec, typed)
            raise Http404("No such row")
        position = found
    table_rows: list[Mapping[str, Any]] = [spec.raw(r) for r in rows]
    if row_pk is None:
        table_rows.append(typed)
    else:
        table_rows[position] = typed
    try:
        _fill_table(request, version, spec, table_rows)
    except VersionConflictError as exc:
        said = conflict_messages(exc)
        if row_pk is not None and row_pk not in {r.pk for r in spec.rows(version)}:
            said.insert(1, str(GONE))
        refusal = Refusal(row_pk, typed, conflict=True)
        return _table_answer(request, version, spec, refusal, 409, said=said)
    except ValidationError as exc:
        table_errors, by_row = _errors_by_row(spec, refusals(exc))
        refusal = Refusal(row_pk, typed, position, by_row, table_errors)
        return _table_answer(request, version, spec, refusal, 422)
    if is_htmx(request):
        return _table_answer(request, version, spec, None, 200, oob_version=True)
    messages.success(request, _("Row saved."))
    return redirect(table_url(version, spec.name))


GONE = gettext_lazy(
    "The row you changed is no longer there as you saw it: your values wait in the line "
    "that adds a row."
)


def _gone(
    request: HttpRequest, version: RequestVersion, spec: TableSpec, typed: dict[str, str]
) -> HttpResponse:
    refusal = Refusal(None, typed, conflict=True)
    said = [_("Someone changed this table after you read it."), str(GONE)]
    return _table_answer(request, version, spec, refusal, 409, said=said)


@login_required
@require_POST
@refused_as_403
def row_delete(request: HttpRequest, pk: int, table: str, row: int) -> HttpResponse:
    version = version_of(request, pk)
    spec = or_404(TABLES_BY_NAME.get(table), "No such table")
    rows = spec.rows(version)
    if row not in {r.pk for r in rows}:
        held = request.POST.get("_version", "")
        if may_edit(request.user, version) and held and held != services.version_version(version):
            said = [_("Someone changed this table after you read it; nothing was deleted.")]
            return _table_answer(request, version, spec, None, 409, said=said)
        raise Http404("No such row")
    try:
        _fill_table(request, version, spec, [spec.raw(r) for r in rows if r.pk != row])
    except VersionConflictError as exc:
        said = [exc.last_change, _("Nothing was deleted: the table as it is now is shown.")]
        return _table_answer(request, version, spec, None, 409, said=said)
    except ValidationError as exc:
        return _table_answer(request, version, spec, None, 422, said=exc.messages)
    if is_htmx(request):
        return _table_answer(request, version, spec, None, 200, oob_version=True)
    messages.success(request, _("Row deleted."))
    return redirect(table_url(version, spec.name))


def parse_pasted(spec: TableSpec, text: str) -> list[dict[str, str]]:
    """The rows of a table pasted from a spreadsheet: tabs, semicolons or commas between
    the columns, in the page's order; a first line naming the columns is skipped, and so
    are blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sample = "\n".join(text.split("\n")[:5])
    delimiter = "\t" if "\t" in sample else (";" if ";" in sample else ",")
    cells = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    names = {
        word
        for c in spec.columns
        for word in (c.name.lower(), str(c.label).lower(), str(c.label).split(" (")[0].lower())
    }
    first = [cell.strip().lower() for cell in cells[0] if cell.strip()] if cells else []
    if first and all(cell in names for cell in first):
        cells = cells[1:]
    rows = []
    for line in cells:
        if not any(cell.strip() for cell in line):
            continue
        rows.append(
            {c.name: (line[i].strip() if i < len(line) else "") for i, c in enumerate(spec.columns)}
        )
    return rows


@login_required
@require_POST
@refused_as_403
def table_replace(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    """The whole table from rows pasted at once; refused whole, naming each line and column."""
    version = version_of(request, pk)
    spec = or_404(TABLES_BY_NAME.get(table), "No such table")
    form = TableReplaceForm(request.POST)
    if not form.is_valid():
        if not may_edit(request.user, version):
            raise Http404
        return _table_answer(
            request, version, spec, None, 422, replace_form=form, said=form_errors(form)
        )
    rows = parse_pasted(spec, form.cleaned_data["rows"])
    try:
        _fill_table(request, version, spec, rows)
    except VersionConflictError as exc:
        said = [
            exc.last_change,
            _("Nothing was saved: the table as it is now is shown; your rows are kept below."),
        ]
        return _table_answer(request, version, spec, None, 409, replace_form=form, said=said)
    except ValidationError as exc:
        said = _pasted_errors(spec, refusals(exc))
        return _table_answer(request, version, spec, None, 422, replace_form=form, said=said)
    messages.success(
        request,
        _("The table now holds the %(n)s rows given.") % {"n": len(rows)},
    )
    return redirect(table_url(version, spec.name))


def _pasted_errors(spec: TableSpec, errors: Mapping[str, list[str]]) -> list[str]:
    table, by_row = _errors_by_row(spec, errors)
    said = list(table)
    for n in sorted(by_row):
        for name, problems in by_row[n].items():
            column = spec.column(name)
            for problem in problems:
                said.append(
                    _("Row %(row)s, %(column)s: %(problem)s")
                    % {
                        "row": n + 1,
                        "column": column.label if column else name,
                        "problem": problem,
                    }
                )
    return said
