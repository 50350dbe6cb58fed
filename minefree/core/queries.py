"""Small helpers over querysets that every app's selectors use."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def narrowed(qs: QuerySet[M], **lookups: Any) -> QuerySet[M]:
    """``qs`` filtered by each lookup that has a value: a blank filter (``""``, ``None``)
    keeps everything, as a list page's empty filter field does."""
    return qs.filter(**{name: value for name, value in lookups.items() if value not in ("", None)})
