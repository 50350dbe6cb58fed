"""The fund's forms: each one's fields are what its service takes, so a view passes
``cleaned_data`` on (the services decide rights and rules; the forms only the shapes)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minefree.core.forms import OnceForm
from minefree.fund.models import (
    BudgetCategory,
    Call,
    Eligibility,
    Theme,
)
from minefree.fund.services import AGE_BANDS, GENDERS, LETTER_MAX_BYTES, SCREENING_CHECKS
from minefree.knowledge.taxonomy import CHALLENGE_CODES
from minefree.knowledge.taxonomy import label as challenge_label
from minefree.registry.models import Actor, Meeting

DATE = forms.DateInput(attrs={"type": "date"})


def money(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    """An amount of money: never negative, to the cent."""
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
    )


LANGUAGES_HELP = _("Two-letter codes separated by commas, e.g. en, fr, es.")


def codes(text: str) -> list[str]:
    """``"en, FR"`` → ``["en", "fr"]``."""
    return [part.strip().lower() for part in (text or "").split(",") if part.strip()]


class ContributionForm(OnceForm):
    donor = forms.ModelChoiceField(
        label=_("Donor"),
        queryset=Actor.objects.filter(kind__in=("state", "organisation")).order_by("name_en"),
        help_text=_("The state or organisation giving the money."),
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("Leave blank when no source gives it: the amount is shown as unknown."),
    )
    currency = forms.CharField(
        label=_("Currency"), max_length=3, required=False, help_text=_("ISO 4217 code, e.g. EUR")
    )
    pledged_on = forms.DateField(label=_("Pledged on"), required=False, widget=DATE)
    received_on = forms.DateField(
        label=_("Received on"),
        required=False,
        widget=DATE,
        help_text=_("Give it only when the money is in the fund's account."),
    )
    announced_at = forms.ModelChoiceField(
        label=_("Announced at"),
        queryset=Meeting.objects.order_by("-start_date"),
        required=False,
        help_text=_("The meeting where the donor announced it, if any."),
    )
    earmark = forms.CharField(label=_("Earmark"), max_length=200, required=False)
    source_url = forms.CharField(
        label=_("Source"),
        max_length=1000,
        required=False,
        help_text=_("Where the figures come from: an address or a document."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReceiveForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    amount = forms.DecimalField(
        label=_("Amount received"),
        required=False,
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("Only if the pledge gave none, or a different amount arrived."),
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)


class CallForm(OnceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=DATE)
    closes_on = forms.DateField(
        label=_("Closes on"),
        widget=DATE,
        help_text=_("Applications are submitted from the opening to the closing day."),
    )
    budget = money(_("Budget of the call"))
    max_amount = money(_("Maximum per application"))
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="EUR")
    eligibility = forms.ChoiceField(label=_("Who may apply"), choices=Eligibility.choices)
    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        choices=Theme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every theme."),
    )
    languages = forms.CharField(
        label=_("Languages"), initial="en, fr, es", required=False, help_text=LANGUAGES_HELP
    )

    def clean_languages(self) -> list[str]:
        return codes(self.cleaned_data["languages"])


class ApplicationCreateForm(OnceForm):
    call = forms.ModelChoiceField(label=_("Call"), queryset=Call.objects.none())
    applicant = forms.ModelChoiceField(
        label=_("Applicant body"),
        queryset=Actor.objects.none(),
        help_text=_("The national mine action centre or authority that sends the delegation."),
    )
    theme = forms.ChoiceField(label=_("Theme"), choices=Theme.choices)

    def __init__(self, *args: Any, calls: Any, bodies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = calls  # type: ignore[attr-defined]
        self.fields["applicant"].queryset = bodies  # type: ignore[attr-defined]


def _checkbox_choices(values: list[tuple[str, Any]]) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=values, required=False, widget=forms.CheckboxSelectMultiple
    )


class ApplicationForm(forms.Form):
    """A draft's own fields (the delegation and the budget are row sets beside it)."""

    host = forms.ChoiceField(
        label=_("Host body"),
        required=False,
        help_text=_("Suggested hosts come first, ranked by what they offer on the theme."),
    )
    theme = forms.ChoiceField(label=_("Theme"), choices=Theme.choices)
    objectives = forms.CharField(
        label=_("Objectives"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the delegation should learn and bring back."),
    )
    articles = forms.MultipleChoiceField(
        label=_("Convention articles"),
        choices=[(str(n), str(n)) for n in range(1, 23)],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The articles whose obligations the visit helps to meet, e.g. 5, 6, 7."),
    )
    actions = forms.CharField(
        label=_("Action-plan actions"),
        required=False,
        help_text=_("The Siem Reap-Angkor Action Plan actions it serves, separated by commas."),
    )
    challenges = forms.MultipleChoiceField(
        label=_("Challenges addressed"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("As the knowledge base classifies the challenges states report."),
    )
    starts_on = forms.DateField(label=_("Visit from"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Visit until"), required=False, widget=DATE)
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    co_funding = money(_("Co-funding"), required=False, help_text=_("What others pay, if any."))
    co_funding_note = forms.CharField(label=_("Co-funding from"), max_length=300, required=False)

    def __init__(self, *args: Any, hosts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host"].choices = [("", _("— not chosen yet —")), *hosts]  # type: ignore[attr-defined]
        self.fields["challenges"].choices = [  # type: ignore[attr-defined]
            (code, challenge_label(code)) for code in CHALLENGE_CODES
        ]

    def clean_actions(self) -> list[str]:
        return [a.strip() for a in self.cleaned_data["actions"].split(",") if a.strip()]

    def clean_articles(self) -> list[int]:
        return [int(a) for a in self.cleaned_data["articles"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The visit cannot end before it starts."))
        return data


class PersonForm(forms.Form):
    function = forms.CharField(label=_("Function"), max_length=200, required=False)
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", "—"), *[(g, _(g)) for g in GENDERS]], required=False
    )
    age_band = forms.ChoiceField(
        label=_("Age band"), choices=[(b, b or "—") for b in AGE_BANDS], required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("function") and not data.get("gender"):
            self.add_error("gender", _("Give the gender (woman, man or other)."))
        if data.get("gender") and not data.get("function"):
            self.add_error("function", _("Give the function."))
        return data


class BudgetLineForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—"), *BudgetCategory.choices], required=False
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    amount = money(_("Amount"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("amount") is not None and not data.get("category"):
            self.add_error("category", _("Choose a category."))
        if data.get("category") and data.get("amount") is None:
            self.add_error("amount", _("Give the amount."))
        return data


PersonFormSet = forms.formset_factory(PersonForm, extra=2, max_num=40)
BudgetFormSet = forms.formset_factory(BudgetLineForm, extra=2, max_num=40)


class LetterForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(
        label=_("Letter of support"),
        help_text=_("PDF or DOCX, at most %(mb)s MB.") % {"mb": LETTER_MAX_BYTES // (1024 * 1024)},
    )


class ScreenForm(forms.Form):
    note = forms.CharField(
        label=_("Screening note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in SCREENING_CHECKS:
            self.fields[f"check_{code}"] = forms.BooleanField(label=_(label), required=False)

    def checks(self) -> dict[str, bool]:
        return {code: bool(self.cleaned_data.get(f"check_{code}")) for code, _l in SCREENING_CHECKS}


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is returned"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The applicant sees this and may correct the draft and submit again."),
    )


class ScoreForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, criteria: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            top = int(criterion["max"])
            self.fields[f"c_{criterion['code']}"] = forms.IntegerField(
                label=criterion["label"],
                min_value=0,
                max_value=top,
                help_text=_("0 to %(max)s") % {"max": top},
            )
        self.order_fields([f"c_{c['code']}" for c in criteria] + ["comment"])

    def values(self) -> dict[str, int]:
        return {c["code"]: self.cleaned_data[f"c_{c['code']}"] for c in self.criteria}


class DecisionForm(forms.Form):
    selected = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("selected")), ("no", _("not selected"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The applicant and the committee read them."),
    )
    on = forms.DateField(label=_("Decided on"), required=False, widget=DATE)


class GrantForm(forms.Form):
    amount = money(_("Amount of the grant"))
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    conditions = forms.CharField(
        label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DisbursementForm(forms.Form):
    amount = money(_("Tranche amount"))
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)


class VisitHeldForm(forms.Form):
    held_from = forms.DateField(label=_("Visit held from"), widget=DATE)
    held_until = forms.DateField(label=_("Visit held until"), widget=DATE)


class CloseForm(forms.Form):
    on = forms.DateField(
        label=_("Closed on"), required=False, widget=DATE, help_text=_("Blank: today.")
    )


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=_("Why the reservation is released"), max_length=500)


class VisitReportForm(forms.Form):
    programme = forms.CharField(
        label=_("Programme as held"), widget=forms.Textarea(attrs={"rows": 3})
    )
    participants = forms.CharField(
        label=_("Participants"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    outputs = forms.CharField(
        label=_("Outputs"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    language = forms.ChoiceField(
        label=_("Language of the report"),
        choices=[("en", "English"), ("fr", "Français"), ("es", "Español")],
    )


class LessonForm(forms.Form):
    title = forms.CharField(label=_("Lesson"), max_length=200, required=False)
    text = forms.CharField(
        label=_("What was learned"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("title") and not data.get("text"):
            self.add_error("text", _("Say what was learned."))
        if data.get("text") and not data.get("title"):
            self.add_error("title", _("Give the lesson a title."))
        return data


class FollowUpForm(forms.Form):
    action = forms.CharField(label=_("Follow-up action"), max_length=500, required=False)
    owner = forms.CharField(label=_("Owner"), max_length=200, required=False)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") and not data.get("owner"):
            self.add_error("owner", _("Say who does it."))
        if data.get("owner") and not data.get("action"):
            self.add_error("action", _("Say what is to be done."))
        return data


LessonFormSet = forms.formset_factory(LessonForm, extra=2, max_num=20)
FollowUpFormSet = forms.formset_factory(FollowUpForm, extra=2, max_num=20)


class FinancialReportForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, lines: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"line_{line.pk}"] = money(
                f"{line.get_category_display()}: {line.description}".rstrip(": "),
                help_text=_("Budgeted %(amount)s") % {"amount": line.amount},
            )
        self.order_fields([f"line_{line.pk}" for line in lines] + ["note"])

    def actuals(self) -> dict[int, Decimal]:
        return {line.pk: self.cleaned_data[f"line_{line.pk}"] for line in self.lines}


class FollowUpStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[("open", _("open")), ("done", _("done"))])


class HostProfileForm(forms.Form):
    capabilities = forms.MultipleChoiceField(
        label=_("What it can show visitors"),
        choices=Theme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.CharField(
        label=_("Working languages"), required=False, help_text=LANGUAGES_HELP
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_languages(self) -> list[str]:
        return codes(self.cleaned_data["languages"])
