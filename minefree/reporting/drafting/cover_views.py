"""Cover-page edits of a draft that are not per form: the point of contact."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from minefree.reporting import services
from minefree.reporting.forms import ContactForm
from minefree.reporting.web import version_form_view

contact = version_form_view(
    ContactForm,
    services.version_contact_save,
    anchor="contact",
    success=gettext_lazy("Point of contact saved."),
    action="edit",
)
