"""Article 7 pages: the reports list, a version's cover page and its Forms A–J.

Thin: parse input, fetch through ``selectors`` (which decide who sees a draft and
who edits it), call one service, render or redirect. The row partial comes from
the same view as the redirect, so the forms work without JavaScript. Each page
loads the content and the validation context once, whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ParamSpec

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BoundField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minefree.accounts.selectors import active_memberships, is_staff_member
from minefree.core import hooks
from minefree.core.audit import ALL_VERSION_KEY
from minefree.core.pagecache import cached_public_page
from minefree.core.permissions import can
from minefree.core.versions import VersionConflictError
from minefree.core.views import form_submitted, int_param, or_404, paginate
from minefree.core.workflow import AlreadyDone
from minefree.registry.models import Actor
from minefree.reporting import selectors, services
from minefree.reporting.exchange.documents import GROUPED, display
from minefree.reporting.forms import (
    AmendmentForm,
    AttachmentForm,
    ClarificationAnswerForm,
    ClarificationRequestForm,
    ContactForm,
    FormEntryForm,
    FormStatusForm,
    OpenReportForm,
    RowForm,
    SubmittedFilterForm,
    WarningExplanationForm,
)
from minefree.reporting.models import (
    Clarification,
    FormEntry,
    FormRow,
    ReportVersion,
    VersionStatus,
    WarningExplanation,
)
from minefree.reporting.publication.completeness import content_completeness
from minefree.reporting.specification.content import Content, coerce, load_content
from minefree.reporting.specification.schema import (
    ACTOR,
    FORMS,
    Field,
    FormSpec,
    Table,
)
from minefree.reporting.specification.validation import (
    Issue,
    before_submission,
    remaining_area_updates,
    validate,
)
from minefree.reporting.web import (
    errors_of,
    flash_errors,
    form_url,
    is_htmx,
    refused_as_403,
    version_form_view,
    version_url,
)

P = ParamSpec("P")
PAGE_SIZE = 50
STAFF_LATEST = 50


# --- helpers -------------------------------------------------------------------------------


def _spec(letter: str) -> FormSpec:
    return or_404(FORMS.get(letter), "No such form")


def _drafting_states(user: Any) -> list[Actor]:
    states: dict[int, Actor] = {}
    for membership in active_memberships(user).filter(role__in=selectors.DRAFTING_ROLES):
        if membership.actor is not None:
            states[membership.actor.pk] = membership.actor
    return sorted(states.values(), key=lambda s: s.name)


def _mark(content: Content, letter: str) -> tuple[str, int | None]:
    entry = content.entries.get(letter)
    return content.status(letter), entry.unchanged_since if entry else None


# --- reports list --------------------------------------------------------------------------


@dataclass
class ReportLine:
    """One report of one of the user's states with its versions, oldest first."""

    report: Any
    versions: list[ReportVersion] = field(default_factory=list)


def _state_choices(user: Any) -> list[tuple[str, str]]:
    lang = (get_language() or "en")[:2]
    rows = (
        selectors.versions_for(user)
        .filter(status=VersionStatus.SUBMITTED)
        .order_by()
        .values_list(
            "report__state__iso3",
            "report__state__name_en",
            "report__state__name_fr",
            "report__state__name_es",
        )
        .distinct()
    )
    names = {"en": 1, "fr": 2, "es": 3}
    choices = {row[0]: str(row[names.get(lang, 1)] or row[1]) for row in rows if row[0]}
    return sorted(choices.items(), key=lambda item: item[1])


@cached_public_page(lambda *_a, **_k: [ALL_VERSION_KEY], params=["state", "page"])
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    states = _drafting_states(user)
    own: list[ReportLine] = []
    if states:
        by_report: dict[int, ReportLine] = {}
        for v in (
            selectors.versions_for(user)
            .filter(report__state_id__in=[s.pk for s in states])
            .order_by("report__state__name_en", "-report__year", "report__kind", "number")
        ):
            by_report.setdefault(v.report_id, ReportLine(v.report)).versions.append(v)
        own = list(by_report.values())
    latest: list[ReportVersion] = []
    if is_staff_member(user):
        latest = list(selectors.versions_for(user).order_by("-created_at", "-pk")[:STAFF_LATEST])

    filter_form = SubmittedFilterForm(request.GET or None, states=_state_choices(user))
    submitted = selectors.versions_for(user).filter(status=VersionStatus.SUBMITTED)
    if filter_form.is_valid() and filter_form.cleaned_data["state"]:
        submitted = submitted.filter(report__state__iso3=filter_form.cleaned_data["state"])
    submitted = submitted.order_by("-report__year", "report__state__name_en", "-number")
    page, query = paginate(request, submitted, PAGE_SIZE)
    context = {
        "states": states,
        "own": own,
        "open_form": OpenReportForm(states=states, auto_id="open-%s") if states else None,
        "is_staff": is_staff_member(user),
        "latest": latest,
        "failed_follow_ups": hooks.open_failure_count() if can(user, "follow_up.retry") else 0,
        "filter_form": filter_form,
        "page": page,
        "query": query,
    }
    return render(request, "reporting/home.html", context)


