"""Cooperation and assistance (Article 6): needs, offers, partnerships, funding flows.

Records that the real world keeps confidential (offers, pledges, notes of meetings) carry
a ``visibility``; every read goes through ``cooperation.selectors.visible`` so pages,
API and exports honour it alike.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minefree.core.dates import PartialDate, Precision
from minefree.core.models import Origin, Source
from minefree.core.workflow import Workflow
from minefree.registry.models import Actor, Committee, Meeting
from minefree.reporting.specification.schema import CHANNELS, PILLARS


class Visibility(models.TextChoices):
    PUBLIC = "public", _("public")
    STATES_PARTIES = "states_parties", _("States Parties")
    COMMITTEE = "committee", _("committee")
    PRIVATE = "private", _("private to its owner and ISU staff")


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
        names = dict(AssistanceType.choices)
        return [str(names.get(code, code)) for code in self.assistance_types or []]

    @property
    def pillar_labels(self) -> list[str]:
        names = dict(PILLARS)
        return [str(names.get(code, code)) for code in self.pillars or []]

    @property
    def channel_labels(self) -> list[str]:
        names = dict(CHANNELS)
        return [str(names.get(code, code)) for code in self.channels or []]


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
        "IndividualisedApproachCase",
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


class CaseStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    SCHEDULED = "scheduled", _("scheduled")
    HELD = "held", _("held")
    FOLLOW_UP = "follow_up", _("follow-up")
    CLOSED = "closed", _("closed")


class IndividualisedApproachCase(VisibleRecord):
    """A state's request to present its needs to partners, followed until it is closed."""

    state = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="ia_cases")
    committee = models.ForeignKey(
        Committee, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.REQUESTED
    )
    requested_on = models.DateField(
        _("requested on"), null=True, blank=True, help_text=_("Blank when no source gives it.")
    )
    pillars = models.JSONField(_("pillars"), default=list, blank=True)
    summary = models.TextField(_("what the state asks"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = [models.F("requested_on").desc(nulls_last=True), "pk"]
        verbose_name = _("individualised approach case")
        verbose_name_plural = _("individualised approach cases")

    def __str__(self) -> str:
        when = f"{self.requested_on:%Y}" if self.requested_on else "request date unknown"
        return f"{self.state}: individualised approach ({when})"


class CaseMeeting(VisibleRecord):
    case = models.ForeignKey(
        IndividualisedApproachCase, on_delete=models.CASCADE, related_name="meetings"
    )
    held_on = models.DateField(_("date"))
    held_on_precision = models.CharField(
        _("precision of the date"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        help_text=_("Month or year when the source gives no day (stored as its first day)."),
    )
    setting = models.CharField(
        _("setting"),
        max_length=200,
        help_text=_("e.g. in the margins of the intersessional meetings, Geneva."),
    )
    in_margins_of = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    participants = models.ManyToManyField(Actor, blank=True, related_name="+")
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["held_on", "pk"]
        verbose_name = _("meeting of a case")
        verbose_name_plural = _("meetings of cases")

    def __str__(self) -> str:
        return f"{self.case} — {self.held}"

    @property
    def held(self) -> PartialDate:
        return PartialDate(self.held_on, self.held_on_precision or Precision.DAY)


class ActionStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    DROPPED = "dropped", _("dropped")


class FollowUpAction(models.Model):
    case = models.ForeignKey(
        IndividualisedApproachCase,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="actions",
    )
    bilateral_meeting = models.ForeignKey(
        "BilateralMeeting",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="actions",
    )
    description = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")

    def __str__(self) -> str:
        return self.description


class NationalPlatform(VisibleRecord):
    """A nationally led forum where the state, donors and operators align support."""

    state = models.OneToOneField(Actor, on_delete=models.PROTECT, related_name="national_platform")
    convening_authority = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("convening authority"),
    )
    established_on = models.DateField(_("established"), null=True, blank=True)
    members = models.ManyToManyField(Actor, blank=True, related_name="platform_memberships")
    terms_of_reference = models.TextField(_("terms of reference"), blank=True)

    class Meta:
        verbose_name = _("national mine action platform")
        verbose_name_plural = _("national mine action platforms")

    def __str__(self) -> str:
        return f"{self.state}: national platform"


class PlatformMeeting(VisibleRecord):
    platform = models.ForeignKey(
        NationalPlatform, on_delete=models.CASCADE, related_name="meetings"
    )
    held_on = models.DateField(_("date"))
    participants = models.ManyToManyField(Actor, blank=True, related_name="+")
    progress = models.TextField(_("progress discussed"), blank=True)
    funding_gap_usd = models.DecimalField(
        _("funding gap discussed (USD)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    commitments = models.TextField(_("commitments made"), blank=True)

    class Meta:
        ordering = ["-held_on", "pk"]
        verbose_name = _("platform meeting")
        verbose_name_plural = _("platform meetings")

    def __str__(self) -> str:
        return f"{self.platform} — {self.held_on}"


class BilateralMeeting(VisibleRecord):
    """The committee's meeting with one state (or organisation), with its topics and follow-ups."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+")
    counterpart = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("date"))
    topics = models.JSONField(_("topics"), default=list)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-held_on", "pk"]
        verbose_name = _("bilateral meeting")
        verbose_name_plural = _("bilateral meetings")

    def __str__(self) -> str:
        return f"{self.committee} — {self.counterpart} ({self.held_on})"
