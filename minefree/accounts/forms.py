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