@login_required
@require_POST
@refused_as_403
def open_report(request: HttpRequest) -> HttpResponse:
    states = _drafting_states(request.user)
    posted = request.POST.get("state", "")
    if not states or (posted and posted not in {str(s.pk) for s in states}):
        raise PermissionDenied  # another state's report: refused, not a form error
    form = OpenReportForm(request.POST, states=states)
    if not form.is_valid():
        flash_errors(request, errors_of(form))
        return redirect("reporting:home")
    state = next(s for s in states if s.pk == form.cleaned_data["state"])
    try:
        version = services.report_open(
            actor=request.user,
            state=state,
            year=form.cleaned_data["year"],
            kind=form.cleaned_data["kind"],
        )
    except ValidationError as exc:
        flash_errors(request, exc.messages)
        return redirect("reporting:home")
    messages.success(request, _("The draft is open."))
    return redirect("reporting:version", version.pk)


# --- cover page ----------------------------------------------------------------------------


@dataclass
class FormLine:
    letter: str
    spec: FormSpec
    status: str
    unchanged_since: int | None
    rows: int


@dataclass
class WarningLine:
    issue: Issue
    explanation: WarningExplanation | None
    form: WarningExplanationForm | None


@cached_public_page(lambda *_a, **_k: [ALL_VERSION_KEY])
@require_GET
@refused_as_403
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    version = selectors.get_version_for(user, pk)
    report = version.report
    content = load_content(version)
    drafter = report.state_id in selectors.drafting_state_ids(user)
    staff = is_staff_member(user)
    may_edit = version.is_draft and drafter
    contact_shown = drafter or staff or can(user, "report.contact_read", report.state)

    forms_list = []
    for letter, spec in FORMS.items():
        status, since = _mark(content, letter)
        rows = sum(len(content.table(letter, t.code)) for t in spec.tables)
        forms_list.append(FormLine(letter, spec, status, since, rows))

    explanations = list(version.explanations.all())
    explained = {(e.code, e.target): e for e in explanations}
    issues: list[Issue] = []
    if may_edit or explanations:
        issues = before_submission(content, selectors.validation_context(version))
    errors = [i for i in issues if i.is_error]
    warnings = [
        WarningLine(
            issue,
            explained.get((issue.code, issue.target)),
            WarningExplanationForm(
                auto_id=f"w{n}-%s",
                initial={
                    "code": issue.code,
                    "target": issue.target,
                    "text": explained[(issue.code, issue.target)].text
                    if (issue.code, issue.target) in explained
                    else "",
                },
            )
            if may_edit
            else None,
        )
        for n, issue in enumerate(i for i in issues if not i.is_error)
    ]
    messages_of = {(w.issue.code, w.issue.target): w.issue.message for w in warnings}
    published = [(e, messages_of.get((e.code, e.target), "")) for e in explanations]

    versions = list(selectors.versions_for(user).filter(report=report).order_by("number"))
    draft_in_progress = next((v for v in versions if v.is_draft), None)
    clarifications: list[Clarification] = []
    if not version.is_draft and (staff or drafter):
        clarifications = list(
            version.clarifications.select_related("asked_by", "answered_by", "amendment")
        )
    context = {
        "version": version,
        "report": report,
        "contact_shown": contact_shown,
        "forms_list": forms_list,
        "may_edit": may_edit,
        "drafter": drafter,
        "staff": staff,
        "errors": errors,
        "warnings": warnings,
        "unexplained": sum(1 for w in warnings if w.explanation is None),
        "published": published,
        "versions": versions,
        "contact_form": ContactForm(
            initial={
                "name": version.contact_name,
                "organisation": version.contact_organisation,
                "email": version.contact_email,
                "phone": version.contact_phone,
            }
        ),
        "version_pairs": [(v, versions[i - 1] if i else None) for i, v in enumerate(versions)],
        "completeness": content_completeness(content),
        "previous_year": selectors.previous_submitted(report),
        "draft_in_progress": draft_in_progress,
        "clarifications": [
            (c, ClarificationAnswerForm(auto_id=f"c{c.pk}-%s") if drafter and c.is_open else None)
            for c in clarifications
        ],
        "clarification_form": ClarificationRequestForm()
        if staff and not version.is_draft
        else None,
        "amendment_form": AmendmentForm(auto_id="amend-%s")
        if drafter and not version.is_draft and draft_in_progress is None
        else None,
        "submitted_by": version.submitted_by if user.is_authenticated else None,
    }
    return render(request, "reporting/version.html", context)


