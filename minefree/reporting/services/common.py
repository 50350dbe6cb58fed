"""What the reporting services share: the drafting rule, a form's entry and its mark,
and the limits of typed text. Helpers of the services, never called alone: those that
write run only inside one (``@within_service``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from minefree.core.audit import audit_record, snapshot, within_service
from minefree.core.permissions import require
from minefree.core.workflow import locked
from minefree.registry.models import Actor
from minefree.reporting.models import FormEntry, FormStatus, ReportVersion
from minefree.reporting.services.versions import ENTRY_FIELDS
from minefree.reporting.specification.schema import FORMS


def state_code_of(version: ReportVersion) -> str:
    """The state an event about ``version`` is filed under (it decides the pages to refresh)."""
    return version.report.state.state_code


def require_drafter(actor: Any, state: Actor) -> None:
    require(
        actor,
        "report.draft",
        state,
        "Only the state's focal point and delegates draft its reports.",
    )


def require_draft(actor: Any, version: ReportVersion) -> None:
    """The actor drafts the state's reports and the version is still a draft, as of now.

    The version is re-read under a row lock, so an edit racing its submission either lands
    before it (and is validated with it) or is refused after it: never on a submitted version.
    """
    require_drafter(actor, version.report.state)
    locked(version)
    if not version.is_draft:
        raise PermissionDenied("A submitted report cannot be changed; amend it instead.")


def user_or_none(actor: Any) -> Any:
    """The user to record as creator, submitter or uploader: none for the system."""
    return actor if getattr(actor, "pk", None) else None


def username(user: Any) -> str:
    """Who did it, as told to someone who came second."""
    return user.get_username() if user is not None else _("the system")


@within_service
def entry_of(version: ReportVersion, letter: str) -> FormEntry:
    """The entry of a form of ``version`` (created for a draft that has none yet)."""
    if letter not in FORMS:
        raise ValidationError(_("Unknown form."))
    entry, _created = FormEntry.objects.get_or_create(version=version, letter=letter)
    return entry


@within_service
def mark_changed(actor: Any, version: ReportVersion, entry: FormEntry) -> None:
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
            state_code=state_code_of(version),
        )


def refused_text(text: str, limit: int) -> str:
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
