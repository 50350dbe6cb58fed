"""Writes to Article 7 reports: open a draft, fill forms, explain warnings, submit,
ask for and answer clarifications, amend. Every function is an audited ``@service``.

The page and the API call the same services. What a writer changes from a version they
read (a row, a table, a form's mark, narratives and totals) can name that version
(``expected_version``: the page's hidden field, the API's ``If-Match``); the service
compares it with the current one under the draft's row lock, so of two writers who read
the same version only the first is saved (``core.versions``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files import File
from django.db.models import CharField, Max, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from minefree.core import hooks
from minefree.core.audit import (
    audit_record,
    audited_create,
    audited_update,
    service,
    snapshot,
)
from minefree.core.models import AuditEvent, Origin
from minefree.core.permissions import require
from minefree.core.uploads import DOCX, JPEG, ODT, PDF, PNG, TEXT, check_upload
from minefree.core.versions import check_version, fingerprint, version_of
from minefree.core.workflow import AlreadyDone, actor_label, claim_once, lock_rows, locked
from minefree.registry.models import Actor
from minefree.registry.selectors import resolve_actor
from minefree.reporting import selectors
from minefree.reporting.exchange.xlsx import MAX_TABLE_ROWS
from minefree.reporting.models import (
    VERSION_WORKFLOW,
    Article7Report,
    Attachment,
    Clarification,
    FormEntry,
    FormRow,
    FormStatus,
    ReportKind,
    ReportVersion,
    VersionStatus,
    WarningExplanation,
)
from minefree.reporting.signals import REPORT_VERSIONS_SUBMITTED
from minefree.reporting.specification.content import coerce, load_content
from minefree.reporting.specification.schema import ACTOR, FORMS, LONG_TEXT_MAX, Field, Table
from minefree.reporting.specification.validation import (
    RegionUpdate,
    before_submission,
    remaining_area_updates,
    unexplained,
)

#: the cover page's point of contact, carried over to a new year's draft like the forms
CONTACT_FIELDS = ["contact_name", "contact_organisation", "contact_email", "contact_phone"]


def _code(version: ReportVersion) -> str:
    return version.report.state.state_code


def _require_drafter(actor: Any, state: Actor) -> None:
    require(
        actor,
        "report.draft",
        state,
        "Only the state's focal point and delegates draft its reports.",
    )


def _require_draft(actor: Any, version: ReportVersion) -> None:
    """The actor drafts the state's reports and the version is still a draft, as of now.

    The version is re-read under a row lock, so an edit racing its submission either lands
    before it (and is validated with it) or is refused after it: never on a submitted version.
    """
    _require_drafter(actor, version.report.state)
    locked(version)
    if not version.is_draft:
        raise PermissionDenied("A submitted report cannot be changed; amend it instead.")


def _period(state: Actor, year: int, kind: str) -> tuple[dt.date, dt.date, dt.date]:
    if kind == ReportKind.ANNUAL:
        return dt.date(year, 1, 1), dt.date(year, 12, 31), Article7Report.annual_due_date(year)
    adherence = getattr(state, "adherence", None)
    eif = adherence.entry_into_force if adherence else None
    if eif is None or not eif.is_exact:
        raise ValidationError(
            _("The initial report needs a known entry into force; it is unknown for this state.")
        )
    due = adherence.initial_report_due if adherence else None
    assert due is not None
    return eif.earliest, dt.date(year, 12, 31), due.earliest


def unsaved_report(state: Actor, year: int, kind: str, origin: str) -> Article7Report:
    """A new report of ``state`` for ``year``, its period and due date set, not yet saved
    (opening a draft saves it; the history import saves many at once)."""
    start, end, due = _period(state, year, kind)
    return Article7Report(
        state=state,
        year=year,
        kind=kind,
        period_start=start,
        period_end=end,
        due_date=due,
        origin=origin,
    )


def _copy_from(source: ReportVersion | None, target: ReportVersion, *, all_tables: bool) -> None:
    """Pre-fill ``target`` from ``source``: stock tables for a new year, everything for an amendment."""
    source_entries = (
        {e.letter: e for e in FormEntry.objects.filter(version=source)} if source else {}
    )
    rows = list(FormRow.objects.filter(version=source)) if source else []
    entries = []
    for letter, form in FORMS.items():
        previous = source_entries.get(letter)
        carried = {t.code for t in form.tables if all_tables or t.carry_over}
        status: str = FormStatus.CHANGED
        since: int | None = None
        if source is not None and previous is not None:
            if all_tables:
                status, since = previous.status, previous.unchanged_since
            elif previous.status == FormStatus.NOT_APPLICABLE:
                status = FormStatus.NOT_APPLICABLE
            elif carried == {t.code for t in form.tables}:
                status = FormStatus.UNCHANGED
                since = previous.unchanged_since or source.report.year
        entries.append(
            FormEntry(
                version=target,
                letter=letter,
                status=status,
                unchanged_since=since,
                narratives=dict(previous.narratives) if previous and all_tables else {},
                declared_totals=dict(previous.declared_totals) if previous and all_tables else {},
            )
        )
    FormEntry.objects.bulk_create(entries)
    FormRow.objects.bulk_create(
        [
            FormRow(
                version=target,
                letter=r.letter,
                table=r.table,
                position=r.position,
                data=dict(r.data),
                counterpart=r.counterpart,
            )
            for r in rows
            if all_tables or FORMS[r.letter].table(r.table).carry_over
        ]
    )


class OpenedDraft(NamedTuple):
    """The draft of a state's report for a year, and whether this call opened it."""

    version: ReportVersion
    #: False when the draft was open already (of two calls at once, exactly one opens it)
    created: bool


