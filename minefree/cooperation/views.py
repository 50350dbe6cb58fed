"""Cooperation pages. Thin: parse input, check who reads, call selectors and services, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from minefree.assistance import matching, services
from minefree.assistance.models import Need, Offer, Partnership
from minefree.assistance.rules import may_edit_need, may_edit_offer, may_run_committee_work
from minefree.assistance.selectors import (
    NeedFilters,
    OfferFilters,
    Reader,
    cooperation_committee,
    needs_list,
    offers_list,
    reader,
    represented_donors,
    represented_states,
    visible,
)
from minefree.casework import cases, platforms
from minefree.casework import selectors as casework
from minefree.casework.models import IndividualisedApproachCase
from minefree.casework.rules import may_edit_platform, may_request_case
from minefree.casework.selectors import action_for, cases_list
from minefree.cooperation import selectors
from minefree.cooperation.forms import (
    ActionForm,
    AdvanceForm,
    BilateralMeetingForm,
    CaseCloseForm,
    CaseMeetingForm,
    CasePledgeForm,
    CaseRequestForm,
    CaseScheduleForm,
    FlowFilterForm,
    NeedFilterForm,
    NeedForm,
    NoInputForm,
    OfferFilterForm,
    OfferForm,
    PlatformForm,
    PlatformMeetingForm,
    PledgeForm,
    need_initial,
    offer_initial,
)
from minefree.cooperation.workspace import open_needs_without_partnership, overview
from minefree.core.audit import ALL_VERSION_KEY
from minefree.core.models import Origin
from minefree.core.pagecache import cached_public_page
from minefree.core.views import (
    denied_as_403,
    flash_errors,
    form_errors,
    form_submitted,
    int_param,
    paginate,
)
from minefree.funding import flows, iati, pledges
from minefree.funding import totals as funding
from minefree.funding.models import Flow, FlowStatus, ReportedBy
from minefree.funding.rules import may_record_flow
from minefree.funding.selectors import FlowFilters, flows_list, published_total_years
from minefree.registry.models import Actor
from minefree.registry.selectors import get_actor

PAGE_SIZE = 50


_denied_as_403 = denied_as_403("cooperation/denied.html")
_errors_of = form_errors


def _page(request: HttpRequest, items: Any) -> tuple[Any, str]:
    return paginate(request, items, PAGE_SIZE)


def _visible_or_404(qs: QuerySet[Any], who: Reader, pk: int, *owners: str) -> Any:
    record = visible(qs, who, *owners).filter(pk=pk).first()
    if record is None:
        raise Http404(_("No such record, or it is not shared with you."))
    return record


def _state(code: str) -> Actor:
    actor = get_actor(code)
    if actor is None:
        raise Http404(_("No state or area with this code."))
    return actor


# --- needs ---------------------------------------------------------------------------------


@cached_public_page(
    lambda *_a, **_k: [ALL_VERSION_KEY], params=[*NeedFilterForm.base_fields, "page"]
)
@require_GET
def need_list(request: HttpRequest) -> HttpResponse:
    who = reader(request.user)
    form = NeedFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    needs = list(
        needs_list(
            who,
            NeedFilters(
                state=data.get("state", ""),
                pillar=data.get("pillar", ""),
                assistance_type=data.get("assistance_type", ""),
                q=data.get("q", ""),
            ),
        )
    )
    progress = funding.need_progress(needs, who)
    if data.get("status"):
        needs = [n for n in needs if progress[n.pk].status == data["status"]]
    page, query = _page(request, [selectors.NeedLine(n, progress[n.pk]) for n in needs])
    context = {
        "form": form,
        "page": page,
        "query": query,
        "states_to_edit": _editable_states(who),
    }
    return render(request, "cooperation/needs.html", context)


def _editable_states(who: Reader) -> list[Actor]:
    if who.staff:
        return []
    return represented_states(who)


@cached_public_page(lambda *_a, **_k: [ALL_VERSION_KEY])
@require_GET
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    who = reader(request.user)
    need: Need = _visible_or_404(Need.objects.select_related("state"), who, pk, "state")
    progress = funding.need_progress([need], who)[need.pk]
    matches = matching.offers_for_need(need, who)
    offers = {
        o.pk: o
        for o in Offer.objects.select_related("provider").filter(
            pk__in=[m.offer_id for m in matches]
        )
    }
    partnerships = visible(
        need.partnerships.select_related("offer__provider"), who, "offer__provider", "need__state"
    )
    need_flows = visible(
        need.flows.select_related("donor", "recipient"), who, "donor", "recipient"
    ).order_by("year", "pk")
    context = {
        "need": need,
        "progress": progress,
        "matches": [(m, offers[m.offer_id]) for m in matches if m.offer_id in offers],
        "partnerships": partnerships,
        "flows": need_flows,
        "may_confirm": may_run_committee_work(who),
        "may_edit": may_edit_need(who, need.state),
    }
    return render(request, "cooperation/need.html", context)


@login_required
@_denied_as_403
def need_edit(request: HttpRequest, pk: int | None = None, iso3: str = "") -> HttpResponse:
    who = reader(request.user)
    need: Need | None = None
    if pk is not None:
        need = _visible_or_404(Need.objects.select_related("state"), who, pk, "state")
        state = need.state
    else:
        state = _state(iso3 or request.GET.get("state", ""))
    if not may_edit_need(who, state):
        raise PermissionDenied

    def save(data: dict[str, Any]) -> Need:
        key = data.pop("request_key")
        return services.need_save(
            actor=request.user,
            state=state,
            data=services.NeedInput(**data),
            need=need,
            request_key=key,
        )

    form, saved = form_submitted(
        request,
        NeedForm,
        save,
        success=_("The need is saved."),
        initial=need_initial(need) if need else {},
    )
    if saved is not None:
        return redirect("cooperation:need", saved.pk)
    return render(
        request, "cooperation/need_form.html", {"form": form, "need": need, "state": state}
    )


@login_required
@require_POST
@_denied_as_403
def partnership_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    who = reader(request.user)
    need: Need = _visible_or_404(Need.objects.select_related("state"), who, pk, "state")
    offer: Offer = _visible_or_404(
        Offer.objects.select_related("provider"),
        who,
        int_param(request.POST, "offer") or 0,
        "provider",
    )
    try:
        partnership = services.partnership_confirm(actor=request.user, need=need, offer=offer)
    except ValidationError as exc:
        flash_errors(request, exc.messages)
        return redirect("cooperation:need", need.pk)
    messages.success(request, _("The partnership is confirmed."))
    return redirect("cooperation:partnership", partnership.pk)


# --- offers --------------------------------------------------------------------------------


@cached_public_page(
    lambda *_a, **_k: [ALL_VERSION_KEY], params=[*OfferFilterForm.base_fields, "page"]
)
@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    who = reader(request.user)
    form = OfferFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    offers = offers_list(
        who,
        OfferFilters(
            provider=data.get("provider", ""),
            pillar=data.get("pillar", ""),
            assistance_type=data.get("assistance_type", ""),
        ),
    )
    page, query = _page(request, offers)
    providers = [] if who.staff else represented_donors(who)
    context = {"form": form, "page": page, "query": query, "providers_to_edit": providers}
    return render(request, "cooperation/offers.html", context)


@cached_public_page(lambda *_a, **_k: [ALL_VERSION_KEY])
@require_GET
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    who = reader(request.user)
    offer: Offer = _visible_or_404(
        Offer.objects.select_related("provider").prefetch_related("priority_states"),
        who,
        pk,
        "provider",
    )
    matches = matching.needs_for_offer(offer, who)
    needs = {
        n.pk: n
        for n in Need.objects.select_related("state").filter(pk__in=[m.need_id for m in matches])
    }
    partnerships = visible(
        offer.partnerships.select_related("need__state"), who, "offer__provider", "need__state"
    )
    context = {
        "offer": offer,
        "matches": [(m, needs[m.need_id]) for m in matches if m.need_id in needs],
        "partnerships": partnerships,
        "may_confirm": may_run_committee_work(who),
        "may_edit": may_edit_offer(who, offer.provider),
    }
    return render(request, "cooperation/offer.html", context)


@login_required
@_denied_as_403
def offer_edit(request: HttpRequest, pk: int | None = None, iso3: str = "") -> HttpResponse:
    who = reader(request.user)
    offer: Offer | None = None
    if pk is not None:
        offer = _visible_or_404(Offer.objects.select_related("provider"), who, pk, "provider")
        provider = offer.provider
    else:
        provider = _state(iso3 or request.GET.get("provider", ""))
    if not may_edit_offer(who, provider):
        raise PermissionDenied

    def save(data: dict[str, Any]) -> Offer:
        key = data.pop("request_key")
        return services.offer_save(
            actor=request.user,
            provider=provider,
            data=services.OfferInput(**data),
            request_key=key,
            offer=offer,
        )

    form, saved = form_submitted(
        request,
        OfferForm,
        save,
        success=_("The offer is saved."),
        initial=offer_initial(offer) if offer else {},
    )
    if saved is not None:
        return redirect("cooperation:offer", saved.pk)
    return render(
        request, "cooperation/offer_form.html", {"form": form, "offer": offer, "provider": provider}
    )


# --- partnerships and the money that follows -----------------------------------------------


@cached_public_page(lambda *_a, **_k: [ALL_VERSION_KEY])
@require_GET
def partnership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    who = reader(request.user)
    partnership: Partnership = _visible_or_404(
        Partnership.objects.select_related("need__state", "offer__provider"),
        who,
        pk,
        "need__state",
        "offer__provider",
    )
    need, offer = partnership.need, partnership.offer
    linked = list(
        visible(
            Flow.objects.filter(partnership=partnership).select_related("donor", "recipient"),
            who,
            "donor",
            "recipient",
        ).order_by("year", "pk")
    )
    left = funding.left_to_carry([f for f in linked if f.status != FlowStatus.PAID])
    may_pledge = may_record_flow(who, offer.provider, need.state, ReportedBy.DONOR)
    context = {
        "partnership": partnership,
        "need": need,
        "offer": offer,
        "flows": linked,
        "advances": [(f, left.get(f.pk)) for f in linked],
        "carried": {f.follows_id for f in linked if f.follows_id},
        "progress": funding.need_progress([need], who)[need.pk],
        "may_pledge": may_pledge,
        "pledge_form": PledgeForm(initial={"year": need.year_from}) if may_pledge else None,
        "advance_form": AdvanceForm() if may_pledge else None,
    }
    return render(request, "cooperation/partnership.html", context)


@login_required
@require_POST
@_denied_as_403
def partnership_pledge(request: HttpRequest, pk: int) -> HttpResponse:
    who = reader(request.user)
    partnership: Partnership = _visible_or_404(
        Partnership.objects.select_related("need__state", "offer__provider"),
        who,
        pk,
        "need__state",
        "offer__provider",
    )
    need, offer = partnership.need, partnership.offer
    if not may_record_flow(who, offer.provider, need.state, ReportedBy.DONOR):
        raise PermissionDenied
    form = PledgeForm(request.POST)
    if not form.is_valid():
        flash_errors(request, _errors_of(form))
        return redirect("cooperation:partnership", partnership.pk)
    data = form.cleaned_data
    try:
        flow = flows.flow_record(
            actor=request.user,
            donor=offer.provider,
            recipient=need.state,
            status=data["status"],
            year=data["year"],
            amount=data["amount"],
            currency=data["currency"],
            reported_by=ReportedBy.DONOR,
            pillar=need.pillar,
            channel=data["channel"],
            assistance_type=need.assistance_type,
            need=need,
            partnership=partnership,
            description=data["description"],
            visibility=data["visibility"],
            request_key=data["request_key"],
        )
        if data.get("years_to"):
            flows.pledge_split(
                actor=request.user, flow=flow, years=list(range(data["year"], data["years_to"] + 1))
            )
    except ValidationError as exc:
        flash_errors(request, exc.messages)
        return redirect("cooperation:partnership", partnership.pk)
    messages.success(
        request,
        _("Recorded: %(status)s of %(amount)s %(currency)s.")
        % {"status": flow.get_status_display(), "amount": flow.amount, "currency": flow.currency},
    )
    return redirect("cooperation:partnership", partnership.pk)


@login_required
@require_POST
@_denied_as_403
def flow_advance(request: HttpRequest, pk: int) -> HttpResponse:
    who = reader(request.user)
    flow: Flow = _visible_or_404(
        Flow.objects.select_related("donor", "recipient"), who, pk, "donor", "recipient"
    )
    if not may_record_flow(who, flow.donor, flow.recipient, flow.reported_by):
        raise PermissionDenied
    form = AdvanceForm(request.POST)
    back = request.POST.get("next") or ""
    if form.is_valid():
        try:
            flows.flow_advance(
                actor=request.user,
                flow=flow,
                status=form.cleaned_data["status"],
                amount=form.cleaned_data["amount"],
                increase=form.cleaned_data["increase"],
            )
        except ValidationError as exc:
            flash_errors(request, exc.messages)
        else:
            messages.success(request, _("Recorded."))
    else:
        flash_errors(request, _errors_of(form))
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    if flow.partnership_id:
        return redirect("cooperation:partnership", flow.partnership_id)
    return redirect("cooperation:flows")


# --- flows ---------------------------------------------------------------------------------


def _flow_filters(request: HttpRequest) -> tuple[FlowFilterForm, FlowFilters]:
    form = FlowFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = FlowFilters(
        donor=data.get("donor", ""),
        recipient=data.get("recipient", ""),
        year=data.get("year"),
        status=data.get("status", ""),
        pillar=data.get("pillar", ""),
    )
    return form, filters


@cached_public_page(
    lambda *_a, **_k: [ALL_VERSION_KEY], params=[*FlowFilterForm.base_fields, "page"]
)
@require_GET
def flow_list(request: HttpRequest) -> HttpResponse:
    who = reader(request.user)
    form, filters = _flow_filters(request)
    page, query = _page(request, flows_list(who, filters))
    context = {
        "form": form,
        "page": page,
        "query": query,
        "has_synthetic": flows_list(who).filter(origin=Origin.SYNTHETIC).exists(),
    }
    return render(request, "cooperation/flows.html", context)


@cached_public_page(
    lambda *_a, **_k: [ALL_VERSION_KEY], params=[*FlowFilterForm.base_fields, "synthetic"]
)
@require_GET
def flow_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """CSV (with an origin column) or IATI XML; the XML leaves synthetic demo flows out
    unless ``?synthetic=include``, and then marks each of them."""
    if fmt not in ("csv", "xml"):
        raise Http404(_("Flows are exported as .csv or .xml (IATI)."))
    who = reader(request.user)
    _form, filters = _flow_filters(request)
    chosen = flows_list(who, filters)
    if fmt == "xml" and request.GET.get("synthetic") != "include":
        chosen = chosen.exclude(origin=Origin.SYNTHETIC)
    selected = list(chosen)
    if fmt == "csv":
        response = HttpResponse(iati.flows_csv(selected), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="minefree-flows.csv"'
        return response
    response = HttpResponse(iati.flows_iati_xml(selected), content_type="application/xml")
    response["Content-Disposition"] = 'attachment; filename="minefree-flows-iati.xml"'
    return response


# --- individualised approach ---------------------------------------------------------------


@cached_public_page(lambda *_a, **_k: [ALL_VERSION_KEY], params=["state", "page"])
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    who = reader(request.user)
    page, query = _page(request, cases_list(who, request.GET.get("state", "")))
    context = {"page": page, "query": query, "may_request": may_request_case(who)}
    return render(request, "cooperation/cases.html", context)


@cached_public_page(lambda *_a, **_k: [ALL_VERSION_KEY])
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    who = reader(request.user)
    case: IndividualisedApproachCase = _visible_or_404(
        IndividualisedApproachCase.objects.select_related("state", "committee"), who, pk, "state"
    )
    context = {
        "case": case,
        "detail": selectors.case_detail(case, who),
        "profile": selectors.needs_profile(case.state, who),
        "step_forms": _case_forms(case) if may_run_committee_work(who) else {},
        "may_run": may_run_committee_work(who),
    }
    return render(request, "cooperation/case.html", context)


# --- the cooperation home and the committee's workspace ----------------------------------


@cached_public_page(lambda *_a, **_k: [ALL_VERSION_KEY])
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Every reader's way in: what is public, then their own needs, offers or workspace."""
    who = reader(request.user)
    context = {
        "overview": overview(who),
        "who": who,
        "states_to_edit": _editable_states(who),
        "donors_to_edit": represented_donors(who) if not who.staff else [],
    }
    return render(request, "cooperation/home.html", context)


