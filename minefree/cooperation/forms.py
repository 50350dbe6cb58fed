"""Forms of the cooperation pages: they parse input; the services decide and record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minefree.assistance.models import AssistanceType, Need, NeedSource, Offer
from minefree.assistance.services import need_version, offer_version
from minefree.casework.platforms import BilateralTopic
from minefree.core.forms import OnceForm
from minefree.core.models import Visibility
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


WHO_MAY_READ = _("Who may read it")


def visibility_field(
    initial: str = Visibility.PUBLIC, label: Any = WHO_MAY_READ
) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=Visibility.choices, initial=initial)


def year_field(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, coerce=int, choices=_year_choices)


def amount_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text=help_text,
    )


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput({"type": "date"}))


def text_field(label: Any, *, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, required=required, widget=forms.Textarea)


def list_field(label: Any, max_length: int, help_text: Any) -> forms.CharField:
    """Codes or names typed with commas between them."""
    return forms.CharField(label=label, required=False, max_length=max_length, help_text=help_text)


def any_of(label: Any, anything: Any, choices: Any) -> forms.ChoiceField:
    """A filter: one of ``choices``, or the blank choice ``anything``."""
    return forms.ChoiceField(label=label, required=False, choices=(("", anything), *choices))


def initial_of(
    record: Any, form_class: type[forms.Form], joined: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A form's starting values from a record: its fields by name, lists joined by commas."""
    values = {
        name: getattr(record, name) for name in form_class.base_fields if hasattr(record, name)
    }
    values.update({name: ", ".join(getattr(record, name) or []) for name in joined})
    return values


def version_field() -> forms.CharField:
    """The version of the record the form was filled from, so a later change is not lost."""
    return forms.CharField(widget=forms.HiddenInput, required=False)


class CurrencyCode(forms.Form):
    """A currency typed in any case is its upper-case ISO code."""

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).strip().upper()


class NeedFilterForm(forms.Form):
    state = forms.CharField(label=_("State (ISO code)"), required=False, max_length=3)
    pillar = any_of(_("Pillar"), _("any pillar"), PILLARS)
    assistance_type = any_of(_("Type of assistance"), _("any type"), AssistanceType.choices)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    q = forms.CharField(label=_("Words"), required=False, max_length=100)


class OfferFilterForm(forms.Form):
    provider = forms.CharField(label=_("Provider (ISO code)"), required=False, max_length=3)
    pillar = any_of(_("Pillar"), _("any pillar"), PILLARS)
    assistance_type = any_of(_("Type of assistance"), _("any type"), AssistanceType.choices)


class FlowFilterForm(forms.Form):
    donor = forms.CharField(label=_("Donor (ISO code)"), required=False, max_length=3)
    recipient = forms.CharField(label=_("Recipient (ISO code)"), required=False, max_length=3)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    status = any_of(_("Status"), _("any status"), FlowStatus.choices)
    pillar = any_of(_("Pillar"), _("any pillar"), PILLARS)


