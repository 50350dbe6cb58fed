"""The fund's books and reports: contributions and the ledger (ISU staff; the committee
reads them), host profiles, the committee's review list, the visit reports, the final
financial report and the follow-up actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minefree.assistance.selectors import reader
from minefree.core.permissions import can
from minefree.core.views import or_404
from minefree.fund import selectors, services
from minefree.fund.forms import (
    ContributionForm,
    FinancialReportForm,
    FollowUpFormSet,
    FollowUpStatusForm,
    HostProfileForm,
    LessonFormSet,
    ReceiveForm,
    VisitReportForm,
)
from minefree.fund.models import (
    ApplicationStatus,
    Contribution,
    FollowUpAction,
    HostProfile,
    ReportRole,
    Theme,
)
from minefree.fund.views import application_or_404
from minefree.fund.web import is_manager, reads_books, refusal, refused_as_403
from minefree.registry.models import Actor, ActorKind

# --- contributions and the ledger ------------------------------------------------------------


def _contributions_page(request: HttpRequest, form: Any, receive: Any = None) -> HttpResponse:
    context = {
        "contributions": list(selectors.contributions()),
        "form": form,
        "receive": receive,
        "manager": is_manager(request.user),
    }
    return render(request, "fund/contributions.html", context)


@login_required
@refused_as_403
def contributions(request: HttpRequest) -> HttpResponse:
    """What donors gave and pledged; ISU staff record a contribution here."""
    if not reads_books(request.user):
        raise PermissionDenied(_("The fund's books are for ISU staff and the committee."))
    form = ContributionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contribution_record(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            refusal(form, exc)
        else:
            messages.success(request, _("The contribution is recorded."))
            return redirect("fund:contributions")
    return _contributions_page(request, form if is_manager(request.user) else None)


@login_required
@require_POST
@refused_as_403
def contribution_receive(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_manager(request.user):
        raise PermissionDenied(_("Only ISU staff record the fund's contributions."))
    contribution = or_404(Contribution.objects.filter(pk=pk).first())
    form = ReceiveForm(request.POST, prefix=f"r{pk}")
    if form.is_valid():
        try:
            services.contribution_receive(
                actor=request.user, contribution=contribution, **form.cleaned_data
            )
        except ValidationError as exc:
            refusal(form, exc)
        else:
            messages.success(request, _("The contribution is recorded as received."))
            return redirect("fund:contributions")
    return _contributions_page(request, ContributionForm(), receive=(contribution.pk, form))


@login_required
@require_GET
@refused_as_403
def ledger(request: HttpRequest) -> HttpResponse:
    """Balances per currency (with USD equivalents) and every movement."""
    if not reads_books(request.user):
        raise PermissionDenied(_("The fund's books are for ISU staff and the committee."))
    year = dt.date.today().year
    context = {
        "balances": selectors.balances_with_usd(year),
        "year": year,
        "entries": list(selectors.ledger_entries()),
    }
    return render(request, "fund/ledger.html", context)


# --- host profiles -----------------------------------------------------------------------------


@require_GET
def hosts(request: HttpRequest) -> HttpResponse:
    """National bodies that described what they can show visitors."""
    profiles = HostProfile.objects.select_related("body__parent").order_by("body__name_en")
    user = request.user
    ids = reader(user).state_ids if user.is_authenticated else frozenset()
    editable = Actor.objects.filter(kind=ActorKind.NATIONAL_BODY).select_related("parent")
    if not is_manager(user):
        editable = editable.filter(parent_id__in=list(ids))
    context = {
        "profiles": profiles,
        "themes": dict(Theme.choices),
        "editable": list(editable.order_by("name_en")) if user.is_authenticated else [],
    }
    return render(request, "fund/hosts.html", context)


@login_required
@refused_as_403
def host_profile_edit(request: HttpRequest, slug: str) -> HttpResponse:
    body = or_404(Actor.objects.filter(slug=slug, kind=ActorKind.NATIONAL_BODY).first())
    if not can(request.user, "fund_host_profile.edit", body):
        raise PermissionDenied(_("Only the body's state or ISU staff describe it."))
    profile = HostProfile.objects.filter(body=body).first()
    initial = (
        {
            "capabilities": profile.capabilities,
            "languages": ", ".join(profile.languages),
            "notes": profile.notes,
        }
        if profile
        else {}
    )
    form = HostProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.host_profile_set(actor=request.user, body=body, **form.cleaned_data)
        except ValidationError as exc:
            refusal(form, exc)
        else:
            messages.success(request, _("The host profile is saved."))
            return redirect("fund:hosts")
    return render(request, "fund/host_form.html", {"form": form, "body": body})


# --- the committee's review ------------------------------------------------------------------


@login_required
@require_GET
@refused_as_403
def review(request: HttpRequest) -> HttpResponse:
    """Applications in review by the committee, with the scores so far."""
    if not reads_books(request.user):
        raise PermissionDenied(_("The review is for committee members and ISU staff."))
    return render(request, "fund/review.html", {"applications": list(selectors.in_review())})


# --- reports -----------------------------------------------------------------------------------


@login_required
@refused_as_403
def visit_report(request: HttpRequest, pk: int, role: str) -> HttpResponse:
    """The visiting body's (or the host's) report: programme, outputs, lessons and the
    follow-up actions it commits to."""
    if role not in ReportRole.values:
        raise Http404(_("A visit report is by the visiting body or by the host."))
    application = application_or_404(request, pk)
    target = application.applicant if role == ReportRole.APPLICANT else application.host
    rule = (
        "fund_application.draft" if role == ReportRole.APPLICANT else "fund_application.host_report"
    )
    if not can(request.user, rule, target):
        raise PermissionDenied(_("Only the state's focal point and delegates report on its side."))
    form = VisitReportForm(request.POST or None)
    lessons = LessonFormSet(request.POST or None, prefix="lessons")
    follow_ups = FollowUpFormSet(request.POST or None, prefix="follow_ups")
    if (
        request.method == "POST"
        and form.is_valid()
        and lessons.is_valid()
        and follow_ups.is_valid()
    ):
        try:
            services.visit_report_submit(
                actor=request.user,
                application=application,
                role=role,
                lessons=[row for row in lessons.cleaned_data if row.get("title")],
                follow_ups=[row for row in follow_ups.cleaned_data if row.get("action")],
                **form.cleaned_data,
            )
        except ValidationError as exc:
            refusal(form, exc)
        else:
            messages.success(
                request,
                _("The report is submitted; its lessons join the knowledge base."),
            )
            return redirect("fund:application", application.pk)
    context = {
        "application": application,
        "role": ReportRole(role),
        "form": form,
        "lessons": lessons,
        "follow_ups": follow_ups,
    }
    return render(request, "fund/visit_report_form.html", context)


@login_required
@refused_as_403
def financial_report(request: HttpRequest, pk: int) -> HttpResponse:
    """What each budget line actually cost; unspent money is refunded at the closing."""
    application = application_or_404(request, pk)
    if not can(request.user, "fund_application.draft", application.applicant):
        raise PermissionDenied(_("Only the applicant state's focal point and delegates report."))
    lines = list(application.budget_lines.all())
    form = FinancialReportForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        try:
            services.financial_report_submit(
                actor=request.user,
                application=application,
                actuals=form.actuals(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            refusal(form, exc)
        else:
            messages.success(request, _("The financial report is submitted."))
            return redirect("fund:application", application.pk)
    context = {
        "application": application,
        "form": form,
        "grant": getattr(application, "grant", None),
        "reported": application.status == ApplicationStatus.REPORTED,
    }
    return render(request, "fund/financial_report_form.html", context)


@login_required
@require_POST
@refused_as_403
def follow_up_update(request: HttpRequest, pk: int) -> HttpResponse:
    """A follow-up action marked done, or open again (back to where it was marked)."""
    follow_up = or_404(FollowUpAction.objects.filter(pk=pk).select_related("application").first())
    if selectors.application_for(request.user, follow_up.application_id) is None:
        raise Http404
    form = FollowUpStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A follow-up action is open or done."))
    else:
        try:
            services.follow_up_update(
                actor=request.user, follow_up=follow_up, status=form.cleaned_data["status"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The follow-up action is updated."))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("fund:application", follow_up.application_id)
