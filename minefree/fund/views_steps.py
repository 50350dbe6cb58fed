"""An application's page and the steps taken on it by ISU staff and the committee:
screening or returning it, the members' scores (a member whose state is the applicant's
or the host's sees why instead of the form), the chair's decision, the grant, its
tranches, the visit held, the closing.

Every step's form is on the application's page and posts to its own address; a refused
step shows the page again with the form as it was sent and the reason above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from minefree.core.permissions import can
from minefree.fund import selectors, services
from minefree.fund.forms import (
    CloseForm,
    DecisionForm,
    DisbursementForm,
    GrantForm,
    ReleaseForm,
    ReturnForm,
    ScoreForm,
    ScreenForm,
    VisitHeldForm,
)
from minefree.fund.models import Application, ApplicationStatus, ReportRole
from minefree.fund.seats import conflict, member_seat
from minefree.fund.views import application_or_404
from minefree.fund.web import is_manager, reads_books, refusal, refused_as_403
from minefree.knowledge.taxonomy import CATEGORIES

S = ApplicationStatus


def _grant(application: Application) -> Any:
    return getattr(application, "grant", None) if hasattr(application, "grant") else None


@dataclass(frozen=True)
class Step:
    """One step of an application taken from its page."""

    title: Any
    form: Callable[[Application, Any], forms.Form]
    run: Callable[[Any, Application, forms.Form], Any]
    done: Any
    #: whether to show the form to ``user`` now (the service decides the post)
    shown: Callable[[Any, Application], bool]


def _plain(form_class: type[forms.Form]) -> Callable[[Application, Any], forms.Form]:
    return lambda application, data: form_class(data, prefix=None)


def _score_form(application: Application, data: Any) -> forms.Form:
    return ScoreForm(data, criteria=services.criteria_of(application))


def _chairs(user: Any, application: Application) -> bool:
    return can(user, "fund_application.decide", application) or is_manager(user)


STEPS: dict[str, Step] = {
    "screen": Step(
        gettext_lazy("Screening"),
        _plain(ScreenForm),
        lambda user, a, f: services.application_screen(
            actor=user,
            application=a,
            checks=f.checks(),  # type: ignore[attr-defined]
            note=f.cleaned_data["note"],
        ),
        gettext_lazy("The application is screened: the committee reviews it now."),
        lambda user, a: is_manager(user) and a.status == S.SUBMITTED,
    ),
    "return": Step(
        gettext_lazy("Return to the applicant"),
        _plain(ReturnForm),
        lambda user, a, f: services.application_return(
            actor=user, application=a, reason=f.cleaned_data["reason"]
        ),
        gettext_lazy("The application is returned to the applicant."),
        lambda user, a: is_manager(user) and a.status == S.SUBMITTED,
    ),
    "score": Step(
        gettext_lazy("Your scores"),
        _score_form,
        lambda user, a, f: services.score_record(
            actor=user,
            application=a,
            values=f.values(),  # type: ignore[attr-defined]
            comment=f.cleaned_data["comment"],
        ),
        gettext_lazy("Your scores are recorded."),
        lambda user, a: a.status == S.IN_REVIEW and member_seat(user, a.call.year) is not None,
    ),
    "decide": Step(
        gettext_lazy("The chair's decision"),
        _plain(DecisionForm),
        lambda user, a, f: services.decision_record(
            actor=user,
            application=a,
            selected=f.cleaned_data["selected"],
            reasons=f.cleaned_data["reasons"],
            on=f.cleaned_data["on"],
        ),
        gettext_lazy("The decision is recorded."),
        lambda user, a: a.status == S.IN_REVIEW and _chairs(user, a),
    ),
    "grant": Step(
        gettext_lazy("Grant agreement"),
        _plain(GrantForm),
        lambda user, a, f: services.grant_agree(actor=user, application=a, **f.cleaned_data),
        gettext_lazy("The grant is agreed: its amount is reserved."),
        lambda user, a: is_manager(user) and a.status == S.SELECTED,
    ),
    "tranche": Step(
        gettext_lazy("Pay a tranche"),
        _plain(DisbursementForm),
        lambda user, a, f: services.disbursement_record(
            actor=user, grant=a.grant, **f.cleaned_data
        ),
        gettext_lazy("The tranche is recorded."),
        lambda user, a: is_manager(user) and a.status in services.PAYABLE,
    ),
    "held": Step(
        gettext_lazy("Record the visit held"),
        _plain(VisitHeldForm),
        lambda user, a, f: services.visit_held_record(actor=user, application=a, **f.cleaned_data),
        gettext_lazy("The visit is recorded as held."),
        lambda user, a: a.status == S.GRANTED and can(user, "fund_visit.record", a.applicant),
    ),
    "close": Step(
        gettext_lazy("Close the grant"),
        _plain(CloseForm),
        lambda user, a, f: services.application_close(
            actor=user, application=a, on=f.cleaned_data["on"]
        ),
        gettext_lazy("The grant is closed: unspent money is back in the fund."),
        lambda user, a: is_manager(user) and a.status == S.ACCOUNTED,
    ),
    "release": Step(
        gettext_lazy("Release the reservation"),
        _plain(ReleaseForm),
        lambda user, a, f: services.grant_release(
            actor=user, application=a, reason=f.cleaned_data["reason"]
        ),
        gettext_lazy("What the grant still held is available again."),
        lambda user, a: (
            is_manager(user)
            and a.status in services.PAYABLE
            and _grant(a) is not None
            and a.grant.undisbursed > 0
        ),
    ),
}


#: the steps of an application's history, as its page names them
HISTORY = {
    "fund_application.created": gettext_lazy("draft opened"),
    "fund_application.changed": gettext_lazy("draft changed"),
    "fund_application.budget_replaced": gettext_lazy("budget changed"),
    "fund_application.letter_added": gettext_lazy("letter of support attached"),
    "fund_application.submitted": gettext_lazy("submitted"),
    "fund_application.returned": gettext_lazy("returned to the applicant"),
    "fund_application.screened": gettext_lazy("screened by ISU staff"),
    "fund_application.scored": gettext_lazy("scored by a member"),
    "fund_application.decided": gettext_lazy("decision recorded"),
    "fund_application.granted": gettext_lazy("grant agreed"),
    "fund_application.visit_held": gettext_lazy("visit held"),
    "fund_application.reported": gettext_lazy("visit reported"),
    "fund_application.accounted": gettext_lazy("financial report received"),
    "fund_application.closed": gettext_lazy("closed"),
}


def _score_state(user: Any, application: Application) -> dict[str, Any]:
    """What a committee member sees of the scoring: why they may not score, or that their
    state has scored already."""
    seat = member_seat(user, application.call.year)
    if seat is None:
        return {}
    scored = next((s for s in application.scores.all() if s.member_state_id == seat.actor_id), None)
    return {"seat": seat, "conflict": conflict(seat.actor_id, application), "scored": scored}


def _page(
    request: HttpRequest, application: Application, sent: tuple[str, forms.Form] | None = None
) -> HttpResponse:
    user = request.user
    score_state = _score_state(user, application)
    steps = []
    for name, step in STEPS.items():
        if not step.shown(user, application):
            continue
        if name == "score" and (score_state.get("conflict") or score_state.get("scored")):
            continue
        form = sent[1] if sent and sent[0] == name else step.form(application, None)
        steps.append((name, step, form))
    if sent and sent[0] not in {name for name, _s, _f in steps}:
        steps.append((sent[0], STEPS[sent[0]], sent[1]))
    books = reads_books(user)
    grant = _grant(application)
    reports = {r.role: r for r in application.visit_reports.all()}
    names = {c.code: str(c.name) for c in CATEGORIES}
    context = {
        "application": application,
        "challenge_names": [names.get(code, code) for code in application.challenges],
        "steps": steps,
        "books": books,
        "score_state": score_state,
        "criteria": services.criteria_of(application),
        "scores": list(application.scores.all()) if books else [],
        "grant": grant,
        "tranches": list(grant.disbursements.all()) if grant else [],
        "reports": reports,
        "follow_ups": list(application.follow_ups.all()),
        "financial_report": getattr(application, "financial_report", None)
        if hasattr(application, "financial_report")
        else None,
        "history": [(e, HISTORY.get(e.action, e.action)) for e in selectors.history(application)],
        "total": selectors.requested_total(application),
        "may_draft": application.status == S.DRAFT
        and can(user, "fund_application.draft", application.applicant),
        "may_report_applicant": application.status == S.VISIT_HELD
        and can(user, "fund_application.draft", application.applicant),
        "may_report_host": application.host is not None
        and ReportRole.HOST not in reports
        and application.status in (S.VISIT_HELD, S.REPORTED, S.ACCOUNTED, S.CLOSED)
        and can(user, "fund_application.host_report", application.host),
        "may_account": application.status == S.REPORTED
        and can(user, "fund_application.draft", application.applicant),
        "may_follow_up": can(user, "fund_follow_up.update", application),
    }
    return render(request, "fund/application.html", context, status=200)


@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, application_or_404(request, pk))


@login_required
@require_POST
@refused_as_403
def application_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Take one step from the application's page (the service decides whether it may)."""
    chosen = STEPS.get(step)
    if chosen is None:
        raise Http404(_("No such step."))
    application = application_or_404(request, pk)
    form = chosen.form(application, request.POST)
    if form.is_valid():
        try:
            chosen.run(request.user, application, form)
        except ValidationError as exc:
            refusal(form, exc)
            application = application_or_404(request, pk)
        else:
            messages.success(request, str(chosen.done))
            return redirect("fund:application", application.pk)
    return _page(request, application, (step, form))
