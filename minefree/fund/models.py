"""The Cooperation and Assistance Fund (established by the Netherlands at the Nineteenth
Meeting of the States Parties, per the committee's statement to the Fifth Review
Conference): the money it receives, the calls it opens, the applications national mine
action bodies send, the grants it makes and the exchange visits they pay for.

Money is kept as a ledger: every movement is an append-only ``LedgerEntry`` from one
account to another (donors → available → reserved → disbursed, and back on a release or a
refund), and ``FundBalance`` holds the running totals of one currency. A service that moves
money locks that currency's balance row first, so two approvals at the same moment are
decided one after the other on what the first left, and "available" never goes below zero.

An application moves along ``APPLICATION_WORKFLOW``, one service per edge: the applicant
drafts and submits, ISU staff screen it (or return it with reasons), members of the
committee score it against the call's criteria (never a member whose state is the
applicant's or the host's), the chair records the decision, ISU staff sign the grant
(reserving its amount) and pay it in tranches, the applicant and host report on the visit,
the applicant reports what was spent, and ISU staff close it (unspent money refunded,
what was not paid released).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minefree.core.models import Origin, Source
from minefree.core.workflow import Workflow
from minefree.registry.models import Actor, Meeting

ZERO = Decimal("0")


class Account(models.TextChoices):
    """Where money sits. ``donors`` and ``grantees`` are outside the fund: money enters
    from donors and leaves to grantees (and comes back from them as refunds)."""

    DONORS = "donors", _("donors")
    AVAILABLE = "available", _("available")
    RESERVED = "reserved", _("reserved for grants")
    GRANTEES = "grantees", _("paid to grantees")


class Movement(models.TextChoices):
    CONTRIBUTION = "contribution", _("contribution received")
    RESERVATION = "reservation", _("grant reserved")
    RELEASE = "release", _("reservation released")
    DISBURSEMENT = "disbursement", _("disbursement")
    REFUND = "refund", _("refund of unspent money")


#: each kind of movement, from which account to which
MOVES: dict[str, tuple[str, str]] = {
    Movement.CONTRIBUTION: (Account.DONORS, Account.AVAILABLE),
    Movement.RESERVATION: (Account.AVAILABLE, Account.RESERVED),
    Movement.RELEASE: (Account.RESERVED, Account.AVAILABLE),
    Movement.DISBURSEMENT: (Account.RESERVED, Account.GRANTEES),
    Movement.REFUND: (Account.GRANTEES, Account.AVAILABLE),
}


class FundBalance(models.Model):
    """The fund's running totals in one currency, the row every movement locks.

    ``received``, ``disbursed`` and ``refunded`` only grow; ``reserved`` is what grants
    hold and have not been paid yet. Balance (cash held) = received − disbursed + refunded;
    available = balance − reserved.
    """

    currency = models.CharField(_("currency"), max_length=3, unique=True)
    received = models.DecimalField(max_digits=16, decimal_places=2, default=ZERO)
    reserved = models.DecimalField(max_digits=16, decimal_places=2, default=ZERO)
    disbursed = models.DecimalField(max_digits=16, decimal_places=2, default=ZERO)
    refunded = models.DecimalField(max_digits=16, decimal_places=2, default=ZERO)

    class Meta:
        ordering = ["currency"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reserved__gte=0)
                & Q(received__gte=0)
                & Q(disbursed__gte=0)
                & Q(refunded__gte=0),
                name="fund_balance_non_negative",
            ),
        ]
        verbose_name = _("fund balance")
        verbose_name_plural = _("fund balances")

    def __str__(self) -> str:
        return f"{self.currency} {self.available}"

    @property
    def balance(self) -> Decimal:
        return self.received - self.disbursed + self.refunded

    @property
    def available(self) -> Decimal:
        return self.balance - self.reserved


class ContributionStatus(models.TextChoices):
    PLEDGED = "pledged", _("pledged")
    RECEIVED = "received", _("received")


class Contribution(models.Model):
    """Money a donor gives the fund: pledged (often announced at a meeting), then received."""

    donor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="fund_contributions")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ContributionStatus.choices,
        default=ContributionStatus.PLEDGED,
    )
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    amount_usd = models.DecimalField(
        _("USD equivalent"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    pledged_on = models.DateField(_("pledged on"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    earmark = models.CharField(
        _("earmark"),
        max_length=200,
        blank=True,
        help_text=_("What the donor set the money aside for, e.g. exchange visits, a region."),
    )
    announced_at = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("announced at"),
    )
    notes = models.TextField(_("notes"), blank=True)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.ENTERED)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-pledged_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(amount__isnull=True), name="contribution_positive"
            ),
        ]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")

    def __str__(self) -> str:
        return f"{self.donor} {self.amount or '?'} {self.currency}"


class Theme(models.TextChoices):
    """What a visit is about: the capabilities a host body may offer."""

    NON_TECHNICAL_SURVEY = "non_technical_survey", _("non-technical survey")
    TECHNICAL_SURVEY = "technical_survey", _("technical survey")
    CLEARANCE = "clearance", _("clearance")
    INFORMATION_MANAGEMENT = "information_management", _("information management")
    QUALITY_MANAGEMENT = "quality_management", _("quality management")
    RISK_EDUCATION = "risk_education", _("explosive ordnance risk education")
    VICTIM_ASSISTANCE = "victim_assistance", _("victim assistance")
    GENDER_DIVERSITY = "gender_diversity", _("gender and diversity")
    NATIONAL_STRATEGY = "national_strategy", _("national strategy and coordination")


class Eligibility(models.TextChoices):
    NATIONAL_BODIES_AFFECTED = (
        "national_bodies_affected",
        _(
            "national mine action centres or authorities of States Parties with an Article 5 "
            "obligation"
        ),
    )
    NATIONAL_BODIES = (
        "national_bodies",
        _("national mine action centres or authorities of States Parties"),
    )


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    CLOSED = "closed", _("closed")


CALL_WORKFLOW = Workflow(
    "fund_call",
    CallStatus,
    {
        CallStatus.DRAFT: {CallStatus.PUBLISHED: "call_publish"},
        CallStatus.PUBLISHED: {CallStatus.CLOSED: "call_close"},
    },
    noun=_("call"),
)

#: The criteria members score when a call names none, each 0 to ``max``.
DEFAULT_CRITERIA: list[dict[str, Any]] = [
    {"code": "relevance", "label": "Relevance to the applicant's Convention obligations", "max": 5},
    {"code": "host_fit", "label": "What the host can teach on the theme", "max": 5},
    {"code": "plan", "label": "Quality of the objectives, agenda and delegation", "max": 5},
    {"code": "value", "label": "Cost for what is expected", "max": 5},
    {"code": "follow_up", "label": "Follow-up and sharing of what is learned", "max": 5},
]


class Call(models.Model):
    """A call for applications: who may apply, on what, for how much, until when."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    budget = models.DecimalField(_("budget"), max_digits=16, decimal_places=2)
    max_amount = models.DecimalField(_("maximum per application"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    eligibility = models.CharField(
        _("who may apply"),
        max_length=40,
        choices=Eligibility.choices,
        default=Eligibility.NATIONAL_BODIES_AFFECTED,
    )
    themes = models.JSONField(_("themes"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    criteria = models.JSONField(_("scoring criteria"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CallStatus.choices, default=CallStatus.DRAFT
    )
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.ENTERED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="call_closes_after_opening"
            ),
        ]
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")

    def __str__(self) -> str:
        return self.title

    @property
    def year(self) -> int:
        return self.closes_on.year

    def accepting(self, on: Any) -> bool:
        """Published and within its window on day ``on``: applications may be submitted."""
        return self.status == CallStatus.PUBLISHED and self.opens_on <= on <= self.closes_on


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    IN_REVIEW = "in_review", _("in review by the committee")
    SELECTED = "selected", _("selected")
    NOT_SELECTED = "not_selected", _("not selected")
    GRANTED = "granted", _("grant agreed")
    VISIT_HELD = "visit_held", _("visit held")
    REPORTED = "reported", _("visit reported")
    ACCOUNTED = "accounted", _("financial report received")
    CLOSED = "closed", _("closed")


APPLICATION_WORKFLOW = Workflow(
    "fund_application",
    ApplicationStatus,
    {
        ApplicationStatus.DRAFT: {ApplicationStatus.SUBMITTED: "application_submit"},
        ApplicationStatus.SUBMITTED: {
            ApplicationStatus.DRAFT: "application_return",
            ApplicationStatus.IN_REVIEW: "application_screen",
        },
        ApplicationStatus.IN_REVIEW: {
            ApplicationStatus.SELECTED: "decision_record",
            ApplicationStatus.NOT_SELECTED: "decision_record",
        },
        ApplicationStatus.SELECTED: {ApplicationStatus.GRANTED: "grant_agree"},
        ApplicationStatus.GRANTED: {ApplicationStatus.VISIT_HELD: "visit_held_record"},
        ApplicationStatus.VISIT_HELD: {ApplicationStatus.REPORTED: "visit_report_submit"},
        ApplicationStatus.REPORTED: {ApplicationStatus.ACCOUNTED: "financial_report_submit"},
        ApplicationStatus.ACCOUNTED: {ApplicationStatus.CLOSED: "application_close"},
    },
    noun=_("application"),
)

#: the statuses an application selected by the committee goes through
AFTER_SELECTION = {
    ApplicationStatus.SELECTED,
    ApplicationStatus.GRANTED,
    ApplicationStatus.VISIT_HELD,
    ApplicationStatus.REPORTED,
    ApplicationStatus.ACCOUNTED,
    ApplicationStatus.CLOSED,
}

#: what a state's people can still change
EDITABLE = {ApplicationStatus.DRAFT}


class Application(models.Model):
    """A national mine action body's application to visit another state's body."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="fund_applications",
        verbose_name=_("applicant body"),
    )
    host = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_hosted",
        verbose_name=_("host body"),
    )
    theme = models.CharField(_("theme"), max_length=40, choices=Theme.choices)
    objectives = models.TextField(_("objectives"), blank=True)
    articles = models.JSONField(_("Convention articles"), default=list, blank=True)
    actions = models.JSONField(_("action-plan actions"), default=list, blank=True)
    challenges = models.JSONField(_("reported challenges addressed"), default=list, blank=True)
    delegation = models.JSONField(
        _("delegation"),
        default=list,
        blank=True,
        help_text=_("One entry per person: function, gender (woman, man, other), age band."),
    )
    starts_on = models.DateField(_("visit from"), null=True, blank=True)
    ends_on = models.DateField(_("visit until"), null=True, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    co_funding = models.DecimalField(_("co-funding"), max_digits=16, decimal_places=2, default=ZERO)
    co_funding_note = models.CharField(_("co-funding from"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    returned_reason = models.TextField(_("returned because"), blank=True)
    screening = models.JSONField(_("screening checklist"), default=dict, blank=True)
    screening_note = models.TextField(_("screening note"), blank=True)
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    held_from = models.DateField(_("visit held from"), null=True, blank=True)
    held_until = models.DateField(_("visit held until"), null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.ENTERED)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("What is known of it, and from where.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"])]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return f"{self.applicant} → {self.host or '?'} ({self.call})"

    @property
    def state(self) -> Actor | None:
        return self.applicant.parent

    @property
    def selected(self) -> bool | None:
        """The committee's decision: selected, not selected, or None before it."""
        if self.status == ApplicationStatus.NOT_SELECTED:
            return False
        if self.status in AFTER_SELECTION:
            return True
        return None

    @property
    def requested(self) -> Decimal:
        return sum((line.amount for line in self.budget_lines.all()), ZERO)


class BudgetCategory(models.TextChoices):
    TRAVEL = "travel", _("travel")
    ACCOMMODATION = "accommodation", _("accommodation and per diem")
    INTERPRETATION = "interpretation", _("interpretation")
    VISAS = "visas", _("visas")
    OTHER = "other", _("other")


class BudgetLine(models.Model):
    """One line of an application's budget (in the application's currency), with what was
    actually spent once the final financial report is in."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    actual = models.DecimalField(
        _("actually spent"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="fund_budget_line_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount}"


class SupportLetter(models.Model):
    """A letter of support for an application (from the host, a ministry...)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="support_letters"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to="fund/letters/%Y/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class Score(models.Model):
    """One committee member state's scores of one application, criterion by criterion."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    member_state = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="+")
    #: blank when the scores were recorded by the console (demo data, imports)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    values = models.JSONField(_("scores"), default=dict)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member_state__name_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "member_state"], name="fund_score_once_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_state_id} · {self.application_id}"

    @property
    def total(self) -> int:
        return sum(int(v) for v in self.values.values())


class Grant(models.Model):
    """The grant agreement of a selected application: the amount the fund reserves."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="grant")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    signed_on = models.DateField(_("signed on"))
    conditions = models.TextField(_("conditions"), blank=True)
    disbursed = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    refunded = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    released = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_grant_positive"),
            models.CheckConstraint(
                condition=Q(disbursed__lte=models.F("amount")), name="fund_grant_not_overpaid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.amount} {self.currency}"

    @property
    def undisbursed(self) -> Decimal:
        return self.amount - self.disbursed - self.released


class Disbursement(models.Model):
    """One tranche paid to the grantee."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="disbursements")
    number = models.PositiveSmallIntegerField(_("tranche"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("paid on"))

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"], name="fund_tranche_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_disbursement_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.grant_id} #{self.number} {self.amount}"


class LedgerEntry(models.Model):
    """One movement of money, never changed or deleted."""

    kind = models.CharField(_("movement"), max_length=20, choices=Movement.choices)
    debit = models.CharField(_("from"), max_length=12, choices=Account.choices)
    credit = models.CharField(_("to"), max_length=12, choices=Account.choices)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    amount_usd = models.DecimalField(
        _("USD equivalent"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    booked_on = models.DateField(_("date"))
    contribution = models.ForeignKey(
        Contribution, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    grant = models.ForeignKey(
        Grant, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    disbursement = models.ForeignKey(
        Disbursement, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["booked_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_entry_positive"),
        ]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"


class HostProfile(models.Model):
    """What a national body can show visitors: the capabilities host suggestions rank by."""

    body = models.OneToOneField(Actor, on_delete=models.CASCADE, related_name="host_profile")
    capabilities = models.JSONField(_("capabilities"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.ENTERED)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("host profile")

    def __str__(self) -> str:
        return str(self.body)


class ReportRole(models.TextChoices):
    APPLICANT = "applicant", _("visiting body")
    HOST = "host", _("host body")


class VisitReport(models.Model):
    """What the visiting body (or the host) reports on a visit held."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="visit_reports"
    )
    role = models.CharField(_("by"), max_length=10, choices=ReportRole.choices)
    programme = models.TextField(_("programme as held"))
    participants = models.TextField(_("participants"), blank=True)
    outputs = models.TextField(_("outputs"), blank=True)
    lessons = models.JSONField(
        _("lessons learned"),
        default=list,
        blank=True,
        help_text=_("One entry per lesson: title and text."),
    )
    language = models.CharField(_("language"), max_length=2, default="en")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role"]
        constraints = [
            models.UniqueConstraint(fields=["application", "role"], name="fund_one_report_per_side")
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.role}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")


class FollowUpAction(models.Model):
    """A follow-up action a visit report commits to, with its owner and date."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="follow_ups"
    )
    action = models.CharField(_("action"), max_length=500)
    owner = models.CharField(_("owner"), max_length=200)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.action


class FinancialReport(models.Model):
    """The applicant's final financial report: totals of what was spent (per line on the
    budget lines' ``actual``)."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="financial_report"
    )
    spent = models.DecimalField(_("spent"), max_digits=14, decimal_places=2)
    unspent = models.DecimalField(_("unspent"), max_digits=14, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.application_id} {self.spent}"
