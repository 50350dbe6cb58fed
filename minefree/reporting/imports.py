"""Import an Article 7 report drafted offline in the MINEFREE-A7-1 spreadsheet template.

The upload becomes the content of the state's draft for the workbook's year; the
focal point then reviews, explains warnings and submits in the tool. Content
problems (a word in a number column, an unknown choice) are kept as written and
flagged by validation, like in the web form; only a workbook that is not the
template (``StructuralError``) is refused, and then nothing is saved.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from minefree.accounts.selectors import is_staff_member
from minefree.core.audit import audit_record, service
from minefree.core.models import Origin
from minefree.core.uploads import XLSX, check_upload
from minefree.registry.models import Actor
from minefree.registry.selectors import resolve_actor
from minefree.reporting import selectors
from minefree.reporting.content import coerce
from minefree.reporting.models import (
    Article7Report,
    FormEntry,
    FormRow,
    FormStatus,
    ReportVersion,
    VersionStatus,
)
from minefree.reporting.schema import ACTOR, FORMS
from minefree.reporting.services import _period
from minefree.reporting.xlsx import ParsedReport, parse_xlsx

IMPORT_MAX_BYTES = 10 * 1024 * 1024


def _draft_for(actor: Any, state: Actor, parsed: ParsedReport) -> tuple[ReportVersion, bool]:
    """The draft to fill: the existing one, or a new first version (never over a submitted one)."""
    report = Article7Report.objects.filter(state=state, year=parsed.year, kind=parsed.kind).first()
    created = report is None
    if report is None:
        start, end, due = _period(state, parsed.year, parsed.kind)
        report = Article7Report(
            state=state,
            year=parsed.year,
            kind=parsed.kind,
            period_start=start,
            period_end=end,
            due_date=due,
            origin=Origin.REPORTED,
        )
        report.full_clean()
        report.save()
    draft = report.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        return draft, created
    if report.versions.exists():
        raise ValidationError(
            _("This report has been submitted. Open an amendment first, then import into it.")
        )
    draft = ReportVersion.objects.create(
        report=report,
        number=1,
        based_on=selectors.previous_submitted(report),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return draft, True


def _fill(version: ReportVersion, parsed: ParsedReport) -> tuple[int, int]:
    """Replace the draft's forms with the workbook's; returns (rows, counterparts matched)."""
    FormRow.objects.filter(version=version).delete()
    FormEntry.objects.filter(version=version).delete()
    entries = []
    for letter, form in FORMS.items():
        status, since = parsed.marks.get(letter, (FormStatus.CHANGED, None))
        totals = {t.code: t for t in form.tables if t.total_of}
        declared = {
            code: coerce(totals[code].field(totals[code].total_of), value)
            for code, value in parsed.totals.get(letter, {}).items()
            if code in totals
        }
        entries.append(
            FormEntry(
                version=version,
                letter=letter,
                status=status,
                unchanged_since=since,
                narratives=dict(parsed.narratives.get(letter, {})),
                declared_totals={k: v for k, v in declared.items() if v is not None},
            )
        )
    FormEntry.objects.bulk_create(entries)
    rows = []
    matched = 0
    for (letter, code), raw_rows in parsed.rows.items():
        spec = FORMS[letter].table(code)
        for position, raw in enumerate(raw_rows, start=1):
            data = {f.name: coerce(f, raw.get(f.name)) for f in spec.fields}
            data = {k: v for k, v in data.items() if v is not None}
            counterpart = None
            for f in spec.fields:
                if f.kind == ACTOR and data.get(f.name):
                    counterpart = resolve_actor(str(data[f.name]))
            matched += counterpart is not None
            rows.append(
                FormRow(
                    version=version,
                    letter=letter,
                    table=code,
                    position=position,
                    data=data,
                    counterpart=counterpart,
                )
            )
    FormRow.objects.bulk_create(rows)
    return len(rows), matched


@service
def report_import(*, actor: Any, state: Actor, data: bytes, name: str) -> ReportVersion:
    """Make a state's draft the content of an uploaded MINEFREE-A7-1 workbook, all or nothing."""
    if state.pk not in selectors.drafting_state_ids(actor) and not is_staff_member(actor):
        raise PermissionDenied("Only the state's focal point, delegates or ISU staff import.")
    clean_name = Path(name).name[:200]
    check_upload(io.BytesIO(data), name=clean_name, allowed=[XLSX], max_bytes=IMPORT_MAX_BYTES)
    parsed = parse_xlsx(data)
    if parsed.state != (state.iso3 or "").upper():
        raise ValidationError(
            _("The workbook is the report of %(found)s, not of %(state)s.")
            % {"found": parsed.state, "state": state.iso3}
        )
    if not 1999 <= parsed.year <= timezone.localdate().year:
        raise ValidationError(_("Reports cover a year from 1999 to this year."))
    version, created = _draft_for(actor, state, parsed)
    rows, matched = _fill(version, parsed)
    audit_record(
        actor=actor,
        action="report.imported",
        obj=version,
        after={
            "file": clean_name,
            "year": parsed.year,
            "kind": parsed.kind,
            "created": created,
            "rows": rows,
            "counterparts_matched": matched,
            "narratives": sum(len(n) for n in parsed.narratives.values()),
            "declared_totals": sum(len(t) for t in parsed.totals.values()),
            "not_applicable": sorted(
                letter
                for letter, (mark, _since) in parsed.marks.items()
                if mark == FormStatus.NOT_APPLICABLE
            ),
        },
        state_code=state.iso3 or "",
    )
    return version
