"""Forms of the cooperation pages: they parse input; the services decide and record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minefree.assistance.models import AssistanceType, Need, NeedSource, Offer, Visibility
from minefree.casework.platforms import BilateralTopic
from minefree.core.forms import OnceForm
from minefree.funding.models import FlowStatus
from minefree.registry.models import Actor
from minefree.registry.selectors import get_actor, meetings_list, resolve_actor
from minefree.reporting.specification.schema import CHANNELS, PILLARS

STATUS_CHOICES = (
    ("", _("any status")),
    ("open", _("open")),
    ("partly_met", _("partly met")),
    ("met", _("met")),
)


def _year_choices() -> list[tuple[int, int]]:
    this = dt.date.today().year
    return [(y, y) for y in range(this + 6, 1998, -1)]


class NeedFilterForm(forms.Form):
    state = forms.CharField(label=_("State (ISO code)"), required=False, max_length=3)
    pillar = forms.ChoiceField(
        label=_("Pillar"), required=False, choices=(("", _("any pillar")), *PILLARS)
    )
    assistance_type = forms.ChoiceField(
        label=_("Type of assistance"),
        required=False,
        choices=(("", _("any type")), *AssistanceType.choices),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    q = forms.CharField(label=_("Words"), required=False, max_length=100)


class OfferFilterForm(forms.Form):
    provider = forms.CharField(label=_("Provider (ISO code)"), required=False, max_length=3)
    pillar = forms.ChoiceField(
        label=_("Pillar"), required=False, choices=(("", _("any pillar")), *PILLARS)
    )
    assistance_type = forms.ChoiceField(
        label=_("Type of assistance"),
        required=False,
        choices=(("", _("any type")), *AssistanceType.choices),
    )


class FlowFilterForm(forms.Form):
    donor = forms.CharField(label=_("Donor (ISO code)"), required=False, max_length=3)
    recipient = forms.CharField(label=_("Recipient (ISO code)"), required=False, max_length=3)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=(("", _("any status")), *FlowStatus.choices)
    )
    pillar = forms.ChoiceField(
        label=_("Pillar"), required=False, choices=(("", _("any pillar")), *PILLARS)
    )


class NeedForm(OnceForm):
    pillar = forms.ChoiceField(label=_("Pillar"), choices=PILLARS)
    assistance_type = forms.ChoiceField(
        label=_("Type of assistance"), choices=AssistanceType.choices
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    quantity = forms.CharField(
        label=_("Quantity"),
        required=False,
        max_length=120,
        help_text=_("For in-kind needs, e.g. 2 experts."),
    )
    amount = forms.DecimalField(
        label=_("Amount"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    currency = forms.CharField(
        label=_("Currency"), required=False, max_length=3, help_text=_("ISO code, e.g. USD, EUR.")
    )
    year_from = forms.TypedChoiceField(label=_("From year"), coerce=int, choices=_year_choices)
    year_to = forms.TypedChoiceField(label=_("To year"), coerce=int, choices=_year_choices)
    languages = forms.CharField(
        label=_("Working languages"),
        required=False,
        max_length=60,
        help_text=_("ISO codes separated by commas, e.g. es, en."),
    )
    source_kind = forms.ChoiceField(
        label=_("Where the need was stated"), choices=NeedSource.choices, initial=NeedSource.DIRECT
    )
    source_ref = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=60,
        help_text=_("e.g. the Article 7 report version or the extension request it comes from."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, initial=Visibility.PUBLIC
    )

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).strip().upper()

    def clean_languages(self) -> list[str]:
        return split_codes(self.cleaned_data["languages"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("amount") is not None and not data.get("currency"):
            self.add_error("currency", _("Give the currency of the amount."))
        return data


class OfferForm(OnceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    assistance_types = forms.MultipleChoiceField(
        label=_("Types of assistance"),
        choices=AssistanceType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    pillars = forms.MultipleChoiceField(
        label=_("Pillars"), choices=PILLARS, widget=forms.CheckboxSelectMultiple
    )
    priority_states = forms.CharField(
        label=_("Priority states"),
        required=False,
        max_length=400,
        help_text=_("ISO codes separated by commas, e.g. PER, COL."),
    )
    priority_regions = forms.CharField(
        label=_("Priority regions"),
        required=False,
        max_length=200,
        help_text=_("Region names separated by commas, e.g. Americas, Africa."),
    )
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=60,
        help_text=_("ISO codes separated by commas, e.g. es, en."),
    )
    amount_min_usd = forms.DecimalField(
        label=_("From (USD)"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    amount_max_usd = forms.DecimalField(
        label=_("Up to (USD)"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    year_from = forms.TypedChoiceField(label=_("From year"), coerce=int, choices=_year_choices)
    year_to = forms.TypedChoiceField(label=_("To year"), coerce=int, choices=_year_choices)
    channels = forms.MultipleChoiceField(
        label=_("Channels"), required=False, choices=CHANNELS, widget=forms.CheckboxSelectMultiple
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, initial=Visibility.PUBLIC
    )

    def clean_priority_states(self) -> list[str]:
        return [c.upper() for c in split_codes(self.cleaned_data["priority_states"])]

    def clean_priority_regions(self) -> list[str]:
        raw = str(self.cleaned_data["priority_regions"] or "")
        return [part.strip() for part in raw.split(",") if part.strip()]

    def clean_languages(self) -> list[str]:
        return split_codes(self.cleaned_data["languages"])


class PledgeForm(OnceForm):
    """A pledge, commitment or payment recorded against a partnership or a case."""

    status = forms.ChoiceField(
        label=_("Status"), choices=FlowStatus.choices, initial=FlowStatus.PLEDGE
    )
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=16, decimal_places=2)
    currency = forms.CharField(
        label=_("Currency"), max_length=3, initial="USD", help_text=_("ISO code, e.g. USD, EUR.")
    )
    year = forms.TypedChoiceField(label=_("Calendar year"), coerce=int, choices=_year_choices)
    years_to = forms.TypedChoiceField(
        label=_("Spread over the years up to"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=(("", _("one year only")), *_year_choices()),
        help_text=_("A multi-year pledge is split into equal yearly tranches."),
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=(("", "—"), *CHANNELS))
    description = forms.CharField(label=_("Description"), required=False, max_length=300)
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, initial=Visibility.PUBLIC
    )

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        years_to, year = data.get("years_to"), data.get("year")
        if years_to is not None and year is not None and years_to <= year:
            self.add_error("years_to", _("The last year comes after the first."))
        return data


class AdvanceForm(forms.Form):
    """A pledge becomes a commitment, a commitment a payment."""

    status = forms.ChoiceField(
        label=_("Becomes"), choices=[c for c in FlowStatus.choices if c[0] != FlowStatus.PLEDGE]
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text=_("Leave empty for all that remains."),
    )
    increase = forms.BooleanField(
        label=_("More than was pledged (an increase)"),
        required=False,
        help_text=_("Tick only when the donor gives more than the pledge or commitment."),
    )


def need_initial(need: Need) -> dict[str, Any]:
    """The form's starting values for an existing need."""
    return {
        "pillar": need.pillar,
        "assistance_type": need.assistance_type,
        "title": need.title,
        "description": need.description,
        "quantity": need.quantity,
        "amount": need.amount,
        "currency": need.currency,
        "year_from": need.year_from,
        "year_to": need.year_to,
        "languages": ", ".join(need.languages or []),
        "source_kind": need.source_kind,
        "source_ref": need.source_ref,
        "visibility": need.visibility,
    }


