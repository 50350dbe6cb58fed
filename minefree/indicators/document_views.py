"""The committee's documents as files: a version as DOCX or PDF, in the page's language
(the ``/fr/`` or ``/es/`` prefix) or the one ``?lang=`` names. A published version is
public; a draft is only for those who may edit it (others get "not found", as drafts are
hidden everywhere else)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.views.decorators.http import require_GET

from minefree.core.documents import DOCX_TYPE, language_asked
from minefree.core.permissions import can
from minefree.indicators.documents import document_docx, document_pdf
from minefree.indicators.models import DocumentVersion

FORMATS = {"docx": DOCX_TYPE, "pdf": "application/pdf"}


@require_GET
def download(request: HttpRequest, pk: int, number: int, fmt: str) -> HttpResponse:
    """Version ``number`` of document ``pk`` as ``fmt`` (docx or pdf)."""
    if fmt not in FORMATS:
        raise Http404
    version = get_object_or_404(
        DocumentVersion.objects.select_related("document__meeting", "document__committee"),
        document_id=pk,
        number=number,
    )
    if version.is_draft and not can(request.user, "committee_document.edit", version.document):
        raise Http404
    language = language_asked(request.GET.get("lang")) or translation.get_language() or "en"
    base = request.build_absolute_uri("/").rstrip("/")
    build = document_pdf if fmt == "pdf" else document_docx
    response = HttpResponse(build(version, language, base), content_type=FORMATS[fmt])
    document = version.document
    name = f"{document.kind}-{document.meeting.code}-{document.year}-v{version.number}-{language}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    if version.is_draft:
        response["Cache-Control"] = "private, no-store"
    return response
