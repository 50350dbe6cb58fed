"""Differences between two versions of a report, or between two years' reports.

Rows are aligned by their position within a table: drafts and amendments keep
the positions of the rows they copy, so a row edited in place is reported as
changed field by field, and new or removed rows as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from minefree.reporting.specification.content import Content
from minefree.reporting.specification.schema import FORMS


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    before: Any
    after: Any


@dataclass
class RowChange:
    kind: str  # "added", "removed", "changed"
    position: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class TableDiff:
    letter: str
    table: str
    label: str
    rows: list[RowChange]


@dataclass
class FormDiff:
    letter: str
    title: str
    status_before: str
    status_after: str
    tables: list[TableDiff]
    narratives: list[FieldChange]
    totals: list[FieldChange]

    @property
    def changed(self) -> bool:
        return bool(
            self.tables or self.narratives or self.totals or self.status_before != self.status_after
        )


def _by_position(content: Content, letter: str, table: str) -> dict[int, dict[str, Any]]:
    return {row.position: dict(row.data) for row in content.table(letter, table)}


def diff_contents(old: Content, new: Content) -> list[FormDiff]:
    """Form by form, what differs from ``old`` to ``new`` (unchanged forms are left out)."""
    result = []
    for letter, form in FORMS.items():
        tables = []
        for table in form.tables:
            labels = {f.name: str(f.label) for f in table.fields}
            before = _by_position(old, letter, table.code)
            after = _by_position(new, letter, table.code)
            rows: list[RowChange] = []
            for position in sorted(before.keys() | after.keys()):
                a, b = before.get(position), after.get(position)
                if a is None:
                    rows.append(RowChange("added", position, None, b))
                elif b is None:
                    rows.append(RowChange("removed", position, a, None))
                elif a != b:
                    changes = [
                        FieldChange(name, labels.get(name, name), a.get(name), b.get(name))
                        for name in [*labels, *sorted((a.keys() | b.keys()) - labels.keys())]
                        if a.get(name) != b.get(name)
                    ]
                    rows.append(RowChange("changed", position, a, b, changes))
            if rows:
                tables.append(TableDiff(letter, table.code, str(table.label), rows))
        old_entry, new_entry = old.entries.get(letter), new.entries.get(letter)
        narratives = _dict_changes(
            old_entry.narratives if old_entry else {},
            new_entry.narratives if new_entry else {},
            {f.name: str(f.label) for f in form.narratives},
        )
        totals = _dict_changes(
            old_entry.declared_totals if old_entry else {},
            new_entry.declared_totals if new_entry else {},
            {t.code: str(t.label) for t in form.tables},
        )
        diff = FormDiff(
            letter,
            str(form.title),
            old.status(letter),
            new.status(letter),
            tables,
            narratives,
            totals,
        )
        if diff.changed:
            result.append(diff)
    return result


def _dict_changes(
    before: dict[str, Any], after: dict[str, Any], labels: dict[str, str]
) -> list[FieldChange]:
    return [
        FieldChange(key, labels.get(key, key), before.get(key), after.get(key))
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    ]
