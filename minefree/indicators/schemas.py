"""The API's shapes of the action plans, the indicators' values and the committee's
documents (``indicators.api``, ``indicators.api_writes``).

A value that cannot be computed is null with the ``reason``, never 0; synthetic demo data
is apart (``synthetic``) and never mixed into the reported value; ``wording_status``
``reconstructed`` marks wording that is not the plan's official text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from minefree.core.schemas import SourceOut

LANGUAGES = ("en", "fr", "es")
WORDING = "`official`, or `reconstructed` (reconstructed wording: not the plan's text)"


class IndicatorBriefOut(Schema):
    code: str
    text: str = Field(description="In the language asked (Accept-Language), else English")
    wording_status: str = Field(description=WORDING)
    kind: str = Field(description="`percentage` (share of a group) or `count` (of States)")
    definition: str = Field(description="The registered computation's name")
    plan: str = Field(description="The action plan's code")
    action: int = Field(description="The action's number in its plan")
    source: SourceOut | None


class PlanActionOut(Schema):
    number: int
    text: str
    text_en: str
    text_fr: str
    text_es: str
    wording_status: str = Field(description=WORDING)
    confirmed: str = Field(description="What a source confirms (e.g. the number and subject)")
    origin: str
    source: SourceOut | None
    indicators: list[IndicatorBriefOut]


class PlanSectionOut(Schema):
    number: str
    title: str
    first_action: int | None
    last_action: int | None
    range_status: str = Field(description="`confirmed`, `reconstructed` or blank (unknown)")
    notes: str
    source: SourceOut | None
    actions: list[PlanActionOut]


class PlanOut(Schema):
    code: str
    name: str
    first_year: int
    last_year: int
    adopted_on: dt.date | None
    adopted_at: str | None = Field(description="Code of the meeting, e.g. 4RC")
    symbol: str
    actions_total: int | None = Field(description="null: unknown")
    notes: str = Field(description="What is known of the plan's wording and what is not")
    origin: str
    source: SourceOut | None
    sections: list[PlanSectionOut]


class PlanListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[PlanOut]


class IndicatorPartOut(Schema):
    """One kind of data's value for a year."""

    numerator: int | None = Field(description="States counted; null: cannot be computed")
    denominator: int | None = Field(description="States in the population; null: none or unknown")
    percentage: float | None = Field(description="null: a count, or cannot be computed")
    reason: str | None = Field(description="Why the value cannot be computed; null when it is")


class IndicatorYearValueOut(Schema):
    year: int
    reported: IndicatorPartOut = Field(description="From reported data only")
    synthetic: IndicatorPartOut | None = Field(
        description="From synthetic demo data, apart; null when there is none for the year"
    )


class IndicatorSummaryOut(IndicatorBriefOut):
    latest: IndicatorYearValueOut | None = Field(
        description="The latest year with a value computed from reported data; null: none"
    )
    has_synthetic: bool = Field(description="Some years have synthetic demo data (apart)")


class IndicatorListOut(Schema):
    count: int
    limit: int
    offset: int
    first: int
    last: int
    items: list[IndicatorSummaryOut]


class IndicatorDefinitionOut(Schema):
    name: str
    kind: str
    population: str = Field(description="Who the denominator counts")
    numerator: str = Field(description="The condition a State meets to be counted")
    year_rule: str = Field(description="Which year a record counts for")


class PublishedFigureOut(Schema):
    year: int
    value: Decimal
    unit: str = Field(description="`count` or `percent`")
    what: str = Field(description="What the source counts")
    origin: str
    source: SourceOut | None


class IndicatorDetailOut(IndicatorBriefOut):
    notes: str
    action_text: str
    action_wording_status: str = Field(description=WORDING)
    definition_rule: IndicatorDefinitionOut
    first: int
    last: int
    values: list[IndicatorYearValueOut]
    published: list[PublishedFigureOut] = Field(description="Figures sources published")