@login_required
@require_GET
@_denied_as_403
def workspace(request: HttpRequest) -> HttpResponse:
    who = reader(request.user)
    if not may_run_committee_work(who):
        raise PermissionDenied
    suggestions = matching.suggestions(who)
    ids_needs = {m.need_id for m in suggestions}
    ids_offers = {m.offer_id for m in suggestions}
    needs = {n.pk: n for n in Need.objects.select_related("state").filter(pk__in=ids_needs)}
    offers = {o.pk: o for o in Offer.objects.select_related("provider").filter(pk__in=ids_offers)}
    open_needs = open_needs_without_partnership(who)
    unmatched = [n for n in open_needs if n.pk not in ids_needs]
    context = {
        "unmatched": unmatched[:PAGE_SIZE],
        "unmatched_count": len(unmatched),
        "open_count": len(open_needs),
        "suggestions": [
            (m, needs[m.need_id], offers[m.offer_id])
            for m in suggestions
            if m.need_id in needs and m.offer_id in offers
        ][:PAGE_SIZE],
        "awaiting": funding.pledges_awaiting_follow_up(who)[:PAGE_SIZE],
        "mismatches": funding.triangulation_mismatches(who)[:PAGE_SIZE],
        "upcoming": casework.upcoming_actions(who),
        "overdue": casework.overdue_actions(who),
        "cases": cases_list(who).exclude(status="closed")[:PAGE_SIZE],
        "flow_statuses": FlowStatus,
        "zero": Decimal(0),
    }
    return render(request, "cooperation/workspace.html", context)


