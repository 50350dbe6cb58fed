"""Reads of Article 7 reports, scoped by who asks.

Submitted versions are public. Drafts are visible to the state's focal point and
delegates and to ISU staff; only the state's focal point and delegates edit them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from minefree.accounts.models import Role
from minefree.accounts.selectors import active_memberships, is_staff_member
from minefree.core.models import Origin
from minefree.core.permissions import require
from minefree.registry.models import Actor
from minefree.registry.models import Article as ObligationArticle
from minefree.registry.selectors import obligation_timeline
from minefree.reporting.models import (
    Article7Report,
    Clarification,
    FormRow,
    FormStatus,
    ReportKind,
    ReportVersion,
    VersionStatus,
    WarningExplanation,
)
from minefree.reporting.publication.diff import diff_contents
from minefree.reporting.specification.content import Content, as_number, load_content
from minefree.reporting.specification.schema import FORMS
from minefree.reporting.specification.validation import (
    Context,
    Issue,
    before_submission,
    unexplained,
)

DRAFTING_ROLES = {Role.STATE_FOCAL_POINT, Role.STATE_DELEGATE}


def drafting_state_ids(user: Any) -> set[int]:
    return set(
        active_memberships(user).filter(role__in=DRAFTING_ROLES).values_list("actor_id", flat=True)
    )


def may_read_contact(user: Any, state: Actor) -> bool:
    """Who reads the point of contact of a report: e-mail and telephone are personal data.

    Those who need it to follow the report up: ISU staff, committee members, and the
    state's own people (focal point, delegates). Not the public, not other states' focal
    points, not donors.
    """
    if is_staff_member(user):
        return True
    memberships = active_memberships(user)
    return memberships.filter(Q(role=Role.COMMITTEE_MEMBER) | Q(actor=state)).exists()


def versions_for(user: Any) -> QuerySet[ReportVersion]:
    qs = ReportVersion.objects.select_related("report", "report__state")
    if is_staff_member(user):
        return qs
    return qs.filter(
        Q(status=VersionStatus.SUBMITTED) | Q(report__state_id__in=drafting_state_ids(user))
    )


def get_version_for(user: Any, pk: int, action: str = "view") -> ReportVersion:
    """A version the user may see (404 otherwise); ``edit`` also needs a draft of their state."""
    version = versions_for(user).filter(pk=pk).first()
    if version is None:
        raise Http404("No such report version")
    if action == "edit":
        if not version.is_draft:
            raise PermissionDenied("A submitted report cannot be changed; amend it instead.")
        require(
            user,
            "report.draft",
            version.report.state,
            "Only the state's focal point and delegates edit its drafts.",
        )
    return version


def reports_of_state(state_id: int) -> QuerySet[Article7Report]:
    return Article7Report.objects.filter(state_id=state_id).order_by("-year", "kind")


def latest_submitted(report: Article7Report) -> ReportVersion | None:
    return report.versions.filter(status=VersionStatus.SUBMITTED).order_by("-number").first()


def previous_submitted(report: Article7Report) -> ReportVersion | None:
    """The latest submitted version of the state's most recent earlier report."""
    return (
        ReportVersion.objects.filter(
            report__state_id=report.state_id,
            report__year__lt=report.year,
            status=VersionStatus.SUBMITTED,
        )
        .select_related("report")
        .order_by("-report__year", "-number")
        .first()
    )


def validation_context(version: ReportVersion) -> Context:
    open_articles = obligation_timeline([version.report.state_id]).open_articles(
        version.report.state_id, version.report.year
    )
    previous = previous_submitted(version.report)
    prior: Content | None = None
    if previous is not None and previous.report.year == version.report.year - 1:
        prior = load_content(previous)
    return Context(
        open_article4=ObligationArticle.STOCKPILES in open_articles,
        open_article5=ObligationArticle.MINED_AREAS in open_articles,
        previous=prior,
    )


