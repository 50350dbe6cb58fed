"""The individualised approach, national mine action platforms and the committee's bilateral
meetings, with their follow-up actions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from minefree.assistance.models import VisibleRecord
from minefree.core.dates import PartialDate, Precision
from minefree.core.models import Source
from minefree.registry.models import Actor, Committee, Meeting


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
