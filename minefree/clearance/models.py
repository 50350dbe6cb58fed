"""Article 5 extension requests: what a state asks for, the tables it gives, and what the
committees and the Meeting of the States Parties make of it.

An ``ExtensionRequest`` is one request of one state (its first, second... extension). Its
content lives in ``RequestVersion``s: the state drafts a version and submits it; a
submitted version is public and never changes; a revision (requests are often revised
after the committees' questions) is a new version with a reason. The process the request
goes through is the request's ``status`` (``REQUEST_WORKFLOW``): submitted, under analysis
(written questions and answers), analysis published, decided.

The tables follow Article 5.4 and the request template's quantitative sections: remaining
contamination at submission, progress in the previous period as the state reports it,
the workplan's milestones, the budget by year and source, and capacity by year. Figures
are the state's; the analysis (``clearance.analysis``) sets them beside what the Article 7
reports and the funding flows say.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minefree.core.models import Origin, Source
from minefree.core.workflow import Workflow
from minefree.registry.models import Actor, Meeting, Obligation
from minefree.reminders.models import Result, Step


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    UNDER_ANALYSIS = "under_analysis", _("under analysis")
    ANALYSIS_PUBLISHED = "analysis_published", _("analysis published")
    DECIDED = "decided", _("decided")


#: The agreed process (7MSP 2006, 12MSP 2012): a request is submitted, the Article 5
#: committee (with the cooperation committee) analyses it with written questions, publishes
#: its analysis, and the Meeting of the States Parties decides. A request may be withdrawn
#: (recorded as a decision) at any point after submission.
REQUEST_WORKFLOW = Workflow(
    "extension_request",
    RequestStatus,
    {
        RequestStatus.DRAFT: {RequestStatus.SUBMITTED: "request_submit"},
        RequestStatus.SUBMITTED: {
            RequestStatus.UNDER_ANALYSIS: "analysis_start",
            RequestStatus.DECIDED: "decision_record",
        },
        RequestStatus.UNDER_ANALYSIS: {
            RequestStatus.ANALYSIS_PUBLISHED: "analysis_publish",
            RequestStatus.DECIDED: "decision_record",
        },
        RequestStatus.ANALYSIS_PUBLISHED: {RequestStatus.DECIDED: "decision_record"},
    },
    noun=_("extension request"),
)


class ExtensionRequest(models.Model):
    """One request of a state to extend its Article 5 deadline (Art. 5.3)."""

    state = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="extension_requests")
    obligation = models.ForeignKey(
        Obligation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="extension_requests",
        help_text=_("The state's Article 5 obligation, where a source shows one."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.DRAFT
    )
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.REPORTED)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["state__name_en", "-created_at"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")

    def __str__(self) -> str:
        return f"{self.state} extension request {self.pk}"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")


class Language(models.TextChoices):
    EN = "en", _("English")
    FR = "fr", _("French")
    ES = "es", _("Spanish")


#: The narrative sections of a request (Art. 5.4 and the request template), in order.
SECTIONS: tuple[tuple[str, Any], ...] = (
    ("origins", _("Origins and extent of the challenge")),
    ("methods", _("Methods used to identify mined areas")),
    ("structures", _("National demining structures")),
    ("progress", _("Progress made")),
    ("standards", _("Standards, quality control and quality assurance")),
    ("civilians", _("Exclusion of civilians from mined areas")),
    ("resources", _("Resources made available to date")),
    ("impediments", _("Circumstances impeding compliance")),
    ("implications", _("Humanitarian, economic, social and environmental implications")),
    ("remaining", _("Remaining challenge")),
    ("rationale", _("Amount of time requested and rationale")),
    ("risk_education", _("Risk education plan")),
    ("victim_assistance", _("Victim assistance plan")),
    ("other", _("Other relevant information")),
)
SECTION_CODES = tuple(code for code, _label in SECTIONS)


class RequestVersion(models.Model):
    """What the state asks, as one version: a draft until submitted, then immutable."""

    request = models.ForeignKey(ExtensionRequest, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    reason = models.TextField(
        _("reason for the revision"), blank=True, help_text=_("Required from the second version.")
    )
    submitted_on = models.DateField(
        _("submitted on"), null=True, blank=True, help_text=_("The date on the state's request.")
    )
    requested_deadline = models.DateField(_("deadline requested"), null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    narratives = models.JSONField(
        _("narrative sections"), default=dict, blank=True, help_text=_("Text by section code.")
    )
    document = models.FileField(
        _("submitted document"), upload_to="extension-requests/", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["request", "number"]
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="request_version_number"),
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status="draft"),
                name="one_draft_per_request",
            ),
        ]
        verbose_name = _("extension request version")
        verbose_name_plural = _("extension request versions")

    def __str__(self) -> str:
        return f"{self.request} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class Hazard(models.TextChoices):
    SHA = "SHA", _("suspected hazardous area (SHA)")
    CHA = "CHA", _("confirmed hazardous area (CHA)")


class Method(models.TextChoices):
    CANCELLED = "cancelled", _("cancelled by non-technical survey")
    REDUCED = "reduced", _("reduced by technical survey")
    CLEARED = "cleared", _("cleared")


class RemainingArea(models.Model):
    """Remaining contamination at submission, by region and hazard class."""

    version = models.ForeignKey(RequestVersion, on_delete=models.CASCADE, related_name="remaining")
    region = models.CharField(_("region"), max_length=200)
    hazard = models.CharField(_("hazard class"), max_length=3, choices=Hazard.choices)
    areas = models.PositiveIntegerField(_("number of areas"), null=True, blank=True)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=15, decimal_places=0)

    class Meta:
        ordering = ["version", "pk"]
        verbose_name = _("remaining area")
        verbose_name_plural = _("remaining areas")

    def __str__(self) -> str:
        return f"{self.region} {self.hazard}"


class ProgressYear(models.Model):
    """Progress in the previous extension period, as the state reports it in the request:
    planned against achieved, per year (optionally by method or mine type)."""

    version = models.ForeignKey(RequestVersion, on_delete=models.CASCADE, related_name="progress")
    year = models.PositiveSmallIntegerField(_("year"))
    method = models.CharField(
        _("method"), max_length=10, choices=Method.choices, blank=True, help_text=_("Blank: all")
    )
    mine_type = models.CharField(_("mine type"), max_length=60, blank=True)
    planned_m2 = models.DecimalField(
        _("planned (m²)"), max_digits=15, decimal_places=0, null=True, blank=True
    )
    achieved_m2 = models.DecimalField(
        _("achieved (m²)"), max_digits=15, decimal_places=0, null=True, blank=True
    )

    class Meta:
        ordering = ["version", "year", "method", "pk"]
        verbose_name = _("progress in the previous period")
        verbose_name_plural = _("progress in the previous period")

    def __str__(self) -> str:
        return f"{self.year} {self.method or 'all'}"


class Milestone(models.Model):
    """The workplan: land to release per year and method."""

    version = models.ForeignKey(RequestVersion, on_delete=models.CASCADE, related_name="milestones")
    year = models.PositiveSmallIntegerField(_("year"))
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    areas = models.PositiveIntegerField(_("number of areas"), null=True, blank=True)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=15, decimal_places=0)

    class Meta:
        ordering = ["version", "year", "method", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return f"{self.year} {self.method}"


class FundingSource(models.TextChoices):
    NATIONAL = "national", _("national")
    INTERNATIONAL_SECURED = "international_secured", _("international, secured")
    INTERNATIONAL_SOUGHT = "international_sought", _("international, sought")


class BudgetLine(models.Model):
    """The money the workplan needs, per year and source, in the request's currency."""

    version = models.ForeignKey(RequestVersion, on_delete=models.CASCADE, related_name="budget")
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=24, choices=FundingSource.choices)
    amount = models.DecimalField(_("amount"), max_digits=15, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    amount_usd = models.DecimalField(
        _("amount (USD)"),
        max_digits=15,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("At the year's average ECB rate; unknown where no rate is known."),
    )

    class Meta:
        ordering = ["version", "year", "source", "pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.year} {self.source} {self.amount} {self.currency}"


class CapacityYear(models.Model):
    """The means planned per year: teams, deminers, dogs, machines."""

    version = models.ForeignKey(RequestVersion, on_delete=models.CASCADE, related_name="capacity")
    year = models.PositiveSmallIntegerField(_("year"))
    teams = models.PositiveIntegerField(_("teams"), null=True, blank=True)
    deminers = models.PositiveIntegerField(_("deminers"), null=True, blank=True)
    dogs = models.PositiveIntegerField(_("mine detection dogs"), null=True, blank=True)
    machines = models.PositiveIntegerField(_("machines"), null=True, blank=True)

    class Meta:
        ordering = ["version", "year"]
        constraints = [
            models.UniqueConstraint(fields=["version", "year"], name="one_capacity_per_year")
        ]
        verbose_name = _("capacity")
        verbose_name_plural = _("capacity")

    def __str__(self) -> str:
        return str(self.year)


class Question(models.Model):
    """A written question of the committees (or ISU staff) on a request, and the answer."""

    request = models.ForeignKey(
        ExtensionRequest, on_delete=models.CASCADE, related_name="questions"
    )
    version = models.ForeignKey(RequestVersion, on_delete=models.PROTECT, related_name="questions")
    text = models.TextField(_("question"))
    asked_by = models.ForeignKey(  # none: asked at the console (the synthetic demo)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(_("asked"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["request", "asked_at", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text[:60]


class AnalysisStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


#: The analysis document's editable text sections, in the committee's usual order.
ANALYSIS_SECTIONS: tuple[tuple[str, Any], ...] = (
    ("summary", _("Summary of the request")),
    ("contamination", _("Contamination and land release")),
    ("workplan", _("Workplan and milestones")),
    ("resources", _("Resources and cooperation")),
    ("observations", _("Observations of the Committee")),
    ("reporting", _("What the state is asked to report on")),
)
ANALYSIS_SECTION_CODES = tuple(code for code, _label in ANALYSIS_SECTIONS)


class AnalysisVersion(models.Model):
    """One version of the committees' analysis of a request: its text sections (the
    tables and charts come from the data when the document is made). Versions are kept;
    the published one is public."""

    request = models.ForeignKey(ExtensionRequest, on_delete=models.CASCADE, related_name="analyses")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=AnalysisStatus.choices, default=AnalysisStatus.DRAFT
    )
    sections = models.JSONField(_("sections"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["request", "number"]
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="analysis_version_number")
        ]
        verbose_name = _("analysis")
        verbose_name_plural = _("analyses")

    def __str__(self) -> str:
        return f"{self.request} analysis v{self.number}"


class Outcome(models.TextChoices):
    GRANTED = "granted", _("granted")
    GRANTED_WITH_REQUESTS = "granted_with_requests", _("granted with requests")
    NOT_GRANTED = "not_granted", _("not granted")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Decision(models.Model):
    """What the Meeting of the States Parties (or Review Conference) decided (Art. 5.5)."""

    request = models.OneToOneField(
        ExtensionRequest, on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("decided on"))
    new_deadline = models.DateField(_("new deadline"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["not_granted", "withdrawn"], new_deadline__isnull=True)
                | Q(outcome__in=["granted", "granted_with_requests"], new_deadline__isnull=False),
                name="decision_deadline_when_granted",
            )
        ]

    def __str__(self) -> str:
        return f"{self.request}: {self.get_outcome_display()}"


class DecisionRequirement(models.Model):
    """What a decision asks of the state (e.g. an updated workplan by a date): a follow-up
    item shown until it is met."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="requirements")
    text = models.TextField(_("what is asked"))
    due_on = models.DateField(_("due"), null=True, blank=True)
    met_on = models.DateField(_("met on"), null=True, blank=True)
    met_note = models.TextField(_("how it was met"), blank=True)

    class Meta:
        ordering = ["decision", "due_on", "pk"]
        verbose_name = _("requirement of a decision")
        verbose_name_plural = _("requirements of decisions")

    def __str__(self) -> str:
        return self.text[:60]


class RequirementReminder(models.Model):
    """A reminder mailed to the state about a requirement of a decision (before it is due,
    on the day, and when overdue): one row per step, so each step is sent once."""

    requirement = models.ForeignKey(
        DecisionRequirement, on_delete=models.CASCADE, related_name="reminders"
    )
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    due_on = models.DateField(_("due"))
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    sent_at = models.DateTimeField(_("when"), auto_now_add=True)
    result = models.CharField(_("result"), max_length=14, choices=Result.choices)
    error = models.TextField(_("delivery error"), blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "step", "due_on"], name="one_requirement_reminder_per_step"
            )
        ]
        verbose_name = _("reminder of a requirement")
        verbose_name_plural = _("reminders of requirements")

    def __str__(self) -> str:
        return f"{self.requirement} {self.step}: {self.result}"
