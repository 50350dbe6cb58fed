"""The fund's public summary, its calls and the applicant's pages (create, edit the
draft, letters, submit). The ISU and committee steps on an application are in
``views_steps``; contributions, the ledger, host profiles and reports in ``views_books``.

Thin: read through ``selectors`` (which decide who sees what: an application the reader
may not see is a 404), write through one service, show a refusal beside the form sent
with what was typed kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minefree.assistance.selectors import reader
from minefree.core.permissions import can
from minefree.core.upload_limits import upload_limit
from minefree.core.views import or_404
from minefree.fund import selectors, services
from minefree.fund.forms import (
    ApplicationCreateForm,
    ApplicationForm,
    BudgetFormSet,
    CallForm,
    LetterForm,
    PersonFormSet,
)
from minefree.fund.models import (
    DEFAULT_CRITERIA,
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    Theme,
)
from minefree.fund.web import is_committee, is_manager, reads_books, refusal, refused_as_403
from minefree.registry.models import Actor, ActorKind

STATEMENT = (
    "Statement of the Committee on the Enhancement of Cooperation and Assistance to the "
    "Fifth Review Conference, Siem Reap, November 2024"
)


# --- the public summary ----------------------------------------------------------------------

REPORT_URL = "/fund/report/"


def report_url() -> str:
    """The yearly report's address, once its page exists (``report_urls``), else ""."""
    try:
        resolve(REPORT_URL)
    except Resolver404:
        return ""
    return REPORT_URL


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What the fund is, its calls, its money per currency and the visits it paid for."""
    calls = list(selectors.calls_for(request.user))
    user = request.user
    today = dt.date.today()
    context = {
        "statement": STATEMENT,
        "open_calls": [c for c in calls if c.accepting(today)],
        "upcoming_calls": [
            c for c in calls if c.status == CallStatus.PUBLISHED and today < c.opens_on
        ],
        "closed_calls": [
            c
            for c in calls
            if c.status == CallStatus.CLOSED
            or (c.status == CallStatus.PUBLISHED and c.closes_on < today)
        ],
        "draft_calls": [c for c in calls if c.status == CallStatus.DRAFT],
        "totals": selectors.totals(),
        "synthetic_currencies": selectors.synthetic_currencies(),
        "visits": selectors.visits_held(),
        "report_url": report_url(),
        "manager": is_manager(user),
        "books": reads_books(user),
        "committee": is_committee(user),
        "applicant": bool(getattr(user, "is_authenticated", False) and reader(user).state_ids),
    }
    return render(request, "fund/home.html", context)


# --- calls -------------------------------------------------------------------------------------


def _bodies_of(user: Any) -> Any:
    """The national bodies ``user`` applies for (their states' bodies)."""
    ids = reader(user).state_ids if getattr(user, "is_authenticated", False) else frozenset()
    return Actor.objects.filter(kind=ActorKind.NATIONAL_BODY, parent_id__in=list(ids)).order_by(
        "name_en"
    )


@require_GET
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = or_404(selectors.calls_for(request.user).filter(pk=pk).first())
    today = dt.date.today()
    bodies = list(_bodies_of(request.user)) if call.status == CallStatus.PUBLISHED else []
    context = {
        "call": call,
        "criteria": call.criteria or DEFAULT_CRITERIA,
        "themes": [Theme(t).label for t in call.themes if t in Theme.values],
        "open_now": call.status == CallStatus.PUBLISHED
        and call.opens_on <= today <= call.closes_on,
        "bodies": bodies,
        "manager": is_manager(request.user),
        "applications": (
            list(selectors.applications_for(request.user).filter(call=call))
            if reads_books(request.user)
            else []
        ),
    }
    return render(request, "fund/call.html", context)


@login_required
@refused_as_403
def call_create(request: HttpRequest) -> HttpResponse:
    if not is_manager(request.user):
        raise PermissionDenied(_("Only ISU staff open calls for applications."))
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            refusal(form, exc)
        else:
            messages.success(request, _("The call is saved as a draft: publish it when ready."))
            return redirect("fund:call", call.pk)
    return render(request, "fund/call_form.html", {"form": form})


def _call_step(request: HttpRequest, pk: int, step: Any, done: str) -> HttpResponse:
    call = or_404(Call.objects.filter(pk=pk).first())
    try:
        step(actor=request.user, call=call)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("fund:call", call.pk)


@login_required
@require_POST
@refused_as_403
def call_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _call_step(request, pk, services.call_publish, _("The call is published."))


@login_required
@require_POST
@refused_as_403
def call_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _call_step(request, pk, services.call_close, _("The call is closed."))


# --- applications ----------------------------------------------------------------------------


def application_or_404(request: HttpRequest, pk: int) -> Application:
    """The application with all its parts, if the reader may see it."""
    return or_404(selectors.application_for(request.user, pk))


@login_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    applications = selectors.applications_for(request.user).order_by("-created_at", "-id")
    context = {"applications": applications, "may_apply": _bodies_of(request.user).exists()}
    return render(request, "fund/applications.html", context)


@login_required
@refused_as_403
def application_create(request: HttpRequest) -> HttpResponse:
    """A state's focal point or delegate starts a draft for one of its national bodies."""
    bodies = _bodies_of(request.user)
    calls = Call.objects.filter(status=CallStatus.PUBLISHED)
    if not bodies.exists():
        raise PermissionDenied(
            _("Only the focal point or a delegate of a state with a national body applies.")
        )
    initial = {"call": request.GET.get("call"), "applicant": request.GET.get("applicant")}
    form = ApplicationCreateForm(request.POST or None, initial=initial, calls=calls, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.application_create(
                actor=request.user,
                call=data["call"],
                applicant=data["applicant"],
                theme=data["theme"],
                request_key=data["request_key"],
            )
        except ValidationError as exc:
            refusal(form, exc)
        else:
            messages.success(request, _("The draft is open: complete it, then submit it."))
            return redirect("fund:edit", application.pk)
    return render(request, "fund/application_create.html", {"form": form})


def _host_choices(application: Application) -> tuple[list[Any], list[Any]]:
    """The host chooser's options (suggested hosts first, then the other bodies) and the
    suggestions with their reasons."""
    suggestions = selectors.host_suggestions(application)
    suggested = [
        (str(s.body.pk), _("%(body)s (score %(score)s)") % {"body": s.body.name, "score": s.score})
        for s in suggestions
    ]
    ids = {s.body.pk for s in suggestions}
    others = [
        (str(b.pk), f"{b.name} ({b.parent.name if b.parent else ''})")
        for b in Actor.objects.filter(kind=ActorKind.NATIONAL_BODY)
        .exclude(parent_id=application.applicant.parent_id)
        .exclude(parent__isnull=True)
        .select_related("parent")
        .order_by("name_en")
        if b.pk not in ids
    ]
    choices: list[Any] = []
    if suggested:
        choices.append((_("Suggested hosts"), suggested))
    if others:
        choices.append((_("Other national bodies"), others))
    return choices, suggestions


def _draft_initial(application: Application) -> dict[str, Any]:
    return {
        "host": str(application.host_id or ""),
        "theme": application.theme,
        "objectives": application.objectives,
        "articles": [str(a) for a in application.articles],
        "actions": ", ".join(application.actions),
        "challenges": application.challenges,
        "starts_on": application.starts_on,
        "ends_on": application.ends_on,
        "agenda": application.agenda,
        "co_funding": application.co_funding,
        "co_funding_note": application.co_funding_note,
    }


def _edit_page(
    request: HttpRequest,
    application: Application,
    *,
    form: Any = None,
    people: Any = None,
    budget: Any = None,
    letter: Any = None,
    status: int = 200,
) -> HttpResponse:
    hosts, suggestions = _host_choices(application)
    if form is None:
        form = ApplicationForm(initial=_draft_initial(application), hosts=hosts)
    if people is None:
        people = PersonFormSet(prefix="people", initial=application.delegation)
    if budget is None:
        budget = BudgetFormSet(
            prefix="budget",
            initial=[
                {"category": b.category, "description": b.description, "amount": b.amount}
                for b in application.budget_lines.all()
            ],
        )
    problems: dict[str, list[str]] = {}
    for name, message in services.submission_problems(application):
        problems.setdefault(name, []).append(message)
    context = {
        "application": application,
        "form": form,
        "fields": [(f, problems.get(f.name, [])) for f in form.visible_fields()],
        "people": people,
        "budget": budget,
        "letter": letter or LetterForm(),
        "suggestions": suggestions,
        "problems": [m for _name, m in services.submission_problems(application)],
        "other_problems": {
            k: v for k, v in problems.items() if k not in form.fields or k == "call"
        },
        "total": selectors.requested_total(application),
    }
    return render(request, "fund/application_edit.html", context, status=status)


def _draft_of(request: HttpRequest, pk: int) -> Application:
    application = application_or_404(request, pk)
    if not can(request.user, "fund_application.draft", application.applicant):
        raise PermissionDenied(
            _("Only the applicant state's focal point and delegates change its application.")
        )
    if application.status != ApplicationStatus.DRAFT:
        raise PermissionDenied(_("A submitted application cannot be changed."))
    return application


@login_required
@refused_as_403
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft: host (from the suggestions), objectives, delegation, dates, agenda,
    budget; what still keeps it from being submitted is listed beside each field."""
    application = _draft_of(request, pk)
    if request.method != "POST":
        return _edit_page(request, application)
    hosts, _suggestions = _host_choices(application)
    form = ApplicationForm(request.POST, hosts=hosts)
    people = PersonFormSet(request.POST, prefix="people")
    budget = BudgetFormSet(request.POST, prefix="budget")
    if form.is_valid() and people.is_valid() and budget.is_valid():
        data = dict(form.cleaned_data)
        host_id = data.pop("host")
        data["host"] = Actor.objects.filter(pk=host_id).first() if host_id else None
        data["co_funding"] = data["co_funding"] or 0
        data["delegation"] = [p for p in people.cleaned_data if p.get("function")]
        lines = [b for b in budget.cleaned_data if b.get("category")]
        try:
            with transaction.atomic():
                services.application_update(actor=request.user, application=application, **data)
                services.budget_lines_replace(
                    actor=request.user, application=application, lines=lines
                )
        except ValidationError as exc:
            refusal(form, exc)
            application.refresh_from_db()
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("fund:edit", application.pk)
    return _edit_page(request, application, form=form, people=people, budget=budget)


@login_required
@require_POST
@upload_limit(services.LETTER_MAX_BYTES)
@refused_as_403
def letter_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = _draft_of(request, pk)
    letter = LetterForm(request.POST, request.FILES)
    if letter.is_valid():
        upload = letter.cleaned_data["file"]
        try:
            services.support_letter_add(
                actor=request.user,
                application=application,
                title=letter.cleaned_data["title"],
                file=upload,
                name=upload.name,
            )
        except ValidationError as exc:
            for message in exc.messages:
                letter.add_error("file", message)
        else:
            messages.success(request, _("The letter of support is attached."))
            return redirect("fund:edit", application.pk)
    return _edit_page(request, application, letter=letter)


@login_required
@require_POST
@refused_as_403
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_or_404(request, pk)
    try:
        services.application_submit(actor=request.user, application=application)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        if application.status == ApplicationStatus.DRAFT:
            return redirect("fund:edit", application.pk)
    else:
        messages.success(request, _("The application is submitted: ISU staff screen it next."))
    return redirect("fund:application", application.pk)
