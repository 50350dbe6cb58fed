"""A form's entry: its mark (changed, unchanged since the last report, not applicable),
its narratives and declared totals; and the cover page's point of contact."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from minefree.core.audit import audit_record, audited_update, service, snapshot
from minefree.core.versions import check_version
from minefree.core.workflow import locked
from minefree.reporting.models import FormEntry, FormRow, FormStatus, ReportVersion
from minefree.reporting.services.common import (
    entry_of,
    mark_changed,
    refused_text,
    require_draft,
    state_code_of,
)
from minefree.reporting.services.versions import ENTRY_FIELDS, entry_version
from minefree.reporting.specification.content import coerce
from minefree.reporting.specification.schema import FORMS, LONG_TEXT_MAX, Field, Table


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
    require_draft(actor, version)
    entry = locked(entry_of(version, letter))
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
        state_code=state_code_of(version),
    )
    return entry


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
        elif refused := refused_text(text, LONG_TEXT_MAX):
            problems[f"narratives.{name}"] = [refused]
    for code, value in declared_totals.items():
        if code not in totals:
            problems[f"declared_totals.{code}"] = [unknown]
        elif value is not None and (refused := refused_text(str(value), TOTAL_MAX)):
            problems[f"declared_totals.{code}"] = [refused]
    if problems:
        raise ValidationError(problems)


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
    require_draft(actor, version)
    entry = locked(entry_of(version, letter))
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
        mark_changed(actor, version, entry)
    audit_record(
        actor=actor,
        action="report.form_saved",
        obj=entry,
        before=before,
        after=after,
        state_code=state_code_of(version),
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
    require_draft(actor, version)
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
        state_code=state_code_of(version),
    )
    return version
