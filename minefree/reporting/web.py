"""What every reporting page shares: the refusal page, htmx requests, messages and the
addresses of a version and its forms. The page modules import these, never each other's
private helpers."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from minefree.core.views import denied_as_403, flash_errors, form_errors
from minefree.reporting.models import ReportVersion

#: a refused action shows the reporting 403 page, saying why
refused_as_403 = denied_as_403("reporting/denied.html")
errors_of = form_errors

__all__ = ["errors_of", "flash_errors", "form_url", "is_htmx", "refused_as_403", "version_url"]


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def form_url(version: ReportVersion, letter: str) -> str:
    return reverse("reporting:form", args=[version.pk, letter])


def version_url(version: ReportVersion, anchor: str = "") -> str:
    url = reverse("reporting:version", args=[version.pk])
    return f"{url}#{anchor}" if anchor else url
