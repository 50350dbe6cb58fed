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
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from minefree.core.audit import snapshot


def version_of(
    record: models.Model, fields: Sequence[str], extra: Mapping[str, Any] | None = None
) -> str:
    """The fingerprint of ``record``'s ``fields`` and of ``extra`` values that are no column
    of its own (e.g. its many-to-many links), 16 hex digits."""
    values = snapshot(record, list(fields)) | dict(extra or {})
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class VersionConflictError(ValidationError):
    """The record changed since the writer read it; ``current`` is its version now."""

    def __init__(self, current: str) -> None:
        super().__init__(
            _("Someone changed this record after you read it. Read it again, then write."),
            code="version_conflict",
        )
        self.current = current


def check_version(current: str, expected: str | None) -> None:
    """Refuse the write when ``expected`` (an ``If-Match`` value) is given and is not the
    record's ``current`` version; read the record under its row lock first."""
    if expected is not None and expected.strip().strip('"') != current:
        raise VersionConflictError(current)