@service
def report_open(
    *, actor: Any, state: Actor, year: int, kind: str = ReportKind.ANNUAL
) -> ReportVersion:
    """Open (or return) the draft of a state's report for a year, pre-filled from the last one."""
    return draft_open(actor=actor, state=state, year=year, kind=kind).version


@service
def draft_open(
    *, actor: Any, state: Actor, year: int, kind: str = ReportKind.ANNUAL
) -> OpenedDraft:
    """``report_open`` telling whether this call opened the draft (the API answers 201 or
    200 by it). Decided under the state's row lock, so of two calls at once the second
    finds the first's draft: exactly one of them opened it."""
    _require_drafter(actor, state)
    this_year = timezone.localdate().year
    if not 1999 <= year <= this_year:
        raise ValidationError(_("Reports cover a year from 1999 to this year."))
    lock_rows(Actor.objects.filter(pk=state.pk))  # two opens at once: one report, one draft
    report = Article7Report.objects.filter(state=state, year=year, kind=kind).first()
    if report is None:
        report = unsaved_report(state, year, kind, Origin.REPORTED)
        audited_create(
            actor=actor, obj=report, action="report.created", state_code=state.iso3 or ""
        )
    draft = report.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        return OpenedDraft(draft, created=False)
    if report.versions.exists():
        raise ValidationError(_("This report has been submitted. To change it, open an amendment."))
    source = selectors.previous_submitted(report)
    if source is not None and source.report.origin == Origin.SYNTHETIC != report.origin:
        # pre-filled from invented figures: what derives from synthetic data is synthetic
        before = snapshot(report, ["origin"])
        report.origin = Origin.SYNTHETIC
        report.save(update_fields=["origin"])
        audit_record(
            actor=actor,
            action="report.marked_synthetic",
            obj=report,
            before=before,
            after={"origin": report.origin, "derived_from": source.pk},
            state_code=state.iso3 or "",
        )
    version = ReportVersion.objects.create(
        report=report, number=1, based_on=source, created_by=_user(actor)
    )
    _copy_from(source, version, all_tables=False)
    if source is not None:  # the point of contact is pre-filled like the forms
        version.contact_name = source.contact_name
        version.contact_organisation = source.contact_organisation
        version.contact_email = source.contact_email
        version.contact_phone = source.contact_phone
        version.save(update_fields=CONTACT_FIELDS)
    audit_record(
        actor=actor,
        action="report.draft_opened",
        obj=version,
        after={"based_on": source.pk if source else None},
        state_code=state.iso3 or "",
    )
    return OpenedDraft(version, created=True)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _username(user: Any) -> str:
    return user.get_username() if user is not None else _("the system")