@dataclass(frozen=True)
class YearStatus:
    """One line of a state's reporting history."""

    year: int
    due: dt.date
    status: str  # on_time, late, not_submitted, not_yet_due
    report: Article7Report | None
    versions: tuple[ReportVersion, ...]
    kind: str = "annual"
    #: where the line's statement comes from: the report's origin, or, for "not submitted",
    #: ``synthetic`` when the year's record in minefree is the synthetic demo history
    origin: str = ""

    @property
    def synthetic(self) -> bool:
        return self.origin == Origin.SYNTHETIC


def synthetic_years() -> frozenset[int]:
    """Years whose reporting record in minefree includes synthetic demo reports (1 query).

    In such a year "not submitted" is an artefact of the synthetic history: which states
    missed it is invented, and the real record is unknown to minefree.
    """
    return frozenset(
        Article7Report.objects.filter(origin=Origin.SYNTHETIC)
        .values_list("year", flat=True)
        .distinct()
    )


def absence_origin(status: str, year: int, synthetic: frozenset[int]) -> str:
    """The origin of a "not submitted" statement for ``year``."""
    return Origin.SYNTHETIC if status == "not_submitted" and year in synthetic else ""


def _status(versions: tuple[ReportVersion, ...], due: dt.date, day: dt.date) -> str:
    if versions:
        return "on_time" if versions[0].on_time else "late"
    return "not_yet_due" if due >= day else "not_submitted"


def reporting_history(state: Actor, today: dt.date | None = None) -> list[YearStatus]:
    """Each year's annual report, then the initial report: on time, late, not submitted, or
    not yet due.

    Years run from the first full year after entry into force (when that is known
    to the day) to last year; years with a report are always listed. The initial
    report is listed when its due date is known or it was submitted.
    """
    day = today or dt.date.today()
    all_reports = list(
        Article7Report.objects.filter(state=state).prefetch_related(
            Prefetch(
                "versions",
                queryset=ReportVersion.objects.filter(status=VersionStatus.SUBMITTED).order_by(
                    "number"
                ),
                to_attr="submitted_versions",
            )
        )
    )
    reports = {r.year: r for r in all_reports if r.kind == ReportKind.ANNUAL}
    initial = next((r for r in all_reports if r.kind == ReportKind.INITIAL), None)
    adherence = getattr(state, "adherence", None)
    eif = adherence.entry_into_force if adherence else None
    first = eif.latest.year if eif else min(reports, default=day.year)
    years = set(range(first, day.year)) | set(reports)
    synthetic = synthetic_years()
    history = []
    for year in sorted(years, reverse=True):
        report = reports.get(year)
        versions: tuple[ReportVersion, ...] = tuple(getattr(report, "submitted_versions", ()))
        due = Article7Report.annual_due_date(year)
        status = _status(versions, due, day)
        origin = report.origin if report is not None else absence_origin(status, year, synthetic)
        history.append(YearStatus(year, due, status, report, versions, origin=origin))
    initial_due = adherence.initial_report_due if adherence else None
    if initial is not None:
        due, year = initial.due_date, initial.year
    elif initial_due is not None and initial_due.is_exact and eif is not None and eif.is_exact:
        due, year = initial_due.earliest, eif.earliest.year
    else:
        return history
    versions = tuple(getattr(initial, "submitted_versions", ()))
    status = _status(versions, due, day)
    origin = initial.origin if initial is not None else ""
    history.append(
        YearStatus(year, due, status, initial, versions, ReportKind.INITIAL, origin=origin)
    )
    return history


@dataclass(frozen=True)
class Series:
    """Yearly figures from each year's latest submitted report (None where not reported)."""

    stockpile: dict[int, Decimal]
    remaining_m2: dict[int, Decimal]
    released_m2: dict[str, dict[int, Decimal]]
    synthetic: bool


