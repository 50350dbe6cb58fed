"""A signed-in user's memberships, delegation and hand-over."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minefree.accounts import selectors, services
from minefree.accounts.forms import DelegateForm, HandOverForm
from minefree.core.views import form_submitted
from minefree.registry.models import Actor
from minefree.registry.selectors import get_state


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "memberships": selectors.memberships_for(request.user).filter(user_id=request.user.pk or 0),
        "states": [
            {
                "state": state,
                "team": selectors.memberships_for(request.user).filter(actor=state),
                "delegate_form": DelegateForm(prefix=f"d-{state.iso3}"),
                "hand_over_form": HandOverForm(prefix=f"h-{state.iso3}"),
            }
            for state in selectors.focal_point_states(request.user)
        ],
    }
    return render(request, "accounts/home.html", context)


def _state_or_404(iso3: str) -> Actor:
    state = get_state(iso3)
    if state is None:
        raise Http404
    return state


@login_required
@require_POST
def delegate(request: HttpRequest, iso3: str) -> HttpResponse:
    state = _state_or_404(iso3)
    try:
        form_submitted(
            request,
            DelegateForm,
            lambda data: services.focal_point_delegate(
                actor=request.user,
                state=state,
                colleague_username=data["colleague"],
                note=data["note"],
            ),
            success=_("Delegation recorded."),
            prefix=f"d-{state.iso3}",
            invalid=_("Please give the colleague's user name."),
        )
    except PermissionDenied:
        return HttpResponse(_("You are not the focal point of this state."), status=403)
    return redirect("accounts:home")


@login_required
@require_POST
def hand_over(request: HttpRequest, iso3: str) -> HttpResponse:
    state = _state_or_404(iso3)
    try:
        form_submitted(
            request,
            HandOverForm,
            lambda data: services.focal_point_hand_over(
                actor=request.user,
                state=state,
                successor_username=data["successor"],
                note=data["note"],
            ),
            success=_("Hand-over recorded."),
            prefix=f"h-{state.iso3}",
            invalid=_("Please give the successor's user name."),
        )
    except PermissionDenied:
        return HttpResponse(_("You are not the focal point of this state."), status=403)
    return redirect("accounts:home")
