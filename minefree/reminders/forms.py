"""The filters of the ISU reminders page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class ReminderFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Reporting year"), required=False, coerce=int)
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(
        self, *args: Any, years: list[int], states: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        all_label = _("all")
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.TypedChoiceField)
        year_field.choices = [("", all_label), *[(y, str(y)) for y in years]]
        state_field = self.fields["state"]
        assert isinstance(state_field, forms.ChoiceField)
        state_field.choices = [("", all_label), *states]
