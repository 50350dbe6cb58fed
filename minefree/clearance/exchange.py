"""A request as one document, coming in from another system: the API's JSON
(``request_create``) and the filled XLSX template (``request_import``). Both read into
``content.RequestContent`` and store it through ``services.version_fill``, so a value is
checked, and refused with its field named, the same way whichever way it came.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from minefree.clearance import services
from minefree.clearance.content import RequestContent
from minefree.clearance.models import RequestStatus, RequestVersion, VersionStatus
from minefree.clearance.xlsx import parse_xlsx
from minefree.core.audit import audit_record, service
from minefree.core.models import Origin
from minefree.core.permissions import require
from minefree.core.uploads import XLSX, check_upload
from minefree.core.workflow import AlreadyDone, lock_rows
from minefree.registry.models import Actor
from minefree.reporting.exchange.imports import IMPORT_MAX_BYTES

__all__ = ["IMPORT_MAX_BYTES", "request_create", "request_import"]

DRAFTERS_ONLY = "Only the state's focal point and delegates draft its extension requests."


def open_draft(state: Actor) -> RequestVersion | None:
    """The draft of the state's request in progress, if one is open."""
    return (
        RequestVersion.objects.filter(request__state=state, status=VersionStatus.DRAFT)
        .exclude(request__status=RequestStatus.DECIDED)
        .select_related("request")
        .first()
    )


@service
def request_create(
    *, actor: Any, state: Actor, content: RequestContent, origin: str = Origin.REPORTED
) -> RequestVersion:
    """A new request of ``state`` whose first draft holds ``content``.

    A draft already open is never overwritten by a create (two systems pushing the same
    request would lose one's work): it is refused as already done, and the draft is changed
    from the version its writer read (``services.version_fill`` with ``expected_version``).
    The state's row lock makes two creates at once open one request, and refuse the second.
    """
    require(actor, "extension_request.draft", state, DRAFTERS_ONLY)
    if content.errors:
        raise ValidationError(content.errors)
    lock_rows(Actor.objects.filter(pk=state.pk))
    existing = open_draft(state)
    if existing is not None:
        raise AlreadyDone(
            _(
                "This state's extension request already has a draft open (version %(n)s): "
                "change that draft instead of opening another."
            )
            % {"n": existing.number}
        )
    version = services.request_open(actor=actor, state=state, origin=origin)
    return services.version_fill(actor=actor, version=version, content=content)


@service
def request_import(*, actor: Any, state: Actor, data: bytes, name: str) -> RequestVersion:
    """Make the state's draft the content of a filled MINEFREE-A5X-1 workbook, all or
    nothing: the draft open (a new request's, or a revision's), or a new request's.

    Every problem of the file is refused at once under ``file``, each naming its sheet,
    row and column; nothing is saved then. A workbook exported from synthetic demo data,
    or naming another state, is refused.
    """
    require(actor, "extension_request.draft", state, DRAFTERS_ONLY)
    clean_name = Path(name).name[:200] or "request.xlsx"
    try:
        check_upload(io.BytesIO(data), name=clean_name, allowed=[XLSX], max_bytes=IMPORT_MAX_BYTES)
        parsed = parse_xlsx(data)
    except ValidationError as refused:
        raise ValidationError({"file": refused.messages}) from refused
    if parsed.origin == Origin.SYNTHETIC:
        raise ValidationError(
            {
                "file": [
                    _(
                        "This workbook holds synthetic demo data exported from a demo site: it "
                        "cannot be imported as a state's request."
                    )
                ]
            }
        )
    if parsed.state != (state.iso3 or "").upper():
        raise ValidationError(
            {
                "file": [
                    _("The workbook is the request of %(found)s, not of %(state)s.")
                    % {"found": parsed.state, "state": state.iso3}
                ]
            }
        )
    version = services.request_open(actor=actor, state=state)
    services.version_fill(actor=actor, version=version, content=parsed.content)
    audit_record(
        actor=actor,
        action="extension_request.imported",
        obj=version,
        after={
            "file": clean_name,
            "version": version.number,
            **{
                f"{table}_rows": len(parsed.data.get(table, []))
                for table in ("remaining", "previous_period", "milestones", "budget", "capacity")
            },
            "narratives": sorted(parsed.content.narratives or {}),
        },
        state_code=state.state_code,
    )
    return version
