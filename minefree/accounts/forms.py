from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DelegateForm(forms.Form):
    colleague = forms.CharField(
        label=_("Colleague's user name"),
        max_length=150,
        help_text=_("They can then draft for your state; you stay the focal point."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class HandOverForm(forms.Form):
    successor = forms.CharField(
        label=_("Successor's user name"),
        max_length=150,
        help_text=_(
            "The successor becomes focal point today; your membership ends and stays "
            "in the history."
        ),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=60, help_text=_("What will use it, e.g. “IMSMA export”.")
    )
    expires_in_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=366, initial=90
    )
    read_only = forms.BooleanField(
        label=_("Read only"), required=False, help_text=_("It may read but never change.")
    )
