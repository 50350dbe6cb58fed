"""What every reporting page shares: the refusal page, htmx requests, messages and the
addresses of a version and its forms. The page modules import these, never each other's
private helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import Promise
from django.views.decorators.http import require_POST

from minefree.core.views import denied_as_403, flash_errors, form_errors, form_submitted
from minefree.reporting import selectors
from minefree.reporting.models import ReportVersion

#: a refused action shows the reporting 403 page, saying why
refused_as_403 = denied_as_403("reporting/denied.html")
errors_of = form_errors

__all__ = [
    "errors_of",
    "flash_errors",
    "form_url",
    "is_htmx",
    "refused_as_403",
    "version_form_view",
    "version_url",
]


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def form_url(version: ReportVersion, letter: str) -> str:
    return reverse("reporting:form", args=[version.pk, letter])


def version_url(version: ReportVersion, anchor: str = "") -> str:
    url = reverse("reporting:version", args=[version.pk])
    return f"{url}#{anchor}" if anchor else url


def version_form_view(
    form_class: type[forms.Form],
    service: Callable[..., Any],
    *,
    anchor: str,
    success: Promise,
    action: str = "view",
) -> Callable[[HttpRequest, int], HttpResponse]:
    """The view of a form posted from a version's page, whose fields are the keywords of
    ``service`` (called with the actor and the version, fetched for ``action``): it flashes
    ``success`` or what was refused, and goes back to the page at ``anchor``."""

    @require_POST
    @refused_as_403
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        version = selectors.get_version_for(request.user, pk, action=action)
        form_submitted(
            request,
            form_class,
            lambda data: service(actor=request.user, version=version, **data),
            success=str(success),
            flash_invalid=True,
        )
        return redirect(version_url(version, anchor))

    return view
