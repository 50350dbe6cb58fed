"""Cover-page edits of a draft that are not per form: the point of contact."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minefree.reporting import selectors, services
from minefree.reporting.forms import ContactForm
from minefree.reporting.web import errors_of, flash_errors, refused_as_403, version_url


@require_POST
@refused_as_403
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.get_version_for(request.user, pk, action="edit")
    form = ContactForm(request.POST)
    if not form.is_valid():
        flash_errors(request, errors_of(form))
        return redirect(version_url(version, "contact"))
    try:
        services.version_contact_save(
            actor=request.user,
            version=version,
            name=form.cleaned_data["name"],
            organisation=form.cleaned_data["organisation"],
            email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"],
        )
    except ValidationError as exc:
        flash_errors(request, exc.messages)
    else:
        messages.success(request, _("Point of contact saved."))
    return redirect(version_url(version, "contact"))
