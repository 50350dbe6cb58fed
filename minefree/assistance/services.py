"""Writes for needs, offers and partnerships (flows live in ``flows.py``, cases in ``cases.py``).

Each service checks who may write through ``selectors``, validates with messages a delegate
can act on, changes the record and writes its audit event, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pycountry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from minefree.assistance import matching
from minefree.assistance.models import AssistanceType, Need, NeedSource, Offer, Partnership
from minefree.assistance.selectors import may_read, reader
from minefree.core.audit import audit_record, service, snapshot
from minefree.core.currency import NO_CURRENCY, to_usd
from minefree.core.models import Origin, Visibility
from minefree.core.permissions import require
from minefree.core.versions import check_version, version_of
from minefree.core.workflow import AlreadyDone, actor_label, claim_once, lock_rows
from minefree.registry.models import Actor, ActorKind
from minefree.reporting.specification.schema import CHANNELS, PILLARS

FIRST_YEAR = 1990
#: how far ahead a need or an offer may run
YEARS_AHEAD = 15
#: from the widest to the narrowest: a partnership is as confidential as its narrower side
VISIBILITY_ORDER = [
    Visibility.PUBLIC,
    Visibility.STATES_PARTIES,
    Visibility.COMMITTEE,
    Visibility.PRIVATE,
]
NEED_FIELDS = [
    "state",
    "pillar",
    "assistance_type",
    "title",
    "description",
    "quantity",
    "amount",
    "currency",
    "amount_usd",
    "year_from",
    "year_to",
    "languages",
    "source_kind",
    "source_ref",
    "visibility",
    "origin",
]
OFFER_FIELDS = [
    "provider",
    "title",
    "description",
    "assistance_types",
    "pillars",
    "priority_regions",
    "languages",
    "amount_min_usd",
    "amount_max_usd",
    "year_from",
    "year_to",
    "channels",
    "visibility",
    "origin",
]


@dataclass(frozen=True)
class NeedInput:
    """What a form, the API or an import says about a need."""

    pillar: str
    assistance_type: str
    title: str
    year_from: int
    year_to: int
    description: str = ""
    quantity: str = ""
    amount: Decimal | None = None
    currency: str = ""
    languages: Sequence[str] = ()
    visibility: str = Visibility.PUBLIC
    source_kind: str = NeedSource.DIRECT
    source_ref: str = ""
    origin: str = Origin.ENTERED


@dataclass(frozen=True)
class OfferInput:
    """What a form, the API or the demo generator says about an offer."""

    title: str
    assistance_types: Sequence[str]
    pillars: Sequence[str]
    year_from: int
    year_to: int
    description: str = ""
    #: ISO 3166 alpha-3 codes
    priority_states: Sequence[str] = ()
    #: region or subregion names as the registry spells them (any case)
    priority_regions: Sequence[str] = ()
    languages: Sequence[str] = ()
    amount_min_usd: Decimal | None = None
    amount_max_usd: Decimal | None = None
    channels: Sequence[str] = field(default_factory=tuple)
    visibility: str = Visibility.PUBLIC
    origin: str = Origin.ENTERED


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "_meta", None) is not None else None


def _check_period(year_from: int, year_to: int) -> None:
    last = dt.date.today().year + YEARS_AHEAD
    if not (FIRST_YEAR <= year_from <= last and FIRST_YEAR <= year_to <= last):
        raise ValidationError(
            _("Years run from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": last}
        )
    if year_to < year_from:
        raise ValidationError(_("The period ends before it starts."))


def _check_choice(value: str, allowed: Sequence[str], message: str) -> None:
    if value not in allowed:
        raise ValidationError(message)


def _check_codes(values: Sequence[str], allowed: Sequence[str], message: str) -> list[str]:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValidationError(message % {"codes": ", ".join(unknown)})
    return list(dict.fromkeys(values))


def _languages(values: Sequence[str]) -> list[str]:
    """ISO 639 codes, lower case, each once."""
    codes = [v.strip().lower() for v in values if v.strip()]
    bad = [c for c in codes if not (2 <= len(c) <= 3 and c.isalpha())]
    if bad:
        raise ValidationError(
            _("Give languages as ISO codes such as en, fr, es (not: %(codes)s).")
            % {"codes": ", ".join(bad)}
        )
    return list(dict.fromkeys(codes))


def _amount(value: Decimal | int | str | None, message: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError(message) from exc
    if not amount.is_finite() or amount < 0:
        raise ValidationError(message)
    return amount.quantize(Decimal("0.01"))


def _currency(code: str) -> str:
    code = code.strip().upper()
    if code == NO_CURRENCY or pycountry.currencies.get(alpha_3=code) is None:
        raise ValidationError(
            _("%(code)s is not an ISO 4217 currency code such as USD, EUR or CHF.")
            % {"code": code or "—"}
        )
    return code


def need_usd(amount: Decimal, currency: str, year_from: int) -> Decimal | None:
    """USD at the average rate of the period's first year.

    A period that has not started has no rate yet: the latest full or running year's rate
    is used instead, the best estimate of what the money is worth when it is sought.
    """
    this_year = dt.date.today().year
    for year in (min(year_from, this_year), this_year - 1):
        usd = to_usd(amount, currency, year)
        if usd is not None:
            return usd
    return None


def _claim_edit(
    actor: Any, action: str, owner: Actor, current_owner: Actor | None, refusal: str, key: str
) -> None:
    """The owner's people (and ISU staff) save its records, the record's current owner's
    too; a form sent twice saves once (``key``)."""
    require(actor, action, owner, refusal)
    if current_owner is not None:
        require(actor, action, current_owner, refusal)
    noun = action.split(".")[0]
    claim_once(actor_label=actor_label(actor), key=key, action=f"{noun}.saved")


def _audit_saved(
    actor: Any, record: Need | Offer, created: bool, before: Any, after: Any, state_code: str
) -> None:
    """Audit a saved need or offer as created or updated."""
    noun = record._meta.model_name
    audit_record(
        actor=actor,
        action=f"{noun}.created" if created else f"{noun}.updated",
        obj=record,
        before=before,
        after=after,
        state_code=state_code,
    )


def need_version(need: Need) -> str:
    """The version a writer must name to change ``need`` (``If-Match``)."""
    return version_of(need, NEED_FIELDS)


def offer_version(offer: Offer) -> str:
    """The version of ``offer``, its priority states included."""
    states = sorted(a.code for a in offer.priority_states.all())
    return version_of(offer, OFFER_FIELDS, {"priority_states": states})


@service
def need_save(
    *,
    actor: Any,
    state: Actor,
    data: NeedInput,
    need: Need | None = None,
    request_key: str = "",
    expected_version: str | None = None,
) -> Need:
    """Create or change a need of ``state``; its USD value is worked out here, once.

    With ``expected_version`` (the version the writer read), a need changed since then is
    not overwritten (``VersionConflictError``)."""
    refusal = _("Only the state's focal point, its delegates and ISU staff.")
    _claim_edit(actor, "need.edit", state, need.state if need else None, refusal, request_key)
    if need is not None:
        need = Need.objects.select_for_update(of=("self",)).select_related("state").get(pk=need.pk)
        check_version(need, need_version(need), expected_version)
    if need is not None and need.state_id != state.pk:
        raise ValidationError(_("A need cannot move to another state."))
    if state.kind not in (ActorKind.STATE, ActorKind.OTHER_AREA):
        raise ValidationError(_("Only a state or an area has needs."))
    _check_choice(data.pillar, [c for c, _l in PILLARS], _("Choose a pillar."))
    _check_choice(data.assistance_type, AssistanceType.values, _("Choose a type of assistance."))
    _check_choice(data.visibility, Visibility.values, _("Choose who may read it."))
    _check_choice(data.source_kind, NeedSource.values, _("Choose where the need comes from."))
    _check_choice(data.origin, Origin.values, _("Unknown origin."))
    _check_period(data.year_from, data.year_to)
    amount = _amount(data.amount, _("The amount must be a number of zero or more."))
    currency, amount_usd = "", None
    if amount is not None:
        currency = _currency(data.currency)
        amount_usd = need_usd(amount, currency, data.year_from)
    elif data.currency.strip():
        raise ValidationError(_("Give the amount, or leave the currency empty."))
    before = snapshot(need, NEED_FIELDS) if need is not None else None
    record = need or Need(state=state, created_by=_user(actor))
    record.pillar = data.pillar
    record.assistance_type = data.assistance_type
    record.title = data.title.strip()
    record.description = data.description.strip()
    record.quantity = data.quantity.strip()
    record.amount, record.currency, record.amount_usd = amount, currency, amount_usd
    record.year_from, record.year_to = data.year_from, data.year_to
    record.languages = _languages(data.languages)
    record.visibility = data.visibility
    record.source_kind, record.source_ref = data.source_kind, data.source_ref.strip()
    record.origin = data.origin
    record.full_clean()
    record.save()
    _audit_saved(
        actor, record, need is None, before, snapshot(record, NEED_FIELDS), state.state_code
    )
    return record


def _priority_states(codes: Sequence[str]) -> list[Actor]:
    wanted = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
    found = {a.iso3: a for a in Actor.objects.filter(iso3__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise ValidationError(_("Unknown state codes: %(codes)s.") % {"codes": ", ".join(unknown)})
    return [found[c] for c in wanted]


def _priority_regions(names: Sequence[str]) -> list[str]:
    """The registry's spelling of each region or subregion named."""
    known: dict[str, str] = {}
    for region, subregion in Actor.objects.exclude(region="").values_list("region", "subregion"):
        known.setdefault(region.casefold(), region)
        if subregion:
            known.setdefault(subregion.casefold(), subregion)
    wanted = [n.strip() for n in names if n.strip()]
    unknown = [n for n in wanted if n.casefold() not in known]
    if unknown:
        raise ValidationError(
            _("Unknown regions: %(names)s. Use regions such as Africa or Americas.")
            % {"names": ", ".join(unknown)}
        )
    return list(dict.fromkeys(known[n.casefold()] for n in wanted))


