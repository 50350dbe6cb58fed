"""Article 7 transparency reports: one report per state, year and kind; versions of it.

A version is a draft until the state submits it; a submitted version is the
official report and never changes. An amendment is a new version with a reason.
Form content lives in ``FormRow`` (one row of one table of one form, typed by
``reporting.schema``) and ``FormEntry`` (the cover page mark, narratives and
declared totals of one form).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minefree.core.models import Origin
from minefree.core.workflow import Workflow
from minefree.registry.models import Actor

ANNUAL_DUE_MONTH_DAY = (4, 30)


class ReportKind(models.TextChoices):
    INITIAL = "initial", _("initial report")
    ANNUAL = "annual", _("annual report")


class Article7Report(models.Model):
    state = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="article7_reports")
    year = models.PositiveSmallIntegerField(
        _("reporting year"), help_text=_("The calendar year the report covers.")
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=ReportKind.choices, default=ReportKind.ANNUAL
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_date = models.DateField(_("due"))
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.REPORTED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["state__name_en", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["state", "year", "kind"], name="one_report_per_year"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="report_period_order"
            ),
        ]
        verbose_name = _("Article 7 report")
        verbose_name_plural = _("Article 7 reports")

    def __str__(self) -> str:
        return f"{self.state} {self.year} ({self.get_kind_display()})"

    @staticmethod
    def annual_due_date(year: int) -> dt.date:
        """Article 7.2: updates are due by 30 April and cover the previous calendar year."""
        return dt.date(year + 1, *ANNUAL_DUE_MONTH_DAY)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")


#: A version is drafted, then submitted once: a submitted version never changes again (an
#: amendment is a new version, opened by ``amendment_open``).
VERSION_WORKFLOW = Workflow(
    "report_version",
    VersionStatus,
    {VersionStatus.DRAFT: {VersionStatus.SUBMITTED: "report_submit"}},
    noun=_("report version"),
)


class ReportVersion(models.Model):
    report = models.ForeignKey(Article7Report, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The submitted version this one was pre-filled or amended from."),
    )
    amendment_reason = models.TextField(_("reason for the amendment"), blank=True)
    contact_name = models.CharField(_("point of contact"), max_length=200, blank=True)
    contact_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_phone = models.CharField(_("telephone"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    import_issues = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            "Validation findings when the version was imported from a file; historic reports "
            "were accepted as they were, so findings are recorded, not blocking."
        ),
    )

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["report"], condition=Q(status="draft"), name="one_draft_per_report"
            ),
        ]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def on_time(self) -> bool | None:
        """Submitted by the due date, in Geneva time (``TIME_ZONE``)."""
        if self.submitted_at is None:
            return None
        from django.utils import timezone

        return timezone.localdate(self.submitted_at) <= self.report.due_date


class FormStatus(models.TextChoices):
    CHANGED = "changed", _("changed")
    UNCHANGED = "unchanged", _("unchanged")
    NOT_APPLICABLE = "not_applicable", _("not applicable")


class FormEntry(models.Model):
    """One form of one version: its cover-page mark, narratives and declared totals."""

    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="entries")
    letter = models.CharField(_("form"), max_length=1)
    status = models.CharField(
        _("status"), max_length=16, choices=FormStatus.choices, default=FormStatus.CHANGED
    )
    unchanged_since = models.PositiveSmallIntegerField(_("unchanged since"), null=True, blank=True)
    narratives = models.JSONField(default=dict, blank=True)
    declared_totals = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["version", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["version", "letter"], name="one_entry_per_form")
        ]
        verbose_name = _("form")
        verbose_name_plural = _("forms")

    def __str__(self) -> str:
        return f"{self.version} Form {self.letter}"


class FormRow(models.Model):
    """One row of a table of a form, its values keyed by the schema's field names."""

    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="rows")
    letter = models.CharField(max_length=1)
    table = models.CharField(max_length=40)
    position = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)
    counterpart = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The registry actor the written counterpart name was matched to."),
    )

    class Meta:
        ordering = ["version", "letter", "table", "position", "id"]
        indexes = [models.Index(fields=["version", "letter", "table"])]
        verbose_name = _("form row")
        verbose_name_plural = _("form rows")

    def __str__(self) -> str:
        return f"{self.version} {self.letter}/{self.table} #{self.position}"


class WarningExplanation(models.Model):
    """The state's written explanation of a warning; published with the report."""

    version = models.ForeignKey(
        ReportVersion, on_delete=models.CASCADE, related_name="explanations"
    )
    code = models.CharField(max_length=12)
    target = models.CharField(max_length=200, blank=True)
    text = models.TextField(_("explanation"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code", "target"], name="one_explanation_per_warning"
            )
        ]
        verbose_name = _("explanation of a warning")
        verbose_name_plural = _("explanations of warnings")

    def __str__(self) -> str:
        return f"{self.version} {self.code} {self.target}"


class Clarification(models.Model):
    """ISU staff ask about one form of a submitted version; the state answers or amends."""

    version = models.ForeignKey(
        ReportVersion, on_delete=models.PROTECT, related_name="clarifications"
    )
    letter = models.CharField(_("form"), max_length=1)
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    amendment = models.ForeignKey(
        ReportVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answered_clarifications",
        help_text=_("The amended version that answers the question, if any."),
    )

    class Meta:
        ordering = ["-asked_at"]
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")

    def __str__(self) -> str:
        return f"{self.version} Form {self.letter}: {self.question[:40]}"

    @property
    def is_open(self) -> bool:
        return not self.answer and self.amendment_id is None


def attachment_path(instance: Attachment, filename: str) -> str:
    report = instance.version.report
    return f"reports/{report.state_id}/{report.year}/{instance.version_id}/{filename}"


class Attachment(models.Model):
    """A document or photograph attached to a form (legislation, Form H photographs)."""

    version = models.ForeignKey(ReportVersion, on_delete=models.PROTECT, related_name="attachments")
    letter = models.CharField(_("form"), max_length=1)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("type"), max_length=10)
    size = models.PositiveIntegerField(_("size in bytes"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version", "letter", "uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"{self.version} Form {self.letter}: {self.name}"


class ImportMode(models.TextChoices):
    DRAFTS = "drafts", _("into the states' drafts (their focal points review and submit)")
    ARCHIVE = "archive", _("as submitted reports of the past (an archive)")


class ImportBatch(models.Model):
    """Many workbooks imported together by ISU staff; each file succeeds or fails on its own."""

    mode = models.CharField(
        _("import"), max_length=10, choices=ImportMode.choices, default=ImportMode.DRAFTS
    )
    received_on = models.DateField(
        _("received on"),
        null=True,
        blank=True,
        help_text=_(
            "For an archive: the date the reports reached the ISU, used when a workbook does "
            "not say when it was submitted."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"Import batch {self.pk}"


class ImportFileStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    IMPORTED = "imported", _("imported")
    REJECTED = "rejected", _("rejected")


class ImportFile(models.Model):
    """One workbook of a batch, kept until it is processed (so a stopped batch can go on)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"))
    content = models.BinaryField(editable=False, default=bytes)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ImportFileStatus.choices,
        default=ImportFileStatus.PENDING,
    )
    messages = models.JSONField(default=list, blank=True)
    version = models.ForeignKey(
        ReportVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "pk"]
        verbose_name = _("imported file")
        verbose_name_plural = _("imported files")

    def __str__(self) -> str:
        return self.name
