"""Reading the reference CSV files into plain rows the loader service applies.

Parsing is kept apart from writing so the rules (what a blank means, how a
year-only date is read, which events set a deadline) can be tested alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from minefree.core.dates import DateInterval, PartialDate, Precision
from minefree.registry.models import (
    COMPLETION_KINDS,
    DEADLINE_SETTING_KINDS,
    EifBasis,
    ObligationStatus,
    TreatyStatus,
)
from minefree.registry.treaty import entry_into_force, entry_into_force_interval


class ReferenceDataError(ValueError):
    """A reference file cannot be read; the message names the file and the row."""


def read_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    if not path.exists():
        raise ReferenceDataError(f"{path.name}: file not found in {path.parent}")
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            yield line, {k: (v or "").strip() for k, v in row.items() if k is not None}


_DATE_TOKEN = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def parse_partial(
    text: str, where: str = "", *, allow_note: bool = True
) -> tuple[PartialDate | None, str]:
    """Read a date that may carry a note ("by 2027-03", "2009-01-01 (as listed by LM)").

    Returns the date (or None when blank) and whatever text surrounded it. With
    ``allow_note=False`` any text around the date is an error.
    """
    text = (text or "").strip()
    if not text:
        return None, ""
    match = _DATE_TOKEN.search(text)
    if not match:
        raise ReferenceDataError(f"{where}: cannot read a date in {text!r}")
    try:
        value = PartialDate.parse(match.group(0))
    except ValueError as exc:
        raise ReferenceDataError(f"{where}: {exc}") from exc
    note = (text[: match.start()] + text[match.end() :]).strip(" ()")
    if note and not allow_note:
        raise ReferenceDataError(
            f"{where}: expected a date (YYYY, YYYY-MM or YYYY-MM-DD), not {text!r}"
        )
    return value, note


def parse_date(text: str, where: str) -> PartialDate | None:
    """A date column that must hold nothing but a date."""
    return parse_partial(text, where, allow_note=False)[0]


def split_urls(text: str) -> list[str]:
    return [u.strip() for u in re.split(r"\s;\s|\s+\|\s+", text or "") if u.strip()]


STATUS_MAP = {
    "party": TreatyStatus.PARTY,
    "withdrawn": TreatyStatus.WITHDRAWN,
    "withdrawal_initiated_not_effective": TreatyStatus.WITHDRAWAL_PENDING,
    "party_unverified": TreatyStatus.PARTY_UNVERIFIED,
}
EIF_BASIS_MAP = {
    "source": EifBasis.SOURCE,
    "first_40_ratifications (ICRC list)": EifBasis.FIRST_40,
    "derived_from_month": EifBasis.DERIVED_FROM_MONTH,
    "derived_from_order": EifBasis.DERIVED_FROM_ORDER,
    "computed_art17": EifBasis.COMPUTED_ART17,
}


@dataclass
class StateRow:
    line: int
    iso3: str
    iso2: str
    name_en: str
    region: str
    subregion: str
    status: str
    signature: PartialDate | None
    consent: PartialDate | None
    consent_type: str
    consent_from_year: bool
    eif: DateInterval | None
    eif_basis: str
    withdrawal_notified: dt.date | None
    withdrawal_effective: dt.date | None
    dates_sources: str
    year_source: str
    withdrawal_source: str
    notes: str


def parse_states(path: Path) -> list[StateRow]:
    rows: list[StateRow] = []
    for line, r in read_csv(path):
        where = f"{path.name} line {line}"
        if r["status"] not in STATUS_MAP:
            raise ReferenceDataError(f"{where}: unknown status {r['status']!r}")
        signature = parse_date(r["signature_date"], where)
        consent = parse_date(r["consent_date"], where)
        from_year = False
        if consent is None and r["untc_consent_year"]:
            consent = PartialDate.parse(r["untc_consent_year"])
            from_year = True
        eif: DateInterval | None = None
        basis = ""
        if r["entry_into_force_date"]:
            given = parse_date(r["entry_into_force_date"], where)
            assert given is not None
            eif = given.interval()
            basis = EIF_BASIS_MAP.get(r["eif_basis"], EifBasis.SOURCE)
        elif consent is not None and consent.precision == Precision.DAY:
            day = entry_into_force(consent.value)
            eif = DateInterval(day, day)
            basis = EifBasis.COMPUTED_ART17
        elif consent is not None:
            eif = entry_into_force_interval(consent)
            basis = EifBasis.COMPUTED_ART17 if eif.is_exact else EifBasis.COMPUTED_FROM_YEAR
        notified = parse_date(r["withdrawal_notification_date"], where)
        effective = parse_date(r["withdrawal_effective_date"], where)
        rows.append(
            StateRow(
                line=line,
                iso3=r["iso3"],
                iso2=r["iso2"],
                name_en=r["state"],
                region=r["un_region"],
                subregion=r["un_subregion"],
                status=STATUS_MAP[r["status"]],
                signature=signature,
                consent=consent,
                consent_type=r["consent_type"],
                consent_from_year=from_year,
                eif=eif,
                eif_basis=basis,
                withdrawal_notified=notified.value if notified else None,
                withdrawal_effective=effective.value if effective else None,
                dates_sources=r["source_dates"],
                year_source=r["source_untc_year"] if from_year else "",
                withdrawal_source=r["source_withdrawal"],
                notes=r["notes"],
            )
        )
    return rows


ART4_STATUS = {
    "completed": ObligationStatus.COMPLETED,
    "completed_date_not_seen": ObligationStatus.COMPLETED,
    "no_stockpile_reported": ObligationStatus.NONE_HELD,
    "never_stockpiled": ObligationStatus.NONE_HELD,
    "no_stockpile": ObligationStatus.NONE_HELD,
    "deadline_missed_ongoing": ObligationStatus.OPEN,
}
ART5_STATUS = {
    "obligation_ongoing_as_of_latest_source_seen": ObligationStatus.OPEN,
    "completion_declared_or_reported": ObligationStatus.COMPLETED,
    "extension_activity_only": ObligationStatus.UNKNOWN,
}


@dataclass
class ObligationRow:
    iso3: str
    article: int
    status: str
    status_detail: str
    original: PartialDate | None = None
    original_basis: str = ""
    current: PartialDate | None = None
    completion: PartialDate | None = None
    total_destroyed: int | None = None
    total_destroyed_qualifier: str = ""
    retained: int | None = None
    retained_as_of: PartialDate | None = None
    pending_request: str = ""
    source_url: str = ""
    notes: str = ""
    events: list[EventRow] = field(default_factory=list)


@dataclass
class EventRow:
    seq: int
    kind: str
    submitted: PartialDate | None
    submitted_note: str
    meeting_label: str
    deadline: PartialDate | None
    completion: PartialDate | None
    date_basis: str
    source_url: str
    notes: str


def _int(text: str, where: str) -> tuple[int | None, str]:
    text = text.replace(",", "").strip()
    if not text:
        return None, ""
    qualifier = ""
    while text and not text[0].isdigit():
        qualifier += text[0]
        text = text[1:]
    try:
        return int(text), qualifier
    except ValueError as exc:
        raise ReferenceDataError(f"{where}: not a number: {text!r}") from exc


def parse_article4(path: Path) -> list[ObligationRow]:
    rows = []
    for line, r in read_csv(path):
        where = f"{path.name} line {line}"
        status = ART4_STATUS.get(r["status"], ObligationStatus.UNKNOWN)
        deadline, _ = parse_partial(r["art4_deadline"], where)
        completion = parse_date(r["completion_date"], where)
        destroyed, qualifier = _int(r["total_destroyed"], where)
        retained, _ = _int(r["retained_art3"], where)
        retained_as_of = parse_date(r["retained_as_of"], where)
        rows.append(
            ObligationRow(
                iso3=r["iso3"],
                article=4,
                status=status,
                status_detail=r["status"],
                original=deadline,
                original_basis=r["deadline_basis"],
                current=deadline,
                completion=completion,
                total_destroyed=destroyed,
                total_destroyed_qualifier=qualifier,
                retained=retained,
                retained_as_of=retained_as_of,
                source_url=r["source_url"],
                notes=r["notes"],
            )
        )
    return rows


def current_deadline(events: list[EventRow]) -> PartialDate | None:
    """The deadline set by the latest decision; unknown if that decision's date is unknown."""
    deciding = [e for e in sorted(events, key=lambda e: e.seq) if e.kind in DEADLINE_SETTING_KINDS]
    return deciding[-1].deadline if deciding else None