def state_series(state: Actor) -> Series:
    """Stockpile, remaining contamination and land release by method, per year (2 queries)."""
    latest = (
        ReportVersion.objects.filter(
            report__state=state, report__kind="annual", status=VersionStatus.SUBMITTED
        )
        .order_by("report__year", "-number")
        .values_list("id", "report__year", "report__origin")
    )
    chosen: dict[int, int] = {}
    synthetic = False
    for version_id, year, origin in latest:
        if year not in chosen:
            chosen[year] = version_id
            synthetic = synthetic or origin == "synthetic"
    year_of = {v: y for y, v in chosen.items()}
    stockpile: dict[int, Decimal] = {}
    remaining: dict[int, Decimal] = {}
    released: dict[str, dict[int, Decimal]] = {"cancelled": {}, "reduced": {}, "cleared": {}}
    rows = FormRow.objects.filter(
        version_id__in=list(chosen.values()),
        table__in=["stockpile", "mined_areas", "land_release"],
    ).values_list("version_id", "table", "data")
    for version_id, table, data in rows:
        year = year_of[version_id]
        if table == "stockpile":
            value = as_number(data.get("quantity"))
            if value is not None:
                stockpile[year] = stockpile.get(year, Decimal(0)) + value
        elif table == "mined_areas":
            value = as_number(data.get("area_m2"))
            if value is not None:
                remaining[year] = remaining.get(year, Decimal(0)) + value
        else:
            value = as_number(data.get("area_m2"))
            method = str(data.get("method") or "")
            if value is not None and method in released:
                released[method][year] = released[method].get(year, Decimal(0)) + value
    return Series(stockpile, remaining, released, synthetic)


# --- what a submission will publish --------------------------------------------------------


@dataclass(frozen=True)
class FormToPublish:
    """One form as the submission will publish it, against the version it follows."""

    letter: str
    title: str
    #: not_applicable, unchanged (marked), changed, same (as the compared version), new
    status: str
    unchanged_since: int | None
    rows: int
    #: rows added, removed or changed, narratives and declared totals changed
    changes: int


@dataclass(frozen=True)
class SubmissionSummary:
    """The confirmation step: what goes public, what is still wrong, who answers questions."""

    version: ReportVersion
    compared_with: ReportVersion | None
    forms: list[FormToPublish]
    errors: list[Issue]
    warnings: list[tuple[Issue, WarningExplanation | None]]

    @property
    def unexplained(self) -> int:
        return sum(1 for _issue, explanation in self.warnings if explanation is None)

    @property
    def may_submit(self) -> bool:
        return not self.errors and not self.unexplained

    def count(self, status: str) -> int:
        return sum(1 for f in self.forms if f.status == status)

    @property
    def count_changed(self) -> int:
        return self.count("changed")

    @property
    def count_same(self) -> int:
        return self.count("same")

    @property
    def count_unchanged(self) -> int:
        return self.count(FormStatus.UNCHANGED)

    @property
    def count_not_applicable(self) -> int:
        return self.count(FormStatus.NOT_APPLICABLE)


def submission_summary(version: ReportVersion) -> SubmissionSummary:
    """What submitting ``version`` would publish, form by form, with its blocking findings.

    An amendment is compared with the report's latest submitted version; a first version
    with the state's previous report (the one its draft was pre-filled from).
    """
    if version.number > 1:
        compared = (
            version.report.versions.filter(status=VersionStatus.SUBMITTED)
            .select_related("report")
            .order_by("-number")
            .first()
        )
    else:
        compared = previous_submitted(version.report)
    content = load_content(version)
    diffs = (
        {d.letter: d for d in diff_contents(load_content(compared), content)} if compared else {}
    )
    forms = []
    for letter, spec in FORMS.items():
        status = content.status(letter)
        entry = content.entries.get(letter)
        diff = diffs.get(letter)
        changes = (
            sum(len(t.rows) for t in diff.tables) + len(diff.narratives) + len(diff.totals)
            if diff
            else 0
        )
        if status not in (FormStatus.NOT_APPLICABLE, FormStatus.UNCHANGED):
            status = "new" if compared is None else "changed" if diff else "same"
        forms.append(
            FormToPublish(
                letter,
                str(spec.title),
                status,
                entry.unchanged_since if entry else None,
                sum(len(content.table(letter, t.code)) for t in spec.tables),
                changes,
            )
        )
    issues = before_submission(content, validation_context(version))
    explained = {(e.code, e.target): e for e in version.explanations.all()}
    return SubmissionSummary(
        version=version,
        compared_with=compared,
        forms=forms,
        errors=[i for i in issues if i.is_error],
        warnings=[(i, explained.get((i.code, i.target))) for i in issues if not i.is_error],
    )


