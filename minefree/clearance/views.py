"""Article 5 extension requests: the list, a request's page, a version and what changed in
it, the submitted document; the state's revision and answers.

Thin: parse input, fetch through ``selectors`` (which decide who sees a draft), call one
service, render or redirect. The drafting pages are in ``drafting_views``, the committees'
workspace in ``workspace_views``. Each page reads in a fixed number of queries, whatever
the number of requests, versions, rows or questions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minefree.assistance.selectors import reader
from minefree.clearance import diff, documents, drafting_views, selectors, services
from minefree.clearance.forms import AnswerForm, OpenRequestForm, RequestFilterForm, RevisionForm
from minefree.clearance.models import (
    ANALYSIS_SECTIONS,
    AnalysisStatus,
    ExtensionRequest,
    RequestStatus,
    RequestVersion,
)
from minefree.clearance.web import (
    narrative_sections,
    refused_as_403,
    table_contents,
    with_rows,
)
from minefree.core.audit import ALL_VERSION_KEY
from minefree.core.pagecache import cached_public_page
from minefree.core.permissions import can
from minefree.core.views import flash_errors, form_errors, or_404, paginate
from minefree.core.workflow import AlreadyDone
from minefree.registry.models import Actor

PAGE_SIZE = 50


def _every_version(*_args: Any, **_kwargs: Any) -> list[str]:
    """A request's pages read the registry and other states' records: any change counts."""
    return [ALL_VERSION_KEY]


def _drafting_states(user: Any) -> list[Actor]:
    """The states whose requests ``user`` drafts (their focal point or delegate)."""
    ids = reader(user).state_ids
    if not ids:
        return []
    return [s for s in Actor.objects.filter(pk__in=ids) if can(user, "extension_request.draft", s)]


def _state_choices() -> list[tuple[str, str]]:
    lang = (get_language() or "en")[:2]
    rows = (
        ExtensionRequest.objects.exclude(status=RequestStatus.DRAFT)
        .order_by()
        .values_list("state__iso3", "state__name_en", "state__name_fr", "state__name_es")
        .distinct()
    )
    column = {"en": 1, "fr": 2, "es": 3}.get(lang, 1)
    choices = {row[0]: str(row[column] or row[1]) for row in rows if row[0]}
    return sorted(choices.items(), key=lambda item: item[1])


# --- the list ------------------------------------------------------------------------------


@cached_public_page(_every_version, params=["state", "year", "status", "page"])
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Requests under way and decided, filtered by state, year and status; for the state's
    people also their drafts and the button that opens a request."""
    user = request.user
    form = RequestFilterForm(
        request.GET or None, states=_state_choices(), years=selectors.submission_years()
    )
    chosen = form.cleaned_data if form.is_valid() else {}
    requests = selectors.with_submissions(
        selectors.requests_for(
            user,
            state=chosen.get("state") or "",
            status=chosen.get("status") or "",
            year=chosen.get("year"),
        ).exclude(status=RequestStatus.DRAFT)
    )
    page, query = paginate(request, requests, PAGE_SIZE)
    states = _drafting_states(user)
    own: list[ExtensionRequest] = []
    openable: list[Actor] = []
    if states:
        own = list(
            selectors.with_submissions(
                selectors.requests_for(user)
                .filter(state__in=states)
                .exclude(status=RequestStatus.DECIDED)
            ).prefetch_related("versions")
        )
        busy = {r.state_id for r in own}
        openable = [s for s in states if s.pk not in busy]
    context = {
        "form": form,
        "page": page,
        "query": query,
        "states": states,
        "own": own,
        "openable": openable,
        "may_analyse": can(user, "extension_request.analyse", None),
    }
    return render(request, "clearance/home.html", context)


@login_required
@require_POST
@refused_as_403
def open_request(request: HttpRequest) -> HttpResponse:
    """The state's people open its request (or go back to the draft already open)."""
    form = OpenRequestForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    state = or_404(Actor.objects.filter(iso3=form.cleaned_data["state"].upper()).first())
    try:
        version = services.request_open(actor=request.user, state=state)
    except ValidationError as exc:
        flash_errors(request, exc.messages)
        return redirect("clearance:home")
    messages.success(request, _("The draft is open."))
    return redirect("clearance:version", version.pk)


