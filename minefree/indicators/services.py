"""Writes to the plans' wording and to the committee's documents, one audited ``@service``
each, under the rules of ``indicators.rules``.

A correction of an action's or an indicator's wording marks the record "entered": the
reference loader keeps it from then on. A document's version is edited only while it is a
draft; publishing freezes its text and the figures, tables and source annex of every
language into the version (``DOCUMENT_WORKFLOW``), and a later correction is a new version
opened from the last published one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from minefree.assistance.selectors import cooperation_committee
from minefree.core.audit import (
    audit_record,
    audited_create,
    audited_update,
    service,
    snapshot,
    within_service,
)
from minefree.core.models import Origin, Source
from minefree.core.permissions import require
from minefree.core.versions import check_version, version_of
from minefree.core.workflow import AlreadyDone, locked
from minefree.indicators import drafting
from minefree.indicators.models import (
    DOCUMENT_WORKFLOW,
    CommitteeDocument,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    Indicator,
    PlanAction,
    WordingStatus,
)
from minefree.registry.models import Committee, Meeting

#: the records whose wording ISU staff correct
Corrected = TypeVar("Corrected", PlanAction, Indicator)

LANGUAGES = ("en", "fr", "es")
MAX_SECTION = 20_000


def _wording(values: Mapping[str, Any], allowed: set[str]) -> dict[str, Any]:
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    if "text_en" in cleaned and not cleaned["text_en"]:
        raise ValidationError({"text_en": _("The English text cannot be empty.")})
    status = cleaned.get("wording_status")
    if status is not None and status not in WordingStatus.values:
        raise ValidationError({"wording_status": _("Choose official or reconstructed wording.")})
    return cleaned


@service
def action_correct(
    *,
    actor: Any,
    action: PlanAction,
    values: Mapping[str, Any],
    source_url: str = "",
    source_title: str = "",
) -> PlanAction:
    """ISU staff correct an action's texts or wording status (e.g. load the official text),
    naming their source when the wording becomes official."""
    require(actor, "action_plan.correct", action, _("Only ISU staff correct the plans' wording."))
    fields = {"text_en", "text_fr", "text_es", "wording_status", "confirmed"}
    return _corrected(
        actor, action, values, fields, "plan_action.corrected", source_url, source_title
    )


@service
def indicator_correct(
    *,
    actor: Any,
    indicator: Indicator,
    values: Mapping[str, Any],
    source_url: str = "",
    source_title: str = "",
) -> Indicator:
    """ISU staff correct an indicator's texts, notes or wording status."""
    require(
        actor, "action_plan.correct", indicator, _("Only ISU staff correct the plans' wording.")
    )
    fields = {"text_en", "text_fr", "text_es", "wording_status", "notes"}
    return _corrected(
        actor, indicator, values, fields, "indicator.corrected", source_url, source_title
    )


@within_service
def _corrected(
    actor: Any,
    record: Corrected,
    values: Mapping[str, Any],
    fields: set[str],
    action: str,
    source_url: str,
    source_title: str,
) -> Corrected:
    """The correction both services make: checked values, the source named (created and
    audited if new), official wording only with a source, the record marked "entered" so
    that the reference loader keeps it."""
    cleaned = _wording(values, fields)
    record = locked(record)
    source = None
    url, title = source_url.strip(), source_title.strip()
    if url or title:
        source, created = Source.objects.get_or_create(url=url, title=title, edition="")
        if created:
            audit_record(actor=actor, obj=source, action="source.created", after=snapshot(source))
    if (
        cleaned.get("wording_status") == WordingStatus.OFFICIAL
        and source is None
        and record.source is None
    ):
        raise ValidationError(_("Official wording needs the source it was taken from."))
    changes = dict(cleaned, origin=Origin.ENTERED)
    if source is not None:
        changes["source"] = source
    audited_update(actor=actor, obj=record, action=action, changes=changes)
    return record


# --- the committee's documents ----------------------------------------------------------------


def _committee() -> Committee:
    committee = cooperation_committee()
    if committee is None:
        raise ValidationError(
            _(
                "The Committee on the Enhancement of Cooperation and Assistance is not in the registry."
            )
        )
    return committee


