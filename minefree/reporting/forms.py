"""Forms of the Article 7 pages: they parse input for one service call each.

Row values are taken as typed (``CharField``); the services coerce them and the
validation rules report what is wrong, so a bad value is shown, never lost. The
widgets still follow the schema (number, date, select, textarea) so browsers help.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minefree.core.forms import OnceForm
from minefree.registry.models import Actor
from minefree.reporting.models import FormStatus, ImportMode, ReportKind
from minefree.reporting.services import TOTAL_MAX
from minefree.reporting.specification.content import as_number
from minefree.reporting.specification.schema import (
    AMOUNT,
    AREA_M2,
    CHOICE,
    CURRENCY,
    DATE,
    FORMS,
    INTEGER,
    LONG_TEXT,
    LONG_TEXT_MAX,
    NUMERIC,
    YEAR,
    Field,
    FormSpec,
    Table,
)
from minefree.reporting.specification.validation import total_field_id


class OpenReportForm(forms.Form):
    state = forms.TypedChoiceField(label=_("State"), coerce=int)
    year = forms.IntegerField(label=_("Year covered"), min_value=1999, max_value=2100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices)

    def __init__(self, *args: Any, states: list[Actor], **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"year": timezone.localdate().year - 1, "kind": ReportKind.ANNUAL},
        )
        super().__init__(*args, **kwargs)
        state_field = self.fields["state"]
        assert isinstance(state_field, forms.TypedChoiceField)
        state_field.choices = [(s.pk, s.name) for s in states]
        if len(states) == 1:
            state_field.initial = states[0].pk
            state_field.widget = forms.HiddenInput()


class SubmittedFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args: Any, states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        state_field = self.fields["state"]
        assert isinstance(state_field, forms.ChoiceField)
        state_field.choices = [("", _("All states")), *states]


FORM_STATUS_CHOICES = [
    (FormStatus.CHANGED, _("changed")),
    (FormStatus.UNCHANGED, _("unchanged since the previous report")),
    (FormStatus.NOT_APPLICABLE, _("not applicable")),
]


class FormStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("This form is"), choices=FORM_STATUS_CHOICES, widget=forms.RadioSelect
    )


class WarningExplanationForm(forms.Form):
    code = forms.CharField(max_length=12, widget=forms.HiddenInput)
    target = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Explanation"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Published with the report."),
    )


def _letter_choices() -> list[tuple[str, str]]:
    return [(letter, f"{letter}: {spec.title}") for letter, spec in FORMS.items()]


class ClarificationRequestForm(OnceForm):
    letter = forms.ChoiceField(label=_("Form"), choices=_letter_choices)
    question = forms.CharField(
        label=_("Question"), max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class ClarificationAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class AmendmentForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the amendment"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    answers = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _is_number(value: Any) -> bool:
    return value in (None, "") or as_number(value) is not None


def _is_date(value: Any) -> bool:
    if value in (None, ""):
        return True
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def row_widget(spec: Field, value: Any, attrs: dict[str, str]) -> forms.Widget:
    """The input for one field; a stored value the typed input cannot show gets a text box."""
    attrs = {**attrs, "aria-label": str(spec.label)}
    if spec.kind in NUMERIC and _is_number(value):
        attrs["step"] = "1" if spec.kind in (INTEGER, YEAR) else "any"
        if not spec.signed:
            attrs["min"] = "0"
        if spec.kind in (AREA_M2, AMOUNT):
            attrs["class"] = "num wide"
        else:
            attrs["class"] = "num"
        return forms.NumberInput(attrs=attrs)
    if spec.kind == DATE and _is_date(value):
        return forms.DateInput(attrs={**attrs, "type": "date"})
    if spec.kind == CHOICE:
        choices: list[tuple[str, Any]] = [("", "—"), *spec.choices]
        if value not in (None, "") and str(value) not in {c for c, _label in spec.choices}:
            choices.append((str(value), _("%(value)s (not a valid choice)") % {"value": value}))
        return forms.Select(attrs=attrs, choices=choices)
    if spec.kind == LONG_TEXT:
        return forms.Textarea(attrs={**attrs, "rows": "2", "cols": "24"})
    if spec.kind == CURRENCY:
        return forms.TextInput(attrs={**attrs, "size": "4", "maxlength": "3", "class": "code"})
    return forms.TextInput(attrs={**attrs, "size": "14"})


class RowForm(forms.Form):
    """One row of one table; ``html_form`` is the id of the ``<form>`` its inputs belong to."""

    def __init__(
        self,
        *args: Any,
        table: Table,
        html_form: str,
        values: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        values = values or {}
        kwargs.setdefault("auto_id", f"{html_form}-%s")
        kwargs.setdefault("initial", {k: "" if v is None else str(v) for k, v in values.items()})
        super().__init__(*args, **kwargs)
        self.table = table
        source = self.data if self.is_bound else values
        for spec in table.fields:
            self.fields[spec.name] = forms.CharField(
                label=str(spec.label),
                required=False,
                strip=False,
                max_length=spec.max_length,
                widget=row_widget(spec, source.get(spec.name), {"form": html_form}),
            )

    def values(self) -> dict[str, str]:
        return {spec.name: self.cleaned_data.get(spec.name, "") for spec in self.table.fields}


class FormEntryForm(forms.Form):
    """A form's narratives and the totals declared for its summed tables."""

    def __init__(self, *args: Any, spec: FormSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        for narrative in spec.narratives:
            self.fields[f"n_{narrative.name}"] = forms.CharField(
                label=str(narrative.label),
                required=False,
                max_length=LONG_TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 4, "id": f"narrative-{narrative.name}"}),
                help_text=str(narrative.help),
            )
        for table in self.total_tables:
            summed = table.field(table.total_of)
            self.fields[f"t_{table.code}"] = forms.CharField(
                label=_("Declared total of “%(table)s”: %(field)s")
                % {"table": table.label, "field": summed.label},
                required=False,
                max_length=TOTAL_MAX,
                widget=forms.NumberInput(
                    attrs={"step": "any", "class": "num wide", "id": total_field_id(table.code)}
                ),
                help_text=_("Must equal the sum of the rows."),
            )

    @property
    def total_tables(self) -> list[Table]:
        return [t for t in self.spec.tables if t.total_of]

    @property
    def is_useful(self) -> bool:
        return bool(self.fields)

    def narratives(self) -> dict[str, str] | None:
        if not self.spec.narratives:
            return None
        return {n.name: self.cleaned_data.get(f"n_{n.name}", "") for n in self.spec.narratives}

    def declared_totals(self) -> dict[str, str] | None:
        if not self.total_tables:
            return None
        return {t.code: self.cleaned_data.get(f"t_{t.code}", "") for t in self.total_tables}


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Telephone"), max_length=60, required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "PDF, PNG, JPEG, DOCX, ODT or plain text; at most 10 MB. The type is checked by content."
        ),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class ImportBatchForm(forms.Form):
    """How a batch of workbooks is imported; the files themselves come as ``files``."""

    mode = forms.ChoiceField(
        label=_("Import the reports"),
        choices=ImportMode.choices,
        initial=ImportMode.DRAFTS,
        widget=forms.RadioSelect,
    )
    received_on = forms.DateField(
        label=_("Received on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "For an archive: when the reports reached the ISU. Used for workbooks that do not "
            "say when they were submitted."
        ),
    )