# --- a request -----------------------------------------------------------------------------


def _requirements(decision: Any, today: dt.date) -> list[dict[str, Any]]:
    if decision is None:
        return []
    return [
        {
            "requirement": r,
            "overdue": r.met_on is None and r.due_on is not None and r.due_on < today,
            "form": None,
        }
        for r in decision.requirements.all()
    ]


def request_context(user: Any, ext: ExtensionRequest) -> dict[str, Any]:
    """What a request's page and its workspace both show: the versions the reader may
    see, the version shown (the latest submitted one), questions, analyses, decision."""
    versions = selectors.versions_for(user, ext)
    submitted = [v for v in versions if not v.is_draft]
    shown_pk = submitted[-1].pk if submitted else (versions[-1].pk if versions else None)
    shown = with_rows(RequestVersion.objects.filter(pk=shown_pk)).first() if shown_pk else None
    analyses = selectors.analyses_for(user, ext)
    published = [a for a in analyses if a.status == AnalysisStatus.PUBLISHED]
    published_analysis = published[-1] if published else None
    decision = getattr(ext, "decision", None)
    questions = ext.questions.select_related("asked_by", "answered_by", "version").order_by(
        "asked_at", "pk"
    )
    today = dt.date.today()
    analysis, figure_sections = documents.figures(ext, user)
    return {
        "analysis": analysis,
        "figure_sections": list(figure_sections.values()),
        "ext": ext,
        "state": ext.state,
        "obligation": ext.obligation,
        "versions": versions,
        "pairs": [(v, versions[i - 1] if i else None) for i, v in enumerate(versions)],
        "shown": shown,
        "sections": narrative_sections(shown) if shown else [],
        "tables": table_contents(shown) if shown else [],
        "question_lines": [(q, None) for q in questions],
        "analyses": analyses,
        "published_analysis": published_analysis,
        "analysis_sections": (
            [
                (code, label, published_analysis.sections.get(code, ""))
                for code, label in ANALYSIS_SECTIONS
            ]
            if published_analysis
            else []
        ),
        "decision": decision,
        "requirements": _requirements(decision, today),
        "today": today,
        "named": user.is_authenticated,
    }


@cached_public_page(_every_version)
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    ext = selectors.get_request_for(user, pk)
    context = request_context(user, ext)
    drafter = can(user, "extension_request.draft", ext.state)
    draft = next((v for v in context["versions"] if v.is_draft), None) if drafter else None
    may_revise = (
        drafter and draft is None and ext.status not in (RequestStatus.DRAFT, RequestStatus.DECIDED)
    )
    may_answer = can(user, "extension_request.answer", ext.state)
    context |= {
        "drafter": drafter,
        "draft": draft,
        "revision_form": RevisionForm(auto_id="revise-%s") if may_revise else None,
        "question_lines": [
            (
                q,
                AnswerForm(auto_id=f"answer-{q.pk}-%s")
                if may_answer and not q.answered_at
                else None,
            )
            for q, _none in context["question_lines"]
        ],
        "may_analyse": can(user, "extension_request.analyse", ext),
    }
    return render(request, "clearance/request.html", context)


