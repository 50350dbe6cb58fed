"""Import an Article 7 report drafted offline in the MINEFREE-A7-1 spreadsheet template.

The upload becomes the content of the state's draft for the workbook's year; the
focal point then reviews, explains warnings and submits in the tool. Content
problems (a word in a number column, an unknown choice) are kept as written and
flagged by validation, like in the web form; only a workbook that is not the
template (``StructuralError``) is refused, and then nothing is saved.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from minefree.core import hooks
from minefree.core.audit import audit_events, audit_record, service
from minefree.core.models import Origin
from minefree.core.permissions import require
from minefree.core.uploads import XLSX, check_upload
from minefree.registry.models import Actor
from minefree.registry.models import Article as ObligationArticle
from minefree.registry.selectors import actor_resolver, obligation_timeline
from minefree.reporting import selectors
from minefree.reporting.exchange.xlsx import ParsedReport, parse_xlsx
from minefree.reporting.models import (
    Article7Report,
    FormEntry,
    FormRow,
    FormStatus,
    ReportVersion,
    VersionStatus,
)
from minefree.reporting.services import unsaved_report
from minefree.reporting.signals import REPORT_VERSIONS_SUBMITTED
from minefree.reporting.specification.content import Content, coerce
from minefree.reporting.specification.schema import ACTOR, FORMS
from minefree.reporting.specification.validation import Context, Issue, validate

IMPORT_MAX_BYTES = 10 * 1024 * 1024


def _draft_for(actor: Any, state: Actor, parsed: ParsedReport) -> tuple[ReportVersion, bool]:
    """The draft to fill: the existing one, or a new first version (never over a submitted one)."""
    report = Article7Report.objects.filter(state=state, year=parsed.year, kind=parsed.kind).first()
    created = report is None
    if report is None:
        report = unsaved_report(state, parsed.year, parsed.kind, Origin.REPORTED)
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


Resolver = Callable[[str], Actor | None]


def _build(
    version: ReportVersion, parsed: ParsedReport, resolve: Resolver
) -> tuple[list[FormEntry], list[FormRow], int]:
    """The forms and rows of a parsed report as unsaved objects; also counterparts matched."""
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
    rows = []
    matched = 0
    for (letter, code), raw_rows in parsed.rows.items():
        spec = FORMS[letter].table(code)
        actor_fields = [f.name for f in spec.fields if f.kind == ACTOR]
        for position, raw in enumerate(raw_rows, start=1):
            data = {}
            for f in spec.fields:
                value = coerce(f, raw.get(f.name))
                if value is not None:
                    data[f.name] = value
            counterpart = None
            for name in actor_fields:
                if data.get(name):
                    counterpart = resolve(str(data[name]))
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
    return entries, rows, matched


def _content(version: ReportVersion, entries: list[FormEntry], rows: list[FormRow]) -> Content:
    """Validation's view of unsaved objects: the same checks as for a report typed in the tool."""
    tables: dict[tuple[str, str], list[FormRow]] = defaultdict(list)
    for row in rows:
        tables[(row.letter, row.table)].append(row)
    return Content(version, dict(tables), {e.letter: e for e in entries})


def _recorded(issues: list[Issue]) -> list[dict[str, str]]:
    """Findings as stored with an imported version (English text; codes are the stable key)."""
    with translation.override("en"):
        return [
            {
                "code": i.code,
                "severity": i.severity,
                "letter": i.letter,
                "table": i.table,
                "target": i.target,
                "message": str(i.message),
            }
            for i in issues
        ]


def _fill(version: ReportVersion, parsed: ParsedReport) -> tuple[int, int, list[dict[str, str]]]:
    """Replace the draft's forms with the workbook's; returns (rows, matched, findings)."""
    FormRow.objects.filter(version=version).delete()
    FormEntry.objects.filter(version=version).delete()
    entries, rows, matched = _build(version, parsed, actor_resolver())
    FormEntry.objects.bulk_create(entries)
    FormRow.objects.bulk_create(rows)
    findings = _recorded(
        validate(_content(version, entries, rows), selectors.validation_context(version))
    )
    version.import_issues = findings
    version.save(update_fields=["import_issues"])
    return len(rows), matched, findings


def read_workbook(data: bytes, name: str) -> ParsedReport:
    """Check an uploaded workbook by content and parse it; refuse what cannot be a report."""
    check_upload(io.BytesIO(data), name=name, allowed=[XLSX], max_bytes=IMPORT_MAX_BYTES)
    parsed = parse_xlsx(data)
    if parsed.origin == Origin.SYNTHETIC:
        raise ValidationError(
            _(
                "This workbook holds synthetic demo data exported from a demo site: it cannot "
                "be imported as a state's report."
            )
        )
    if not 1999 <= parsed.year <= timezone.localdate().year:
        raise ValidationError(_("Reports cover a year from 1999 to this year."))
    return parsed


def workbook_state(parsed: ParsedReport) -> Actor:
    state = Actor.objects.filter(iso3=parsed.state).first() if parsed.state else None
    if state is None:
        raise ValidationError(
            _("The workbook names the state “%(code)s”, which the registry does not know.")
            % {"code": parsed.state}
        )
    return state


@service
def report_import(*, actor: Any, state: Actor | None, data: bytes, name: str) -> ReportVersion:
    """Make a state's draft the content of an uploaded MINEFREE-A7-1 workbook, all or nothing.

    ``state=None`` (ISU staff only, for bulk imports) takes the state the workbook names.
    """
    require(
        actor,
        "report.import",
        state,
        "Only ISU staff import workbooks for any state."
        if state is None
        else "Only the state's focal point, delegates or ISU staff import.",
    )
    clean_name = Path(name).name[:200]
    parsed = read_workbook(data, clean_name)
    if state is None:
        state = workbook_state(parsed)
    if parsed.state != (state.iso3 or "").upper():
        raise ValidationError(
            _("The workbook is the report of %(found)s, not of %(state)s.")
            % {"found": parsed.state, "state": state.iso3}
        )
    version, created = _draft_for(actor, state, parsed)
    rows, matched, findings = _fill(version, parsed)
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
            "findings": sorted({f["code"] for f in findings}),
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


