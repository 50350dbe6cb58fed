"""Downloads of a committee document's version (DOCX, PDF): a placeholder until the
documents' own module replaces it."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _


def download(request: HttpRequest, pk: int, number: int, fmt: str) -> HttpResponse:
    raise Http404(_("Downloads of the committee's documents are not available yet."))