@service
def document_open(
    *, actor: Any, kind: str, meeting: Meeting, year: int | None = None
) -> DocumentVersion:
    """The draft of the committee's ``kind`` of document for ``meeting``: the one being
    edited, else a new version — copied from the last published one, or drafted from the
    year's records when there is none."""
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Choose observations or a statement.")})
    committee = _committee()
    require(
        actor,
        "committee_document.edit",
        CommitteeDocument(committee=committee),
        _("Only members of the committee and ISU staff draft its documents."),
    )
    reviewed = (
        year if year is not None else (meeting.start_date.year if meeting.start_date else None)
    )
    if reviewed is None:
        raise ValidationError(
            {"year": _("Give the year the document reviews: the meeting's date is unknown.")}
        )
    document = (
        CommitteeDocument.objects.select_for_update().filter(kind=kind, meeting=meeting).first()
    )
    if document is None:
        document = CommitteeDocument(
            kind=kind, meeting=meeting, committee=committee, year=reviewed, created_by=_user(actor)
        )
        audited_create(actor=actor, obj=document, action="committee_document.created")
    draft = document.versions.filter(status=DocumentStatus.DRAFT).first()
    if draft is not None:
        return draft
    last = document.versions.order_by("-number").first()
    sections = dict(last.sections) if last is not None else drafting.draft_sections(document)
    version = DocumentVersion(
        document=document,
        number=(last.number + 1) if last is not None else 1,
        sections=sections,
        created_by=_user(actor),
    )
    audited_create(actor=actor, obj=version, action="document_version.created")
    return version


def _user(actor: Any) -> Any:
    return (
        actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None
    )


def version_etag(version: DocumentVersion) -> str:
    return version_of(version, ["sections", "change_note", "status"])


@service
def document_edit(
    *,
    actor: Any,
    version: DocumentVersion,
    sections: Mapping[str, str],
    change_note: str | None = None,
    expected_version: str | None = None,
) -> DocumentVersion:
    """Change text sections of a draft (only the sections given); a published version never
    changes. ``expected_version`` (If-Match) refuses a write over someone else's."""
    record = locked(version)
    document = record.document
    require(
        actor,
        "committee_document.edit",
        document,
        _("Only members of the committee and ISU staff edit its documents."),
    )
    if not record.is_draft:
        raise ValidationError(
            _("A published version never changes: open a new version to correct it.")
        )
    check_version(record, version_etag(record), expected_version)
    allowed = set(drafting.SECTIONS[document.kind])
    unknown = set(sections) - allowed
    if unknown:
        raise ValidationError(
            {"sections": _("Unknown sections: %(names)s.") % {"names": ", ".join(sorted(unknown))}}
        )
    errors = {}
    for key, text in sections.items():
        if not isinstance(text, str):
            errors[key] = _("Text expected.")
        elif len(text) > MAX_SECTION:
            errors[key] = _("At most %(n)s characters.") % {"n": MAX_SECTION}
    if errors:
        raise ValidationError(errors)
    changes: dict[str, Any] = {
        "sections": {**record.sections, **{k: v.strip() for k, v in sections.items()}}
    }
    if change_note is not None:
        changes["change_note"] = change_note.strip()[:300]
    audited_update(actor=actor, obj=record, action="document_version.edited", changes=changes)
    return record


@service
def document_redraft(*, actor: Any, version: DocumentVersion, section: str) -> DocumentVersion:
    """Replace one section of a draft by the text drafted afresh from the records."""
    record = locked(version)
    require(
        actor,
        "committee_document.edit",
        record.document,
        _("Only members of the committee and ISU staff edit its documents."),
    )
    if not record.is_draft:
        raise ValidationError(
            _("A published version never changes: open a new version to correct it.")
        )
    if section not in drafting.SECTIONS[record.document.kind]:
        raise ValidationError({"section": _("Unknown section.")})
    fresh = drafting.draft_sections(record.document)[section]
    audited_update(
        actor=actor,
        obj=record,
        action="document_version.redrafted",
        changes={"sections": {**record.sections, section: fresh}},
    )
    return record


@service
def document_publish(
    *, actor: Any, version: DocumentVersion, expected_version: str | None = None
) -> DocumentVersion:
    """Publish a draft: its text and, in each language, its figures, tables and source
    annex as they stand now are frozen into it; it is public and never changes again."""
    record = locked(version)
    require(
        actor,
        "committee_document.publish",
        record.document,
        _("Only members of the committee and ISU staff publish its documents."),
    )
    if record.status == DocumentStatus.PUBLISHED:
        raise AlreadyDone(_("This version is already published."))
    check_version(record, version_etag(record), expected_version)
    if not any(text.strip() for text in record.sections.values()):
        raise ValidationError(_("An empty document cannot be published."))
    before = snapshot(record, ["status", "published_at"])
    DOCUMENT_WORKFLOW.move(record, DocumentStatus.PUBLISHED)
    frozen = {}
    for language in LANGUAGES:
        with translation.override(language):
            frozen[language] = drafting.content(record.document)
    record.content = frozen
    record.published_at = timezone.now()
    record.published_by = _user(actor)
    record.save(update_fields=["status", "content", "published_at", "published_by"])
    audit_record(
        actor=actor,
        obj=record,
        action="document_version.published",
        before=before,
        after=snapshot(record, ["status", "published_at"]),
    )
    return record
