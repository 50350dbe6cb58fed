"""Differences between two versions of a report, or between two years, for anyone who may see both."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from minefree.core.views import int_param
from minefree.reporting import selectors
from minefree.reporting.publication.diff import diff_contents
from minefree.reporting.specification.content import load_content


@require_safe
def compare(request: HttpRequest) -> HttpResponse:
    """``?from=<version id>&to=<version id>``: same report (versions) or same state (years)."""
    old_id, new_id = int_param(request.GET, "from"), int_param(request.GET, "to")
    if old_id is None or new_id is None:
        raise Http404(_("Give two versions to compare."))
    old = selectors.get_version_for(request.user, old_id)
    new = selectors.get_version_for(request.user, new_id)
    if old.report.state_id != new.report.state_id:
        raise Http404(_("Only reports of the same state are compared."))
    context = {
        "old": old,
        "new": new,
        "forms": diff_contents(load_content(old), load_content(new)),
        "same_report": old.report_id == new.report_id,
    }
    return render(request, "reporting/compare.html", context)
