"""The committees' workspace on a request (committee members and ISU staff): written
questions, the analysis text and its publication, and, for ISU staff, the Meeting's
decision and the follow-up of what it asks.

The analysis text carries its version (``services.analysis_version``): of two members who
read the same text, the second to save or publish is told who changed it and when, and
their text stays in the form beside the text now saved. The computed figures (plan against
actual, projection, money, flags) come from ``clearance.analysis`` through the include
``clearance/_analysis_figures.html``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minefree.clearance import selectors, services
from minefree.clearance.forms import (
    AnalysisForm,
    DecisionForm,
    QuestionForm,
    RequirementMetForm,
)
from minefree.clearance.models import (
    ANALYSIS_SECTIONS,
    AnalysisStatus,
    AnalysisVersion,
    DecisionRequirement,
    ExtensionRequest,
    RequestStatus,
)
from minefree.clearance.views import request_context
from minefree.clearance.web import refused_as_403
from minefree.core.permissions import can
from minefree.core.versions import VersionConflictError
from minefree.core.views import flash_errors, form_errors, or_404
from minefree.core.workflow import AlreadyDone
from minefree.knowledge.challenges import state_challenges
from minefree.registry.models import Meeting, MeetingKind

#: the meetings that decide extension requests
DECIDING = (MeetingKind.MSP, MeetingKind.REVIEW_CONFERENCE, MeetingKind.SPECIAL_MSP)


def workspace_url(ext: ExtensionRequest, anchor: str = "") -> str:
    url = reverse("clearance:workspace", args=[ext.pk])
    return f"{url}#{anchor}" if anchor else url


def _meetings() -> list[tuple[int, str]]:
    found = Meeting.objects.filter(kind__in=DECIDING).order_by("-start_date", "-code")
    return [(m.pk, f"{m.name} ({m.start_date.year})" if m.start_date else m.name) for m in found]


def _analysis_initial(latest: AnalysisVersion | None) -> dict[str, str]:
    sections = latest.sections if latest is not None else {}
    return {f"s_{code}": sections.get(code, "") for code, _label in ANALYSIS_SECTIONS}


def _request(request: HttpRequest, pk: int) -> ExtensionRequest:
    """A request the user may see and analyse (the committees and ISU staff)."""
    ext = selectors.get_request_for(request.user, pk)
    if not can(request.user, "extension_request.analyse", ext):
        raise PermissionDenied
    return ext


def workspace_page(
    request: HttpRequest,
    ext: ExtensionRequest,
    *,
    analysis_form: AnalysisForm | None = None,
    conflict: list[str] | None = None,
    decision_form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The workspace; ``analysis_form`` a refused text shown as typed, beside the text now
    saved after ``conflict``; ``decision_form`` a refused decision."""
    user = request.user
    context = request_context(user, ext)
    analyses: list[AnalysisVersion] = context["analyses"]
    latest = analyses[-1] if analyses else None
    open_ = ext.status not in (RequestStatus.DRAFT, RequestStatus.DECIDED)
    form = analysis_form or AnalysisForm(initial=_analysis_initial(latest))
    saved_now: dict[str, str] = {}
    if conflict and latest is not None:
        for code, _label in ANALYSIS_SECTIONS:
            typed = str(form.data.get(f"s_{code}", "")).strip()
            now = latest.sections.get(code, "")
            if typed != now:
                saved_now[f"s_{code}"] = now or "—"
    may_decide = can(user, "extension_request.decide", ext) and open_
    context |= {
        "open": open_,
        "latest": latest,
        "analysis_token": services.analysis_version(latest),
        "analysis_fields": [(bound, saved_now.get(bound.name)) for bound in form],
        "conflict": conflict or [],
        "question_form": QuestionForm(auto_id="ask-%s") if open_ else None,
        "state_challenges": state_challenges(user, ext.state),
        "may_publish": open_ and latest is not None and latest.status == AnalysisStatus.DRAFT,
        "decision_form": (
            decision_form or DecisionForm(auto_id="decision-%s", meetings=_meetings())
            if may_decide
            else None
        ),
    }
    for line in context["requirements"]:
        if line["requirement"].met_on is None:
            pk = line["requirement"].pk
            line["form"] = RequirementMetForm(auto_id=f"met-{pk}-%s")
    return render(request, "clearance/workspace.html", context, status=status)


@login_required
@require_GET
@refused_as_403
def workspace(request: HttpRequest, pk: int) -> HttpResponse:
    return workspace_page(request, _request(request, pk))


