"""The state's drafting pages: a draft's header and narratives, each table (a row added,
changed or deleted, or the whole table replaced), the submitted PDF, and the submission
in two steps (what will be published, then the confirmation).

Every form carries the draft's version (``services.version_version``): of two people who
read the same draft, the second to save is told who changed it and when, their typed
values stay in the form beside the values now saved, and saving again saves theirs.
Values are read by ``content.read_content``, so a refusal names the field it is about
(``milestones.3.area_m2``) and the page shows it beside that input.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BoundField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from minefree.clearance import selectors, services
from minefree.clearance.content import read_content
from minefree.clearance.forms import DocumentForm, HeaderForm, TableReplaceForm
from minefree.clearance.models import SECTIONS, RequestVersion
from minefree.clearance.web import (
    CHOICE,
    TABLES,
    TABLES_BY_NAME,
    Column,
    TableSpec,
    is_htmx,
    narrative_sections,
    refused_as_403,
    table_contents,
    with_rows,
)
from minefree.core.permissions import can
from minefree.core.versions import VersionConflictError
from minefree.core.views import flash_errors, form_errors, int_param, or_404
from minefree.core.workflow import AlreadyDone

#: said after who changed the draft since the writer read it
CONFLICT_ADVICE = gettext_lazy(
    "Nothing was saved. The values now saved are shown beside yours, which are kept: "
    "save again to replace them with yours."
)

HEADER_ANCHORS = ("submitted_on", "requested_deadline", "language")


def version_url(version: RequestVersion, anchor: str = "") -> str:
    url = reverse("clearance:version", args=[version.pk])
    return f"{url}#{anchor}" if anchor else url


def table_url(version: RequestVersion, table: str, anchor: str = "") -> str:
    url = reverse("clearance:table", args=[version.pk, table])
    return f"{url}#{anchor}" if anchor else url


def _draft(request: HttpRequest, pk: int) -> RequestVersion:
    """A version the user may read; the services decide whether they may change it."""
    return selectors.get_version_for(request.user, pk)


def _may_edit(user: Any, version: RequestVersion) -> bool:
    return version.is_draft and can(user, "extension_request.draft", version.request.state)


# --- the checks before submission ----------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What keeps a draft from being submitted, with where it is put right."""

    where: str
    message: str
    url: str
    label: str


def _problems(version: RequestVersion) -> list[Problem]:
    labels = dict(SECTIONS)
    header = {
        "submitted_on": _("Date of the request"),
        "requested_deadline": _("Deadline requested"),
        "reason": _("Reason for the revision"),
    }
    result = []
    for where, message in services.submission_problems(version):
        if where in TABLES_BY_NAME:
            url, label = table_url(version, where), str(TABLES_BY_NAME[where].label)
        elif where.startswith("narratives."):
            code = where.split(".", 1)[1]
            url, label = version_url(version, f"id_n_{code}"), str(labels.get(code, code))
        else:
            url, label = version_url(version, f"id_{where}"), str(header.get(where, where))
        result.append(Problem(where, message, url, label))
    return result


# --- the draft's page: header and narratives -----------------------------------------------


@dataclass
class FieldView:
    """An input of the header form, with the problems and refusals shown beside it."""

    bound: BoundField
    issues: list[str] = field(default_factory=list)
    #: after a save refused over someone else's change: the value now saved, where it is
    #: not what the writer typed
    current: str | None = None

    @property
    def id(self) -> str:
        return str(self.bound.id_for_label)

    @property
    def help_id(self) -> str:
        return f"{self.id}-help"

    @property
    def issues_id(self) -> str:
        return f"{self.id}-issues"

    @property
    def invalid(self) -> bool:
        return bool(self.issues or self.bound.errors)

    def widget(self) -> str:
        described = [self.help_id] if self.bound.help_text else []
        attrs: dict[str, str | bool] = {}
        if self.invalid:
            described.append(self.issues_id)
            attrs["aria-invalid"] = "true"
        if described:
            attrs["aria-describedby"] = " ".join(described)
        return str(self.bound.as_widget(attrs=attrs))