# --- running a case ------------------------------------------------------------------------

CaseStep = Callable[[Any, IndividualisedApproachCase, dict[str, Any]], object]

CASE_STEPS: dict[str, tuple[type[Form], CaseStep, Any]] = {
    "schedule": (
        CaseScheduleForm,
        lambda user, case, d: cases.case_schedule(
            actor=user,
            case=case,
            on=d["on"],
            setting=d["setting"],
            in_margins_of=d["in_margins_of"],
        ),
        gettext_lazy("The meeting is scheduled."),
    ),
    "meeting": (
        CaseMeetingForm,
        lambda user, case, d: cases.case_meeting_record(
            actor=user,
            case=case,
            held_on=d["on"],
            setting=d["setting"],
            in_margins_of=d["in_margins_of"],
            participants=d["participants"],
            notes=d["notes"],
            visibility=d["visibility"],
        ),
        gettext_lazy("The meeting is recorded."),
    ),
    "pledge": (
        CasePledgeForm,
        lambda user, case, d: pledges.case_pledge(
            actor=user,
            case=case,
            donor=d["donor"],
            amount=d["amount"],
            currency=d["currency"] or "USD",
            year=d["year"],
            pillar=d["pillar"],
            assistance_type=d["assistance_type"],
            description=d["description"],
            request_key=d["request_key"],
        ),
        gettext_lazy("The pledge is recorded."),
    ),
    "action": (
        ActionForm,
        lambda user, case, d: cases.action_add(
            actor=user,
            case=case,
            description=d["description"],
            owner=d["owner"],
            due_on=d["due_on"],
            request_key=d["request_key"],
        ),
        gettext_lazy("The follow-up action is recorded."),
    ),
    "follow_up": (
        NoInputForm,
        lambda user, case, d: cases.case_follow_up(actor=user, case=case),
        gettext_lazy("The case is in follow-up."),
    ),
    "close": (
        CaseCloseForm,
        lambda user, case, d: cases.case_close(
            actor=user, case=case, outcome=d["outcome"], closed_on=d["closed_on"]
        ),
        gettext_lazy("The case is closed."),
    ),
}