class IndicatorRecordOut(Schema):
    kind: str = Field(description="report, flow, case_meeting, platform_meeting, … ")
    id: int
    label: str
    url: str = Field(description="The page that shows the record")
    synthetic: bool = Field(description="Synthetic demo data")


class IndicatorStateOut(Schema):
    iso3: str | None
    name: str


class IndicatorCountedStateOut(IndicatorStateOut):
    records: list[IndicatorRecordOut]


class IndicatorDrillDownOut(Schema):
    indicator: str
    year: int
    data: str = Field(description="`reported` or `synthetic` (synthetic demo data)")
    numerator: int | None
    denominator: int | None
    percentage: float | None
    reason: str | None
    counted: list[IndicatorCountedStateOut] = Field(
        description="States counted, with their records"
    )
    not_counted: list[IndicatorStateOut] = Field(description="The rest of the population")


class StateProfileCellOut(Schema):
    year: int
    status: str = Field(description="`counted`, `not_counted`, `outside` or `unknown`")
    synthetic: bool = Field(description="From synthetic demo data (no reported value)")


class StateProfileRowOut(Schema):
    indicator: str
    text: str
    wording_status: str
    kind: str
    cells: list[StateProfileCellOut]


class StateProfileOut(Schema):
    state: IndicatorStateOut
    first: int
    last: int
    rows: list[StateProfileRowOut]


class DocumentVersionBriefOut(Schema):
    number: int
    status: str = Field(description="`draft` or `published`")
    change_note: str
    created_at: dt.datetime
    published_at: dt.datetime | None


class DocumentOut(Schema):
    id: int
    kind: str = Field(description="`observations` or `statement`")
    kind_label: str
    year: int = Field(description="The calendar year it reviews")
    meeting: str = Field(description="Code of the meeting, e.g. 22MSP")
    meeting_name: str
    committee: str
    published_version: int | None = Field(description="The latest published version's number")
    draft_version: int | None = Field(description="The draft's number (to its editors only)")


class DocumentListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[DocumentOut]


class DocumentDetailOut(DocumentOut):
    versions: list[DocumentVersionBriefOut] = Field(description="Drafts to its editors only")


class DocumentVersionOut(DocumentVersionBriefOut):
    document: int
    kind: str
    year: int
    meeting: str
    language: str = Field(description="Of the section titles and the content")
    sections: dict[str, str] = Field(description="The editable texts, by section, in order")
    section_titles: dict[str, str]
    content: dict[str, Any] = Field(
        description="Figures (F1…, with their source records), tables and chart: frozen when "
        "published, computed from today's records for a draft"
    )
    live: bool = Field(description="The content is computed now (a draft), not frozen")
    version: str | None = Field(description="A draft's version, also its ETag (to its editors)")


# --- writes ------------------------------------------------------------------------------------


class DocumentOpenIn(Schema):
    kind: str = Field(description="`observations` or `statement`")
    meeting: str = Field(description="Code of the meeting, e.g. 22MSP")
    year: int | None = Field(
        None, ge=1997, le=2100, description="The year reviewed; default: the meeting's year"
    )


class DocumentEditIn(Schema):
    sections: dict[str, str] = Field(description="Only the sections sent change")
    change_note: str | None = Field(None, description="What changed (at most 300 characters)")


class DocumentRedraftIn(Schema):
    section: str = Field(description="The section to draft afresh from the records")


class PlanWordingIn(Schema):
    text_en: str | None = None
    text_fr: str | None = None
    text_es: str | None = None
    wording_status: str | None = Field(None, description=WORDING)
    source_url: str = Field("", description="Where the wording was taken from")
    source_title: str = ""


class PlanActionWordingIn(PlanWordingIn):
    confirmed: str | None = Field(None, description="What a source confirms")


class IndicatorWordingIn(PlanWordingIn):
    notes: str | None = None