warning_explain = version_form_view(
    WarningExplanationForm,
    services.warning_explain,
    anchor="warnings",
    success=gettext_lazy("Explanation saved."),
    action="edit",
)


@require_http_methods(["GET", "POST"])
@refused_as_403
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation step, what will be published; POST from it: the submission."""
    # Not action="edit": a submission that lost the race to its twin is told who won.
    version = selectors.get_version_for(request.user, pk)
    if request.method == "GET" or request.POST.get("confirmed") != "yes":
        if request.method == "GET" and not version.is_draft:
            return redirect(version_url(version))
        version = selectors.get_version_for(request.user, pk, action="edit")
        context = {
            "version": version,
            "report": version.report,
            "summary": selectors.submission_summary(version),
        }
        return render(request, "reporting/submit.html", context)
    try:
        services.report_submit(actor=request.user, version=version)
    except AlreadyDone as exc:
        messages.info(request, exc.messages[0])
        return redirect(version_url(version))
    except ValidationError as exc:
        flash_errors(request, exc.messages)
        return redirect(version_url(version, "submit"))
    messages.success(request, _("The report is submitted: it is now official and public."))
    return redirect(version_url(version))


clarification_request = version_form_view(
    ClarificationRequestForm,
    services.clarification_request,
    anchor="clarifications",
    success=gettext_lazy("The question has been sent to the state."),
)


def _clarification(version: ReportVersion, clarification_id: int) -> Clarification:
    return or_404(version.clarifications.filter(pk=clarification_id).first(), "No such question")


@require_POST
@refused_as_403
def clarification_answer(request: HttpRequest, pk: int, clarification_id: int) -> HttpResponse:
    version = selectors.get_version_for(request.user, pk)
    clarification = _clarification(version, clarification_id)
    form_submitted(
        request,
        ClarificationAnswerForm,
        lambda data: services.clarification_answer(
            actor=request.user, clarification=clarification, answer=data["answer"]
        ),
        success=_("Answer sent."),
        flash_invalid=True,
    )
    return redirect(version_url(version, "clarifications"))


@require_POST
@refused_as_403
def amend(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.get_version_for(request.user, pk)
    form = AmendmentForm(request.POST)
    if not form.is_valid():
        flash_errors(request, errors_of(form))
        return redirect(version_url(version, "amend"))
    answers_id = form.cleaned_data.get("answers")
    answers = _clarification(version, answers_id) if answers_id else None
    try:
        draft = services.amendment_open(
            actor=request.user,
            report=version.report,
            reason=form.cleaned_data["reason"],
            answers=answers,
        )
    except ValidationError as exc:
        flash_errors(request, exc.messages)
        return redirect(version_url(version, "amend"))
    messages.success(request, _("An amendment is open as a draft; the submitted versions stay."))
    return redirect(version_url(draft))


# --- form pages ----------------------------------------------------------------------------


@dataclass
class Cell:
    spec: Field
    display: str
    bound: BoundField | None
    issues: list[Issue]
    counterpart: str = ""
    kept_as_written: bool = False
    echo: str = ""
    #: after a refused save over someone else's change: the value now saved, where it is
    #: not what the writer typed
    current: str | None = None


@dataclass
class RowView:
    row: FormRow | None
    html_form: str
    cells: list[Cell]
    issues: list[Issue]
    form: RowForm | None = None
    errors: list[str] = field(default_factory=list)
    #: the version of the row the inputs were filled from (sent back as ``_version``)
    version: str = ""
    #: the row changed since the writer read it: the current values are shown beside
    #: theirs, and only an explicit Save (not a change of field) saves theirs over them
    conflict: bool = False


@dataclass
class EntryField:
    """One narrative or declared total of the entry form, with the findings shown beside it."""

    bound: BoundField
    issues: list[Issue]
    #: after a refused save over someone else's change: the text now saved, where it is
    #: not what the writer typed
    current: str | None = None

    @property
    def id(self) -> str:
        return str(self.bound.id_for_label)

    @property
    def help_id(self) -> str:
        return f"{self.id}-help"

    @property
    def issues_id(self) -> str:
        return f"{self.id}-issues"

    def widget(self) -> str:
        """The input, described by its help and by its findings (ids that exist on the page)."""
        described = [self.help_id] if self.bound.help_text else []
        attrs: dict[str, str | bool] = {}
        if self.issues:
            described.append(self.issues_id)
            attrs["aria-invalid"] = "true"
        if described:
            attrs["aria-describedby"] = " ".join(described)
        return str(self.bound.as_widget(attrs=attrs))


def _entry_fields(
    form: FormEntryForm, issues: list[Issue], saved: FormEntry | None = None
) -> list[EntryField]:
    """The entry form's fields; with ``saved`` (the entry as it is now, after a save refused
    over someone else's change), each field also shows the value now saved where the
    writer typed another."""
    fields = [
        EntryField(bound=bound, issues=[i for i in issues if i.field_anchor == bound.id_for_label])
        for bound in form
    ]
    if saved is not None:
        typed = {"n": form.narratives() or {}, "t": form.declared_totals() or {}}
        for ef in fields:
            kind, name = ef.bound.name.split("_", 1)
            ef.current = _saved_now(form.spec, saved, kind, name, typed[kind].get(name, ""))
    return fields


def _saved_now(spec: FormSpec, saved: FormEntry, kind: str, name: str, typed: str) -> str | None:
    """The value of a narrative (``n``) or declared total (``t``) now saved, as shown, if it
    is not what was typed (None if it is)."""
    if kind == "n":
        text = str(saved.narratives.get(name, ""))
        return None if typed.strip() == text else (text or "—")
    table = spec.table(name)
    total = table.field(table.total_of)
    value = saved.declared_totals.get(name)
    return None if coerce(total, typed) == value else (display(total, value) or "—")


@dataclass
class TableView:
    spec: Table
    rows: list[RowView]
    issues: list[Issue]
    add: RowView | None

    @property
    def columns(self) -> int:
        return len(self.spec.fields) + (2 if self.add is not None else 1)


def _grouped_echo(spec: Field, value: Any) -> str:
    """Beside an editable number of four digits or more, the same number grouped for reading."""
    if spec.kind in GROUPED and isinstance(value, int | float) and abs(value) >= 1000:
        return display(spec, value)
    return ""


def _row_view(
    table: Table,
    row: FormRow | None,
    *,
    editable: bool,
    issues: list[Issue] | None = None,
    form: RowForm | None = None,
    errors: list[str] | None = None,
    conflict: bool = False,
) -> RowView:
    """What the row partial shows: the row's values or inputs, with its issues beside them.

    With ``conflict``, ``form`` holds what the writer typed over a row that changed since
    they read it, and each cell also shows the value now saved where it differs."""
    data = row.data if row is not None else {}
    html_form = f"row-form-{row.pk}" if row is not None else f"add-form-{table.code}"
    if editable and form is None:
        form = RowForm(table=table, html_form=html_form, values=data)
    issues = issues or []
    cells = []
    for spec in table.fields:
        cell = Cell(
            spec=spec,
            display=display(spec, data.get(spec.name)),
            bound=form[spec.name] if form is not None else None,
            issues=[i for i in issues if i.field == spec.name],
            echo=_grouped_echo(spec, data.get(spec.name)) if form is not None else "",
        )
        if conflict and form is not None:
            typed = coerce(spec, form.values().get(spec.name))
            if typed != data.get(spec.name):
                cell.current = display(spec, data.get(spec.name)) or "—"
        if spec.kind == ACTOR and row is not None and data.get(spec.name):
            if row.counterpart is not None:
                cell.counterpart = row.counterpart.name
            else:
                cell.kept_as_written = True
        cells.append(cell)
    return RowView(
        row=row,
        html_form=html_form,
        cells=cells,
        issues=[i for i in issues if not i.field],
        form=form,
        errors=errors or [],
        version=services.row_version(row) if row is not None else "",
        conflict=conflict,
    )


def _issues_by_row(issues: list[Issue]) -> dict[int, list[Issue]]:
    result: dict[int, list[Issue]] = {}
    for issue in issues:
        if issue.row_id is not None:
            result.setdefault(issue.row_id, []).append(issue)
    return result


def _form_state(
    version: ReportVersion,
    letter: str,
    content: Content,
    issues: list[Issue],
    may_edit: bool,
    entry_version: str,
) -> dict[str, Any]:
    """The parts of a form page that change with every row: mark, issue count, table
    issues, and the version of the form's entry that the mark and narratives forms send.

    The full page shows them; after an htmx row change they come back out of band.
    """
    spec = _spec(letter)
    status, since = _mark(content, letter)
    return {
        "version": version,
        "letter": letter,
        "may_edit": may_edit,
        "status": status,
        "unchanged_since": since,
        "status_form": FormStatusForm(initial={"status": status}) if may_edit else None,
        "entry_version": entry_version,
        "entry_editable": may_edit
        and (bool(spec.narratives) or any(t.total_of for t in spec.tables)),
        # the summary at the top lists every finding, each linked to where it is shown
        "form_issues": sorted(issues, key=lambda i: not i.is_error),
        "issue_count": len(issues),
        "table_issues": [
            (t.code, [i for i in issues if i.table == t.code and not i.row_id and not i.field])
            for t in spec.tables
        ],
    }


def _form_issues(version: ReportVersion, letter: str, content: Content) -> list[Issue]:
    return [
        i for i in validate(content, selectors.validation_context(version)) if i.letter == letter
    ]


@require_GET
@refused_as_403
def form_detail(request: HttpRequest, pk: int, letter: str) -> HttpResponse:
    return _form_page(request, selectors.get_version_for(request.user, pk), letter)


@dataclass
class EntryRefusal:
    """The narratives and totals form as typed, refused because the form's entry changed
    since it was read, and what to tell the writer."""

    form: FormEntryForm
    errors: list[str]


def _entry_or_blank(content: Content, letter: str) -> FormEntry:
    """The form's entry (a blank one, as the first save creates it, if there is none)."""
    return content.entries.get(letter) or FormEntry(version=content.version, letter=letter)


