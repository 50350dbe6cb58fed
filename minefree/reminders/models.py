"""Reminders of the Article 7 treaty calendar: one row per step reached for a report.

The row is the memory that makes the daily run idempotent: a step that has a row
is never sent again, whatever the result, except a failed delivery, which the
next run retries. A state nobody can be written to also gets a row, so ISU staff
see who could not be reached.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minefree.registry.models import Actor
from minefree.reporting.models import ReportKind


class Step(models.TextChoices):
    """The steps of one report, in the order they fall due."""

    BEFORE = "before", _("before the due date")
    DUE = "due", _("on the due date")
    OVERDUE = "overdue", _("overdue")
    ESCALATED = "escalated", _("escalated")


#: Steps in calendar order; the latest one reached is the only one sent.
STEPS: tuple[Step, ...] = (Step.BEFORE, Step.DUE, Step.OVERDUE, Step.ESCALATED)


class Result(models.TextChoices):
    PENDING = "pending", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("delivery failed")
    NO_RECIPIENT = "no_recipient", _("not sent: no address")


class ReminderSent(models.Model):
    """One step of the reminders for one report of one state."""

    state = models.ForeignKey(
        Actor, verbose_name=_("state"), on_delete=models.PROTECT, related_name="reminders_sent"
    )
    year = models.PositiveSmallIntegerField(
        _("reporting year"),
        help_text=_(
            "The calendar year an annual report covers; for the initial report, the year of "
            "entry into force, where its reporting period starts."
        ),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    due_date = models.DateField(_("report due"))
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    sent_at = models.DateTimeField(_("when"), default=timezone.now)
    result = models.CharField(_("result"), max_length=14, choices=Result.choices)
    error = models.TextField(_("delivery error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "year", "kind", "step"], name="one_reminder_per_step"
            ),
        ]
        indexes = [models.Index(fields=["year", "kind"], name="reminder_year_kind")]
        verbose_name = _("Article 7 reminder")
        verbose_name_plural = _("Article 7 reminders")

    def __str__(self) -> str:
        return f"{self.state} {self.year} {self.kind} {self.step}: {self.result}"
