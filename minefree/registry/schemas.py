from __future__ import annotations

from ninja import Field, Schema

from minefree.core.schemas import IntervalOut, PartialDateOut, SourceOut


class DatedFact(Schema):
    date: PartialDateOut | None
    source: SourceOut | None


class ObligationSummaryOut(Schema):
    article: int
    status: str
    current_deadline: PartialDateOut | None
    completion: PartialDateOut | None


class StateListItem(Schema):
    iso3: str
    name: str
    name_en: str
    name_fr: str
    name_es: str
    region: str
    status: str
    entry_into_force: IntervalOut | None
    obligations: list[ObligationSummaryOut]


class StateListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[StateListItem]


class DeadlineEventOut(Schema):
    seq: int
    kind: str
    request_submitted: PartialDateOut | None
    request_submitted_note: str
    meeting_code: str | None
    meeting_label: str
    deadline: PartialDateOut | None
    completion: PartialDateOut | None
    source: SourceOut | None
    notes: str


class AlternativeOut(Schema):
    field: str
    value: str
    source: SourceOut | None
    notes: str


class ObligationOut(Schema):
    article: int
    status: str
    status_detail: str
    original_deadline: PartialDateOut | None
    original_deadline_basis: str
    current_deadline: PartialDateOut | None
    completion: PartialDateOut | None
    total_destroyed: int | None
    total_destroyed_qualifier: str
    retained: int | None
    retained_as_of: PartialDateOut | None
    pending_request: str
    source: SourceOut | None
    notes: str
    events: list[DeadlineEventOut]
    alternatives: list[AlternativeOut]


class WithdrawalOut(Schema):
    notified: str | None
    effective: str | None
    source: SourceOut | None


class SeatOut(Schema):
    committee: str
    committee_name: str
    state_iso3: str = Field(description="The State Party holding the seat")
    state_name: str = Field(description="Its name in the language of the request")
    role: str
    term_start_meeting: str | None
    term_end_meeting: str | None
    term_start_year: int
    term_end_year: int | None
    source: SourceOut | None


class StateDetailOut(Schema):
    iso3: str
    iso2: str
    kind: str
    name: str
    name_en: str
    name_fr: str
    name_es: str
    region: str
    subregion: str
    status: str
    signature: DatedFact
    deposit: DatedFact
    deposit_type: str
    entry_into_force: IntervalOut | None
    entry_into_force_basis: str
    initial_report_due: IntervalOut | None
    withdrawal: WithdrawalOut | None
    notes: str
    obligations: list[ObligationOut]
    committee_seats: list[SeatOut]
    alternatives: list[AlternativeOut]


class MeetingOut(Schema):
    code: str
    kind: str
    number: int | None
    name: str
    name_en: str
    place: str
    start: PartialDateOut | None
    end: PartialDateOut | None
    president_state: str | None
    president_name: str
    source: SourceOut | None


class CommitteeOut(Schema):
    code: str
    name: str
    seats: list[SeatOut]