def _when(moment: dt.datetime | None) -> str:
    """A moment as Geneva time, the clock that decides timeliness."""
    if moment is None:
        return _("an unknown time")
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'DATE_FORMAT')}, {local:%H:%M}"


def _already_submitted(version: ReportVersion) -> str:
    return _("This report was already submitted on %(when)s (Geneva time) by %(who)s.") % {
        "when": _when(version.submitted_at),
        "who": _username(version.submitted_by),
    }


def _entry(version: ReportVersion, letter: str) -> FormEntry:
    if letter not in FORMS:
        raise ValidationError(_("Unknown form."))
    entry, _created = FormEntry.objects.get_or_create(version=version, letter=letter)
    return entry


def _mark_changed(actor: Any, version: ReportVersion, entry: FormEntry) -> None:
    """A form whose content changed is marked changed; audited, so that a writer who read
    the form's entry before is told who changed it and when."""
    if entry.status != FormStatus.CHANGED:
        before = snapshot(entry, ENTRY_FIELDS)
        entry.status, entry.unchanged_since = FormStatus.CHANGED, None
        entry.save(update_fields=ENTRY_FIELDS)
        audit_record(
            actor=actor,
            action="report.form_marked",
            obj=entry,
            before=before,
            after=snapshot(entry, ENTRY_FIELDS),
            state_code=_code(version),
        )


@service
def form_status_set(
    *,
    actor: Any,
    version: ReportVersion,
    letter: str,
    status: str,
    expected_version: str | None = None,
) -> FormEntry:
    """Mark a form changed, unchanged since the last report (its rows and narratives are
    restored), or not applicable; with ``expected_version``, only over the version of the
    form's entry the writer read."""
    _require_draft(actor, version)
    entry = locked(_entry(version, letter))
    check_version(entry, entry_version(entry), expected_version)
    before = snapshot(entry, ENTRY_FIELDS)
    if status == FormStatus.UNCHANGED:
        source = version.based_on
        source_entry = (
            FormEntry.objects.filter(version=source, letter=letter).first() if source else None
        )
        if source is None or source_entry is None:
            raise ValidationError(_("There is no earlier report to keep this form from."))
        FormRow.objects.filter(version=version, letter=letter).delete()
        FormRow.objects.bulk_create(
            [
                FormRow(
                    version=version,
                    letter=letter,
                    table=r.table,
                    position=r.position,
                    data=dict(r.data),
                    counterpart=r.counterpart,
                )
                for r in FormRow.objects.filter(version=source, letter=letter)
            ]
        )
        entry.narratives = dict(source_entry.narratives)
        entry.declared_totals = dict(source_entry.declared_totals)
        entry.unchanged_since = source_entry.unchanged_since or source.report.year
    elif status in (FormStatus.CHANGED, FormStatus.NOT_APPLICABLE):
        entry.unchanged_since = None
    else:
        raise ValidationError(_("Unknown form status."))
    entry.status = status
    entry.save()
    audit_record(
        actor=actor,
        action="report.form_marked",
        obj=entry,
        before=before,
        after=snapshot(entry, ENTRY_FIELDS),
        state_code=_code(version),
    )
    return entry


# --- versions of what a writer reads and changes ------------------------------------------

#: the fields of a form's entry its version covers (with its narratives and totals)
ENTRY_FIELDS = ["status", "unchanged_since"]


def row_version(row: FormRow) -> str:
    """The version a writer names to change a row: a fingerprint of its values (what
    ``version_of(row, (), {"data": row.data})`` gives, without reading the row's columns:
    a table of a thousand rows answers a thousand of them)."""
    return fingerprint({"data": row.data})


