"""A form's rows: one at a time, a whole table at once, and Form C's remaining areas
brought up to date from the land released."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from minefree.core.audit import audit_record, service
from minefree.core.versions import check_version
from minefree.core.workflow import locked
from minefree.registry.models import Actor
from minefree.registry.selectors import resolve_actor
from minefree.reporting import selectors
from minefree.reporting.exchange.xlsx import MAX_TABLE_ROWS
from minefree.reporting.models import FormRow, ReportVersion
from minefree.reporting.services.common import (
    entry_of,
    mark_changed,
    refused_text,
    require_draft,
    state_code_of,
)
from minefree.reporting.services.versions import row_version, table_changes, table_version
from minefree.reporting.specification.content import coerce, load_content
from minefree.reporting.specification.schema import ACTOR, FORMS, Table
from minefree.reporting.specification.validation import RegionUpdate, remaining_area_updates


def _table_spec(letter: str, table: str) -> Table:
    if letter not in FORMS or table not in {t.code for t in FORMS[letter].tables}:
        raise ValidationError(_("Unknown form or table."))
    return FORMS[letter].table(table)


def _row_data(
    spec: Table, values: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """A row's values as stored, and what is refused, by field: a field the table does
    not have, a value longer than the field takes or holding a NUL. Anything else is kept
    as typed (a word in a number column is stored and flagged by validation, never lost)."""
    problems: dict[str, list[str]] = {}
    for name in values.keys() - spec.names:
        problems[name] = [_("The table has no field of this name.")]
    data: dict[str, Any] = {}
    for f in spec.fields:
        raw = values.get(f.name)
        if raw is not None and (refused := refused_text(str(raw), f.max_length)):
            problems[f.name] = [refused]
            continue
        value = coerce(f, raw)
        if value is not None:
            data[f.name] = value
    return data, problems


def _counterpart(
    spec: Table, data: Mapping[str, Any], resolve: Callable[[str], Actor | None]
) -> Actor | None:
    """The registry actor a row's counterpart name was matched to (the last actor field)."""
    counterpart = None
    for f in spec.fields:
        if f.kind == ACTOR and data.get(f.name):
            counterpart = resolve(str(data[f.name]))
    return counterpart


def _locked_row(version: ReportVersion, letter: str, table: str, row: FormRow) -> FormRow:
    """``row`` re-read under its lock (the draft is locked already), still of this table."""
    if row.version_id != version.pk or (row.letter, row.table) != (letter, table):
        raise ValidationError(_("This row belongs to another form."))
    try:
        return locked(row)
    except ObjectDoesNotExist:
        raise ValidationError(_("This row no longer exists: it was deleted.")) from None


@service
def row_save(
    *,
    actor: Any,
    version: ReportVersion,
    letter: str,
    table: str,
    values: Mapping[str, Any],
    row: FormRow | None = None,
    expected_version: str | None = None,
) -> FormRow:
    """Add or change one row. Values are kept as typed; validation reports what is wrong.

    With ``expected_version`` (the row's version the writer read), a row changed since
    then is not overwritten (``VersionConflictError`` saying who changed it and when).
    """
    require_draft(actor, version)
    spec = _table_spec(letter, table)
    if row is not None:
        row = _locked_row(version, letter, table, row)
        check_version(row, row_version(row), expected_version)
    data, problems = _row_data(spec, values)
    if problems:
        raise ValidationError(problems)
    if row is None:
        position = (
            FormRow.objects.filter(version=version, letter=letter, table=table).aggregate(
                Max("position")
            )["position__max"]
            or 0
        ) + 1
        row = FormRow(version=version, letter=letter, table=table, position=position)
        before = None
    else:
        before = dict(row.data)
    row.data = data
    row.counterpart = _counterpart(spec, data, resolve_actor)
    row.save()
    mark_changed(actor, version, entry_of(version, letter))
    audit_record(
        actor=actor,
        action="report.row_saved",
        obj=row,
        before=before,
        after=data,
        state_code=state_code_of(version),
    )
    return row


