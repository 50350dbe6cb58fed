"""Download a version as the XLSX template; upload a filled template into the year's draft."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from minefree.core.upload_limits import upload_limit
from minefree.core.views import int_param
from minefree.registry.models import Actor
from minefree.reporting import selectors
from minefree.reporting.exchange.imports import IMPORT_MAX_BYTES, report_import
from minefree.reporting.exchange.xlsx import export_xlsx
from minefree.reporting.web import flash_errors, refused_as_403

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_safe
def download(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.get_version_for(request.user, pk)
    report = version.report
    response = HttpResponse(export_xlsx(version), content_type=XLSX_TYPE)
    name = f"{report.state.iso3}-{report.year}-v{version.number}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@upload_limit(IMPORT_MAX_BYTES)
@refused_as_403
def upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    state = Actor.objects.filter(pk=int_param(request.POST, "state") or 0).first()
    if state is None:
        raise PermissionDenied  # the rights on the state are the import service's
    if upload is None:
        flash_errors(request, [_("Choose a filled XLSX template.")])
        return redirect("reporting:home")
    try:
        version = report_import(
            actor=request.user, state=state, data=upload.read(), name=upload.name or "report.xlsx"
        )
    except ValidationError as exc:
        flash_errors(request, exc.messages)
        return redirect("reporting:home")
    messages.success(request, _("The workbook was imported into the draft; check it and submit."))
    return redirect("reporting:version", version.pk)
