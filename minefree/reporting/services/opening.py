"""Opening a draft: a state's report for a year, pre-filled from its last submitted one,
or an amendment of a submitted version, copied whole."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from minefree.core.audit import audit_record, audited_create, service, snapshot
from minefree.core.models import Origin
from minefree.core.workflow import AlreadyDone, lock_rows, locked
from minefree.registry.models import Actor
from minefree.reporting import selectors
from minefree.reporting.models import (
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
from minefree.reporting.services.common import require_drafter, user_or_none, username
from minefree.reporting.specification.schema import FORMS

#: the cover page's point of contact, carried over to a new year's draft like the forms
CONTACT_FIELDS = ["contact_name", "contact_organisation", "contact_email", "contact_phone"]


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
    require_drafter(actor, state)
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
        report=report, number=1, based_on=source, created_by=user_or_none(actor)
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


@service
def amendment_open(
    *, actor: Any, report: Article7Report, reason: str, answers: Clarification | None = None
) -> ReportVersion:
    """A new draft version copied from the latest submitted one; old versions stay as they are."""
    require_drafter(actor, report.state)
    if not reason.strip():
        raise ValidationError(_("An amendment needs a reason."))
    locked(report)  # two amendments opened at once: the second finds the first's draft
    drafting = report.versions.filter(status=VersionStatus.DRAFT).select_related("created_by")
    if (draft := drafting.first()) is not None:
        raise AlreadyDone(
            _("An amendment (version %(number)s) is already being drafted, opened by %(who)s.")
            % {"number": draft.number, "who": username(draft.created_by)}
        )
    latest = selectors.latest_submitted(report)
    if latest is None:
        raise ValidationError(_("Only a submitted report can be amended."))
    version = ReportVersion.objects.create(
        report=report,
        number=latest.number + 1,
        based_on=latest,
        amendment_reason=reason.strip(),
        created_by=user_or_none(actor),
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