def _case_forms(case: IndividualisedApproachCase) -> dict[str, Form]:
    """The steps the case's status allows next, as empty forms."""
    allowed = {
        "requested": ["schedule"],
        "scheduled": ["meeting", "schedule"],
        "held": ["pledge", "action", "follow_up"],
        "follow_up": ["pledge", "action", "schedule", "close"],
    }.get(case.status, [])
    return {step: CASE_STEPS[step][0](prefix=step) for step in allowed}


@login_required
@_denied_as_403
def case_new(request: HttpRequest) -> HttpResponse:
    who = reader(request.user)
    if not may_request_case(who):
        raise PermissionDenied
    if request.method == "POST":
        form = CaseRequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = cases.case_request(
                    actor=request.user,
                    state=data["state"],
                    requested_on=data["requested_on"],
                    summary=data["summary"],
                    pillars=data["pillars"],
                    visibility=data["visibility"],
                    request_key=data["request_key"],
                )
            except ValidationError as exc:
                flash_errors(request, exc.messages)
            else:
                messages.success(request, _("The request is recorded."))
                return redirect("cooperation:case", case.pk)
    else:
        mine = represented_states(who)
        form = CaseRequestForm(initial={"state": mine[0].iso3 if mine else ""})
    return render(request, "cooperation/case_form.html", {"form": form})


