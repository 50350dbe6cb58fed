"""The forms of the committee's documents: open one, edit a section, publish."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minefree.indicators.models import DocumentKind
from minefree.indicators.services import MAX_SECTION
from minefree.registry.models import Meeting


class DocumentOpenForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    meeting = forms.ModelChoiceField(
        label=_("Meeting"),
        queryset=Meeting.objects.order_by("-start_date", "code"),
        help_text=_("The meeting the document is presented to."),
    )
    year = forms.IntegerField(
        label=_("Year reviewed"),
        required=False,
        min_value=1999,
        max_value=2100,
        help_text=_(
            "The calendar year whose activities and figures it covers; by default the meeting's year."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        assert isinstance(field, forms.ModelChoiceField)
        field.label_from_instance = lambda m: f"{m.name} ({m.code})"  # type: ignore[method-assign,assignment]


class SectionForm(forms.Form):
    """One section's text, sent with the version of the draft it was typed on."""

    section = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=MAX_SECTION,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
    )
    change_note = forms.CharField(label=_("What changed"), required=False, max_length=300)
    version = forms.CharField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    """A step on a draft (publish), with the version it was decided on."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