@dataclass
class HistoricReport:
    """A report as the state submitted it in the past: its content and when it arrived."""

    parsed: ParsedReport
    submitted_at: dt.datetime
    source: str = ""  # the file name, or the generator that wrote it


@dataclass
class HistorySummary:
    reports: int = 0
    rows: int = 0
    entries: int = 0
    findings: int = 0
    counterparts_matched: int = 0
    skipped_existing: int = 0


HISTORY_CHUNK = 250


@service
def reports_import_history(
    *,
    actor: Any,
    reports: Iterable[HistoricReport],
    origin: str = Origin.REPORTED,
    progress: Callable[[int], None] | None = None,
) -> HistorySummary:
    """Record past reports as the submitted versions they were, with their validation findings.

    For ISU staff loading an archive (and the demo's synthetic history): each report
    becomes version 1, submitted at its historic time; findings are recorded with the
    version, not blocking. A report already in the system is left alone, so a second run
    adds only what is new. Writes go in bulk, a chunk of reports at a time; ``progress``
    is called with the number of reports handled so far.
    """
    require(actor, "report.import_history", None, "Only ISU staff record historic reports.")
    if origin not in Origin.values:
        raise ValidationError(_("Unknown origin."))
    items = sorted(reports, key=lambda r: (r.parsed.state, r.parsed.year, r.parsed.kind))
    codes = {r.parsed.state for r in items}
    states = {a.iso3: a for a in Actor.objects.filter(iso3__in=codes)}
    unknown = sorted(codes - set(states))
    if unknown:
        raise ValidationError(_("Unknown states: %(codes)s") % {"codes": ", ".join(unknown)})
    existing = set(
        Article7Report.objects.filter(state__iso3__in=codes).values_list(
            "state__iso3", "year", "kind"
        )
    )
    obligations = obligation_timeline(s.pk for s in states.values())
    resolve = actor_resolver()
    summary = HistorySummary()
    previous: dict[str, tuple[int, Content]] = {}
    chunk: list[
        tuple[HistoricReport, ReportVersion, list[FormEntry], list[FormRow], list[dict[str, str]]]
    ] = []
    handled = 0

    def flush() -> None:
        _save_history_chunk(actor, chunk, summary)
        chunk.clear()
        if progress is not None:
            progress(handled)

    for item in items:
        parsed = item.parsed
        handled += 1
        if (parsed.state, parsed.year, parsed.kind) in existing:
            summary.skipped_existing += 1
            continue
        state = states[parsed.state]
        report = unsaved_report(state, parsed.year, parsed.kind, origin)
        version = ReportVersion(
            report=report,
            number=1,
            status=VersionStatus.SUBMITTED,
            submitted_at=item.submitted_at,
        )
        entries, rows, matched = _build(version, parsed, resolve)
        content = _content(version, entries, rows)
        prior = previous.get(parsed.state)
        running = obligations.open_articles(state.pk, parsed.year)
        context = Context(
            open_article4=ObligationArticle.STOCKPILES in running,
            open_article5=ObligationArticle.MINED_AREAS in running,
            previous=prior[1] if prior and prior[0] == parsed.year - 1 else None,
        )
        findings = _recorded(validate(content, context))
        version.import_issues = findings
        previous[parsed.state] = (parsed.year, content)
        summary.counterparts_matched += matched
        chunk.append((item, version, entries, rows, findings))
        if len(chunk) >= HISTORY_CHUNK:
            flush()
    flush()
    return summary


def _save_history_chunk(
    actor: Any,
    chunk: list[
        tuple[HistoricReport, ReportVersion, list[FormEntry], list[FormRow], list[dict[str, str]]]
    ],
    summary: HistorySummary,
) -> None:
    """Insert a chunk of historic reports in a handful of bulk statements, then audit them."""
    if not chunk:
        return
    reports = Article7Report.objects.bulk_create([version.report for _i, version, *_r in chunk])
    versions = []
    for report, (_item, version, _entries, _rows, _findings) in zip(reports, chunk, strict=True):
        version.report = report
        versions.append(version)
    ReportVersion.objects.bulk_create(versions)
    entries: list[FormEntry] = []
    rows: list[FormRow] = []
    for _item, version, version_entries, version_rows, _findings in chunk:
        for entry in version_entries:
            entry.version = version
        for row in version_rows:
            row.version = version
        entries += version_entries
        rows += version_rows
    FormEntry.objects.bulk_create(entries, batch_size=2000)
    FormRow.objects.bulk_create(rows, batch_size=2000)
    hooks.emit(REPORT_VERSIONS_SUBMITTED, actor=actor, version_ids=[v.pk for v in versions])
    audit_events(
        actor=actor,
        action="report.imported_history",
        changes=[
            (
                version,
                None,
                {
                    "source": item.source[:200],
                    "year": version.report.year,
                    "kind": version.report.kind,
                    "origin": version.report.origin,
                    "submitted_at": item.submitted_at.isoformat(),
                    "rows": len(version_rows),
                    "findings": sorted({f["code"] for f in findings}),
                },
                version.report.state.iso3 or "",
            )
            for item, version, _entries, version_rows, findings in chunk
        ],
    )
    summary.reports += len(chunk)
    summary.entries += len(entries)
    summary.rows += len(rows)
    summary.findings += sum(len(f) for *_r, f in chunk)
