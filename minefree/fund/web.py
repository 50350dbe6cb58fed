"""What the fund's views share: the refusal page that says why, and the readers' rights
the pages ask about to decide which links and forms to show (the services decide the
writes themselves)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minefree.assistance.selectors import reader
from minefree.core.permissions import can

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponse]


def refused_as_403(view: View[P]) -> View[P]:
    """A refused step becomes a 403 page that gives the service's reason."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return render(request, "fund/denied.html", {"reason": str(exc)}, status=403)

    return wrapper


def refusal(form: Any, exc: ValidationError) -> None:
    """A service's refusal shown at the top of the form that was sent."""
    for message in exc.messages:
        form.add_error(None, message)


def is_manager(user: Any) -> bool:
    return can(user, "fund.manage", None)


def reads_books(user: Any) -> bool:
    return can(user, "fund.read_books", None)


def is_committee(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and reader(user).committee
