"""Cover-page edits of a draft that are not per form: the point of contact."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minefree.core.views import form_submitted
from minefree.reporting import selectors, services
from minefree.reporting.forms import ContactForm
from minefree.reporting.web import refused_as_403, version_url


@require_POST
@refused_as_403
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.get_version_for(request.user, pk, action="edit")
    form_submitted(
        request,
        ContactForm,
        lambda data: services.version_contact_save(
            actor=request.user,
            version=version,
            name=data["name"],
            organisation=data["organisation"],
            email=data["email"],
            phone=data["phone"],
        ),
        success=_("Point of contact saved."),
        flash_invalid=True,
    )
    return redirect(version_url(version, "contact"))
