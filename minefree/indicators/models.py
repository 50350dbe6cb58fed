"""The Convention's action plans as data, the figures sources published for their
indicators, and the documents the Committee on the Enhancement of Cooperation and
Assistance publishes.

What is known of the plans' wording is uneven: some actions are confirmed by number and
subject, most are reconstructions from secondary sources, and no official indicator
wording was found. Every action and indicator therefore carries a wording status and the
source it rests on, and pages say "reconstructed" wherever such wording is shown. How an
indicator is computed is code (``indicators.definitions``), registered by name; its row
here holds the texts people read.

A committee document (observations and conclusions, or the statement to a meeting) is kept
as versions: a draft committee members and ISU staff edit, then published and never
changed again; a correction is a new version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minefree.core.models import Origin, Source
from minefree.core.workflow import Workflow
from minefree.registry.models import Committee, Meeting


class WordingStatus(models.TextChoices):
    OFFICIAL = "official", _("official wording")
    RECONSTRUCTED = "reconstructed", _("reconstructed wording")


class Texts(models.Model):
    """A text in the three languages of the Convention's meetings minefree speaks."""

    class Meta:
        abstract = True

    def text(self, language: str | None = None) -> str:
        from django.utils import translation

        code = (language or translation.get_language() or "en")[:2]
        return str(getattr(self, f"text_{code}", "") or getattr(self, "text_en", ""))


class ActionPlan(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    first_year = models.PositiveSmallIntegerField(_("from"))
    last_year = models.PositiveSmallIntegerField(_("to"))
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    adopted_at = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    symbol = models.CharField(_("document symbol"), max_length=80, blank=True)
    actions_total = models.PositiveSmallIntegerField(_("number of actions"), null=True, blank=True)
    notes = models.TextField(_("what is known and what is not"), blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.REFERENCE)

    class Meta:
        ordering = ["first_year"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        from django.utils import translation

        code = (translation.get_language() or "en")[:2]
        return str(getattr(self, f"name_{code}", "") or self.name_en)


class PlanSection(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="sections")
    number = models.CharField(_("section"), max_length=8)
    position = models.PositiveSmallIntegerField(default=0)
    title_en = models.CharField(_("title"), max_length=200)
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=200, blank=True)
    first_action = models.PositiveSmallIntegerField(_("first action"), null=True, blank=True)
    last_action = models.PositiveSmallIntegerField(_("last action"), null=True, blank=True)
    range_status = models.CharField(
        _("action numbers"),
        max_length=16,
        choices=[("confirmed", _("confirmed")), ("reconstructed", _("reconstructed")), ("", "")],
        blank=True,
    )
    notes = models.TextField(_("notes"), blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_section_number_per_plan")
        ]
        verbose_name = _("section of an action plan")
        verbose_name_plural = _("sections of action plans")

    def __str__(self) -> str:
        return f"{self.plan.code} {self.number}. {self.title}"

    @property
    def title(self) -> str:
        from django.utils import translation

        code = (translation.get_language() or "en")[:2]
        return str(getattr(self, f"title_{code}", "") or self.title_en)


class PlanAction(Texts):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    section = models.ForeignKey(PlanSection, on_delete=models.PROTECT, related_name="actions")
    number = models.PositiveSmallIntegerField(_("action"))
    text_en = models.TextField(_("text"))
    text_fr = models.TextField(_("text (French)"), blank=True)
    text_es = models.TextField(_("text (Spanish)"), blank=True)
    wording_status = models.CharField(
        _("wording"),
        max_length=16,
        choices=WordingStatus.choices,
        default=WordingStatus.RECONSTRUCTED,
    )
    confirmed = models.CharField(
        _("what a source confirms"),
        max_length=300,
        blank=True,
        help_text=_("E.g. the number and subject of the action, when the wording is not official."),
    )
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.REFERENCE)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_action_number_per_plan")
        ]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return f"{self.plan.code} #{self.number}"

    @property
    def reconstructed(self) -> bool:
        return self.wording_status == WordingStatus.RECONSTRUCTED


class IndicatorKind(models.TextChoices):
    PERCENTAGE = "percentage", _("share of a group of States Parties")
    COUNT = "count", _("number of States Parties")


class Indicator(Texts):
    """An indicator of an action: its words, and the registered definition computing it."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    action = models.ForeignKey(PlanAction, on_delete=models.PROTECT, related_name="indicators")
    definition = models.CharField(
        _("definition"),
        max_length=60,
        help_text=_("The name of the computation registered in indicators.definitions."),
    )
    position = models.PositiveSmallIntegerField(default=0)
    text_en = models.CharField(_("text"), max_length=400)
    text_fr = models.CharField(_("text (French)"), max_length=400, blank=True)
    text_es = models.CharField(_("text (Spanish)"), max_length=400, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=IndicatorKind.choices)
    wording_status = models.CharField(
        _("wording"),
        max_length=16,
        choices=WordingStatus.choices,
        default=WordingStatus.RECONSTRUCTED,
    )
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)
    notes = models.TextField(_("notes"), blank=True)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.REFERENCE)

    class Meta:
        ordering = ["action__plan__first_year", "action__number", "position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.code

    @property
    def reconstructed(self) -> bool:
        return self.wording_status == WordingStatus.RECONSTRUCTED


class PublishedFigure(models.Model):
    """A value a source published for an indicator's year, shown beside the computed one."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="published")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    unit = models.CharField(
        _("unit"), max_length=8, choices=[("count", _("count")), ("percent", _("per cent"))]
    )
    what = models.CharField(_("what the source counts"), max_length=300)
    source = models.ForeignKey(Source, on_delete=models.PROTECT)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.REFERENCE)

    class Meta:
        ordering = ["indicator", "year", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "what"], name="one_published_figure_per_year"
            )
        ]
        verbose_name = _("published figure")
        verbose_name_plural = _("published figures")

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.value}"


class DocumentKind(models.TextChoices):
    OBSERVATIONS = "observations", _("observations and conclusions on cooperation and assistance")
    STATEMENT = "statement", _("the committee's statement to a meeting")


class CommitteeDocument(models.Model):
    """One document the committee publishes for one meeting, kept as versions."""

    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField(
        _("year reviewed"), help_text=_("The calendar year whose activities and figures it covers.")
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="+")
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "meeting"], name="one_document_per_meeting")
        ]
        verbose_name = _("committee document")
        verbose_name_plural = _("committee documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.meeting.code}"


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


#: A version is edited while it is a draft, then published once and never changed again.
DOCUMENT_WORKFLOW = Workflow(
    "committee_document",
    DocumentStatus,
    {DocumentStatus.DRAFT: {DocumentStatus.PUBLISHED: "document_publish"}},
    noun=_("document version"),
)


class DocumentVersion(models.Model):
    """A version's editable text sections and, once published, the figures frozen with it."""

    document = models.ForeignKey(
        CommitteeDocument, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    sections = models.JSONField(_("text sections"), default=dict)
    #: what the published version showed (figures, tables, the source annex), frozen
    content = models.JSONField(default=dict, blank=True)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique"),
            models.UniqueConstraint(
                fields=["document"], condition=Q(status="draft"), name="one_draft_per_document"
            ),
        ]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == DocumentStatus.DRAFT
