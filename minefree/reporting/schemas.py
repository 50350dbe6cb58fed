from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class VersionSummaryOut(Schema):
    id: int
    state: str
    year: int
    kind: str
    number: int
    status: str
    due_date: dt.date
    submitted_at: dt.datetime | None
    on_time: bool | None
    origin: str


class VersionListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[VersionSummaryOut]


class RowOut(Schema):
    table: str
    position: int
    data: dict[str, Any]
    counterpart: str | None


class FormOut(Schema):
    letter: str
    status: str
    unchanged_since: int | None
    narratives: dict[str, Any]
    declared_totals: dict[str, Any]
    rows: list[RowOut]


class ExplanationOut(Schema):
    code: str
    target: str
    text: str


class VersionDetailOut(VersionSummaryOut):
    period_start: dt.date
    period_end: dt.date
    amendment_reason: str
    based_on: int | None
    forms: list[FormOut]
    explanations: list[ExplanationOut]
