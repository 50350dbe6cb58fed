"""Helpers shared by the views of every app."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from django import db
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

P = ParamSpec("P")
T = TypeVar("T")
View = Callable[Concatenate[HttpRequest, P], HttpResponse]


def or_404(found: T | None, missing: str = "") -> T:
    """What a lookup found, or a 404 saying what is ``missing`` (``.first()`` and ``next()``
    give None where ``get_object_or_404`` would need a model and a query)."""
    if found is None:
        raise Http404(missing)
    return found


def denied_as_403(template: str) -> Callable[[View[P]], View[P]]:
    """A refused action becomes a 403 page (``template``) that says why, in the reader's language
    (the service's reason is in the context as ``reason``)."""

    def decorator(view: View[P]) -> View[P]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as exc:
                return render(request, template, {"reason": str(exc)}, status=403)

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


def int_param(data: Mapping[str, Any], name: str) -> int | None:
    """A whole-number parameter (an id, a year), or None when missing or not plain digits.

    ``int()`` alone accepts what no form sends ("²" passes ``isdigit`` and then fails,
    "1_000", " 12 ", Arabic-Indic digits); an id too long for a database column is none.
    """
    raw = str(data.get(name, "") or "").strip()
    if not raw or len(raw) > 18 or not (raw.isascii() and raw.isdigit()):
        return None
    return int(raw)


def flash_errors(request: HttpRequest, errors: list[str]) -> None:
    """Each refusal as an error message on the next page."""
    for error in errors:
        messages.error(request, error)


def form_submitted(
    request: HttpRequest,
    form_class: Any,
    save: Callable[[dict[str, Any]], Any],
    *,
    success: StrOrPromise,
    initial: Mapping[str, Any] | None = None,
    prefix: str | None = None,
    invalid: str = "",
    flash_invalid: bool = False,
) -> tuple[Any, Any]:
    """The one shape of an edit view's POST: bind, validate, call the service, say so.

    On GET the form shows ``initial``. On a valid POST ``save(cleaned_data)`` runs (the
    service, which decides rights and rules); its result comes back with ``success``
    flashed, and the caller redirects. A refusal (``ValidationError``) is flashed and the
    result is None, so the bound form is shown again with what was typed; an invalid form
    flashes ``invalid`` when given, or each of its errors with ``flash_invalid`` (a form
    posted from another page, which the caller redirects back to), and returns None.
    """
    if request.method != "POST":
        return form_class(initial=dict(initial or {}), prefix=prefix), None
    form = form_class(request.POST, prefix=prefix)
    if not form.is_valid():
        if invalid:
            messages.error(request, invalid)
        if flash_invalid:
            flash_errors(request, form_errors(form))
        return form, None
    try:
        result = save(dict(form.cleaned_data))
    except ValidationError as exc:
        flash_errors(request, exc.messages)
        return form, None
    messages.success(request, success)
    return form, result


#: Seconds a client is asked to wait when the database cannot be reached (``Retry-After``).
RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    """The page of an unexpected error: no trace, the request id to quote to ISU staff (the
    same id is on every log line of the request). Standalone: nothing that could fail again.

    When the error is the database being out of reach (restarted, failed over, busy), the
    answer is 503 with ``Retry-After`` instead: the request changed nothing (its transaction
    did not commit) and the same request will work once the database is back. Django drops
    the broken connection at the end of the request, so the app recovers without a restart.
    """
    from django.template import loader

    from minefree.core.audit import request_id_var

    unavailable = database_unavailable(sys.exc_info()[1])
    template = loader.get_template("503.html" if unavailable else "500.html")
    response = HttpResponse(
        template.render({"request_id": request_id_var.get()}), status=503 if unavailable else 500
    )
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def database_unavailable(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) is the database refusing or losing a connection.

    SQLite reports a missing table as an operational error too: that is a database not
    migrated, which no retry mends, so it stays a 500.
    """
    while error is not None:
        if isinstance(error, db.InterfaceError):
            return True
        if isinstance(error, db.OperationalError):
            return not str(error).startswith(("no such table", "no such column"))
        error = error.__cause__ or error.__context__
    return False
