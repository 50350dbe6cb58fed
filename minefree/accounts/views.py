"""A signed-in user's memberships, delegation and hand-over."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from minefree.accounts import selectors, services, steps
from minefree.accounts.forms import ApiTokenForm, DelegateForm, HandOverForm
from minefree.accounts.models import ApiToken
from minefree.core.views import form_submitted
from minefree.registry.models import Actor
from minefree.registry.selectors import get_state


@dataclass(frozen=True)
class _Form:
    """A focal point's step as a form on the home page, named by ``prefix`` and the state."""

    step: steps.FocalPointStep
    form: type[forms.Form]
    prefix: str
    done: Promise
    invalid: Promise


#: the forms by the name their URL gives the view
FORMS = {
    "delegate": _Form(
        steps.DELEGATE,
        DelegateForm,
        "d",
        gettext_lazy("Delegation recorded."),
        gettext_lazy("Please give the colleague's user name."),
    ),
    "hand_over": _Form(
        steps.HAND_OVER,
        HandOverForm,
        "h",
        gettext_lazy("Hand-over recorded."),
        gettext_lazy("Please give the successor's user name."),
    ),
}


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "memberships": selectors.memberships_for(request.user).filter(user_id=request.user.pk or 0),
        "states": [
            {
                "state": state,
                "team": selectors.memberships_for(request.user).filter(actor=state),
                **{
                    f"{name}_form": entry.form(prefix=f"{entry.prefix}-{state.iso3}")
                    for name, entry in FORMS.items()
                },
            }
            for state in selectors.focal_point_states(request.user)
        ],
    }
    context |= {
        "tokens": selectors.tokens_of(request.user),
        "token_form": ApiTokenForm(prefix="t"),
        "new_token": request.session.pop(NEW_TOKEN_KEY, None),
    }
    return render(request, "accounts/home.html", context)


#: the session key a new token's secret waits under, for the one page that shows it
NEW_TOKEN_KEY = "accounts.new_api_token"


@login_required
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    """Make a personal API token; its secret is shown once, on the next page only."""

    def create(data: dict[str, Any]) -> ApiToken:
        token, secret = services.api_token_create(actor=request.user, user=request.user, **data)
        request.session[NEW_TOKEN_KEY] = {"name": token.name, "secret": secret}
        return token

    form_submitted(
        request,
        ApiTokenForm,
        create,
        success=_("Token created. Copy it now: it will not be shown again."),
        prefix="t",
        flash_invalid=True,
    )
    return redirect("accounts:home")


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.get_token_of(request.user, pk)
    form_submitted(
        request,
        forms.Form,
        lambda _data: services.api_token_revoke(actor=request.user, token=token),
        success=_("Token “%(name)s” revoked.") % {"name": token.name},
    )
    return redirect("accounts:home")


def _state_or_404(iso3: str) -> Actor:
    state = get_state(iso3)
    if state is None:
        raise Http404
    return state


@login_required
@require_POST
def focal_point_step(request: HttpRequest, iso3: str, step: str) -> HttpResponse:
    """One of the ``FORMS``, named by the URL, posted for the state ``iso3``; only its focal
    point may take the step."""
    state = _state_or_404(iso3)
    chosen = FORMS[step]
    try:
        form_submitted(
            request,
            chosen.form,
            lambda data: chosen.step.take(request.user, state, data),
            success=str(chosen.done),
            prefix=f"{chosen.prefix}-{state.iso3}",
            invalid=str(chosen.invalid),
        )
    except PermissionDenied:
        return HttpResponse(_("You are not the focal point of this state."), status=403)
    return redirect("accounts:home")
