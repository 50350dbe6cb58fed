"""API shapes of Article 7 reports: the public reads (``api.py``) and the drafting writes
(``drafting/api.py``).

A draft's form, table and row each carry their ``version`` (the ``ETag`` of the resource,
without its quotes): a change sends the version it was made from as ``If-Match``. Row
values are what a writer typed, text or numbers, kept as typed when they cannot be read
(validation then flags them), exactly as on the page.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


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


# --- drafting ------------------------------------------------------------------------------

#: one field's value as typed: text or a number; null (or leaving the field out) is empty
Value = str | int | float | None
VERSION = "Send it back as If-Match to change what it is the version of."


class DraftOpenIn(Schema):
    state: str = Field(description="ISO 3166 alpha-3 code of the state")
    year: int = Field(description="The calendar year the report covers")
    kind: str = Field("annual", description="annual or initial")


class DraftRowOut(Schema):
    id: int
    position: int = Field(description="1, 2, ... in the table's order")
    data: dict[str, Any] = Field(description="The values as stored, by field name")
    counterpart: str | None = Field(
        description="Code of the registry actor the counterpart name was matched to"
    )
    version: str = Field(description="The row's version. " + VERSION)


class TableOut(Schema):
    letter: str
    table: str
    version: str = Field(description="The table's version (its rows in order). " + VERSION)
    rows: list[DraftRowOut]


class EntryOut(Schema):
    letter: str
    status: str = Field(description="changed, unchanged or not_applicable (the cover mark)")
    unchanged_since: int | None
    narratives: dict[str, Any]
    declared_totals: dict[str, Any]
    version: str = Field(description="The version of the mark, narratives and totals. " + VERSION)


class AttachmentOut(Schema):
    id: int
    letter: str
    name: str
    kind: str
    size: int
    description: str
    url: str = Field(description="Where to download it")


class FormDetailOut(EntryOut):
    report_version: int = Field(description="Id of the report version the form belongs to")
    tables: list[TableOut]
    attachments: list[AttachmentOut]


class EntryIn(Schema):
    """A form's narratives and declared totals, each replaced whole (a name left out is
    emptied), as the page's form sends them."""

    narratives: dict[str, str] = Field(default_factory=dict)
    declared_totals: dict[str, Value] = Field(
        default_factory=dict, description="By table code: the total declared for the table"
    )


class MarkIn(Schema):
    status: str = Field(
        description="changed, unchanged (last report's rows and narratives are restored) or "
        "not_applicable"
    )


class ContactIn(Schema):
    name: str
    organisation: str = ""
    email: str = ""
    phone: str = ""


class ContactOut(ContactIn):
    report_version: int


class FindingOut(Schema):
    code: str = Field(description="Stable code, e.g. MF-E02 (errors) or MF-W03 (warnings)")
    severity: str = Field(description="error or warning")
    letter: str = Field(description="The form ('' for the cover page)")
    table: str
    row_id: int | None
    field: str
    target: str = Field(description="What a warning's explanation is about")
    message: str = Field(description="In the language asked for")
    explained: bool | None = Field(description="Warnings: whether an explanation is written")


class FindingsOut(Schema):
    report_version: int
    language: str
    blocked: bool = Field(description="Submission is refused: an error or an unexplained warning")
    findings: list[FindingOut]


class ExplanationIn(Schema):
    code: str
    target: str = ""
    text: str


class AmendmentIn(Schema):
    reason: str
    answers: int | None = Field(None, description="Id of the question the amendment answers")


class ClarificationIn(Schema):
    letter: str
    question: str


class AnswerIn(Schema):
    answer: str


class ClarificationOut(Schema):
    id: int
    report_version: int
    letter: str
    question: str
    asked_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None
    amendment: int | None = Field(description="The amended version that answers it, if any")


class AreaUpdateOut(Schema):
    region: str
    last_year: Decimal
    released: Decimal
    found: Decimal
    previous: Decimal = Field(description="The remaining area before the update")
    updated: Decimal = Field(description="The remaining area now")
