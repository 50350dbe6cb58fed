"""Signing in, with repeated wrong passwords refused for a while.

Failures are counted per account (the user name as typed, case-folded) and per address
(django-ratelimit's fixed windows in the default cache), wherever a password is checked:
the sign-in page and the admin's. Past either limit the password is not even checked, so
guessing goes no faster, and the sign-in page says when to try again.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

LIMITS = (
    ("sign-in-account", "MINEFREE_SIGN_IN_RATE_ACCOUNT"),
    ("sign-in-address", "MINEFREE_SIGN_IN_RATE_ADDRESS"),
)


def _usage(request: HttpRequest, username: str, *, count: bool) -> list[dict[str, Any]]:
    keys = {
        "sign-in-account": username.strip().casefold(),
        "sign-in-address": str(request.META.get("REMOTE_ADDR", "")),
    }
    found = []
    for group, setting in LIMITS:
        rate = str(getattr(settings, setting))
        key = keys[group]
        usage = get_usage(request, group=group, key=lambda _g, _r: key, rate=rate, increment=count)
        if usage is not None:
            found.append(usage)
    return found


def refusals(request: HttpRequest, username: str) -> list[dict[str, Any]]:
    """The limits this account or address has reached (none: it may try)."""
    return [u for u in _usage(request, username, count=False) if u["count"] >= u["limit"]]


def count_failure(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    """``user_login_failed``: one more failure for the account and the address."""
    if request is not None:
        _usage(request, str(credentials.get("username", "")), count=True)


class LimitedModelBackend(ModelBackend):
    """Django's password check, refused while the account or the address is over its limit."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if request is not None and refusals(request, str(username or "")):
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)


class SignInView(auth_views.LoginView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = refusals(request, str(request.POST.get("username", "")))
        if refused:
            wait = max(int(u["time_left"]) for u in refused)
            # An unbound form: validating it would check the password, which stays unchecked.
            form = AuthenticationForm(
                request, initial={"username": request.POST.get("username", "")}
            )
            refusal = _(
                "Too many failed sign-ins for this account or from this address. "
                "Try again in %(minutes)s minutes."
            ) % {"minutes": max(wait // 60, 1)}
            response = self.render_to_response(self.get_context_data(form=form, refusal=refusal))
            response.status_code = 429
            response["Retry-After"] = str(max(wait, 1))
            return response
        return super().post(request, *args, **kwargs)
