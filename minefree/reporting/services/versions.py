"""The versions a writer names to change what they read (``core.versions``): a row's, a
table's and a form's entry's; and, for a table, the audit events that may have changed it
(who is named when a writer's version is stale)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from minefree.core.models import AuditEvent
from minefree.core.versions import fingerprint, version_of
from minefree.reporting.models import FormEntry, FormRow, ReportVersion

#: the fields of a form's entry its version covers (with its narratives and totals)
ENTRY_FIELDS = ["status", "unchanged_since"]


def row_version(row: FormRow) -> str:
    """The version a writer names to change a row: a fingerprint of its values (what
    ``version_of(row, (), {"data": row.data})`` gives, without reading the row's columns:
    a table of a thousand rows answers a thousand of them)."""
    return fingerprint({"data": row.data})


def table_version(rows: Sequence[FormRow]) -> str:
    """The version of a table: a fingerprint of its rows' positions and values, in order
    (``position``, then id, as every read orders them)."""
    return fingerprint({"rows": [[r.position, r.data] for r in rows]})


def entry_version(entry: FormEntry) -> str:
    """The version of a form's entry: its mark, narratives and declared totals."""
    extra = {"narratives": entry.narratives, "declared_totals": entry.declared_totals}
    return version_of(entry, ENTRY_FIELDS, extra)


def table_changes(version: ReportVersion, entry: FormEntry, table: str) -> QuerySet[AuditEvent]:
    """The audit events that changed a table: its replacements, the form's marks (a form
    marked unchanged gets last year's rows back), imports, and edits of its present rows.
    A row deleted alone is not among them (its event names no table)."""
    row_ids = (
        FormRow.objects.filter(version=version, letter=entry.letter, table=table)
        .annotate(key=Cast("pk", CharField()))
        .values("key")
    )
    return AuditEvent.objects.filter(
        Q(
            object_type="reporting.formentry",
            object_id=str(entry.pk),
            action="report.table_replaced",
            after__table=table,
        )
        | Q(object_type="reporting.formentry", object_id=str(entry.pk), action="report.form_marked")
        | Q(
            object_type="reporting.reportversion",
            object_id=str(version.pk),
            action="report.imported",
        )
        | Q(object_type="reporting.formrow", object_id__in=row_ids)
    )