def _header_initial(version: RequestVersion) -> dict[str, Any]:
    return {
        "submitted_on": version.submitted_on.isoformat() if version.submitted_on else "",
        "requested_deadline": (
            version.requested_deadline.isoformat() if version.requested_deadline else ""
        ),
        "language": version.language,
        **{f"n_{code}": version.narratives.get(code, "") for code, _label in SECTIONS},
    }


def _field_views(
    form: HeaderForm, problems: list[Problem], saved: RequestVersion | None
) -> list[FieldView]:
    by_field: dict[str, list[str]] = {}
    for p in problems:
        by_field.setdefault(HeaderForm.field_of(p.where), []).append(p.message)
    views = [FieldView(bound=b, issues=by_field.get(b.name, [])) for b in form]
    if saved is not None:
        now = _header_initial(saved)
        typed = form.data
        for fv in views:
            value = str(now.get(fv.bound.name, ""))
            if str(typed.get(fv.bound.name, "")).strip() != value.strip():
                fv.current = value or "—"
    return views


def draft_page(
    request: HttpRequest,
    version: RequestVersion,
    *,
    form: HeaderForm | None = None,
    conflict: list[str] | None = None,
    document_form: DocumentForm | None = None,
    held: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page of a draft its state's people edit: header and narratives, the tables and
    their sizes, the document, and what keeps it from being submitted. ``form`` is a
    refused header form, shown with what was typed; ``conflict`` what to say when it was
    refused over someone else's change (then the values now saved are shown beside).
    ``held`` is the version a refused form was sent with: it stays in the forms, so that a
    change made meanwhile by someone else is still caught when the writer saves again."""
    full = with_rows(RequestVersion.objects.filter(pk=version.pk)).get()
    problems = _problems(full)
    bound = form if form is not None else HeaderForm(initial=_header_initial(full))
    fields = _field_views(bound, [] if form is not None else problems, full if conflict else None)
    context = {
        "ext": full.request,
        "version": full,
        "version_token": held or services.version_version(full),
        "header_fields": fields,
        "conflict": conflict or [],
        "problems": problems,
        "table_lines": [
            (t, [p.message for p in problems if p.where == t.spec.name])
            for t in table_contents(full)
        ],
        "document_form": document_form or DocumentForm(),
        "versions": selectors.versions_for(request.user, full.request),
    }
    return render(request, "clearance/draft.html", context, status=status)


def _conflict_messages(exc: VersionConflictError) -> list[str]:
    return [exc.last_change, str(CONFLICT_ADVICE)]


@login_required
@require_POST
@refused_as_403
def header_save(request: HttpRequest, pk: int) -> HttpResponse:
    version = _draft(request, pk)
    form = HeaderForm(request.POST)
    form.is_valid()  # the fields' own limits; the values are read below
    content = read_content(form.raw())
    for name in ("submitted_on", "requested_deadline"):
        if getattr(version, name) is not None and not form.data.get(name, "").strip():
            content.errors.setdefault(name, []).append(
                _("A date once given can be corrected, not removed: give the right date.")
            )
    try:
        services.version_fill(
            actor=request.user,
            version=version,
            content=content,
            expected_version=request.POST.get("_version") or None,
        )
    except VersionConflictError as exc:
        return draft_page(request, version, form=form, conflict=_conflict_messages(exc), status=409)
    except ValidationError as exc:
        for where, errors in _message_dict(exc).items():
            name = HeaderForm.field_of(where)
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        return draft_page(request, version, form=form, held=_held(request), status=422)
    messages.success(request, _("Saved."))
    # back to the first field a problem is about, so the focus stays where the work is
    first = next((p for p in _problems(version) if p.where not in TABLES_BY_NAME), None)
    anchor = f"id_{HeaderForm.field_of(first.where)}" if first else "header"
    return redirect(version_url(version, anchor))


def _held(request: HttpRequest) -> str | None:
    """The version a form was sent with."""
    return request.POST.get("_version") or None


def _message_dict(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


@login_required
@require_POST
@refused_as_403
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    version = _draft(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        if not _may_edit(request.user, version):
            raise PermissionDenied
        return draft_page(request, version, document_form=form, held=_held(request), status=422)
    upload = form.cleaned_data["file"]
    try:
        services.version_document_attach(
            actor=request.user,
            version=version,
            file=upload,
            name=upload.name or "request.pdf",
            expected_version=request.POST.get("_version") or None,
        )
    except VersionConflictError as exc:
        flash_errors(request, [exc.last_change, _("Nothing was saved: attach the file again.")])
    except ValidationError as exc:
        form.add_error("file", exc.messages)
        return draft_page(request, version, document_form=form, held=_held(request), status=422)
    else:
        messages.success(request, _("The document is attached."))
    return redirect(version_url(version, "document"))


# --- a table -------------------------------------------------------------------------------


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
    may_edit = _may_edit(user, version)
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
    if may_edit:
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
        "may_edit": may_edit,
        "version_token": held or services.version_version(version),
        "tables": TABLES,
    }


@require_http_methods(["GET"])
@refused_as_403
def table_page(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    version = _draft(request, pk)
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
    held = _held(request) if status == 422 else None
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
    version = _draft(request, pk)
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
                and _may_edit(request.user, version)
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
        said = _conflict_messages(exc)
        if row_pk is not None and row_pk not in {r.pk for r in spec.rows(version)}:
            said.insert(1, str(GONE))
        refusal = Refusal(row_pk, typed, conflict=True)
        return _table_answer(request, version, spec, refusal, 409, said=said)
    except ValidationError as exc:
        table_errors, by_row = _errors_by_row(spec, _message_dict(exc))
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
    version = _draft(request, pk)
    spec = or_404(TABLES_BY_NAME.get(table), "No such table")
    rows = spec.rows(version)
    if row not in {r.pk for r in rows}:
        held = request.POST.get("_version", "")
        if _may_edit(request.user, version) and held and held != services.version_version(version):
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
    version = _draft(request, pk)
    spec = or_404(TABLES_BY_NAME.get(table), "No such table")
    form = TableReplaceForm(request.POST)
    if not form.is_valid():
        if not _may_edit(request.user, version):
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
        said = _pasted_errors(spec, _message_dict(exc))
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


# --- submission ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@refused_as_403
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """What will be published (GET), then the submission (POST with ``confirmed=yes``)."""
    version = _draft(request, pk)
    said: list[str] = []
    status = 200
    if request.method == "POST":
        if request.POST.get("confirmed") != "yes":
            return redirect("clearance:submit", version.pk)
        try:
            services.request_submit(
                actor=request.user,
                version=version,
                expected_version=request.POST.get("_version") or None,
            )
        except AlreadyDone as exc:
            flash_errors(request, exc.messages)
            return redirect("clearance:request", version.request_id)
        except VersionConflictError as exc:
            said, status = (
                [
                    exc.last_change,
                    _("Nothing was submitted: check the draft as it is now, then submit it."),
                ],
                409,
            )
        except ValidationError:
            status = 422  # the problems are listed below, each linked to its field
        else:
            messages.success(
                request,
                _(
                    "The request is submitted: it is now public, and the committees will analyse it."
                ),
            )
            return redirect("clearance:request", version.request_id)
    elif not version.is_draft:
        return redirect("clearance:version", version.pk)
    elif not _may_edit(request.user, version):
        raise PermissionDenied  # the review is the first step of the state's own act
    full = with_rows(RequestVersion.objects.filter(pk=version.pk)).get()
    context = {
        "ext": full.request,
        "version": full,
        "version_token": services.version_version(full),
        "problems": _problems(full),
        "tables": table_contents(full),
        "sections": narrative_sections(full),
        "said": said,
    }
    return render(request, "clearance/submit.html", context, status=status)
