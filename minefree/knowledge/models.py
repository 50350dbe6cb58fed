"""The knowledge base: documents, the passages search and classification work on, the
challenge labels of each passage, and practices (lessons learned) with their feedback.

A ``Passage`` is a unit of text with its exact source: a form of an Article 7 report
version, a section of an extension request, a page of a document. Apps above hand their
passages to ``services.passages_replace`` under a generic source reference (``source_kind``
+ ``source_id``, never a foreign key to a higher app), which replaces the passages of that
source whole, so an amended report or a revised request refreshes them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from minefree.core.models import Origin, Source, Visibility
from minefree.registry.models import Actor, Meeting


class Language(models.TextChoices):
    EN = "en", _("English")
    FR = "fr", _("French")
    ES = "es", _("Spanish")
    OTHER = "other", _("other")


class DocumentKind(models.TextChoices):
    STATEMENT = "statement", _("statement")
    ARTICLE7_NARRATIVE = "article7_narrative", _("Article 7 report narrative")
    EXTENSION_SECTION = "extension_section", _("extension request section")
    VISIT_REPORT = "visit_report", _("exchange visit report")
    GUIDANCE = "guidance", _("guidance")
    STUDY = "study", _("study")
    OTHER = "other", _("other")


class Document(models.Model):
    """A document of the knowledge base: uploaded (its text extracted) or referenced by
    its address, with what it concerns."""

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    url = models.URLField(_("address"), max_length=1000, blank=True)
    source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where a document of the reference data comes from."),
    )
    file = models.FileField(_("file"), upload_to="knowledge/", blank=True)
    text = models.TextField(_("text"), blank=True, help_text=_("Extracted from the file."))
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    states = models.ManyToManyField(Actor, blank=True, related_name="documents")
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    articles = models.JSONField(_("Convention articles"), default=list, blank=True)
    actions = models.JSONField(
        _("action plan actions"), default=list, blank=True, help_text=_("e.g. OAP-43, SRAAP-32")
    )
    pillars = models.JSONField(_("pillars"), default=list, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.ENTERED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "title", "pk"]  # pk: a stable order for equal titles
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class Passage(models.Model):
    """A unit of text that search and classification work on, with its exact source."""

    source_kind = models.CharField(
        _("source kind"), max_length=60, help_text=_("e.g. reporting.article7report")
    )
    source_id = models.CharField(_("source id"), max_length=64)
    locator = models.CharField(
        _("where in the source"), max_length=200, help_text=_("e.g. version 2, Form J, row 3")
    )
    url = models.CharField(_("address of the source"), max_length=300, blank=True)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.CASCADE, related_name="passages"
    )
    state = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="passages"
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    text = models.TextField(_("text"))
    #: the state's own category where the source gives one (Form J's challenges table)
    stated_category = models.CharField(_("category the source states"), max_length=30, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.REPORTED)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source_kind", "source_id", "position"]
        indexes = [
            models.Index(fields=["source_kind", "source_id"], name="passage_source"),
            models.Index(fields=["state", "year"], name="passage_state_year"),
        ]
        verbose_name = _("passage")
        verbose_name_plural = _("passages")

    def __str__(self) -> str:
        return f"{self.locator}: {self.text[:60]}"


class LabelStatus(models.TextChoices):
    SUGGESTED = "suggested", _("suggested")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")


class PassageLabel(models.Model):
    """A challenge category of a passage: suggested by the classifier (with its evidence
    and confidence), then confirmed or rejected by committee members or ISU staff. Their
    decisions stay, and the next training learns from them."""

    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="labels")
    category = models.CharField(_("category"), max_length=30)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)
    method = models.CharField(_("method"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=LabelStatus.choices, default=LabelStatus.SUGGESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["passage", "category"]
        constraints = [
            models.UniqueConstraint(fields=["passage", "category"], name="one_label_per_category")
        ]
        verbose_name = _("challenge label")
        verbose_name_plural = _("challenge labels")

    def __str__(self) -> str:
        return f"{self.category} ({self.status})"


class PracticeStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    PUBLISHED = "published", _("published")


class Practice(models.Model):
    """A practice or lesson learned: what was done, where, by whom, with what result, and
    whom to ask; proposed by focal points, visit reports and ISU staff, published by ISU."""

    title = models.CharField(_("title"), max_length=200)
    what = models.TextField(_("what was done"))
    where = models.ManyToManyField(Actor, blank=True, related_name="practices")
    who = models.CharField(_("who did it"), max_length=300, blank=True)
    result = models.TextField(_("result"), blank=True)
    contact = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The body to contact, e.g. a mine action centre."),
    )
    documents = models.ManyToManyField(Document, blank=True, related_name="practices")
    source_kind = models.CharField(
        max_length=40, blank=True, help_text=_("The record it was drawn from, e.g. a visit report.")
    )
    source_id = models.CharField(max_length=40, blank=True)
    source_url = models.CharField(_("drawn from"), max_length=300, blank=True)
    pillars = models.JSONField(_("pillars"), default=list, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.EN
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PracticeStatus.choices, default=PracticeStatus.PROPOSED
    )
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.ENTERED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "title"]
        verbose_name = _("practice")
        verbose_name_plural = _("practices")

    def __str__(self) -> str:
        return self.title


class PracticeFeedback(models.Model):
    """A reader found the practice useful, and may ask its authors to follow up."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    useful = models.BooleanField(_("useful"), default=True)
    follow_up = models.TextField(_("follow-up asked"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "user"], name="one_feedback_per_reader")
        ]
        verbose_name = _("feedback on a practice")
        verbose_name_plural = _("feedback on practices")

    def __str__(self) -> str:
        return f"{self.practice}: {self.user}"