@login_required
@require_POST
@refused_as_403
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    ext = selectors.get_request_for(request.user, pk)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        _request(request, pk)  # a stranger is refused, whatever they sent
        flash_errors(request, form_errors(form))
        return redirect(workspace_url(ext, "questions"))
    try:
        question = services.question_ask(
            actor=request.user,
            request=ext,
            text=form.cleaned_data["text"],
            request_key=form.cleaned_data["request_key"],
        )
    except ValidationError as exc:
        flash_errors(request, exc.messages)
        return redirect(workspace_url(ext, "questions"))
    messages.success(request, _("The question is sent to the state; it is public."))
    return redirect(workspace_url(ext, f"question-{question.pk}"))


@login_required
@require_POST
@refused_as_403
def analysis_save(request: HttpRequest, pk: int) -> HttpResponse:
    ext = selectors.get_request_for(request.user, pk)
    form = AnalysisForm(request.POST)
    if not form.is_valid():
        ext = _request(request, pk)
        return workspace_page(request, ext, analysis_form=form, status=422)
    try:
        saved = services.analysis_save(
            actor=request.user,
            request=ext,
            sections=form.sections(),
            expected_version=request.POST.get("_version", None),
        )
    except VersionConflictError as exc:
        advice = _(
            "Nothing was saved. The text now saved is shown beside yours, which is kept: "
            "save again to replace it with yours."
        )
        ext.refresh_from_db()
        return workspace_page(
            request, ext, analysis_form=form, conflict=[exc.last_change, advice], status=409
        )
    except ValidationError as exc:
        flash_errors(request, exc.messages)
        return redirect(workspace_url(ext, "analysis"))
    messages.success(
        request,
        _("Version %(n)s of the analysis is saved as a draft; only the committees see it.")
        % {"n": saved.number},
    )
    return redirect(workspace_url(ext, "analysis"))


@login_required
@require_POST
@refused_as_403
def analysis_publish(request: HttpRequest, pk: int) -> HttpResponse:
    ext = selectors.get_request_for(request.user, pk)
    try:
        published = services.analysis_publish(
            actor=request.user,
            request=ext,
            expected_version=request.POST.get("_version", None),
        )
    except VersionConflictError as exc:
        flash_errors(
            request,
            [exc.last_change, _("Nothing was published: read the text as it is now first.")],
        )
        return redirect(workspace_url(ext, "analysis"))
    except ValidationError as exc:
        flash_errors(request, exc.messages)
        return redirect(workspace_url(ext, "analysis"))
    messages.success(
        request,
        _("Version %(n)s of the analysis is published: it is public.") % {"n": published.number},
    )
    return redirect(workspace_url(ext, "analysis"))


@login_required
@require_POST
@refused_as_403
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    ext = selectors.get_request_for(request.user, pk)
    form = DecisionForm(request.POST, auto_id="decision-%s", meetings=_meetings())
    if not form.is_valid():
        if not can(request.user, "extension_request.decide", ext):
            raise PermissionDenied
        return workspace_page(request, _request(request, pk), decision_form=form, status=422)
    data: dict[str, Any] = form.cleaned_data
    meeting = Meeting.objects.filter(pk=data["meeting"]).first() if data["meeting"] else None
    try:
        services.decision_record(
            actor=request.user,
            request=ext,
            outcome=data["outcome"],
            decided_on=data["decided_on"],
            meeting=meeting,
            new_deadline=data["new_deadline"],
            requirements=data["requirements"],
            notes=data["notes"],
        )
    except AlreadyDone as exc:
        flash_errors(request, exc.messages)
        return redirect(workspace_url(ext, "decision"))
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        else:
            form.add_error(None, exc.messages)
        return workspace_page(request, _request(request, pk), decision_form=form, status=422)
    messages.success(
        request,
        _("The decision is recorded; a granted extension goes into the deadline history."),
    )
    return redirect("clearance:request", ext.pk)


@login_required
@require_POST
@refused_as_403
def requirement_met(request: HttpRequest, pk: int, requirement: int) -> HttpResponse:
    ext = selectors.get_request_for(request.user, pk)
    found: DecisionRequirement = or_404(
        DecisionRequirement.objects.select_related("decision__request__state")
        .filter(pk=requirement, decision__request=ext)
        .first(),
        "No such requirement",
    )
    form = RequirementMetForm(request.POST)
    if not form.is_valid():
        _request(request, pk)
        flash_errors(request, form_errors(form))
        return redirect(workspace_url(ext, f"requirement-{found.pk}"))
    try:
        services.requirement_met(
            actor=request.user,
            requirement=found,
            met_on=form.cleaned_data["met_on"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        flash_errors(request, exc.messages)
    else:
        messages.success(request, _("Recorded as met; it leaves the follow-up list."))
    return redirect(workspace_url(ext, f"requirement-{found.pk}"))