# --- what a writer of a draft reads --------------------------------------------------------


def form_rows(
    version: ReportVersion, letter: str, table: str | None = None
) -> dict[str, list[FormRow]]:
    """The rows of one form (or one of its tables) by table, in order: one query."""
    rows = FormRow.objects.filter(version=version, letter=letter).select_related("counterpart")
    if table is not None:
        rows = rows.filter(table=table)
    tables: dict[str, list[FormRow]] = {}
    for row in rows.order_by("table", "position", "pk"):
        tables.setdefault(row.table, []).append(row)
    return tables


def row_of(version: ReportVersion, letter: str, table: str, pk: int) -> FormRow:
    """A row of a table of a version the caller may see (404 when it is another's)."""
    row = version.rows.filter(pk=pk, letter=letter, table=table).first()
    if row is None:
        raise Http404("No such row in this table.")
    return row


def clarifications_for(user: Any, version: ReportVersion) -> QuerySet[Clarification]:
    """The questions about a submitted version: for ISU staff and the state's people only,
    as on the version's page."""
    if is_staff_member(user) or version.report.state_id in drafting_state_ids(user):
        return version.clarifications.select_related("asked_by", "answered_by")
    return Clarification.objects.none()


def get_clarification_for(user: Any, version: ReportVersion, pk: int) -> Clarification:
    clarification = clarifications_for(user, version).filter(pk=pk).first()
    if clarification is None:
        raise Http404("No such question, or it is not shared with you.")
    return clarification


@dataclass(frozen=True)
class Findings:
    """What validation says of a version now, as its page shows it before submission."""

    issues: list[Issue]
    explained: dict[tuple[str, str], WarningExplanation]

    def explanation(self, issue: Issue) -> WarningExplanation | None:
        return None if issue.is_error else self.explained.get((issue.code, issue.target))

    @property
    def blocked(self) -> bool:
        """Submission is refused: an error, or a warning nobody has explained."""
        errors = any(i.is_error for i in self.issues)
        return errors or bool(unexplained(self.issues, set(self.explained)))


def findings_of(version: ReportVersion) -> Findings:
    """The findings of ``version`` (errors and warnings, the point of contact's included)
    with the explanations written so far; messages in the active language."""
    issues = before_submission(load_content(version), validation_context(version))
    explained = {(e.code, e.target): e for e in version.explanations.all()}
    return Findings(issues, explained)


@dataclass(frozen=True)
class AnnualSubmission:
    """A submitted version of an annual report, as computations over many years need it."""

    version_id: int
    number: int
    report_id: int
    state_id: int
    year: int
    due: dt.date
    origin: str
    submitted_at: dt.datetime | None


def annual_submissions(first: int, last: int) -> list[AnnualSubmission]:
    """The submitted versions of the annual reports for ``first``..``last``, oldest version
    of each report first (one query)."""
    rows = (
        ReportVersion.objects.filter(
            status=VersionStatus.SUBMITTED,
            report__kind=ReportKind.ANNUAL,
            report__year__gte=first,
            report__year__lte=last,
        )
        .order_by("report_id", "number")
        .values_list(
            "pk",
            "number",
            "report_id",
            "report__state_id",
            "report__year",
            "report__due_date",
            "report__origin",
            "submitted_at",
        )
    )
    return [AnnualSubmission(*row) for row in rows]


def form_table_marks(
    version_ids: Iterable[int], letters: Iterable[str]
) -> list[tuple[int, str, str, str]]:
    """(version id, form letter, table, the row's ``direction`` or "") of every row of the
    given forms of the given versions: which tables a report filled in (one query)."""
    rows = FormRow.objects.filter(version_id__in=list(version_ids), letter__in=list(letters))
    return [
        (version_id, letter, table, str(direction or ""))
        for version_id, letter, table, direction in rows.values_list(
            "version_id", "letter", "table", "data__direction"
        ).distinct()
    ]
