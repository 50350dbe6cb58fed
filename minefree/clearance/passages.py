"""A submitted request's narrative sections become passages of the knowledge base, so that
the challenges a state describes in its request ("circumstances impeding compliance",
"remaining challenge"...) are searched and classified with its reports. Run after the
submission commits (``core.hooks``); a revision replaces the request's passages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from minefree.clearance.models import SECTIONS, RequestVersion, VersionStatus
from minefree.core.audit import service
from minefree.core.models import Origin, Visibility
from minefree.core.permissions import require
from minefree.knowledge.models import DocumentKind
from minefree.knowledge.services import PassageInput, passages_replace

SOURCE_KIND = "clearance.extensionrequest"


def request_passages(version: RequestVersion) -> list[PassageInput]:
    """One passage per narrative section of a submitted version, in the template's order."""
    request = version.request
    origin = Origin.SYNTHETIC if request.origin == Origin.SYNTHETIC else Origin.REPORTED
    year = version.submitted_on.year if version.submitted_on else None
    found = []
    for code, label in SECTIONS:
        text = str(version.narratives.get(code, "")).strip()
        if text:
            found.append(
                PassageInput(
                    text=text,
                    locator=_("version %(n)s, %(section)s")
                    % {"n": version.number, "section": label},
                    kind=DocumentKind.EXTENSION_SECTION,
                    state=request.state,
                    year=year,
                    language=version.language,
                    url=f"/clearance/v/{version.pk}/",
                    visibility=Visibility.PUBLIC,  # a submitted request is public
                    origin=origin,
                )
            )
    return found


def _index(actor: Any, version: RequestVersion) -> int:
    request = version.request
    rows = passages_replace(
        actor=actor,
        source_kind=SOURCE_KIND,
        source_id=str(request.pk),
        passages=request_passages(version),
        state_code=request.state.state_code,
    )
    return len(rows)


@service
def passages_from_request(*, actor: Any, request_id: int, version_id: int) -> int:
    """Index the sections of the submitted version (idempotent)."""
    version = RequestVersion.objects.select_related("request__state").get(pk=version_id)
    # the state's own act carried on, run (and retried) as the person who submitted
    require(actor, "extension_request.draft", version.request.state)
    return _index(actor, version)


def on_passages_rebuild(sender: Any, *, actor: Any, **kwargs: Any) -> dict[str, int]:
    """``passages_rebuild_requested`` receiver: each request's latest submitted version
    (within ``passages_rebuild``, which ISU staff were allowed)."""
    latest: dict[int, RequestVersion] = {}
    for version in (
        RequestVersion.objects.filter(status=VersionStatus.SUBMITTED)
        .select_related("request__state")
        .order_by("request_id", "number")
    ):
        latest[version.request_id] = version
    for version in latest.values():
        _index(actor, version)
    return {"extension requests": len(latest)}