@service
def offer_save(
    *,
    actor: Any,
    provider: Actor,
    data: OfferInput,
    offer: Offer | None = None,
    request_key: str = "",
    expected_version: str | None = None,
) -> Offer:
    """Create or change an offer of ``provider``; in-kind offers need no amount.

    With ``expected_version``, an offer changed since the writer read it is not overwritten."""
    refusal = _("Only the provider's focal point and ISU staff.")
    current = offer.provider if offer else None
    _claim_edit(actor, "offer.edit", provider, current, refusal, request_key)
    if offer is not None:
        offer = (
            Offer.objects.select_for_update(of=("self",))
            .select_related("provider")
            .get(pk=offer.pk)
        )
        check_version(offer, offer_version(offer), expected_version)
    if offer is not None and offer.provider_id != provider.pk:
        raise ValidationError(_("An offer cannot move to another provider."))
    if provider.kind not in (ActorKind.STATE, ActorKind.ORGANISATION):
        raise ValidationError(_("Only a state or an organisation makes offers."))
    if not data.assistance_types:
        raise ValidationError(_("Choose at least one type of assistance."))
    if not data.pillars:
        raise ValidationError(_("Choose at least one pillar."))
    types = _check_codes(
        data.assistance_types, AssistanceType.values, _("Unknown types of assistance: %(codes)s.")
    )
    pillars = _check_codes(data.pillars, [c for c, _l in PILLARS], _("Unknown pillars: %(codes)s."))
    channels = _check_codes(
        data.channels, [c for c, _l in CHANNELS], _("Unknown channels: %(codes)s.")
    )
    _check_choice(data.visibility, Visibility.values, _("Choose who may read it."))
    _check_choice(data.origin, Origin.values, _("Unknown origin."))
    _check_period(data.year_from, data.year_to)
    message = _("Amounts must be numbers of zero or more.")
    low, high = _amount(data.amount_min_usd, message), _amount(data.amount_max_usd, message)
    if low is not None and high is not None and high < low:
        raise ValidationError(_("The highest amount is below the lowest."))
    states = _priority_states(data.priority_states)
    regions = _priority_regions(data.priority_regions)
    before = None
    if offer is not None:
        before = snapshot(offer, OFFER_FIELDS)
        before["priority_states"] = sorted(a.code for a in offer.priority_states.all())
    record = offer or Offer(provider=provider, created_by=_user(actor))
    record.title = data.title.strip()
    record.description = data.description.strip()
    record.assistance_types, record.pillars, record.channels = types, pillars, channels
    record.priority_regions = regions
    record.languages = _languages(data.languages)
    record.amount_min_usd, record.amount_max_usd = low, high
    record.year_from, record.year_to = data.year_from, data.year_to
    record.visibility, record.origin = data.visibility, data.origin
    record.full_clean()
    record.save()
    record.priority_states.set(states)
    after = snapshot(record, OFFER_FIELDS)
    after["priority_states"] = sorted(a.code for a in states)
    code = provider.state_code if provider.kind == ActorKind.STATE else ""
    _audit_saved(actor, record, offer is None, before, after, code)
    return record


