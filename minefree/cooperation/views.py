"""Cooperation pages. Thin: parse input, check who reads, call selectors and services, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

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
    CaseFollowUpForm,
    CaseMeetingForm,
    CasePledgeForm,
    CaseRequestForm,
    CaseScheduleForm,
    FlowFilterForm,
    NeedFilterForm,
    NeedForm,
    OfferFilterForm,
    OfferForm,
    PlatformForm,
    PlatformMeetingForm,
    PledgeForm,
    need_initial,
    offer_initial,
)
from minefree.cooperation.signals import extra_sections
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
from minefree.knowledge.challenges import state_challenges
from minefree.registry.models import Actor
from minefree.registry.selectors import get_actor

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 50
F = TypeVar("F")


_denied_as_403 = denied_as_403("cooperation/denied.html")
_errors_of = form_errors


def _page(request: HttpRequest, items: Any) -> tuple[Any, str]:
    return paginate(request, items, PAGE_SIZE)


def _visible_or_404(qs: QuerySet[Any], who: Reader, pk: int, *owners: str) -> Any:
    record = visible(qs, who, *owners).filter(pk=pk).first()
    if record is None:
        raise Http404(_("No such record, or it is not shared with you."))
    return record


def _every_version(*_args: Any, **_kwargs: Any) -> list[str]:
    """Cooperation pages read records of every state: any change counts (the page cache)."""
    return [ALL_VERSION_KEY]


def _list_page(form_class: type[Form]) -> Callable[[Any], Any]:
    """A cached list page whose cache key keeps its filters and page number."""
    return cached_public_page(_every_version, params=[*form_class.base_fields, "page"])


def _filters(request: HttpRequest, form_class: type[Form], filters: type[F]) -> tuple[Any, F]:
    """The filters in the URL that the form accepts; a value it refuses is left out."""
    form = form_class(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    names = {f.name for f in fields(filters)}  # type: ignore[arg-type]
    given = {name: v for name, v in data.items() if name in names and v not in (None, "")}
    return form, filters(**given)


def _state(code: str) -> Actor:
    actor = get_actor(code)
    if actor is None:
        raise Http404(_("No state or area with this code."))
    return actor


# --- needs ---------------------------------------------------------------------------------


@_list_page(NeedFilterForm)
@require_GET
def need_list(request: HttpRequest) -> HttpResponse:
    who = reader(request.user)
    form, filters = _filters(request, NeedFilterForm, NeedFilters)
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    needs = list(needs_list(who, filters))
    progress = funding.need_progress(needs, who)
    if status:
        needs = [n for n in needs if progress[n.pk].status == status]
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


@cached_public_page(_every_version)
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


@dataclass(frozen=True)
class _Editable:
    """What differs between editing a need and an offer; the steps are the same."""

    model: type[Need] | type[Offer]
    #: the owner's field, also the query parameter that names it on a new record
    owner: str
    may_edit: Callable[[Reader, Actor], bool]
    form: type[Form]
    service: Callable[..., Any]
    data: Callable[..., Any]
    initial: Callable[[Any], dict[str, Any]]
    saved: StrOrPromise
    page: str


_NEED = _Editable(
    Need,
    "state",
    may_edit_need,
    NeedForm,
    services.need_save,
    services.NeedInput,
    need_initial,
    gettext_lazy("The need is saved."),
    "cooperation:need",
)
_OFFER = _Editable(
    Offer,
    "provider",
    may_edit_offer,
    OfferForm,
    services.offer_save,
    services.OfferInput,
    offer_initial,
    gettext_lazy("The offer is saved."),
    "cooperation:offer",
)


def _edit(request: HttpRequest, kind: _Editable, pk: int | None, iso3: str) -> HttpResponse:
    """The form of a new or existing record; its owner's people (or ISU staff) save it."""
    who = reader(request.user)
    name = kind.model._meta.model_name or ""
    record: Any = None
    if pk is not None:
        qs = kind.model.objects.select_related(kind.owner)
        record = _visible_or_404(qs, who, pk, kind.owner)
        owner = getattr(record, kind.owner)
    else:
        owner = _state(iso3 or request.GET.get(kind.owner, ""))
    if not kind.may_edit(who, owner):
        raise PermissionDenied

    def save(data: dict[str, Any]) -> Any:
        key = data.pop("request_key")
        version = data.pop("version", "") or None
        return kind.service(
            actor=request.user,
            data=kind.data(**data),
            request_key=key,
            expected_version=version if record is not None else None,
            **{kind.owner: owner, name: record},
        )

    initial = kind.initial(record) if record else {}
    form, saved = form_submitted(request, kind.form, save, success=kind.saved, initial=initial)
    if saved is not None:
        return redirect(kind.page, saved.pk)
    context = {"form": form, name: record, kind.owner: owner}
    return render(request, f"cooperation/{name}_form.html", context)


@login_required
@_denied_as_403
def need_edit(request: HttpRequest, pk: int | None = None, iso3: str = "") -> HttpResponse:
    return _edit(request, _NEED, pk, iso3)


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


@_list_page(OfferFilterForm)
@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    who = reader(request.user)
    form, filters = _filters(request, OfferFilterForm, OfferFilters)
    offers = offers_list(who, filters)
    page, query = _page(request, offers)
    providers = [] if who.staff else represented_donors(who)
    context = {"form": form, "page": page, "query": query, "providers_to_edit": providers}
    return render(request, "cooperation/offers.html", context)


