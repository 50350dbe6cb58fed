"""Actors (states, other areas, organisations, national bodies), their treaty status,
obligations under Articles 4 and 5 with their deadline history, meetings and committees."""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from minefree.core.dates import DateInterval, PartialDateOf, Precision
from minefree.core.models import Origin, Source

INITIAL_REPORT_DAYS = 180


def ordinal(number: int) -> str:
    """1st / 1er / 1.º style ordinal numbers for meeting names."""
    lang = (translation.get_language() or "en")[:2]
    if lang == "fr":
        return f"{number}{'re' if number == 1 else 'e'}"
    if lang == "es":
        return f"{number}.ª"
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


class NamedInLanguages(models.Model):
    """A record named in English, French and Spanish (``name_en``, ``name_fr``, ``name_es``),
    each shown in the reader's language."""

    name_en: str

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language; the English one where that is blank."""
        lang = (translation.get_language() or "en")[:2]
        return str(getattr(self, f"name_{lang}", "") or self.name_en)


class ActorKind(models.TextChoices):
    STATE = "state", _("state")
    OTHER_AREA = "other_area", _("other area")
    ORGANISATION = "organisation", _("organisation")
    NATIONAL_BODY = "national_body", _("national body")


class Actor(NamedInLanguages):
    """Anyone who gives, receives or reports: a state (party or not), an area, a body."""

    kind = models.CharField(_("kind"), max_length=20, choices=ActorKind.choices)
    iso3 = models.CharField(_("ISO code"), max_length=3, unique=True, null=True, blank=True)
    iso2 = models.CharField(max_length=2, blank=True)
    slug = models.SlugField(unique=True, max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=60, blank=True, db_index=True)
    subregion = models.CharField(_("subregion"), max_length=80, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bodies",
        help_text=_("For a national body such as a mine action centre: its state."),
    )
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.REFERENCE)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("actor")
        verbose_name_plural = _("actors")

    @property
    def code(self) -> str:
        """How pages, the API and exports name it: its ISO code, or its slug without one."""
        return self.iso3 or self.slug

    @property
    def state_code(self) -> str:
        """The ISO code its records are filed under (audit log, cached pages): a national
        body files under its state; an organisation under none."""
        if self.iso3:
            return self.iso3
        return (self.parent.iso3 or "") if self.parent_id and self.parent else ""


class ActorAlias(models.Model):
    """Another name an actor is known by, used to match what states write."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("name"), max_length=200)
    normalized = models.CharField(max_length=200, db_index=True)
    language = models.CharField(_("language"), max_length=5, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["actor", "normalized"], name="alias_unique_per_actor")
        ]
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")

    def __str__(self) -> str:
        return self.name


class TreatyStatus(models.TextChoices):
    PARTY = "party", _("State Party")
    WITHDRAWAL_PENDING = "withdrawal_pending", _("State Party, withdrawal not yet effective")
    WITHDRAWN = "withdrawn", _("withdrawn")
    PARTY_UNVERIFIED = "party_unverified", _("State Party (not verified)")
    NOT_PARTY = "not_party", _("not a State Party")


class ConsentType(models.TextChoices):
    RATIFICATION = "ratification", _("ratification")
    ACCESSION = "accession", _("accession")
    ACCEPTANCE = "acceptance", _("acceptance")
    APPROVAL = "approval", _("approval")
    UNKNOWN = "", _("unknown")


class EifBasis(models.TextChoices):
    SOURCE = "source", _("stated by the source")
    FIRST_40 = "first_40", _("among the first 40 instruments: 1 March 1999")
    COMPUTED_ART17 = "computed_art17", _("computed by Article 17 from the deposit date")
    COMPUTED_FROM_YEAR = (
        "computed_from_year",
        _("computed by Article 17 from the deposit year only (an interval)"),
    )
    DERIVED_FROM_MONTH = "derived_from_month", _("derived from the month of deposit")
    DERIVED_FROM_ORDER = "derived_from_order", _("derived from the order of deposits")
    UNKNOWN = "", _("unknown")


class StateAdherence(models.Model):
    """A state's relationship to the Convention: signature, consent, entry into force,
    withdrawal. Each date keeps its precision and source."""

    actor = models.OneToOneField(Actor, on_delete=models.CASCADE, related_name="adherence")
    status = models.CharField(_("status"), max_length=24, choices=TreatyStatus.choices)
    signature_date = models.DateField(_("signature"), null=True, blank=True)
    signature_precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    consent_date = models.DateField(_("deposit of instrument"), null=True, blank=True)
    consent_precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    consent_type = models.CharField(
        _("type of instrument"), max_length=20, choices=ConsentType.choices, blank=True
    )
    dates_source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_year_source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    eif_earliest = models.DateField(_("entry into force (earliest)"), null=True, blank=True)
    eif_latest = models.DateField(_("entry into force (latest)"), null=True, blank=True)
    eif_basis = models.CharField(max_length=24, choices=EifBasis.choices, blank=True)
    withdrawal_notified = models.DateField(_("withdrawal notified"), null=True, blank=True)
    withdrawal_effective = models.DateField(_("withdrawal effective"), null=True, blank=True)
    withdrawal_source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.REFERENCE)

    class Meta:
        verbose_name = _("treaty status")
        verbose_name_plural = _("treaty statuses")

    def __str__(self) -> str:
        return f"{self.actor}: {self.get_status_display()}"

    signature = PartialDateOf("signature_date", "signature_precision")

    consent = PartialDateOf("consent_date", "consent_precision")

    @property
    def entry_into_force(self) -> DateInterval | None:
        if self.eif_earliest is None or self.eif_latest is None:
            return None
        return DateInterval(self.eif_earliest, self.eif_latest)

    @property
    def initial_report_due(self) -> DateInterval | None:
        eif = self.entry_into_force
        return eif.shift_days(INITIAL_REPORT_DAYS) if eif else None