def table_version(rows: Sequence[FormRow]) -> str:
    """The version of a table: a fingerprint of its rows' positions and values, in order
    (``position``, then id, as every read orders them)."""
    return fingerprint({"rows": [[r.position, r.data] for r in rows]})


def entry_version(entry: FormEntry) -> str:
    """The version of a form's entry: its mark, narratives and declared totals."""
    extra = {"narratives": entry.narratives, "declared_totals": entry.declared_totals}
    return version_of(entry, ENTRY_FIELDS, extra)


def _table_changes(version: ReportVersion, entry: FormEntry, table: str) -> QuerySet[AuditEvent]:
    """The audit events that changed a table: its replacements, the form's marks (a form
    marked unchanged gets last year's rows back), imports, and edits of its present rows.
    A row deleted alone is not among them (its event names no table)."""
    row_ids = (
        FormRow.objects.filter(version=version, letter=entry.letter, table=table)
        .annotate(key=Cast("pk", CharField()))
        .values("key")
    )
    return AuditEvent.objects.filter(
        Q(
            object_type="reporting.formentry",
            object_id=str(entry.pk),
            action="report.table_replaced",
            after__table=table,
        )
        | Q(object_type="reporting.formentry", object_id=str(entry.pk), action="report.form_marked")
        | Q(
            object_type="reporting.reportversion",
            object_id=str(version.pk),
            action="report.imported",
        )
        | Q(object_type="reporting.formrow", object_id__in=row_ids)
    )


# --- rows ----------------------------------------------------------------------------------


def _table_spec(letter: str, table: str) -> Table:
    if letter not in FORMS or table not in {t.code for t in FORMS[letter].tables}:
        raise ValidationError(_("Unknown form or table."))
    return FORMS[letter].table(table)