class TrainingRun(models.Model):
    """A training of the challenge classifier: when, by whom, on what (the labelled set's
    train split and people's decisions) and how well it did on the set's eval split. The
    model itself is not stored: each process trains it again, the same way, from the same
    data."""

    created_at = models.DateTimeField(_("trained"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("method"), max_length=60)
    set_passages = models.PositiveIntegerField(_("passages of the labelled set"))
    corrections = models.PositiveIntegerField(_("passages with people's decisions"))
    eval_passages = models.PositiveIntegerField(_("passages evaluated"))
    macro_f1 = models.FloatField(_("macro-F1"))
    f1 = models.JSONField(_("F1 by category"), default=dict)
    labels_suggested = models.PositiveIntegerField(_("labels suggested"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("training run")
        verbose_name_plural = _("training runs")

    def __str__(self) -> str:
        return f"{self.method} {self.created_at:%Y-%m-%d %H:%M} (macro-F1 {self.macro_f1:.2f})"


class PassageSearch(models.Model):
    """A passage's search entry (``fulltext``, ``search``): on PostgreSQL its words as a
    ``tsvector`` in the text search configuration of its language, under a GIN index (on
    SQLite the words are in an FTS5 table and ``vector`` stays empty); on both, copies of
    what visibility and the facets read (the passage's visibility, state, kind, year and
    language, its document's articles and pillars, its challenge categories), so a search
    reads this table alone. The copies are kept by database triggers (migration
    ``knowledge.0004_search_entry_facets``) whatever writes the passage, its document or its
    labels. It goes with its passage."""

    passage = models.OneToOneField(
        Passage, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    #: the language the words were stemmed in: en, fr or es
    config = models.CharField(max_length=2)
    vector = SearchVectorField(null=True)
    visibility = models.CharField(max_length=20, default=Visibility.PUBLIC)
    state = models.ForeignKey(
        Actor, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.CharField(max_length=20, default="")
    year = models.PositiveSmallIntegerField(null=True)
    language = models.CharField(max_length=5, default="")
    #: the passage's document's ``articles`` and ``pillars``
    articles = models.JSONField(default=list)
    pillars = models.JSONField(default=list)
    #: the categories of the passage's labels not rejected, in order
    categories = models.JSONField(default=list)

    class Meta:
        verbose_name = _("search entry of a passage")
        verbose_name_plural = _("search entries of passages")

    def __str__(self) -> str:
        return f"{self.passage_id} ({self.config})"