def _narrowest(*levels: str) -> str:
    return max(levels, key=lambda v: VISIBILITY_ORDER.index(Visibility(v)))


@service
def partnership_confirm(
    *, actor: Any, need: Need, offer: Offer, visibility: str | None = None
) -> Partnership:
    """The committee confirms that ``offer`` answers ``need``; the score is kept as it was then.

    Kept so that later changes to weights or records do not rewrite why the pair was made.
    """
    require(
        actor,
        "partnership.confirm",
        None,
        _("Only committee members and ISU staff confirm partnerships."),
    )
    who = reader(actor)
    if not (may_read(need, who, need.state) and may_read(offer, who, offer.provider)):
        raise PermissionDenied(_("This need or offer is not shared with you."))
    if need.state_id == offer.provider_id:
        raise ValidationError(_("A state cannot partner with itself."))
    lock_rows(Need.objects.filter(pk=need.pk))  # two confirmations at once: one partnership
    existing = Partnership.objects.filter(need=need, offer=offer).select_related("confirmed_by")
    if (partnership := existing.first()) is not None:
        raise AlreadyDone(
            _("This need and this offer are already partners (confirmed on %(day)s by %(who)s).")
            % {
                "day": partnership.confirmed_at.date().isoformat(),
                "who": partnership.confirmed_by.get_username()
                if partnership.confirmed_by
                else _("the system"),
            }
        )
    level = visibility or _narrowest(need.visibility, offer.visibility)
    _check_choice(level, Visibility.values, _("Choose who may read it."))
    past = set(
        Partnership.objects.filter(
            offer__provider_id=offer.provider_id, need__state_id=need.state_id
        ).values_list("offer__provider_id", "need__state_id")
    )
    match = matching.score_pair(need, offer, past_pairs=past)
    synthetic = Origin.SYNTHETIC in (need.origin, offer.origin)
    partnership = Partnership(
        need=need,
        offer=offer,
        score=match.score,
        reasons=match.reasons_json(),
        confirmed_by=_user(actor),
        created_by=_user(actor),
        visibility=level,
        origin=Origin.SYNTHETIC if synthetic else Origin.ENTERED,
    )
    # the console (SYSTEM) confirms with no user: the column allows it, the form field not
    partnership.full_clean(exclude=["confirmed_by"])
    partnership.save()
    audit_record(
        actor=actor,
        action="partnership.confirmed",
        obj=partnership,
        after=snapshot(partnership, ["need", "offer", "score", "visibility", "origin"]),
        state_code=need.state.state_code,
    )
    return partnership
