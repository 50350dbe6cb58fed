"""The extension request template on the site: download it blank for a state or filled
with a version of a request, and upload a filled one into the state's draft
(``exchange.request_import``, the service the API's import calls too).

The request's own pages (``clearance.views``) link here for the downloads; the upload
page lists the signed-in person's states and their requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minefree.accounts.selectors import active_memberships
from minefree.clearance import selectors
from minefree.clearance.exchange import IMPORT_MAX_BYTES, request_import
from minefree.clearance.models import ExtensionRequest, RequestVersion
from minefree.clearance.xlsx import blank_xlsx, export_xlsx
from minefree.core.upload_limits import upload_limit
from minefree.core.uploads import XLSX
from minefree.core.views import denied_as_403, flash_errors, or_404
from minefree.registry.models import Actor
from minefree.registry.selectors import get_state
from minefree.reporting.selectors import DRAFTING_ROLES

refused_as_403 = denied_as_403("clearance/exchange_denied.html")


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX.mime)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _drafting_states(user: Any) -> list[Actor]:
    """The states whose requests ``user`` drafts (focal point or delegate)."""
    states: dict[int, Actor] = {}
    memberships = active_memberships(user).filter(role__in=DRAFTING_ROLES).select_related("actor")
    for membership in memberships:
        if membership.actor is not None:
            states[membership.actor.pk] = membership.actor
    return sorted(states.values(), key=lambda s: s.name)


@dataclass
class StateLine:
    """One of the user's states, with its requests and the versions the user may read."""

    state: Actor
    requests: list[tuple[ExtensionRequest, list[RequestVersion]]] = field(default_factory=list)


@login_required
@require_GET
def template_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    lines = []
    for state in _drafting_states(user):
        line = StateLine(state)
        for found in selectors.requests_for(user, state=state.iso3 or ""):
            line.requests.append((found, selectors.versions_for(user, found)))
        lines.append(line)
    context = {"lines": lines, "max_mb": IMPORT_MAX_BYTES // (1024 * 1024)}
    return render(request, "clearance/exchange.html", context)


@require_GET
def blank(request: HttpRequest, iso3: str) -> HttpResponse:
    """The empty template for a state (its code and current deadline filled in): public,
    as the template is."""
    state = or_404(get_state(iso3), "No state with this code.")
    return _xlsx(blank_xlsx(state), f"{state.iso3}-extension-request-template.xlsx")


@require_GET
def version_download(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A version of a request as the template, for whoever may read that version."""
    found = selectors.get_request_for(request.user, pk)
    versions = selectors.versions_for(request.user, found)
    version = or_404(next((v for v in versions if v.number == number), None), "No such version.")
    name = f"{found.state.iso3}-extension-request-{found.pk}-v{version.number}.xlsx"
    return _xlsx(export_xlsx(version), name)


@login_required
@require_POST
@upload_limit(IMPORT_MAX_BYTES)
@refused_as_403
def upload(request: HttpRequest) -> HttpResponse:
    """A filled template into the state's draft: all or nothing, every problem listed."""
    state = get_state(str(request.POST.get("state", ""))[:3])
    if state is None:
        raise PermissionDenied  # the rights on the state are the import service's
    upload = request.FILES.get("file")
    if upload is None:
        flash_errors(request, [_("Choose a filled XLSX template.")])
        return redirect("clearance_exchange:template")
    try:
        version = request_import(
            actor=request.user,
            state=state,
            data=upload.read(IMPORT_MAX_BYTES + 1),  # one byte more is refused as too large
            name=upload.name or "request.xlsx",
        )
    except ValidationError as refused:
        flash_errors(request, refused.messages)
        return redirect("clearance_exchange:template")
    messages.success(
        request,
        _(
            "The workbook was imported into the draft (version %(n)s) of the request of "
            "%(state)s; check it and submit it."
        )
        % {"n": version.number, "state": state.name},
    )
    return redirect("clearance:version", version.pk)  # the draft, to check and submit