@service
def row_delete(*, actor: Any, row: FormRow, expected_version: str | None = None) -> None:
    """Delete one row of a draft; with ``expected_version``, only the version read."""
    version = row.version
    require_draft(actor, version)
    row = _locked_row(version, row.letter, row.table, row)
    check_version(row, row_version(row), expected_version)
    before = dict(row.data)
    audit_record(
        actor=actor,
        action="report.row_deleted",
        obj=row,
        before=before,
        state_code=state_code_of(version),
    )
    row.delete()
    mark_changed(actor, version, entry_of(version, row.letter))


@service
def table_replace(
    *,
    actor: Any,
    version: ReportVersion,
    letter: str,
    table: str,
    rows: Sequence[Mapping[str, Any]],
    expected_version: str | None = None,
) -> list[FormRow]:
    """Make ``rows`` the whole content of one table of a draft, in their order.

    For a national centre that keeps its tables in its own system (hundreds of Form C
    regions): one call instead of a row at a time. Each row is read as ``row_save`` reads
    it; one refused value refuses the whole table (the refusals are named
    ``rows.<index>.<field>``). The rows are written in bulk and audited as one event on
    the form, the table before and after, so the cost does not grow by query with the
    rows: counterpart names are matched once per distinct name.
    """
    require_draft(actor, version)
    spec = _table_spec(letter, table)
    entry = entry_of(version, letter)
    entry.version = version  # named by its audit event: no need to read it again
    current = list(
        FormRow.objects.filter(version=version, letter=letter, table=table).order_by(
            "position", "pk"
        )
    )
    check_version(
        entry,
        table_version(current),
        expected_version,
        changes=table_changes(version, entry, table),
    )
    if len(rows) > MAX_TABLE_ROWS:
        raise ValidationError(
            _("A table holds at most %(limit)s rows.") % {"limit": f"{MAX_TABLE_ROWS:,}"}
        )
    stored: list[dict[str, Any]] = []
    problems: dict[str, list[str]] = {}
    for index, values in enumerate(rows):
        data, refused = _row_data(spec, values)
        problems.update({f"rows.{index}.{name}": msgs for name, msgs in refused.items()})
        stored.append(data)
    if problems:
        raise ValidationError(problems)
    matched: dict[str, Actor | None] = {}

    def resolve(name: str) -> Actor | None:
        if name not in matched:
            matched[name] = resolve_actor(name)
        return matched[name]

    new = [
        FormRow(
            version=version,
            letter=letter,
            table=table,
            position=position,
            data=data,
            counterpart=_counterpart(spec, data, resolve),
        )
        for position, data in enumerate(stored, start=1)
    ]
    FormRow.objects.filter(version=version, letter=letter, table=table).delete()
    FormRow.objects.bulk_create(new, batch_size=500)
    mark_changed(actor, version, entry)
    audit_record(
        actor=actor,
        action="report.table_replaced",
        obj=entry,
        before={"table": table, "rows": [r.data for r in current]},
        after={"table": table, "rows": stored},
        state_code=state_code_of(version),
    )
    return new


@service
def remaining_areas_update(*, actor: Any, version: ReportVersion) -> list[RegionUpdate]:
    """Subtract this year's released land (and add what was found) from the remaining areas.

    Only where that is unambiguous (see ``remaining_area_updates``); each changed row is
    saved like any edit, so it is audited and can be corrected by hand. Returns the updates
    made; the regions left for the focal point are in the selector's answer.
    """
    require_draft(actor, version)
    proposals = remaining_area_updates(
        load_content(version), selectors.validation_context(version).previous
    )
    done = []
    rows = {r.pk: r for r in version.rows.filter(letter="C", table="mined_areas")}
    for update in proposals:
        row = rows.get(update.row_id) if update.row_id else None
        if row is None:
            continue
        values = {**row.data, "area_m2": str(update.proposed)}
        row_save(
            actor=actor, version=version, letter="C", table="mined_areas", values=values, row=row
        )
        done.append(update)
    return done
