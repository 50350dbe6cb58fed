"""Helpers shared by the views of every app."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponse]


def denied_as_403(template: str) -> Callable[[View[P]], View[P]]:
    """A refused action becomes a 403 page (``template``) that says why, in the reader's language."""

    def decorator(view: View[P]) -> View[P]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied:
                return render(request, template, status=403)

        return wrapper

    return decorator


def form_errors(form: Any) -> list[str]:
    """A bound form's errors as sentences naming their field."""
    result = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        result += [f"{label}: {error}" if label else str(error) for error in errors]
    return result


def paginate(request: HttpRequest, items: Any, size: int) -> tuple[Page[Any], str]:
    """The requested page of ``items`` and the query string without ``page``, for the links."""
    page = Paginator(items, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
