"""Funding flows (pledge → commitment → payment) and the totals that sources publish."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from minefree.assistance.models import AssistanceType, Need, Partnership, VisibleRecord
from minefree.core.models import Origin, Source
from minefree.core.workflow import Workflow
from minefree.registry.models import Actor
from minefree.reporting.specification.schema import CHANNELS, PILLARS


class FlowStatus(models.TextChoices):
    PLEDGE = "pledge", _("pledge")
    COMMITMENT = "commitment", _("commitment")
    PAID = "paid", _("paid")


#: Money moves from pledge to commitment to payment. A flow never changes status: it is
#: carried forward as a new flow that ``follows`` it (``flow_advance``), so both stay visible.
FLOW_WORKFLOW = Workflow(
    "flow",
    FlowStatus,
    {
        FlowStatus.PLEDGE: {FlowStatus.COMMITMENT: "flow_advance", FlowStatus.PAID: "flow_advance"},
        FlowStatus.COMMITMENT: {FlowStatus.PAID: "flow_advance"},
    },
    noun=_("flow"),
)


class ReportedBy(models.TextChoices):
    DONOR = "donor", _("the donor")
    RECIPIENT = "recipient", _("the recipient")
    THIRD_PARTY = "third_party", _("a third party (e.g. Landmine Monitor)")


class Flow(VisibleRecord):
    """Money or in-kind support from a donor to a recipient in one calendar year.

    A multi-year pledge is split into yearly tranches (``tranche_of``); money that passes
    through an intermediary is a chain (``via``: the flow that brought the money to this
    flow's donor), so totals count each dollar once.
    """

    donor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="flows_given")
    recipient = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="flows_received")
    status = models.CharField(_("status"), max_length=12, choices=FlowStatus.choices)
    year = models.PositiveSmallIntegerField(_("calendar year"))
    fiscal_year = models.CharField(
        _("reporter's fiscal year"),
        max_length=20,
        blank=True,
        help_text=_("As the reporter gave it."),
    )
    pillar = models.CharField(_("pillar"), max_length=24, choices=PILLARS, blank=True)
    channel = models.CharField(_("channel"), max_length=12, choices=CHANNELS, blank=True)
    assistance_type = models.CharField(
        _("type of assistance"),
        max_length=12,
        choices=AssistanceType.choices,
        default=AssistanceType.FINANCIAL,
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    amount_usd = models.DecimalField(
        _("amount in USD"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Converted at the year's average rate; empty when no rate is known."),
    )
    reported_by = models.CharField(_("reported by"), max_length=12, choices=ReportedBy.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)
    report_version_id = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("The Article 7 report version it was read from.")
    )
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="flows"
    )
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.SET_NULL, related_name="flows"
    )
    case = models.ForeignKey(
        "casework.IndividualisedApproachCase",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flows",
        help_text=_("The individualised approach case at whose meeting it was pledged."),
    )
    tranche_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="tranches"
    )
    via = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="onward",
        help_text=_("The flow that brought this money to the donor (an intermediary)."),
    )
    follows = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_by",
        help_text=_("The pledge or commitment this flow carries forward."),
    )

    class Meta:
        ordering = ["-year", "donor__name_en", "pk"]
        indexes = [
            models.Index(fields=["recipient", "year"]),
            models.Index(fields=["donor", "year"]),
        ]
        verbose_name = _("funding flow")
        verbose_name_plural = _("funding flows")

    def __str__(self) -> str:
        return f"{self.donor} → {self.recipient} {self.year}: {self.amount} {self.currency}"


class TotalKind(models.TextChoices):
    GLOBAL = "global", _("global support (international and national)")
    INTERNATIONAL = "international", _("international support")
    DONOR = "donor", _("a donor's total")
    RECIPIENT = "recipient", _("a recipient's total")
    SECTOR = "sector", _("a sector's total")
    OTHER = "other", _("other published total")


class PublishedTotal(models.Model):
    """A total published by a source (e.g. Landmine Monitor), shown beside the loaded rows."""

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=16, choices=TotalKind.choices)
    record_type = models.CharField(_("as the source labels it"), max_length=60)
    donor = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sector = models.CharField(_("sector"), max_length=60, blank=True)
    amount_usd = models.DecimalField(
        _("amount in USD"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    amount_eur = models.DecimalField(
        _("amount in EUR"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.REFERENCE)

    class Meta:
        ordering = ["-year", "kind", "pk"]
        verbose_name = _("published total")
        verbose_name_plural = _("published totals")

    def __str__(self) -> str:
        return f"{self.year} {self.record_type}"
