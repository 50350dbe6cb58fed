"""Needs and offers of assistance, and the partnerships the committee confirms between them.

Records that the real world keeps confidential (offers, pledges, notes of meetings) carry
a ``visibility`` (``VisibleRecord``, shared by every cooperation app); every read goes
through ``assistance.selectors.visible`` so pages, API and exports honour it alike.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minefree.core.models import Origin, Visibility
from minefree.registry.models import Actor
from minefree.reporting.specification.schema import CHANNELS, PILLARS


class AssistanceType(models.TextChoices):
    FINANCIAL = "financial", _("financial")
    EQUIPMENT = "equipment", _("equipment")
    EXPERTISE = "expertise", _("technical expertise")
    PERSONNEL = "personnel", _("personnel")
    TRAINING = "training", _("training")
    EXCHANGE = "exchange", _("exchange of experience")


class NeedSource(models.TextChoices):
    FORM_J = "form_j", _("Article 7 report, Form J")
    EXTENSION_REQUEST = "extension_request", _("Article 5 extension request")
    INDIVIDUALISED_APPROACH = "individualised_approach", _("individualised approach meeting")
    DIRECT = "direct", _("entered directly")


def labels_of(codes: list[str] | None, choices: Any) -> list[str]:
    """The labels of a list of codes in the active language (an unknown code as it is)."""
    names = dict(choices)
    return [str(names.get(code, code)) for code in codes or []]


class VisibleRecord(models.Model):
    """Who owns a record and who may read it."""

    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.ENTERED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Need(VisibleRecord):
    """What an affected state needs, from its report, an extension request, a meeting, or typed in."""

    state = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="needs")
    pillar = models.CharField(_("pillar"), max_length=24, choices=PILLARS)
    assistance_type = models.CharField(
        _("type of assistance"), max_length=12, choices=AssistanceType.choices
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    quantity = models.CharField(
        _("quantity"), max_length=120, blank=True, help_text=_("For in-kind needs, e.g. 2 experts.")
    )
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    amount_usd = models.DecimalField(
        _("amount in USD"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    year_from = models.PositiveSmallIntegerField(_("from year"))
    year_to = models.PositiveSmallIntegerField(_("to year"))
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    source_kind = models.CharField(
        _("source"), max_length=24, choices=NeedSource.choices, default=NeedSource.DIRECT
    )
    source_ref = models.CharField(
        _("source reference"),
        max_length=60,
        blank=True,
        help_text=_("The id of the report version, extension request or meeting it came from."),
    )

    class Meta:
        ordering = ["state__name_en", "-year_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year_to__gte=models.F("year_from")), name="need_period_order"
            )
        ]
        verbose_name = _("need")
        verbose_name_plural = _("needs")

    def __str__(self) -> str:
        return f"{self.state}: {self.title}"


class Offer(VisibleRecord):
    """What a state or organisation in a position to assist offers; in kind counts as much as money."""

    provider = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="offers")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    assistance_types = models.JSONField(_("types of assistance"), default=list)
    pillars = models.JSONField(_("pillars"), default=list)
    priority_states = models.ManyToManyField(
        Actor, blank=True, related_name="priority_in_offers", verbose_name=_("priority states")
    )
    priority_regions = models.JSONField(_("priority regions"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    amount_min_usd = models.DecimalField(
        _("from (USD)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    amount_max_usd = models.DecimalField(
        _("up to (USD)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    year_from = models.PositiveSmallIntegerField(_("from year"))
    year_to = models.PositiveSmallIntegerField(_("to year"))
    channels = models.JSONField(_("channels"), default=list, blank=True)

    class Meta:
        ordering = ["provider__name_en", "-year_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year_to__gte=models.F("year_from")), name="offer_period_order"
            )
        ]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")

    def __str__(self) -> str:
        return f"{self.provider}: {self.title}"

    @property
    def assistance_type_labels(self) -> list[str]:
        return labels_of(self.assistance_types, AssistanceType.choices)

    @property
    def pillar_labels(self) -> list[str]:
        return labels_of(self.pillars, PILLARS)

    @property
    def channel_labels(self) -> list[str]:
        return labels_of(self.channels, CHANNELS)


class Partnership(VisibleRecord):
    """A need and an offer the committee confirmed together; pledges then follow."""

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="partnerships")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="partnerships")
    score = models.FloatField(_("score when confirmed"))
    reasons = models.JSONField(_("reasons"), default=list)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-confirmed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["need", "offer"], name="one_partnership_per_pair")
        ]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")

    def __str__(self) -> str:
        return f"{self.offer.provider} → {self.need}"