class PartyPeriod(models.Model):
    """A span during which a state was bound by the Convention.

    The set of States Parties in any year is a query on these rows. A start known
    only as an interval keeps both bounds; an open end means still a party.
    """

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="party_periods")
    start_earliest = models.DateField(null=True, blank=True)
    start_latest = models.DateField(null=True, blank=True)
    end = models.DateField(
        null=True, blank=True, help_text=_("Day the withdrawal took effect; empty while a party.")
    )
    verified = models.BooleanField(default=True)
    withdrawal_notified = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["actor", "start_earliest"]
        verbose_name = _("party period")
        verbose_name_plural = _("party periods")

    def __str__(self) -> str:
        return f"{self.actor} {self.start_earliest}–{self.end or ''}"


class Article(models.IntegerChoices):
    STOCKPILES = 4, _("Article 4 (stockpile destruction)")
    MINED_AREAS = 5, _("Article 5 (clearance of mined areas)")


class ObligationStatus(models.TextChoices):
    OPEN = "open", _("ongoing")
    COMPLETED = "completed", _("completed")
    NONE_HELD = "none_held", _("no stockpile reported")
    UNKNOWN = "unknown", _("status unknown")


class Obligation(models.Model):
    """An Article 4 or 5 obligation, recorded only where a source shows one."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="obligations")
    article = models.PositiveSmallIntegerField(_("article"), choices=Article.choices)
    status = models.CharField(_("status"), max_length=12, choices=ObligationStatus.choices)
    status_detail = models.CharField(_("status as the source puts it"), max_length=120, blank=True)
    original_deadline = models.DateField(_("original deadline"), null=True, blank=True)
    original_deadline_precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    original_deadline_basis = models.CharField(max_length=120, blank=True)
    current_deadline = models.DateField(_("current deadline"), null=True, blank=True)
    current_deadline_precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    completion_date = models.DateField(_("completed"), null=True, blank=True)
    completion_precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    total_destroyed = models.PositiveBigIntegerField(_("mines destroyed"), null=True, blank=True)
    total_destroyed_qualifier = models.CharField(max_length=8, blank=True)
    retained = models.PositiveIntegerField(_("mines retained (Art. 3)"), null=True, blank=True)
    retained_as_of = models.DateField(null=True, blank=True)
    retained_as_of_precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    pending_request = models.CharField(_("pending request"), max_length=120, blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)
    notes = models.TextField(_("notes"), blank=True)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.REFERENCE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["actor", "article"], name="one_obligation_per_article")
        ]
        ordering = ["actor", "article"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")

    def __str__(self) -> str:
        return f"{self.actor} Art. {self.article}"

    original = PartialDateOf("original_deadline", "original_deadline_precision")

    current = PartialDateOf("current_deadline", "current_deadline_precision")

    @property
    def current_basis(self) -> str:
        """How the source states the current deadline (``date_basis`` of the decision that set
        it), e.g. "year-end of the stated year ('by the end of 2029')"; reads ``events``
        (prefetched on country pages)."""
        if self.current_deadline is None:
            return ""
        setting = [
            e
            for e in self.events.all()
            if e.deadline == self.current_deadline
            and e.kind in (DeadlineEventKind.ORIGINAL_DEADLINE, DeadlineEventKind.EXTENSION_GRANTED)
        ]
        return setting[-1].date_basis if setting else ""

    @property
    def current_is_year_end(self) -> bool:
        """The source says "by the end of <year>": the day is the year's last, not stated."""
        return self.current_basis.startswith("year-end")

    completed = PartialDateOf("completion_date", "completion_precision")

    retained_date = PartialDateOf("retained_as_of", "retained_as_of_precision")


class DeadlineEventKind(models.TextChoices):
    ORIGINAL_DEADLINE = "original_deadline", _("original deadline")
    EXTENSION_GRANTED = "extension_granted", _("extension granted")
    EXTENSION_REQUESTED = "extension_requested", _("extension requested")
    EXTENSION_REQUEST_ANNOUNCED = "extension_request_announced", _("extension request announced")
    CURRENT_DEADLINE_REPORTED = "current_deadline_reported", _("current deadline reported")
    COMPLETION_DECLARED = "completion_declared", _("completion declared")
    COMPLETION_ANNOUNCED = "completion_announced", _("completion announced")
    COMPLETION_REPORTED = "completion_reported", _("completion reported")
    VERIFICATION_COMPLETED = "verification_completed", _("verification completed")


