"""Public pages. Thin: parse input, read through selectors, render."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from minefree.assistance.selectors import reader
from minefree.casework.rules import may_edit_platform
from minefree.core import hooks, jobs
from minefree.core.audit import ALL_VERSION_KEY, SHARED_VERSION_KEY
from minefree.core.fragments import Fragment, PageFragments
from minefree.core.models import REFERENCE_FILE, HookFailure
from minefree.core.pagecache import cached_public_page
from minefree.core.permissions import can
from minefree.core.views import paginate
from minefree.fund.selectors import visits_of_state
from minefree.indicators.views import state_section as indicators_section
from minefree.knowledge.challenges import state_challenges
from minefree.registry import selectors
from minefree.registry.models import MeetingKind, TreatyStatus
from minefree.site.clearance_section import clearance_section
from minefree.site.cooperation_section import cooperation_section, reader_key
from minefree.site.forms import StateFilterForm
from minefree.site.reporting_section import reporting_section

PAGE_SIZE = 50


@cached_public_page(lambda: [ALL_VERSION_KEY])
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    today = dt.date.today()
    parties = selectors.parties_on(today)
    context = {
        "party_count": parties.count(),
        "open_art5": selectors.states_list(selectors.StateFilters(open_article=5)).count(),
        "open_art4": selectors.states_list(selectors.StateFilters(open_article=4)).count(),
        "today": today,
    }
    return render(request, "site/home.html", context)


@cached_public_page(lambda: [ALL_VERSION_KEY], params=[*StateFilterForm.base_fields, "page"])
@require_safe
def states(request: HttpRequest) -> HttpResponse:
    form = StateFilterForm(request.GET or None, regions=selectors.regions())
    filters = form.filters() if form.is_valid() else selectors.StateFilters()
    page, query = paginate(request, selectors.states_list(filters), PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "today": dt.date.today(),
        "statuses": TreatyStatus,
    }
    partial = bool(getattr(request, "htmx", False))
    template = "site/_states_results.html" if partial else "site/states.html"
    return render(request, template, context)


@cached_public_page(lambda iso3: [f"state:{iso3.upper()}", SHARED_VERSION_KEY])
@require_safe
def country(request: HttpRequest, iso3: str) -> HttpResponse:
    """A state's page. What every reader sees alike is rendered once per data version and
    language and shared (``core.fragments``); the parts that depend on what the reader may
    read once per kind of reader (``reader_key``); only the header's user menu and the
    edit link for each request, so a signed-in page costs little more than a cached hit."""
    actor = selectors.country_actor(iso3)
    if actor is None:
        raise Http404(_("No state or area with this code."))
    code = iso3.upper()
    shared = PageFragments([f"state:{code}", SHARED_VERSION_KEY], code)
    who = reader(request.user)
    profile = functools.cache(lambda: selectors.country_profile(iso3))
    today = dt.date.today()

    def part(template: str, context: Callable[[], dict[str, Any]]) -> Callable[[], str]:
        return lambda: render_to_string(template, {"actor": actor, "today": today, **context()})

    def with_profile() -> dict[str, Any]:
        found = profile()
        return {"profile": found, "actor": found.actor if found else actor}

    fragments = shared.get_many(
        {
            "profile": Fragment(part("site/country/_profile.html", with_profile)),
            "extension_requests": Fragment(
                part("site/country/_extension_requests.html", lambda: clearance_section(actor))
            ),
            "reporting": Fragment(
                part("site/country/_reporting.html", lambda: reporting_section(actor))
            ),
            # the challenges and the cooperation part show what the reader may read: one
            # copy per kind of reader (all without extra rights share the public one)
            "challenges": Fragment(
                part(
                    "knowledge/_state_challenges.html",
                    lambda: {
                        "state": actor,
                        "state_challenges": state_challenges(request.user, actor),
                    },
                ),
                (reader_key(who),),
            ),
            "cooperation": Fragment(
                part("site/country/_cooperation.html", lambda: cooperation_section(actor, who)),
                (reader_key(who),),
            ),
            "fund_visits": Fragment(
                part(
                    "site/country/_fund_visits.html",
                    lambda: {"fund_visits": visits_of_state(actor)},
                )
            ),
            "indicators": Fragment(
                part("indicators/_state_profile.html", lambda: indicators_section(actor))
            ),
            "seats": Fragment(part("site/country/_seats.html", with_profile)),
        }
    )
    context = {
        "actor": actor,
        "fragments": fragments,
        "coop_may_edit_platform": bool(actor.iso3) and may_edit_platform(who, actor),
    }
    return render(request, "site/country.html", context)


@cached_public_page(lambda: [SHARED_VERSION_KEY])
@require_safe
def meetings(request: HttpRequest) -> HttpResponse:
    context = {"meetings": selectors.meetings_list(), "kinds": MeetingKind}
    return render(request, "site/meetings.html", context)


@cached_public_page(lambda: [ALL_VERSION_KEY])
@require_safe
def committees(request: HttpRequest) -> HttpResponse:
    return render(request, "site/committees.html", {"committees": selectors.committees_list()})


@login_required
@require_safe
def follow_ups(request: HttpRequest) -> HttpResponse:
    """ISU staff: effects on other apps that failed after a change committed, and background
    jobs that failed, to run again."""
    if not can(request.user, "follow_up.retry"):
        raise PermissionDenied
    context = {
        "failures": hooks.open_failures(),
        "failed_jobs": jobs.failed_jobs() if can(request.user, "job.rerun") else [],
    }
    return render(request, "site/follow_ups.html", context)


@login_required
@require_POST
def job_rerun(request: HttpRequest, job_id: str) -> HttpResponse:
    if not can(request.user, "job.rerun"):
        raise PermissionDenied
    try:
        jobs.job_rerun(actor=request.user, job_id=job_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The job is queued to run again."))
    return redirect("site:follow_ups")


@login_required
@require_POST
def follow_up_retry(request: HttpRequest, pk: int) -> HttpResponse:
    if not can(request.user, "follow_up.retry"):
        raise PermissionDenied
    failure = get_object_or_404(HookFailure, pk=pk, resolved_at__isnull=True)
    if hooks.follow_up_retry(actor=request.user, failure=failure):
        messages.success(request, _("The follow-up ran and is resolved."))
    else:
        messages.error(
            request, _("The follow-up failed again: %(error)s") % {"error": failure.error}
        )
    return redirect("site:follow_ups")


@require_GET
def reference_file(request: HttpRequest, name: str) -> HttpResponse:
    """A file of the reference data (its README, a CSV) that a source link points to."""
    if not REFERENCE_FILE.match(name):
        raise Http404(_("No such reference file."))
    path = Path(settings.REFERENCE_DATA_DIR) / name
    if not path.is_file():
        raise Http404(_("No such reference file."))
    kind = "text/csv" if name.endswith(".csv") else "text/markdown"
    return HttpResponse(path.read_bytes(), content_type=f"{kind}; charset=utf-8")