def _row_data(
    spec: Table, values: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """A row's values as stored, and what is refused, by field: a field the table does
    not have, a value longer than the field takes or holding a NUL. Anything else is kept
    as typed (a word in a number column is stored and flagged by validation, never lost)."""
    problems: dict[str, list[str]] = {}
    for name in values.keys() - spec.names:
        problems[name] = [_("The table has no field of this name.")]
    data: dict[str, Any] = {}
    for f in spec.fields:
        raw = values.get(f.name)
        if raw is not None and (refused := _refused_text(str(raw), f.max_length)):
            problems[f.name] = [refused]
            continue
        value = coerce(f, raw)
        if value is not None:
            data[f.name] = value
    return data, problems


def _counterpart(
    spec: Table, data: Mapping[str, Any], resolve: Callable[[str], Actor | None]
) -> Actor | None:
    """The registry actor a row's counterpart name was matched to (the last actor field)."""
    counterpart = None
    for f in spec.fields:
        if f.kind == ACTOR and data.get(f.name):
            counterpart = resolve(str(data[f.name]))
    return counterpart


def _locked_row(version: ReportVersion, letter: str, table: str, row: FormRow) -> FormRow:
    """``row`` re-read under its lock (the draft is locked already), still of this table."""
    if row.version_id != version.pk or (row.letter, row.table) != (letter, table):
        raise ValidationError(_("This row belongs to another form."))
    try:
        return locked(row)
    except ObjectDoesNotExist:
        raise ValidationError(_("This row no longer exists: it was deleted.")) from None


@service
def row_save(
    *,
    actor: Any,
    version: ReportVersion,
    letter: str,
    table: str,
    values: Mapping[str, Any],
    row: FormRow | None = None,
    expected_version: str | None = None,
) -> FormRow:
    """Add or change one row. Values are kept as typed; validation reports what is wrong.

    With ``expected_version`` (the row's version the writer read), a row changed since
    then is not overwritten (``VersionConflictError`` saying who changed it and when).
    """
    _require_draft(actor, version)
    spec = _table_spec(letter, table)
    if row is not None:
        row = _locked_row(version, letter, table, row)
        check_version(row, row_version(row), expected_version)
    data, problems = _row_data(spec, values)
    if problems:
        raise ValidationError(problems)
    if row is None:
        position = (
            FormRow.objects.filter(version=version, letter=letter, table=table).aggregate(
                Max("position")
            )["position__max"]
            or 0
        ) + 1
        row = FormRow(version=version, letter=letter, table=table, position=position)
        before = None
    else:
        before = dict(row.data)
    row.data = data
    row.counterpart = _counterpart(spec, data, resolve_actor)
    row.save()
    _mark_changed(actor, version, _entry(version, letter))
    audit_record(
        actor=actor,
        action="report.row_saved",
        obj=row,
        before=before,
        after=data,
        state_code=_code(version),
    )
    return row


@service
def row_delete(*, actor: Any, row: FormRow, expected_version: str | None = None) -> None:
    """Delete one row of a draft; with ``expected_version``, only the version read."""
    version = row.version
    _require_draft(actor, version)
    row = _locked_row(version, row.letter, row.table, row)
    check_version(row, row_version(row), expected_version)
    before = dict(row.data)
    audit_record(
        actor=actor, action="report.row_deleted", obj=row, before=before, state_code=_code(version)
    )
    row.delete()
    _mark_changed(actor, version, _entry(version, row.letter))


@service
def table_replace(
    *,
    actor: Any,
    version: ReportVersion,
    letter: str,
    table: str,
    rows: Sequence[Mapping[str, Any]],
    expected_version: str | None = None,
) -> list[FormRow]:
    """Make ``rows`` the whole content of one table of a draft, in their order.

    For a national centre that keeps its tables in its own system (hundreds of Form C
    regions): one call instead of a row at a time. Each row is read as ``row_save`` reads
    it; one refused value refuses the whole table (the refusals are named
    ``rows.<index>.<field>``). The rows are written in bulk and audited as one event on
    the form, the table before and after, so the cost does not grow by query with the
    rows: counterpart names are matched once per distinct name.
    """
    _require_draft(actor, version)
    spec = _table_spec(letter, table)
    entry = _entry(version, letter)
    entry.version = version  # named by its audit event: no need to read it again
    current = list(
        FormRow.objects.filter(version=version, letter=letter, table=table).order_by(
            "position", "pk"
        )
    )
    check_version(
        entry,
        table_version(current),
        expected_version,
        changes=_table_changes(version, entry, table),
    )
    if len(rows) > MAX_TABLE_ROWS:
        raise ValidationError(
            _("A table holds at most %(limit)s rows.") % {"limit": f"{MAX_TABLE_ROWS:,}"}
        )
    stored: list[dict[str, Any]] = []
    problems: dict[str, list[str]] = {}
    for index, values in enumerate(rows):
        data, refused = _row_data(spec, values)
        problems.update({f"rows.{index}.{name}": msgs for name, msgs in refused.items()})
        stored.append(data)
    if problems:
        raise ValidationError(problems)
    matched: dict[str, Actor | None] = {}

    def resolve(name: str) -> Actor | None:
        if name not in matched:
            matched[name] = resolve_actor(name)
        return matched[name]

    new = [
        FormRow(
            version=version,
            letter=letter,
            table=table,
            position=position,
            data=data,
            counterpart=_counterpart(spec, data, resolve),
        )
        for position, data in enumerate(stored, start=1)
    ]
    FormRow.objects.filter(version=version, letter=letter, table=table).delete()
    FormRow.objects.bulk_create(new, batch_size=500)
    _mark_changed(actor, version, entry)
    audit_record(
        actor=actor,
        action="report.table_replaced",
        obj=entry,
        before={"table": table, "rows": [r.data for r in current]},
        after={"table": table, "rows": stored},
        state_code=_code(version),
    )
    return new


#: the longest declared total as typed (the page's input takes as much)
TOTAL_MAX = 40


def _check_entry(
    narrative_fields: Sequence[Field],
    totals: Mapping[str, Table],
    narratives: Mapping[str, str],
    declared_totals: Mapping[str, Any],
) -> None:
    """Refuse a narrative or total the form does not have, or one longer than it takes."""
    problems: dict[str, list[str]] = {}
    unknown = _("The form has no narrative or total of this name.")
    allowed = {f.name for f in narrative_fields}
    for name, text in narratives.items():
        if name not in allowed:
            problems[f"narratives.{name}"] = [unknown]
        elif refused := _refused_text(text, LONG_TEXT_MAX):
            problems[f"narratives.{name}"] = [refused]
    for code, value in declared_totals.items():
        if code not in totals:
            problems[f"declared_totals.{code}"] = [unknown]
        elif value is not None and (refused := _refused_text(str(value), TOTAL_MAX)):
            problems[f"declared_totals.{code}"] = [refused]
    if problems:
        raise ValidationError(problems)


def _refused_text(text: str, limit: int) -> str:
    """Why a typed value cannot be stored as it is ("" when it can): longer than its field
    takes, or holding a NUL character (which no database text takes, and no page sends)."""
    if len(text) > limit:
        return _("At most %(limit)d characters (this has %(length)d).") % {
            "limit": limit,
            "length": len(text),
        }
    if "\x00" in text:
        return _("Null characters are not allowed.")
    return ""


@service
def form_entry_save(
    *,
    actor: Any,
    version: ReportVersion,
    letter: str,
    narratives: dict[str, str] | None = None,
    declared_totals: dict[str, Any] | None = None,
    expected_version: str | None = None,
) -> FormEntry:
    """Save a form's narratives and declared totals; with ``expected_version``, only over
    the version of the entry the writer read."""
    _require_draft(actor, version)
    entry = locked(_entry(version, letter))
    check_version(entry, entry_version(entry), expected_version)
    before = snapshot(entry, ["narratives", "declared_totals"])
    form = FORMS[letter]
    totals = {t.code: t for t in form.tables if t.total_of}
    _check_entry(form.narratives, totals, narratives or {}, declared_totals or {})
    if narratives is not None:
        entry.narratives = {k: v.strip() for k, v in narratives.items() if v.strip()}
    if declared_totals is not None:
        entry.declared_totals = {
            code: coerce(totals[code].field(totals[code].total_of), value)
            for code, value in declared_totals.items()
            if value is not None and str(value).strip() != ""
        }
    entry.save()
    after = snapshot(entry, ["narratives", "declared_totals"])
    if after != before:
        _mark_changed(actor, version, entry)
    audit_record(
        actor=actor,
        action="report.form_saved",
        obj=entry,
        before=before,
        after=after,
        state_code=_code(version),
    )
    return entry


@service
def version_contact_save(
    *,
    actor: Any,
    version: ReportVersion,
    name: str,
    organisation: str = "",
    email: str = "",
    phone: str = "",
) -> ReportVersion:
    """The cover page's point of contact (for clarification only; shown to signed-in users).

    Only the contact's fields are validated: a draft opened or imported by the system has
    no creator, which is no reason to refuse its contact."""
    _require_draft(actor, version)
    changes = {
        "contact_name": name.strip(),
        "contact_organisation": organisation.strip(),
        "contact_email": email.strip(),
        "contact_phone": phone.strip(),
    }
    others = [f.name for f in ReportVersion._meta.fields if f.name not in changes]
    ReportVersion(**changes).clean_fields(exclude=others)
    audited_update(
        actor=actor,
        obj=version,
        action="report.contact_saved",
        changes=changes,
        state_code=_code(version),
    )
    return version


@service
def remaining_areas_update(*, actor: Any, version: ReportVersion) -> list[RegionUpdate]:
    """Subtract this year's released land (and add what was found) from the remaining areas.

    Only where that is unambiguous (see ``remaining_area_updates``); each changed row is
    saved like any edit, so it is audited and can be corrected by hand. Returns the updates
    made; the regions left for the focal point are in the selector's answer.
    """
    _require_draft(actor, version)
    proposals = remaining_area_updates(
        load_content(version), selectors.validation_context(version).previous
    )
    done = []
    rows = {r.pk: r for r in version.rows.filter(letter="C", table="mined_areas")}
    for update in proposals:
        row = rows.get(update.row_id) if update.row_id else None
        if row is None:
            continue
        values = {**row.data, "area_m2": str(update.proposed)}
        row_save(
            actor=actor, version=version, letter="C", table="mined_areas", values=values, row=row
        )
        done.append(update)
    return done


@service
def warning_explain(
    *, actor: Any, version: ReportVersion, code: str, target: str, text: str
) -> WarningExplanation:
    """The state's explanation of a warning; published with the report."""
    _require_draft(actor, version)
    if not text.strip():
        raise ValidationError(_("Please write an explanation."))
    explanation, _created = WarningExplanation.objects.update_or_create(
        version=version, code=code, target=target, defaults={"text": text.strip()}
    )
    audit_record(
        actor=actor,
        action="report.warning_explained",
        obj=explanation,
        after={"code": code, "target": target, "text": text.strip()},
        state_code=_code(version),
    )
    return explanation


@service
def report_submit(*, actor: Any, version: ReportVersion) -> ReportVersion:
    """The state's sovereign act: the submitted version is official and public at once.

    Only the first of several submissions at once wins (the version is re-read under a row
    lock): its time decides timeliness and is never rewritten; the others are told who
    submitted it and when.
    """
    _require_drafter(actor, version.report.state)
    locked(version)
    if not version.is_draft:
        raise AlreadyDone(_already_submitted(version))
    if version.number > 1 and not version.amendment_reason.strip():
        raise ValidationError(_("An amendment needs a reason."))
    issues = before_submission(load_content(version), selectors.validation_context(version))
    errors = [i for i in issues if i.is_error]
    if errors:
        raise ValidationError(
            [
                _("Form %(letter)s: %(message)s") % {"letter": i.letter, "message": i.message}
                for i in errors
            ]
        )
    explained = set(version.explanations.values_list("code", "target"))
    missing = unexplained(issues, explained)
    if missing:
        raise ValidationError(
            [_("Please explain: %(message)s") % {"message": i.message} for i in missing]
        )
    before = snapshot(version, ["status", "submitted_at"])
    VERSION_WORKFLOW.move(version, VersionStatus.SUBMITTED)
    version.submitted_at = timezone.now()
    version.submitted_by = _user(actor)
    version.save(update_fields=["status", "submitted_at", "submitted_by"])
    audit_record(
        actor=actor,
        action="report.submitted",
        obj=version,
        before=before,
        after=snapshot(version, ["status", "submitted_at", "submitted_by"]),
        state_code=_code(version),
    )
    hooks.emit(REPORT_VERSIONS_SUBMITTED, actor=actor, version_ids=[version.pk])
    return version


@service
def clarification_request(
    *, actor: Any, version: ReportVersion, letter: str, question: str, request_key: str = ""
) -> Clarification:
    """ISU staff ask the state about one form of a submitted version."""
    require(
        actor, "report.clarification_request", version, "Only ISU staff ask for clarifications."
    )
    claim_once(
        actor_label=actor_label(actor), key=request_key, action="report.clarification_requested"
    )
    if version.is_draft:
        raise ValidationError(_("Only a submitted report can be queried."))
    if letter not in FORMS or not question.strip():
        raise ValidationError(_("Choose a form and write the question."))
    clarification = Clarification.objects.create(
        version=version, letter=letter, question=question.strip(), asked_by=actor
    )
    audit_record(
        actor=actor,
        action="report.clarification_requested",
        obj=clarification,
        after={"letter": letter, "question": question.strip()},
        state_code=_code(version),
    )
    return clarification


@service
def clarification_answer(*, actor: Any, clarification: Clarification, answer: str) -> Clarification:
    """The state answers a question with a comment."""
    _require_drafter(actor, clarification.version.report.state)
    locked(clarification)
    if not clarification.is_open:
        raise AlreadyDone(
            _("This question was already answered on %(when)s by %(who)s.")
            % {
                "when": _when(clarification.answered_at),
                "who": _username(clarification.answered_by),
            }
        )
    if not answer.strip():
        raise ValidationError(_("Please write the answer."))
    clarification.answer = answer.strip()
    clarification.answered_by = actor
    clarification.answered_at = timezone.now()
    clarification.save(update_fields=["answer", "answered_by", "answered_at"])
    audit_record(
        actor=actor,
        action="report.clarification_answered",
        obj=clarification,
        after={"answer": clarification.answer},
        state_code=_code(clarification.version),
    )
    return clarification


@service
def amendment_open(
    *, actor: Any, report: Article7Report, reason: str, answers: Clarification | None = None
) -> ReportVersion:
    """A new draft version copied from the latest submitted one; old versions stay as they are."""
    _require_drafter(actor, report.state)
    if not reason.strip():
        raise ValidationError(_("An amendment needs a reason."))
    locked(report)  # two amendments opened at once: the second finds the first's draft
    drafting = report.versions.filter(status=VersionStatus.DRAFT).select_related("created_by")
    if (draft := drafting.first()) is not None:
        raise AlreadyDone(
            _("An amendment (version %(number)s) is already being drafted, opened by %(who)s.")
            % {"number": draft.number, "who": _username(draft.created_by)}
        )
    latest = selectors.latest_submitted(report)
    if latest is None:
        raise ValidationError(_("Only a submitted report can be amended."))
    version = ReportVersion.objects.create(
        report=report,
        number=latest.number + 1,
        based_on=latest,
        amendment_reason=reason.strip(),
        created_by=_user(actor),
        contact_name=latest.contact_name,
        contact_organisation=latest.contact_organisation,
        contact_email=latest.contact_email,
        contact_phone=latest.contact_phone,
    )
    _copy_from(latest, version, all_tables=True)
    Attachment.objects.bulk_create(
        [
            Attachment(
                version=version,
                letter=a.letter,
                file=a.file.name,
                name=a.name,
                kind=a.kind,
                size=a.size,
                description=a.description,
                uploaded_by=a.uploaded_by,
            )
            for a in latest.attachments.all()
        ]
    )
    for explanation in latest.explanations.all():
        WarningExplanation.objects.create(
            version=version, code=explanation.code, target=explanation.target, text=explanation.text
        )
    if answers is not None and answers.version.report_id == report.pk:
        answers.amendment = version
        answers.save(update_fields=["amendment"])
    audit_record(
        actor=actor,
        action="report.amendment_opened",
        obj=version,
        after={"based_on": latest.pk, "reason": reason.strip()},
        state_code=report.state.iso3 or "",
    )
    return version


ATTACHMENT_KINDS = (PDF, PNG, JPEG, DOCX, ODT, TEXT)
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


@service
def attachment_add(
    *, actor: Any, version: ReportVersion, letter: str, file: Any, name: str, description: str = ""
) -> Attachment:
    """Attach a checked file to a form of a draft: size-limited, type decided by its content."""
    _require_draft(actor, version)
    if letter not in FORMS:
        raise ValidationError(_("Unknown form."))
    clean_name = Path(name).name[:200]
    kind = check_upload(
        file, name=clean_name, allowed=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES
    )
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    attachment = Attachment(
        version=version,
        letter=letter,
        name=clean_name,
        kind=kind.name,
        size=size,
        description=description.strip()[:300],
        uploaded_by=_user(actor),
    )
    attachment.file.save(clean_name, File(file, name=clean_name), save=False)
    attachment.save()
    audit_record(
        actor=actor,
        action="report.attachment_added",
        obj=attachment,
        after={"letter": letter, "name": clean_name, "kind": kind.name, "size": size},
        state_code=_code(version),
    )
    return attachment


@service
def attachment_remove(*, actor: Any, attachment: Attachment) -> None:
    """Remove an attachment from a draft (the file stays if an earlier version uses it)."""
    _require_draft(actor, attachment.version)
    audit_record(
        actor=actor,
        action="report.attachment_removed",
        obj=attachment,
        before={"letter": attachment.letter, "name": attachment.name},
        state_code=_code(attachment.version),
    )
    attachment.delete()
