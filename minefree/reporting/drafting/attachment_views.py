"""Attachments of a form: upload to a draft, remove from it, download where the version is visible."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from minefree.core.upload_limits import upload_limit
from minefree.core.views import or_404
from minefree.reporting import selectors, services
from minefree.reporting.forms import AttachmentForm
from minefree.reporting.services.attachments import ATTACHMENT_MAX_BYTES
from minefree.reporting.web import errors_of, flash_errors, form_url, refused_as_403


@require_POST
@upload_limit(ATTACHMENT_MAX_BYTES)
@refused_as_403
def upload(request: HttpRequest, pk: int, letter: str) -> HttpResponse:
    version = selectors.get_version_for(request.user, pk, action="edit")
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        flash_errors(request, errors_of(form))
        return redirect(form_url(version, letter) + "#attachments")
    upload = form.cleaned_data["file"]
    try:
        services.attachment_add(
            actor=request.user,
            version=version,
            letter=letter,
            file=upload,
            name=upload.name or "attachment",
            description=form.cleaned_data["description"],
        )
    except ValidationError as exc:
        flash_errors(request, exc.messages)
    else:
        messages.success(request, _("File attached."))
    return redirect(form_url(version, letter) + "#attachments")


@require_POST
@refused_as_403
def remove(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    version = selectors.get_version_for(request.user, pk, action="edit")
    attachment = or_404(version.attachments.filter(pk=attachment_id).first())
    services.attachment_remove(actor=request.user, attachment=attachment)
    messages.success(request, _("Attachment removed."))
    return redirect(form_url(version, attachment.letter) + "#attachments")


@require_safe
def download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    version = selectors.get_version_for(request.user, pk)
    attachment = or_404(version.attachments.filter(pk=attachment_id).first())
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