DEADLINE_SETTING_KINDS = (
    DeadlineEventKind.ORIGINAL_DEADLINE,
    DeadlineEventKind.EXTENSION_GRANTED,
    DeadlineEventKind.CURRENT_DEADLINE_REPORTED,
)
COMPLETION_KINDS = (
    DeadlineEventKind.COMPLETION_DECLARED,
    DeadlineEventKind.COMPLETION_ANNOUNCED,
    DeadlineEventKind.COMPLETION_REPORTED,
    DeadlineEventKind.VERIFICATION_COMPLETED,
)


class MeetingKind(models.TextChoices):
    MSP = "msp", _("Meeting of the States Parties")
    REVIEW_CONFERENCE = "review_conference", _("Review Conference")
    INTERSESSIONAL = "intersessional", _("Intersessional Meetings")
    SPECIAL_MSP = "special_msp", _("Special Meeting of the States Parties")


class Meeting(models.Model):
    """A formal or intersessional meeting of the States Parties."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    name_en = models.CharField(_("name"), max_length=200)
    place = models.CharField(_("place"), max_length=120, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    date_precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    president_state = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="presidencies"
    )
    president_name = models.CharField(_("President"), max_length=200, blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["start_date", "code"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        """The meeting's name in the active language (``name_en`` is the English record)."""
        if self.number and self.kind == MeetingKind.MSP:
            return gettext("%(ordinal)s Meeting of the States Parties") % {
                "ordinal": ordinal(self.number)
            }
        if self.number and self.kind == MeetingKind.REVIEW_CONFERENCE:
            return gettext("%(ordinal)s Review Conference") % {"ordinal": ordinal(self.number)}
        if self.kind == MeetingKind.INTERSESSIONAL and self.start_date:
            return gettext("Intersessional Meetings %(year)s") % {"year": self.start_date.year}
        return self.name_en

    start = PartialDateOf("start_date", "date_precision")

    end = PartialDateOf("end_date", "date_precision")


class DeadlineEvent(models.Model):
    """One step in an obligation's history: deadline, request, decision, completion."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveSmallIntegerField()
    kind = models.CharField(_("event"), max_length=32, choices=DeadlineEventKind.choices)
    request_submitted = models.DateField(_("request submitted"), null=True, blank=True)
    request_submitted_precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    request_submitted_note = models.CharField(max_length=80, blank=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    meeting_label = models.CharField(_("meeting"), max_length=120, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    deadline_precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    completion_date = models.DateField(_("completion"), null=True, blank=True)
    completion_precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    date_basis = models.CharField(max_length=120, blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)
    notes = models.TextField(blank=True)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.REFERENCE)
    reference = models.CharField(
        _("recorded from"),
        max_length=80,
        blank=True,
        help_text=_("The minefree record of a decision entered here, e.g. an extension request."),
    )

    class Meta:
        ordering = ["obligation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["obligation", "seq"], name="deadline_event_seq")
        ]
        verbose_name = _("deadline event")
        verbose_name_plural = _("deadline events")

    def __str__(self) -> str:
        return f"{self.obligation} #{self.seq} {self.kind}"

    submitted = PartialDateOf("request_submitted", "request_submitted_precision")

    new_deadline = PartialDateOf("deadline", "deadline_precision")

    completed = PartialDateOf("completion_date", "completion_precision")


class AlternativeValue(models.Model):
    """A value another source gives for the same fact: conflicts are kept, not resolved."""

    object_type = models.CharField(max_length=60)
    object_key = models.CharField(max_length=60)
    field = models.CharField(max_length=60)
    value = models.CharField(_("value"), max_length=200)
    source = models.ForeignKey(Source, on_delete=models.PROTECT)
    notes = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_key", "field", "value", "source"],
                name="alternative_value_unique",
            )
        ]
        verbose_name = _("alternative value")
        verbose_name_plural = _("alternative values")

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_key}.{self.field}={self.value}"


class Committee(NamedInLanguages):
    code = models.CharField(max_length=40, unique=True)
    name_en = models.CharField(max_length=200)
    name_fr = models.CharField(max_length=200, blank=True)
    name_es = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")


class SeatRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    MEMBER = "member", _("member")


class CommitteeSeat(models.Model):
    """A state's seat on a committee for a term running from one meeting to the next."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="seats")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="committee_seats")
    role = models.CharField(_("role"), max_length=10, choices=SeatRole.choices)
    term_start_meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    term_end_meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    term_start_year = models.PositiveSmallIntegerField(_("from"))
    term_end_year = models.PositiveSmallIntegerField(_("to"), null=True, blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["committee", "-term_start_year", "role", "actor__name_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "actor", "term_start_year", "role"], name="seat_unique"
            )
        ]
        verbose_name = _("committee seat")
        verbose_name_plural = _("committee seats")

    def __str__(self) -> str:
        return f"{self.committee} {self.actor} {self.term_start_year}"