@cached_public_page(_every_version)
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
    return _edit(request, _OFFER, pk, iso3)


# --- partnerships and the money that follows -----------------------------------------------


def _partnership_or_404(who: Reader, pk: int) -> Partnership:
    qs = Partnership.objects.select_related("need__state", "offer__provider")
    partnership: Partnership = _visible_or_404(qs, who, pk, "need__state", "offer__provider")
    return partnership


@cached_public_page(_every_version)
@require_GET
def partnership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    who = reader(request.user)
    partnership = _partnership_or_404(who, pk)
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
    partnership = _partnership_or_404(who, pk)
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


@_list_page(FlowFilterForm)
@require_GET
def flow_list(request: HttpRequest) -> HttpResponse:
    who = reader(request.user)
    form, filters = _filters(request, FlowFilterForm, FlowFilters)
    page, query = _page(request, flows_list(who, filters))
    context = {
        "form": form,
        "page": page,
        "query": query,
        "has_synthetic": flows_list(who).filter(origin=Origin.SYNTHETIC).exists(),
    }
    return render(request, "cooperation/flows.html", context)


@cached_public_page(_every_version, params=[*FlowFilterForm.base_fields, "synthetic"])
@require_GET
def flow_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """CSV (with an origin column) or IATI XML; the XML leaves synthetic demo flows out
    unless ``?synthetic=include``, and then marks each of them."""
    if fmt not in ("csv", "xml"):
        raise Http404(_("Flows are exported as .csv or .xml (IATI)."))
    who = reader(request.user)
    _form, filters = _filters(request, FlowFilterForm, FlowFilters)
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


@cached_public_page(_every_version, params=["state", "page"])
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    who = reader(request.user)
    page, query = _page(request, cases_list(who, request.GET.get("state", "")))
    context = {"page": page, "query": query, "may_request": may_request_case(who)}
    return render(request, "cooperation/cases.html", context)


@cached_public_page(_every_version)
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
        "state_challenges": state_challenges(request.user, case.state),
    }
    return render(request, "cooperation/case.html", context)


# --- the cooperation home and the committee's workspace ----------------------------------


@cached_public_page(_every_version)
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
        "extra_sections": extra_sections(request.user, who),
    }
    return render(request, "cooperation/workspace.html", context)


# --- running a case ------------------------------------------------------------------------


@dataclass(frozen=True)
class _CaseStep:
    """A step of a case taken from its page: the form's fields are the service's arguments
    (``renamed`` where the form's name differs)."""

    form: type[Form]
    service: Callable[..., object]
    done: StrOrPromise
    renamed: dict[str, str] = field(default_factory=dict)

    def run(self, user: Any, case: IndividualisedApproachCase, data: dict[str, Any]) -> object:
        arguments = {self.renamed.get(name, name): value for name, value in data.items()}
        if "version" in arguments:  # a form sent without one (an older page) compares nothing
            arguments["expected_version"] = arguments.pop("version") or None
        return self.service(actor=user, case=case, **arguments)


CASE_STEPS: dict[str, _CaseStep] = {
    "schedule": _CaseStep(
        CaseScheduleForm, cases.case_schedule, gettext_lazy("The meeting is scheduled.")
    ),
    "meeting": _CaseStep(
        CaseMeetingForm,
        cases.case_meeting_record,
        gettext_lazy("The meeting is recorded."),
        {"on": "held_on"},
    ),
    "pledge": _CaseStep(
        CasePledgeForm, pledges.case_pledge, gettext_lazy("The pledge is recorded.")
    ),
    "action": _CaseStep(
        ActionForm, cases.action_add, gettext_lazy("The follow-up action is recorded.")
    ),
    "follow_up": _CaseStep(
        CaseFollowUpForm, cases.case_follow_up, gettext_lazy("The case is in follow-up.")
    ),
    "close": _CaseStep(CaseCloseForm, cases.case_close, gettext_lazy("The case is closed.")),
}


def _case_forms(case: IndividualisedApproachCase) -> dict[str, Form]:
    """The steps the case's status allows next, as empty forms."""
    allowed = {
        "requested": ["schedule"],
        "scheduled": ["meeting", "schedule"],
        "held": ["pledge", "action", "follow_up"],
        "follow_up": ["pledge", "action", "schedule", "close"],
    }.get(case.status, [])
    initial = {"version": cases.case_version(case)} if allowed else {}
    return {step: CASE_STEPS[step].form(prefix=step, initial=initial) for step in allowed}


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
    case_step = CASE_STEPS[step]
    form = case_step.form(request.POST, prefix=step)
    if not form.is_valid():
        flash_errors(request, _errors_of(form))
        return redirect("cooperation:case", case.pk)
    try:
        case_step.run(request.user, case, form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc.messages)
    else:
        messages.success(request, str(case_step.done))
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


@cached_public_page(_every_version, params=["year"])
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
            data = dict(form.cleaned_data)
            version = data.pop("version")  # "" when the form showed no platform yet
            try:
                platforms.platform_save(
                    actor=request.user, state=state, expected_version=version, **data
                )
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
                "version": platforms.platform_version(pf),
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