class NeedForm(CurrencyCode, OnceForm):
    version = version_field()
    pillar = forms.ChoiceField(label=_("Pillar"), choices=PILLARS)
    assistance_type = forms.ChoiceField(
        label=_("Type of assistance"), choices=AssistanceType.choices
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = text_field(_("Description"))
    quantity = list_field(_("Quantity"), 120, _("For in-kind needs, e.g. 2 experts."))
    amount = amount_field(_("Amount"), required=False)
    currency = forms.CharField(
        label=_("Currency"), required=False, max_length=3, help_text=_("ISO code, e.g. USD, EUR.")
    )
    year_from = year_field(_("From year"))
    year_to = year_field(_("To year"))
    languages = list_field(
        _("Working languages"), 60, _("ISO codes separated by commas, e.g. es, en.")
    )
    source_kind = forms.ChoiceField(
        label=_("Where the need was stated"), choices=NeedSource.choices, initial=NeedSource.DIRECT
    )
    source_ref = list_field(
        _("Reference"),
        60,
        _("e.g. the Article 7 report version or the extension request it comes from."),
    )
    visibility = visibility_field()

    def clean_languages(self) -> list[str]:
        return split_codes(self.cleaned_data["languages"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("amount") is not None and not data.get("currency"):
            self.add_error("currency", _("Give the currency of the amount."))
        return data


class OfferForm(OnceForm):
    version = version_field()
    title = forms.CharField(label=_("Title"), max_length=200)
    description = text_field(_("Description"))
    assistance_types = forms.MultipleChoiceField(
        label=_("Types of assistance"),
        choices=AssistanceType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    pillars = forms.MultipleChoiceField(
        label=_("Pillars"), choices=PILLARS, widget=forms.CheckboxSelectMultiple
    )
    priority_states = list_field(
        _("Priority states"), 400, _("ISO codes separated by commas, e.g. PER, COL.")
    )
    priority_regions = list_field(
        _("Priority regions"), 200, _("Region names separated by commas, e.g. Americas, Africa.")
    )
    languages = list_field(_("Languages"), 60, _("ISO codes separated by commas, e.g. es, en."))
    amount_min_usd = amount_field(_("From (USD)"), required=False)
    amount_max_usd = amount_field(_("Up to (USD)"), required=False)
    year_from = year_field(_("From year"))
    year_to = year_field(_("To year"))
    channels = forms.MultipleChoiceField(
        label=_("Channels"), required=False, choices=CHANNELS, widget=forms.CheckboxSelectMultiple
    )
    visibility = visibility_field()

    def clean_priority_states(self) -> list[str]:
        return [c.upper() for c in split_codes(self.cleaned_data["priority_states"])]

    def clean_priority_regions(self) -> list[str]:
        raw = str(self.cleaned_data["priority_regions"] or "")
        return [part.strip() for part in raw.split(",") if part.strip()]

    def clean_languages(self) -> list[str]:
        return split_codes(self.cleaned_data["languages"])


class PledgeForm(CurrencyCode, OnceForm):
    """A pledge, commitment or payment recorded against a partnership or a case."""

    status = forms.ChoiceField(
        label=_("Status"), choices=FlowStatus.choices, initial=FlowStatus.PLEDGE
    )
    amount = amount_field(_("Amount"))
    currency = forms.CharField(
        label=_("Currency"), max_length=3, initial="USD", help_text=_("ISO code, e.g. USD, EUR.")
    )
    year = year_field(_("Calendar year"))
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
    visibility = visibility_field()

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
    amount = amount_field(
        _("Amount"), required=False, help_text=_("Leave empty for all that remains.")
    )
    increase = forms.BooleanField(
        label=_("More than was pledged (an increase)"),
        required=False,
        help_text=_("Tick only when the donor gives more than the pledge or commitment."),
    )


def need_initial(need: Need) -> dict[str, Any]:
    """The form's starting values for an existing need."""
    return initial_of(need, NeedForm, joined=("languages",)) | {"version": need_version(need)}


def offer_initial(offer: Offer) -> dict[str, Any]:
    codes = [s.iso3 for s in offer.priority_states.all() if s.iso3]
    initial = initial_of(offer, OfferForm, joined=("priority_regions", "languages"))
    return initial | {"priority_states": ", ".join(codes), "version": offer_version(offer)}


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
    requested_on = date_field(_("Requested on"))
    pillars = forms.MultipleChoiceField(
        label=_("Pillars"), required=False, choices=PILLARS, widget=forms.CheckboxSelectMultiple
    )
    summary = text_field(_("What the state asks"), required=True)
    visibility = visibility_field()


def _meetings() -> list[tuple[str, str]]:
    return [("", "—")] + [(str(m.pk), str(m)) for m in meetings_list().reverse()]


class CaseStepForm(forms.Form):
    """A step of a case, with the version of the case it was taken from: a step on a case
    that changed since the page was read is refused instead of overwriting that change."""

    version = version_field()


class CaseScheduleForm(CaseStepForm):
    on = date_field(_("Date"))
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
    notes = text_field(_("Notes"))
    visibility = visibility_field(Visibility.COMMITTEE, _("Who may read the notes"))


class CasePledgeForm(OnceForm):
    donor = ActorField(label=_("Partner"), help_text=_("ISO code or name, e.g. JPN or Japan."))
    assistance_type = forms.ChoiceField(
        label=_("Type of assistance"), choices=AssistanceType.choices
    )
    amount = amount_field(
        _("Amount"), help_text=_("0 for an in-kind pledge whose value was not given.")
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD", required=False)
    year = year_field(_("Calendar year"))
    pillar = forms.ChoiceField(label=_("Pillar"), choices=PILLARS)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"] or "USD").strip().upper()


class ActionForm(OnceForm):
    description = forms.CharField(label=_("Action"), max_length=300)
    owner = ActorField(label=_("Owner"), help_text=_("ISO code or name."))
    due_on = date_field(_("Due"))


class CaseCloseForm(CaseStepForm):
    outcome = text_field(_("Outcome"), required=True)
    closed_on = date_field(_("Closed on"))


class CaseFollowUpForm(CaseStepForm):
    """Follow-up needs nothing but the button (and the version it was taken from)."""


# --- national platforms and bilateral meetings --------------------------------------------


class PlatformForm(forms.Form):
    version = version_field()
    convening_authority = ActorField(
        label=_("Convening authority"),
        required=False,
        help_text=_("The state itself or one of its national bodies, e.g. its mine action centre."),
    )
    established_on = date_field(_("Established"), required=False)
    members = ActorsField(
        label=_("Members"),
        required=False,
        help_text=_("Donors, operators, organisations: codes or names, separated by commas."),
    )
    terms_of_reference = text_field(_("Terms of reference"))
    visibility = visibility_field()


class PlatformMeetingForm(OnceForm):
    held_on = date_field(_("Date"))
    participants = ActorsField(label=_("Participants"), required=False)
    progress = text_field(_("Progress discussed"))
    funding_gap_usd = amount_field(_("Funding gap discussed (USD)"), required=False)
    commitments = text_field(_("Commitments made"))
    visibility = visibility_field()


class BilateralMeetingForm(OnceForm):
    counterpart = ActorField(
        label=_("With"), help_text=_("ISO code or name of the state or organisation.")
    )
    held_on = date_field(_("Date"))
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        required=False,
        choices=BilateralTopic.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    other_topics = list_field(_("Other topics"), 400, _("Separated by semicolons."))
    notes = text_field(_("Notes"))
    visibility = visibility_field(Visibility.COMMITTEE)

    def all_topics(self) -> list[str]:
        other = str(self.cleaned_data.get("other_topics") or "")
        return [*self.cleaned_data["topics"], *(t.strip() for t in other.split(";") if t.strip())]
