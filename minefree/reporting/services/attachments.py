"""Files attached to a form of a draft, checked by content and size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from minefree.core.audit import audit_record, service
from minefree.core.uploads import DOCX, JPEG, ODT, PDF, PNG, TEXT, check_upload, store_upload
from minefree.reporting.models import Attachment, ReportVersion
from minefree.reporting.services.common import require_draft, state_code_of, user_or_none
from minefree.reporting.specification.schema import FORMS

ATTACHMENT_KINDS = (PDF, PNG, JPEG, DOCX, ODT, TEXT)


ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


@service
def attachment_add(
    *, actor: Any, version: ReportVersion, letter: str, file: Any, name: str, description: str = ""
) -> Attachment:
    """Attach a checked file to a form of a draft: size-limited, type decided by its content."""
    require_draft(actor, version)
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
        uploaded_by=user_or_none(actor),
    )
    store_upload(attachment.file, clean_name, file)
    attachment.save()
    audit_record(
        actor=actor,
        action="report.attachment_added",
        obj=attachment,
        after={"letter": letter, "name": clean_name, "kind": kind.name, "size": size},
        state_code=state_code_of(version),
    )
    return attachment


@service
def attachment_remove(*, actor: Any, attachment: Attachment) -> None:
    """Remove an attachment from a draft (the file stays if an earlier version uses it)."""
    require_draft(actor, attachment.version)
    audit_record(
        actor=actor,
        action="report.attachment_removed",
        obj=attachment,
        before={"letter": attachment.letter, "name": attachment.name},
        state_code=state_code_of(attachment.version),
    )
    attachment.delete()