def parse_article5(events_path: Path, summary_path: Path) -> list[ObligationRow]:
    by_state: dict[str, ObligationRow] = {}
    for line, r in read_csv(summary_path):
        where = f"{summary_path.name} line {line}"
        if r["status"] not in ART5_STATUS:
            raise ReferenceDataError(f"{where}: unknown status {r['status']!r}")
        by_state[r["iso3"]] = ObligationRow(
            iso3=r["iso3"],
            article=5,
            status=ART5_STATUS[r["status"]],
            status_detail=r["status"],
            pending_request=r["pending_request"],
            source_url=r["sources"],
            notes=r["note"],
        )
    for line, r in read_csv(events_path):
        where = f"{events_path.name} line {line}"
        obligation = by_state.get(r["iso3"])
        if obligation is None:
            raise ReferenceDataError(f"{where}: {r['iso3']} has events but no summary row")
        submitted, submitted_note = parse_partial(r["request_submitted"], where)
        deadline = parse_date(r["deadline"], where)
        completion = parse_date(r["completion_date"], where)
        seq, _ = _int(r["seq"], where)
        if seq is None:
            raise ReferenceDataError(f"{where}: seq is required")
        event = EventRow(
            seq=seq,
            kind=r["event"],
            submitted=submitted,
            submitted_note=submitted_note,
            meeting_label=r["decision_meeting"],
            deadline=deadline,
            completion=completion,
            date_basis=r["date_basis"],
            source_url=r["source_url"],
            notes=r["notes"],
        )
        obligation.events.append(event)
        if event.kind == "original_deadline":
            obligation.original = deadline
            obligation.original_basis = r["date_basis"]
    for obligation in by_state.values():
        obligation.current = current_deadline(obligation.events)
        completions = [e.completion for e in obligation.events if e.kind in COMPLETION_KINDS]
        done = [c for c in completions if c is not None]
        obligation.completion = max(done) if done else None
    return list(by_state.values())


_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
}


def meeting_code(label: str) -> str:
    """Map a label such as "16MSP (Vienna, Dec 2017)" or "Fourth Review Conference" to a code."""
    text = label.strip()
    msp = re.match(r"^(\d+)\s*MSP", text)
    if msp:
        return f"{int(msp.group(1))}MSP"
    rc = re.match(r"^(\w+)\s+Review Conference", text, re.IGNORECASE)
    if rc:
        word = rc.group(1).lower()
        number = _ORDINALS.get(word) or int(re.sub(r"\D", "", word) or 0)
        return f"{number}RC" if number else ""
    return ""


def as_dict(row: Any) -> dict[str, Any]:
    return dict(row.__dict__)
