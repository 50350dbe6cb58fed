"""Download a version as a printable PDF, a Word document or JSON.

Visibility is the version page's: submitted versions are public, drafts only
for the state's people and ISU staff (404 for anyone else).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from minefree.reporting import selectors
from minefree.reporting.exchange import documents
from minefree.reporting.models import ReportVersion

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _json(version: ReportVersion) -> bytes:
    return json.dumps(documents.report_json(version), ensure_ascii=False, indent=2).encode()


FORMATS: dict[str, tuple[Callable[[ReportVersion], bytes], str]] = {
    "pdf": (documents.report_pdf, "application/pdf"),
    "docx": (documents.report_docx, DOCX_TYPE),
    "json": (_json, "application/json; charset=utf-8"),
}


def filename(version: ReportVersion, fmt: str) -> str:
    report = version.report
    return f"{report.state.iso3}-{report.year}-v{version.number}.{fmt}"


@require_GET
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("No such format")
    version = selectors.get_version_for(request.user, pk)
    render, content_type = FORMATS[fmt]
    response = HttpResponse(render(version), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename(version, fmt)}"'
    if version.is_draft:
        response["Cache-Control"] = "private, no-store"
    return response