def _form_page(
    request: HttpRequest,
    version: ReportVersion,
    letter: str,
    refused: RowView | None = None,
    refused_entry: EntryRefusal | None = None,
) -> HttpResponse:
    """A form's page; ``refused`` is a row whose save was refused, ``refused_entry`` the
    narratives and totals, each shown with what was typed in it (without JavaScript the
    page is rendered again rather than redirected to, so that nothing typed is lost)."""
    user = request.user
    spec = _spec(letter)
    content = load_content(version)
    may_edit = version.is_draft and version.report.state_id in selectors.drafting_state_ids(user)
    issues = _form_issues(version, letter, content) if may_edit else []
    entry = _entry_or_blank(content, letter)
    state = _form_state(version, letter, content, issues, may_edit, services.entry_version(entry))
    table_issues = dict(state["table_issues"])
    by_row = _issues_by_row(issues)
    tables = [
        TableView(
            spec=table,
            rows=[
                refused
                if refused is not None and refused.row is not None and refused.row.pk == row.pk
                else _row_view(table, row, editable=may_edit, issues=by_row.get(row.pk))
                for row in content.table(letter, table.code)
            ],
            issues=table_issues[table.code],
            add=_row_view(table, None, editable=True) if may_edit else None,
        )
        for table in spec.tables
    ]
    narratives, totals = entry.narratives, entry.declared_totals
    entry_form = None
    if may_edit and refused_entry is not None:
        entry_form = refused_entry.form
    elif may_edit:
        entry_form = FormEntryForm(
            spec=spec,
            initial={
                **{f"n_{k}": v for k, v in narratives.items()},
                **{f"t_{k}": v for k, v in totals.items()},
            },
        )
    letters = list(FORMS)
    index = letters.index(letter)
    context = {
        **state,
        "report": version.report,
        "spec": spec,
        "tables": tables,
        "entry_form": entry_form if entry_form is not None and entry_form.is_useful else None,
        "entry_fields": _entry_fields(
            entry_form, issues, entry if refused_entry is not None else None
        )
        if entry_form is not None
        else [],
        "entry_errors": refused_entry.errors if refused_entry is not None else [],
        "area_updates": (
            remaining_area_updates(content, selectors.validation_context(version).previous)
            if may_edit and letter == "C"
            else []
        ),
        "narratives": [(n, narratives.get(n.name, "")) for n in spec.narratives],
        "totals": [(t, totals.get(t.code)) for t in spec.tables if t.total_of],
        "attachments": [a for a in version.attachments.all() if a.letter == letter],
        "attachment_form": AttachmentForm() if may_edit else None,
        "previous_letter": letters[index - 1] if index > 0 else None,
        "next_letter": letters[index + 1] if index + 1 < len(letters) else None,
    }
    return render(request, "reporting/form.html", context)