@login_required
@require_POST
@_denied_as_403
def case_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    who = reader(request.user)
    case: IndividualisedApproachCase = _visible_or_404(
        IndividualisedApproachCase.objects.select_related("state"), who, pk, "state"
    )
    if step not in CASE_STEPS:
        raise Http404(_("No such step."))
    if not may_run_committee_work(who):
        raise PermissionDenied
    form_class, run, done = CASE_STEPS[step]
    form = form_class(request.POST, prefix=step)
    if not form.is_valid():
        flash_errors(request, _errors_of(form))
        return redirect("cooperation:case", case.pk)
    try:
        run(request.user, case, form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc.messages)
    else:
        messages.success(request, str(done))
    return redirect("cooperation:case", case.pk)


@login_required
@require_POST
@_denied_as_403
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = action_for(reader(request.user), pk)
    if action is None:
        raise Http404(_("No such record, or it is not shared with you."))
    try:
        cases.action_done(actor=request.user, action=action, done_on=dt.date.today())
    except ValidationError as exc:
        flash_errors(request, exc.messages)
    else:
        messages.success(request, _("The action is done."))
    if action.case_id:
        return redirect("cooperation:case", action.case_id)
    return redirect("cooperation:workspace")


@cached_public_page(lambda *_a, **_k: [ALL_VERSION_KEY], params=["year"])
@require_GET
def published_totals(request: HttpRequest) -> HttpResponse:
    """Totals a source published beside the sum of the rows loaded, so gaps show."""
    year = int_param(request.GET, "year")
    comparisons = funding.totals_against_published(year)
    years = published_total_years()
    return render(
        request,
        "cooperation/published_totals.html",
        {"comparisons": comparisons, "years": years, "year": year},
    )