def offer_initial(offer: Offer) -> dict[str, Any]:
    return {
        "title": offer.title,
        "description": offer.description,
        "assistance_types": offer.assistance_types,
        "pillars": offer.pillars,
        "priority_states": ", ".join(s.iso3 or "" for s in offer.priority_states.all() if s.iso3),
        "priority_regions": ", ".join(offer.priority_regions or []),
        "languages": ", ".join(offer.languages or []),
        "amount_min_usd": offer.amount_min_usd,
        "amount_max_usd": offer.amount_max_usd,
        "year_from": offer.year_from,
        "year_to": offer.year_to,
        "channels": offer.channels,
        "visibility": offer.visibility,
    }


def split_codes(raw: Any) -> list[str]:
    return [part.strip().lower() for part in str(raw or "").split(",") if part.strip()]


# --- the individualised approach ----------------------------------------------------------


def find_actor(text: str) -> Actor | None:
    """An ISO code or any name of a state or organisation, as people type them."""
    text = text.strip()
    if len(text) == 3 and text.isalpha():
        found = get_actor(text)
        if found is not None:
            return found
    return resolve_actor(text)


class ActorField(forms.CharField):
    default_error_messages = {
        "unknown": _("“%(name)s” is not a state or organisation of the registry."),
    }

    def clean(self, value: Any) -> Actor | None:
        text = str(super().clean(value) or "").strip()
        if not text:
            return None
        actor = find_actor(text)
        if actor is None:
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"name": text}
            )
        return actor