@require_POST
@refused_as_403
def form_status(request: HttpRequest, pk: int, letter: str) -> HttpResponse:
    version = selectors.get_version_for(request.user, pk, action="edit")
    _spec(letter)
    form_submitted(
        request,
        FormStatusForm,
        lambda data: services.form_status_set(
            actor=request.user,
            version=version,
            letter=letter,
            status=data["status"],
            # marking "unchanged" replaces the form's content: only over the version shown
            expected_version=request.POST.get("_entry_version") or None,
        ),
        success=_("The mark of the form is saved."),
        flash_invalid=True,
    )
    return redirect(form_url(version, letter))


@require_POST
@refused_as_403
def form_entry(request: HttpRequest, pk: int, letter: str) -> HttpResponse:
    version = selectors.get_version_for(request.user, pk, action="edit")
    spec = _spec(letter)
    form = FormEntryForm(request.POST, spec=spec)
    if not form.is_valid():
        flash_errors(request, errors_of(form))
        return redirect(form_url(version, letter))
    try:
        services.form_entry_save(
            actor=request.user,
            version=version,
            letter=letter,
            narratives=form.narratives(),
            declared_totals=form.declared_totals(),
            expected_version=request.POST.get("_entry_version") or None,
        )
    except VersionConflictError as exc:
        # the page again, the writer's text in the form and the text now saved beside it
        refusal = EntryRefusal(form, [exc.last_change, str(CONFLICT_ADVICE)])
        return _form_page(request, version, letter, refused_entry=refusal)
    except ValidationError as exc:
        flash_errors(request, exc.messages)
    else:
        messages.success(request, _("Saved."))
    # back to the first field a finding is about, so the focus stays where the work is
    findings = _form_issues(version, letter, load_content(version))
    anchor = next((i.field_anchor for i in findings if i.field_anchor), "entry")
    return redirect(form_url(version, letter) + f"#{anchor}")