# --- national platforms and bilateral meetings --------------------------------------------


@login_required
@_denied_as_403
def platform_edit(request: HttpRequest, iso3: str) -> HttpResponse:
    who = reader(request.user)
    state = _state(iso3)
    if not may_edit_platform(who, state):
        raise PermissionDenied
    current = casework.platform_of(state, who)
    form = PlatformForm(prefix="platform")
    meeting_form = PlatformMeetingForm(prefix="meeting")
    if request.method == "POST" and "platform-visibility" in request.POST:
        form = PlatformForm(request.POST, prefix="platform")
        if form.is_valid():
            try:
                platforms.platform_save(actor=request.user, state=state, **form.cleaned_data)
            except ValidationError as exc:
                flash_errors(request, exc.messages)
            else:
                messages.success(request, _("The national platform is saved."))
                return redirect("cooperation:platform", state.iso3)
    elif request.method == "POST" and current is not None:
        meeting_form = PlatformMeetingForm(request.POST, prefix="meeting")
        if meeting_form.is_valid():
            try:
                platforms.platform_meeting_record(
                    actor=request.user, platform=current.platform, **meeting_form.cleaned_data
                )
            except ValidationError as exc:
                flash_errors(request, exc.messages)
            else:
                messages.success(request, _("The meeting is recorded."))
                return redirect("cooperation:platform", state.iso3)
    elif current is not None:
        pf = current.platform
        form = PlatformForm(
            prefix="platform",
            initial={
                "convening_authority": pf.convening_authority.name
                if pf.convening_authority
                else "",
                "established_on": pf.established_on,
                "members": ", ".join(m.iso3 or m.name for m in current.members),
                "terms_of_reference": pf.terms_of_reference,
                "visibility": pf.visibility,
            },
        )
    context = {"state": state, "current": current, "form": form, "meeting_form": meeting_form}
    return render(request, "cooperation/platform.html", context)


@login_required
@_denied_as_403
def bilateral_list(request: HttpRequest) -> HttpResponse:
    who = reader(request.user)
    if not may_run_committee_work(who):
        raise PermissionDenied
    form = BilateralMeetingForm()
    if request.method == "POST":
        form = BilateralMeetingForm(request.POST)
        committee = cooperation_committee()
        if committee is None:
            raise Http404(_("The committee is not in the reference data: load it first."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                platforms.bilateral_meeting_record(
                    actor=request.user,
                    committee=committee,
                    counterpart=data["counterpart"],
                    held_on=data["held_on"],
                    topics=form.all_topics(),
                    notes=data["notes"],
                    visibility=data["visibility"],
                    request_key=data["request_key"],
                )
            except ValidationError as exc:
                flash_errors(request, exc.messages)
            else:
                messages.success(request, _("The meeting is recorded."))
                return redirect("cooperation:bilateral")
    context = {"form": form, "meetings": casework.bilateral_meetings(who)}
    return render(request, "cooperation/bilateral.html", context)
