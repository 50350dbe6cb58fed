"""Versions of mutable records, so that no one overwrites a change they have not seen.

A record's version is a fingerprint of the fields its service audits: any saved change
gives a new one, and it needs no column. The API sends it as the ``ETag``; a write must
send it back (``If-Match``) and the service compares it under the row lock, so of two
writers who read the same version only the first wins.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from minefree.core.models import AuditEvent


def version_of(
    record: models.Model, fields: Sequence[str], extra: Mapping[str, Any] | None = None
) -> str:
    """The fingerprint of ``record``'s ``fields`` and of ``extra`` values that are no column
    of its own (e.g. its many-to-many links), 16 hex digits."""
    values = {
        (f.attname if f.is_relation else f.name): f.value_from_object(record)
        for f in record._meta.concrete_fields
        if f.name in fields
    }
    return fingerprint(values | dict(extra or {}))


def _canonical(value: Any) -> str:
    """A value JSON has no type for, the same whether it was read back or just assigned:
    ``Decimal("5.00")`` and ``Decimal("5")`` are one amount."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    return str(value)


def fingerprint(values: Mapping[str, Any]) -> str:
    """The version of what is no single record (a table's rows): 16 hex digits of the
    values as canonical JSON, so a dict's key order (which the database may change) and
    the trailing zeros of an amount do not count."""
    text = json.dumps(values, sort_keys=True, default=_canonical)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class VersionConflictError(ValidationError):
    """The record changed since the writer read it; ``current`` is its version now and
    ``last_change`` the sentence saying who changed it and when (a page that shows the
    current values beside the writer's own says that much, not "reload")."""

    def __init__(self, current: str, message: str, last_change: str = "") -> None:
        super().__init__(message, code="version_conflict")
        self.current = current
        self.last_change = last_change or message


class VersionRequiredError(Exception):
    """A change sent without the version it was made from (``If-Match``): answered 428."""

    def __str__(self) -> str:
        return "Send the version you read as If-Match (the ETag of GET), so that no change is lost."


def _last_change(record: models.Model, changes: QuerySet[AuditEvent] | None) -> str:
    """Who changed ``record`` last and when, from the audit log."""
    if changes is None:
        changes = AuditEvent.objects.filter(
            object_type=record._meta.label_lower, object_id=str(record.pk)
        )
    event = changes.order_by("-created_at", "-pk").first()
    if event is None:
        return _("Someone changed this record after you read it.")
    when = formats.date_format(timezone.localtime(event.created_at), "DATETIME_FORMAT")
    return _("%(who)s changed this record at %(when)s, after you read it.") % {
        "who": event.actor_label or _("someone"),
        "when": when,
    }


def check_version(
    record: models.Model,
    current: str,
    expected: str | None,
    *,
    changes: QuerySet[AuditEvent] | None = None,
) -> None:
    """Refuse the write when ``expected`` (an ``If-Match`` value, a form's version) is given
    and is not the record's ``current`` version; read the record under its row lock first.

    ``changes`` are the audit events that may have changed it, for a resource that is no
    single record (a table of rows); by default the events filed under ``record``."""
    if expected is None or expected.strip().strip('"') == current:
        return
    last_change = _last_change(record, changes)
    message = (
        last_change
        + " "
        + _("Nothing was saved: reload to see the current values, then make your change again.")
    )
    raise VersionConflictError(current, message, last_change)