@require_POST
@refused_as_403
def remaining_areas_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Form C: subtract the land released from last year's remaining areas where unambiguous."""
    version = selectors.get_version_for(request.user, pk, action="edit")
    done = services.remaining_areas_update(actor=request.user, version=version)
    if done:
        messages.success(
            request,
            _("Remaining areas updated in: %(regions)s.")
            % {"regions": ", ".join(u.region for u in done)},
        )
    else:
        messages.info(request, _("No remaining area could be updated without a decision of yours."))
    return redirect(form_url(version, "C") + "#table-mined_areas")


#: said after who changed a row since the writer read it, beside the current values
CONFLICT_ADVICE = gettext_lazy(
    "Nothing was saved. The values now saved are shown under yours, which are kept: "
    "save again to replace them with yours."
)


def _entry_before(request: HttpRequest, version: ReportVersion, letter: str) -> FormEntry | None:
    """For an htmx row change: the form's entry just before it (see ``_page_entry_version``)."""
    return version.entries.filter(letter=letter).first() if is_htmx(request) else None


def _page_entry_version(
    request: HttpRequest, before: FormEntry | None, content: Content, letter: str
) -> str:
    """The version of the form's entry that the page's mark and narratives forms send
    after a row change made on it (htmx; the row forms send the one they hold).

    A row change marks its form changed, which is a new version of the form's entry. The
    page takes it when it held the version from just before this change and the change
    left the narratives and totals as they were: the writer's own row is no conflict. A
    page that held an older version keeps it, so what it has not seen is still caught."""
    now = _entry_or_blank(content, letter)
    current = services.entry_version(now)
    held = request.POST.get("_entry_version")
    if not held or before is None:
        return current
    unchanged_text = (before.narratives, before.declared_totals) == (
        now.narratives,
        now.declared_totals,
    )
    return current if held == services.entry_version(before) and unchanged_text else held


