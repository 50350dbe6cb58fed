"""The history of one record, rebuilt from the audit log alone.

Every write is a ``@service`` that records ``AuditEvent``s with the record's fields before
and after, so who changed what and when can be read back without the record's own table:
``history`` lists the changes of a record oldest first, ``replay`` applies them in order
and gives the field values the log says the record has now. An ISU page ("who changed
this?") and the audit-completeness test read the same list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from minefree.core.models import AuditEvent


@dataclass(frozen=True)
class Change:
    """One audited change of a record: who, when, what action, which fields from what to what."""

    at: dt.datetime
    actor_id: int | None
    actor_label: str
    action: str
    request_id: str
    api_token: str
    #: field -> (value before, value after); a field the event only states is (None, value)
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def _object_key(record: models.Model) -> tuple[str, str]:
    return record._meta.label_lower, str(record.pk)


def history(record: models.Model) -> list[Change]:
    """The audited changes of ``record``, oldest first (one query)."""
    object_type, object_id = _object_key(record)
    events = AuditEvent.objects.filter(object_type=object_type, object_id=object_id).order_by(
        "created_at", "id"
    )
    return [_change(event) for event in events]


def _change(event: AuditEvent) -> Change:
    before = event.before if isinstance(event.before, dict) else None
    after = event.after if isinstance(event.after, dict) else None
    names = [*(before or {}), *(n for n in after or {} if n not in (before or {}))]
    fields = {
        name: ((before or {}).get(name), (after or {}).get(name))
        for name in names
        if (before or {}).get(name) != (after or {}).get(name) or before is None
    }
    return Change(
        at=event.created_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        request_id=event.request_id,
        api_token=event.api_token,
        fields=fields,
        before=before,
        after=after,
    )


def replay(changes: Iterable[Change]) -> dict[str, Any]:
    """The field values the log gives a record: each change's ``after`` applied in order."""
    values: dict[str, Any] = {}
    for change in changes:
        values.update(change.after or {})
    return values


def inconsistencies(changes: Iterable[Change]) -> list[str]:
    """Where a change's ``before`` is not what the earlier changes left: a change of the
    record between them that the log does not hold."""
    values: dict[str, Any] = {}
    found = []
    for number, change in enumerate(changes, 1):
        for name, value in (change.before or {}).items():
            if name in values and values[name] != value:
                found.append(
                    f"change {number} ({change.action}) found {name}={value!r}, "
                    f"the log left {values[name]!r}"
                )
        values.update(change.after or {})
    return found