@login_required
@require_POST
@refused_as_403
def revise(request: HttpRequest, pk: int) -> HttpResponse:
    ext = selectors.get_request_for(request.user, pk)
    form = RevisionForm(request.POST)
    if not form.is_valid():
        if not can(request.user, "extension_request.draft", ext.state):
            raise PermissionDenied
        flash_errors(request, form_errors(form))
        return redirect("clearance:request", ext.pk)
    try:
        version = services.revision_open(
            actor=request.user, request=ext, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        flash_errors(request, exc.messages)
        return redirect("clearance:request", ext.pk)
    messages.success(
        request,
        _(
            "Version %(n)s is open, a copy of the latest submitted version: change it, then submit it."
        )
        % {"n": version.number},
    )
    return redirect("clearance:version", version.pk)


@login_required
@require_POST
@refused_as_403
def answer(request: HttpRequest, pk: int, question: int) -> HttpResponse:
    ext = selectors.get_request_for(request.user, pk)
    found = or_404(ext.questions.filter(pk=question).first(), "No such question")
    form = AnswerForm(request.POST)
    if not form.is_valid():
        if not can(request.user, "extension_request.answer", ext.state):
            raise PermissionDenied
        flash_errors(request, form_errors(form))
        return redirect(f"{_request_url(ext)}#question-{found.pk}")
    try:
        services.question_answer(
            actor=request.user, question=found, answer=form.cleaned_data["answer"]
        )
    except AlreadyDone as exc:
        # someone else answered first: say who, and give the writer back their text
        found.refresh_from_db()
        messages.error(
            request,
            _("%(message)s %(who)s answered it first; your answer was not sent: %(text)s")
            % {
                "message": exc.messages[0],
                "who": found.answered_by.get_username() if found.answered_by else _("Someone"),
                "text": form.cleaned_data["answer"],
            },
        )
    except ValidationError as exc:
        flash_errors(request, exc.messages)
    else:
        messages.success(request, _("The answer is sent; it is public with the question."))
    return redirect(f"{_request_url(ext)}#question-{found.pk}")


def _request_url(ext: ExtensionRequest) -> str:
    return reverse("clearance:request", args=[ext.pk])


# --- a version -----------------------------------------------------------------------------


@cached_public_page(_every_version)
@require_GET
@refused_as_403
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A version of a request: the drafting page for the state's people while it is a draft,
    its content for everyone else."""
    user = request.user
    version = selectors.get_version_for(user, pk)
    if version.is_draft and can(user, "extension_request.draft", version.request.state):
        return drafting_views.draft_page(request, version)
    full = with_rows(RequestVersion.objects.filter(pk=version.pk)).get()
    versions = selectors.versions_for(user, version.request)
    earlier = [v for v in versions if v.number < version.number]
    context = {
        "ext": version.request,
        "version": full,
        "sections": narrative_sections(full),
        "tables": table_contents(full),
        "previous": earlier[-1] if earlier else None,
        "versions": versions,
    }
    return render(request, "clearance/version.html", context)


@cached_public_page(_every_version)
@require_GET
def version_changes(request: HttpRequest, pk: int) -> HttpResponse:
    """What a version changes in the version before it that the reader may see."""
    user = request.user
    version = selectors.get_version_for(user, pk)
    earlier = [
        v for v in selectors.versions_for(user, version.request) if v.number < version.number
    ]
    if not earlier:
        raise Http404(_("This is the first version: there is nothing to compare it with."))
    pair = {
        v.pk: v
        for v in with_rows(RequestVersion.objects.filter(Q(pk=version.pk) | Q(pk=earlier[-1].pk)))
    }
    context = {
        "ext": version.request,
        "changes": diff.changes(pair[earlier[-1].pk], pair[version.pk]),
    }
    return render(request, "clearance/changes.html", context)


@require_GET
def document(request: HttpRequest, pk: int) -> FileResponse:
    """The request as the state submitted it (its PDF), where the version is visible."""
    version = selectors.get_version_for(request.user, pk)
    if not version.document:
        raise Http404(_("No document was attached to this version."))
    name = f"extension-request-{version.request.state.state_code or 'state'}-v{version.number}.pdf"
    response = FileResponse(
        version.document.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


#: the analysis document's formats: (maker, content type)
ANALYSIS_FORMATS = {
    "pdf": (documents.analysis_pdf, "application/pdf"),
    "docx": (
        documents.analysis_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}


@require_GET
def analysis_document(request: HttpRequest, pk: int, number: int, fmt: str) -> HttpResponse:
    """A version of the analysis as a document, in the page's language: a published one
    for everyone, a draft for committee members and ISU staff (``selectors.analyses_for``)."""
    if fmt not in ANALYSIS_FORMATS:
        raise Http404
    ext = selectors.get_request_for(request.user, pk)
    analysis_version = or_404(
        next((a for a in selectors.analyses_for(request.user, ext) if a.number == number), None)
    )
    make, content_type = ANALYSIS_FORMATS[fmt]
    data = make(ext, analysis_version, request.user)
    response = HttpResponse(data, content_type=content_type)
    name = f"article5-analysis-{ext.state.code}-{ext.pk}-v{number}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
