"""Load the individualised approach cases that public sources record (``ia_cases.csv``).

The committee's own statement to the Fifth Review Conference records Peru's meeting in the
margins of the June 2024 intersessional meetings; such real events are data, loaded with
the reference data (origin ``reference``, with their source), not typed in again.

A date the source gives only to the month is stored as its first day with its precision;
a request date no source gives stays unknown. Loading is idempotent: a case is found again
by its state and the meeting in whose margins it met, and changed only where the file
changed.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from minefree.assistance.selectors import cooperation_committee
from minefree.casework.models import CaseMeeting, CaseStatus, IndividualisedApproachCase
from minefree.core.audit import audit_events, service, snapshot
from minefree.core.dates import PartialDate
from minefree.core.models import Origin, Source, Visibility
from minefree.core.permissions import require
from minefree.registry.models import Actor, Meeting

FILE_NAME = "ia_cases.csv"
CASE_FIELDS = ["status", "requested_on", "pillars", "summary", "source_id", "committee_id"]
MEETING_FIELDS = ["held_on", "held_on_precision", "setting", "notes"]


@service
def reference_cases_load(*, actor: Any, path: Path) -> tuple[int, int]:
    """Create or update the sourced cases of ``path``; returns (created, changed)."""
    require(actor, "reference.load", None, "Only ISU staff load reference data.")
    created = changed = 0
    log: list[Any] = []
    committee = cooperation_committee()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            state = Actor.objects.get(iso3=row["state_iso3"].strip())
            margins = Meeting.objects.filter(code=row["in_margins_of"].strip()).first()
            source, new_source = Source.objects.get_or_create(
                url=row["source_url"].strip(), title=row["source_title"].strip(), edition=""
            )
            if new_source:
                log.append((source, None, snapshot(source), ""))
            held = PartialDate.parse(row["meeting_held_on"].strip())
            text = row["requested_on"].strip()
            requested = PartialDate.parse(text) if text else None
            case_values = {
                "status": CaseStatus(row["status"].strip()),
                "requested_on": requested.earliest if requested else None,
                "pillars": [p for p in row["pillars"].split() if p],
                "summary": row["summary"].strip(),
                "source_id": source.pk,
                "committee_id": committee.pk if committee else None,
            }
            meeting_values = {
                "held_on": held.earliest,
                "held_on_precision": held.precision,
                "setting": row["setting"].strip(),
                "notes": row["notes"].strip(),
            }
            existing = (
                IndividualisedApproachCase.objects.filter(
                    state=state, origin=Origin.REFERENCE, meetings__in_margins_of=margins
                )
                .distinct()
                .first()
            )
            if existing is None:
                case = IndividualisedApproachCase.objects.create(
                    state=state,
                    origin=Origin.REFERENCE,
                    visibility=Visibility.PUBLIC,
                    **case_values,
                )
                meeting = CaseMeeting.objects.create(
                    case=case,
                    in_margins_of=margins,
                    origin=Origin.REFERENCE,
                    visibility=Visibility.PUBLIC,
                    **meeting_values,
                )
                meeting.participants.add(state)
                log += [
                    (case, None, snapshot(case), state.iso3 or ""),
                    (meeting, None, snapshot(meeting), state.iso3 or ""),
                ]
                created += 1
                continue
            meeting = existing.meetings.get(in_margins_of=margins)
            for record, values in ((existing, case_values), (meeting, meeting_values)):
                before = snapshot(record, list(values))
                for name, value in values.items():
                    setattr(record, name, value)
                after = snapshot(record, list(values))
                if after != before:
                    record.save(update_fields=[f.removesuffix("_id") for f in values])
                    log.append((record, before, after, state.iso3 or ""))
                    changed += 1
    audit_events(
        actor=actor,
        action="case.loaded_from_reference",
        changes=log,
    )
    return created, changed


def on_reference_loaded(sender: Any, *, actor: Any, directory: Path, **kwargs: Any) -> None:
    """``reference_loaded`` receiver: load ia_cases.csv when the folder has one."""
    path = Path(directory) / FILE_NAME
    if not path.exists():
        return
    created, changed = reference_cases_load(actor=actor, path=path)
    summary = kwargs.get("summary")
    if summary is not None:
        for outcome, count in (("created", created), ("updated", changed)):
            for _ in range(count):
                summary.add("individualised approach cases", outcome)
