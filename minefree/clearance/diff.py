"""What changed from one version of a request to the next: the header, each narrative
section, the submitted document, and each table's rows (those the earlier version had that
the later one has not, and the other way round), as a page shows them.

Rows have no identity across versions (a revision copies them), so a changed row is one
row gone and one row new; a row is compared by every value it holds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from minefree.clearance.models import SECTIONS, RequestVersion
from minefree.clearance.web import TABLES, Column, TableSpec

HEADER_FIELDS: tuple[tuple[str, Any], ...] = (
    ("submitted_on", _("Date of the request")),
    ("requested_deadline", _("Deadline requested")),
    ("language", _("Language of the request")),
)


@dataclass(frozen=True)
class FieldChange:
    label: Any
    before: str
    after: str


@dataclass(frozen=True)
class SectionChange:
    code: str
    label: Any
    before: str
    after: str


@dataclass
class TableChange:
    spec: TableSpec
    columns: list[Column]
    before_count: int
    after_count: int
    removed: list[list[str]] = field(default_factory=list)
    added: list[list[str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.removed or self.added)


@dataclass
class Changes:
    before: RequestVersion
    after: RequestVersion
    header: list[FieldChange]
    sections: list[SectionChange]
    document: bool
    tables: list[TableChange]

    @property
    def nothing(self) -> bool:
        return not (
            self.header or self.sections or self.document or any(t.changed for t in self.tables)
        )


def _header_value(version: RequestVersion, name: str) -> str:
    if name == "language":
        return str(version.get_language_display())
    value = getattr(version, name)
    return value.isoformat() if value else ""


def _rows(spec: TableSpec, version: RequestVersion) -> list[tuple[str, ...]]:
    return [
        tuple(c.shown(getattr(row, c.name)) for c in spec.columns) for row in spec.rows(version)
    ]


def _only_in(rows: list[tuple[str, ...]], other: list[tuple[str, ...]]) -> list[list[str]]:
    """The rows of ``rows`` that ``other`` lacks, counting repeated rows, in their order."""
    left = Counter(other)
    result = []
    for row in rows:
        if left[row]:
            left[row] -= 1
        else:
            result.append(list(row))
    return result


def changes(before: RequestVersion, after: RequestVersion) -> Changes:
    """What ``after`` changes in ``before`` (prefetch both versions' tables to read each
    table once)."""
    header = [
        FieldChange(label, _header_value(before, name), _header_value(after, name))
        for name, label in HEADER_FIELDS
        if _header_value(before, name) != _header_value(after, name)
    ]
    sections = [
        SectionChange(code, label, before.narratives.get(code, ""), after.narratives.get(code, ""))
        for code, label in SECTIONS
        if before.narratives.get(code, "") != after.narratives.get(code, "")
    ]
    tables = []
    for spec in TABLES:
        old, new = _rows(spec, before), _rows(spec, after)
        tables.append(
            TableChange(
                spec=spec,
                columns=list(spec.columns),
                before_count=len(old),
                after_count=len(new),
                removed=_only_in(old, new),
                added=_only_in(new, old),
            )
        )
    return Changes(
        before=before,
        after=after,
        header=header,
        sections=sections,
        document=(before.document.name or "") != (after.document.name or ""),
        tables=tables,
    )
