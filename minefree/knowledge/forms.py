"""The knowledge base's forms: the filters of the key challenges, a decision on a label,
a document, a practice and the feedback on it. Each field says what it wants."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from minefree.core.models import Visibility
from minefree.knowledge.challenges import ChallengeFilters
from minefree.knowledge.models import Document, DocumentKind, LabelStatus, Language
from minefree.knowledge.taxonomy import CATEGORIES
from minefree.registry.models import Actor, ActorKind, Meeting
from minefree.reporting.specification.schema import PILLARS

YEAR_MIN, YEAR_MAX = 1997, 2100


class ChallengeFilterForm(forms.Form):
    """The filters of the key challenges; a value it refuses is left out."""

    year_from = forms.IntegerField(
        label=_("From year"),
        required=False,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        help_text=_("The first year the reports cover; blank: the earliest."),
    )
    year_to = forms.IntegerField(
        label=_("To year"),
        required=False,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        help_text=_("The last year; blank: the latest."),
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(
        self, *args: Any, regions: list[str], states: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("any region")), *((r, r) for r in regions)]  # type: ignore[attr-defined]
        self.fields["state"].choices = [("", _("any state")), *states]  # type: ignore[attr-defined]

    def filters(self) -> ChallengeFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return ChallengeFilters(
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            region=data.get("region") or "",
            state=data.get("state") or "",
        )


class LabelDecisionForm(forms.Form):
    """Confirm or reject a category of a passage, or add one the classifier missed."""

    category = forms.ChoiceField(
        label=_("Category"),
        choices=[(c.code, c.name) for c in CATEGORIES],
        help_text=_("The kind of challenge the passage states; see the definitions below."),
    )
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (LabelStatus.CONFIRMED, _("confirm")),
            (LabelStatus.REJECTED, _("reject")),
        ],
        initial=LabelStatus.CONFIRMED,
        help_text=_("Confirmed labels count in the key challenges; rejected ones never do."),
    )


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


class DocumentForm(forms.Form):
    """A document for the knowledge base: its file or its address, and what it concerns."""

    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        help_text=_("As the document names itself, e.g. Exchange visit to Peru, May 2024."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=DocumentKind.choices,
        help_text=_("What the document is; readers filter by it."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=Language.choices,
        help_text=_("The language of the text: search and classification follow it."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, DOCX or plain text, up to 30 MB; its text is extracted and searched."),
    )
    url = forms.URLField(
        label=_("Address"),
        assume_scheme="https",
        required=False,
        max_length=1000,
        help_text=_("Where the document is published; needed when no file is uploaded."),
    )
    states = forms.ModelMultipleChoiceField(
        label=_("States"),
        queryset=Actor.objects.filter(kind=ActorKind.STATE).order_by("name_en"),
        to_field_name="iso3",
        required=False,
        help_text=_("The States Parties the document is about; one state tags its passages."),
    )
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        help_text=_("The year the document covers; its passages count in that year."),
    )
    meeting = forms.ModelChoiceField(
        label=_("Meeting"),
        queryset=Meeting.objects.order_by("-start_date"),
        to_field_name="code",
        required=False,
        help_text=_("The meeting the document was presented at, if any (e.g. 5RC)."),
    )
    articles = forms.CharField(
        label=_("Convention articles"),
        required=False,
        help_text=_("Numbers separated by commas, e.g. 5, 6."),
    )
    actions = forms.CharField(
        label=_("Action plan actions"),
        required=False,
        help_text=_("Separated by commas, e.g. OAP-43, SRAAP-32."),
    )
    pillars = forms.MultipleChoiceField(
        label=_("Pillars"),
        choices=PILLARS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The areas of the work the document concerns."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Visibility.choices,
        initial=Visibility.PUBLIC,
        help_text=_("A committee-only document is never shown or counted for anyone else."),
    )

    def clean_articles(self) -> list[int]:
        found = []
        for part in _list(self.cleaned_data.get("articles", "")):
            if not (part.isascii() and part.isdigit()) or not 1 <= int(part) <= 22:
                raise ValidationError(_("Give article numbers from 1 to 22, separated by commas."))
            found.append(int(part))
        return found

    def clean_actions(self) -> list[str]:
        return [a.upper() for a in _list(self.cleaned_data.get("actions", ""))]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not data.get("url") and not self.errors:
            raise ValidationError(_("Upload the document or give its address."))
        return data


class PracticeForm(forms.Form):
    """A practice or lesson learned, for ISU staff to publish."""

    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=_("What the practice is, in a few words.")
    )
    what = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The practice itself: enough for another state to do the same."),
    )
    where = forms.ModelMultipleChoiceField(
        label=_("Where"),
        queryset=Actor.objects.filter(kind=ActorKind.STATE).order_by("name_en"),
        to_field_name="iso3",
        required=False,
        help_text=_("The states where it was done."),
    )
    who = forms.CharField(
        label=_("Who did it"),
        max_length=300,
        required=False,
        help_text=_("The national authority, operator or organisation."),
    )
    contact = forms.ModelChoiceField(
        label=_("Whom to ask"),
        queryset=Actor.objects.exclude(kind=ActorKind.OTHER_AREA).order_by("name_en"),
        to_field_name="slug",
        required=False,
        help_text=_(
            "The body other states can contact about it, e.g. a national mine action centre."
        ),
    )
    result = forms.CharField(
        label=_("Result"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What it achieved, with figures where there are some."),
    )
    documents = forms.ModelMultipleChoiceField(
        label=_("Documents"),
        queryset=Document.objects.none(),
        required=False,
        help_text=_("Documents of the knowledge base that describe it (a visit report...)."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=Language.choices,
        help_text=_("The language you write the practice in."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Visibility.choices,
        initial=Visibility.PUBLIC,
        help_text=_("Once published, who sees the practice."),
    )

    def __init__(self, *args: Any, documents: QuerySet[Document], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = documents  # type: ignore[attr-defined]


class FeedbackForm(forms.Form):
    useful = forms.BooleanField(
        label=_("This practice is useful to us"),
        required=False,
        initial=True,
        help_text=_("Counted on the practice's page; you give your feedback once."),
    )
    follow_up = forms.CharField(
        label=_("Follow-up asked"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you would like its authors to tell you (optional)."),
    )