class ActorsField(ActorField):
    """Several actors separated by commas or semicolons."""

    def clean(self, value: Any) -> list[Actor]:  # type: ignore[override]
        text = str(forms.CharField.clean(self, value) or "")
        actors, unknown = [], []
        for part in (p.strip() for p in text.replace(";", ",").split(",")):
            if not part:
                continue
            actor = find_actor(part)
            if actor is None:
                unknown.append(part)
            elif actor not in actors:
                actors.append(actor)
        if unknown:
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"name": ", ".join(unknown)}
            )
        return actors


class CaseRequestForm(OnceForm):
    state = ActorField(label=_("State"), help_text=_("ISO code or name, e.g. PER or Peru."))
    requested_on = forms.DateField(
        label=_("Requested on"), widget=forms.DateInput({"type": "date"})
    )
    pillars = forms.MultipleChoiceField(
        label=_("Pillars"), required=False, choices=PILLARS, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(label=_("What the state asks"), widget=forms.Textarea)
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, initial=Visibility.PUBLIC
    )


def _meetings() -> list[tuple[str, str]]:
    return [("", "—")] + [(str(m.pk), str(m)) for m in meetings_list().reverse()]


class CaseScheduleForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=forms.DateInput({"type": "date"}))
    setting = forms.CharField(
        label=_("Setting"),
        max_length=200,
        help_text=_("e.g. in the margins of the intersessional meetings, Geneva."),
    )
    in_margins_of = forms.TypedChoiceField(
        label=_("In the margins of"),
        required=False,
        choices=_meetings,
        coerce=lambda pk: meetings_list().get(pk=pk),
        empty_value=None,
    )


class CaseMeetingForm(CaseScheduleForm):
    participants = ActorsField(
        label=_("Participants"),
        required=False,
        help_text=_(
            "States, organisations, the national mine action centre: codes or names, separated by commas."
        ),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)
    visibility = forms.ChoiceField(
        label=_("Who may read the notes"), choices=Visibility.choices, initial=Visibility.COMMITTEE
    )


class CasePledgeForm(OnceForm):
    donor = ActorField(label=_("Partner"), help_text=_("ISO code or name, e.g. JPN or Japan."))
    assistance_type = forms.ChoiceField(
        label=_("Type of assistance"), choices=AssistanceType.choices
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text=_("0 for an in-kind pledge whose value was not given."),
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD", required=False)
    year = forms.TypedChoiceField(label=_("Calendar year"), coerce=int, choices=_year_choices)
    pillar = forms.ChoiceField(label=_("Pillar"), choices=PILLARS)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"] or "USD").strip().upper()


class ActionForm(OnceForm):
    description = forms.CharField(label=_("Action"), max_length=300)
    owner = ActorField(label=_("Owner"), help_text=_("ISO code or name."))
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput({"type": "date"}))


class CaseCloseForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea)
    closed_on = forms.DateField(label=_("Closed on"), widget=forms.DateInput({"type": "date"}))


class NoInputForm(forms.Form):
    """A step that needs nothing but the button."""


# --- national platforms and bilateral meetings --------------------------------------------


class PlatformForm(forms.Form):
    convening_authority = ActorField(
        label=_("Convening authority"),
        required=False,
        help_text=_("The state itself or one of its national bodies, e.g. its mine action centre."),
    )
    established_on = forms.DateField(
        label=_("Established"), required=False, widget=forms.DateInput({"type": "date"})
    )
    members = ActorsField(
        label=_("Members"),
        required=False,
        help_text=_("Donors, operators, organisations: codes or names, separated by commas."),
    )
    terms_of_reference = forms.CharField(
        label=_("Terms of reference"), required=False, widget=forms.Textarea
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, initial=Visibility.PUBLIC
    )


class PlatformMeetingForm(OnceForm):
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput({"type": "date"}))
    participants = ActorsField(label=_("Participants"), required=False)
    progress = forms.CharField(label=_("Progress discussed"), required=False, widget=forms.Textarea)
    funding_gap_usd = forms.DecimalField(
        label=_("Funding gap discussed (USD)"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
    )
    commitments = forms.CharField(
        label=_("Commitments made"), required=False, widget=forms.Textarea
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, initial=Visibility.PUBLIC
    )


class BilateralMeetingForm(OnceForm):
    counterpart = ActorField(
        label=_("With"), help_text=_("ISO code or name of the state or organisation.")
    )
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput({"type": "date"}))
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        required=False,
        choices=BilateralTopic.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    other_topics = forms.CharField(
        label=_("Other topics"),
        required=False,
        max_length=400,
        help_text=_("Separated by semicolons."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, initial=Visibility.COMMITTEE
    )

    def all_topics(self) -> list[str]:
        other = str(self.cleaned_data.get("other_topics") or "")
        return [*self.cleaned_data["topics"], *(t.strip() for t in other.split(";") if t.strip())]