def _table_of(spec: FormSpec, code: str) -> Table:
    return or_404(next((t for t in spec.tables if t.code == code), None), "No such table")


def _row_of(version: ReportVersion, letter: str, table: str, raw_id: str) -> FormRow:
    pk = int_param({"row": raw_id}, "row")
    row = version.rows.filter(pk=pk, letter=letter, table=table).first() if pk else None
    return or_404(row, "No such row")


@require_POST
@refused_as_403
def row_save(request: HttpRequest, pk: int, letter: str) -> HttpResponse:
    """Add or change a row: the row partial for htmx (422 if refused), else back to the form."""
    version = selectors.get_version_for(request.user, pk, action="edit")
    spec = _spec(letter)
    table = _table_of(spec, request.POST.get("_table", ""))
    raw_id = request.POST.get("_row", "")
    row = _row_of(version, letter, table.code, raw_id) if raw_id else None
    html_form = f"row-form-{row.pk}" if row is not None else f"add-form-{table.code}"
    form = RowForm(request.POST, table=table, html_form=html_form)
    errors: list[str] = []
    saved: FormRow | None = None
    conflict = False
    entry_before = _entry_before(request, version, letter)
    if form.is_valid():
        try:
            saved = services.row_save(
                actor=request.user,
                version=version,
                letter=letter,
                table=table.code,
                values=form.values(),
                row=row,
                expected_version=request.POST.get("_version") or None,
            )
        except VersionConflictError as exc:
            conflict = True
            errors = [exc.last_change, str(CONFLICT_ADVICE)]
            if row is not None:  # shown as it is now, beside what was typed
                row = version.rows.select_related("counterpart").filter(pk=row.pk).first() or row
        except ValidationError as exc:
            errors = exc.messages
    else:
        errors = errors_of(form)

    if saved is None:
        refused = _row_view(table, row, editable=True, form=form, errors=errors, conflict=conflict)
        if not is_htmx(request):
            if conflict:
                return _form_page(request, version, letter, refused)
            flash_errors(request, errors)
            return redirect(form_url(version, letter))
        template = "reporting/_row.html" if row is not None else "reporting/_add_row.html"
        response = render(
            request,
            template,
            {"version": version, "letter": letter, "table": table, "rv": refused, "may_edit": True},
            status=422,
        )
        if row is None:
            response["HX-Retarget"] = f"#add-{table.code}"
            response["HX-Reswap"] = "outerHTML"
        return response

    if not is_htmx(request):
        messages.success(request, _("Row saved."))
        return redirect(form_url(version, letter) + f"#row-{saved.pk}")
    content = load_content(version)
    issues = _form_issues(version, letter, content)
    fresh = next(r for r in content.table(letter, table.code) if r.pk == saved.pk)
    entry_version = _page_entry_version(request, entry_before, content, letter)
    context = {
        **_form_state(version, letter, content, issues, True, entry_version),
        "table": table,
        "rv": _row_view(
            table, fresh, editable=True, issues=[i for i in issues if i.row_id == saved.pk]
        ),
    }
    return render(request, "reporting/_row_response.html", context)


@require_POST
@refused_as_403
def row_delete(request: HttpRequest, pk: int, letter: str, row_id: int) -> HttpResponse:
    version = selectors.get_version_for(request.user, pk, action="edit")
    row = or_404(version.rows.filter(pk=row_id, letter=_spec(letter).letter).first(), "No such row")
    entry_before = _entry_before(request, version, letter)
    try:
        services.row_delete(actor=request.user, row=row)
    except ValidationError as exc:
        if is_htmx(request):
            table = _table_of(_spec(letter), row.table)
            refused = _row_view(table, row, editable=True, errors=exc.messages)
            return render(
                request,
                "reporting/_row.html",
                {
                    "version": version,
                    "letter": letter,
                    "table": table,
                    "rv": refused,
                    "may_edit": True,
                },
                status=422,
            )
        flash_errors(request, exc.messages)
        return redirect(form_url(version, letter))
    if is_htmx(request):  # the row's outerHTML becomes nothing; mark and issues refresh
        content = load_content(version)
        issues = _form_issues(version, letter, content)
        entry_version = _page_entry_version(request, entry_before, content, letter)
        return render(
            request,
            "reporting/_row_response.html",
            {**_form_state(version, letter, content, issues, True, entry_version), "rv": None},
        )
    messages.success(request, _("Row deleted."))
    return redirect(form_url(version, letter))
