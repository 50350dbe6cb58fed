"""Drafting an Article 7 report over the API: what the draft's pages do, for a national
centre's own system (its Form C regions and land release pushed instead of retyped).

Each endpoint calls the service its page calls, with the page's rule: the small inputs
are read by the page's own Django form (``_read``), row values go to the services as
typed, and the services coerce and refuse them the same way for both. What a writer
changes from something read (a form's entry, a table, a row) is versioned: GET gives the
``ETag``, a change sends it back as ``If-Match`` (428 without, 412 ``version_conflict``
with the current ``ETag`` when it is stale). Lookups go through the reporting selectors,
so a draft the caller may not see is a 404 and one they may see but not edit a 403;
refusals are raised and mapped once by ``api/api.py``.

Reads answer anonymous callers too (a submitted version is public); writes need a
personal API token or a session with its CSRF token (``WRITE_AUTH``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from ninja import Body, File, Form, Router, UploadedFile
from ninja.responses import Status

from minefree.accounts.tokens import WRITE_AUTH
from minefree.core.api import VERSIONED_WRITE_ERRORS, WRITE_ERRORS, created, if_match, with_version
from minefree.core.schemas import ErrorOut
from minefree.core.upload_limits import upload_limit
from minefree.core.views import or_404
from minefree.registry.models import Actor
from minefree.registry.selectors import get_state
from minefree.reporting import selectors, services
from minefree.reporting.exchange.imports import IMPORT_MAX_BYTES, report_import
from minefree.reporting.forms import (
    AmendmentForm,
    AttachmentForm,
    ClarificationAnswerForm,
    ClarificationRequestForm,
    ContactForm,
    FormStatusForm,
    OpenReportForm,
    WarningExplanationForm,
)
from minefree.reporting.models import (
    Attachment,
    Clarification,
    FormEntry,
    FormRow,
    ReportVersion,
)
from minefree.reporting.schemas import (
    AmendmentIn,
    AnswerIn,
    AreaUpdateOut,
    AttachmentOut,
    ClarificationIn,
    ClarificationOut,
    ContactIn,
    ContactOut,
    DraftOpenIn,
    DraftRowOut,
    EntryIn,
    EntryOut,
    ExplanationIn,
    ExplanationOut,
    FindingOut,
    FindingsOut,
    FormDetailOut,
    MarkIn,
    TableOut,
    Value,
    VersionSummaryOut,
)
from minefree.reporting.services.attachments import ATTACHMENT_MAX_BYTES
from minefree.reporting.specification.schema import FORMS, FormSpec, Table

router = Router(tags=["reporting"])

#: the reads of a draft (a submitted version is public; a draft is its state's and staff's)
READ_ERRORS: dict[int, type[ErrorOut]] = {404: ErrorOut, 422: ErrorOut}
ROWS = "/reports/{version_id}/forms/{letter}/tables/{table}"
PERSONAL = "Writes need a personal API token (Authorization: Bearer) or a session and CSRF."


# --- what every endpoint shares ------------------------------------------------------------


def _read(form_class: type[forms.Form], data: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A JSON body read by the page's form for the same input, so both parse into the same
    arguments; its refusals are named by the body's fields (422)."""
    form = form_class(data=dict(data), **kwargs)
    if not form.is_valid():
        raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
    return dict(form.cleaned_data)


def _spec(letter: str) -> FormSpec:
    return or_404(FORMS.get(letter), "No such form.")


def _table(letter: str, table: str) -> Table:
    spec = _spec(letter)
    return or_404(next((t for t in spec.tables if t.code == table), None), "No such table.")


def _draft(request: HttpRequest, version_id: int) -> ReportVersion:
    """A version the caller drafts (404 if they may not see it, 403 if not theirs to edit)."""
    return selectors.get_version_for(request.user, version_id, action="edit")


def _row_out(row: FormRow) -> dict[str, Any]:
    return {
        "id": row.pk,
        "position": row.position,
        "data": row.data,
        "counterpart": row.counterpart.code if row.counterpart else None,
        "version": services.row_version(row),
    }


def _row_answer(response: HttpResponse, row: FormRow) -> DraftRowOut:
    """A row as the API answers it, its version as the ``ETag``."""
    out = DraftRowOut(**_row_out(row))
    with_version(response, out.version)
    return out


def _table_out(letter: str, table: str, rows: Sequence[FormRow]) -> TableOut:
    """A table as read or just written. Built without validation (``model_construct``): the
    values come from the database or the service, and checking a table of a thousand rows
    field by field would add to a write that must cost little more than its service."""
    return TableOut.model_construct(
        letter=letter,
        table=table,
        version=services.table_version(rows),
        rows=[DraftRowOut.model_construct(**_row_out(r)) for r in rows],
    )


def _entry_out(entry: FormEntry) -> dict[str, Any]:
    return {
        "letter": entry.letter,
        "status": entry.status,
        "unchanged_since": entry.unchanged_since,
        "narratives": entry.narratives,
        "declared_totals": entry.declared_totals,
        "version": services.entry_version(entry),
    }


def _entry_or_blank(version: ReportVersion, letter: str) -> FormEntry:
    """The form's entry (every draft has one per form; a blank one if an old version has not)."""
    entry = version.entries.filter(letter=letter).first()
    return entry or FormEntry(version=version, letter=letter)


def _row_url(version: ReportVersion, row: FormRow) -> str:
    path = ROWS.format(version_id=version.pk, letter=row.letter, table=row.table)
    return f"/api{path}/rows/{row.pk}"


# --- opening a draft -----------------------------------------------------------------------


@router.post(
    "/reports/drafts",
    response={200: VersionSummaryOut, 201: VersionSummaryOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Open the draft of a state's report for a year (its focal point and delegates)",
    description="Pre-filled from the state's last report like on the page: 201 and its "
    "Location when it is opened, 200 when the draft was open already. " + PERSONAL,
)
def draft_open(request: HttpRequest, response: HttpResponse, payload: DraftOpenIn) -> Status[Any]:
    state = or_404(get_state(payload.state), "No state with this code.")
    data = _read(OpenReportForm, payload.model_dump() | {"state": state.pk}, states=[state])
    # the service decides under the state's lock: of two calls at once, one opens the draft
    opened = services.draft_open(
        actor=request.user, state=state, year=data["year"], kind=data["kind"]
    )
    location, out = f"/api/reports/{opened.version.pk}", _summary(opened.version)
    if not opened.created:
        response["Location"] = location
        return Status(200, out)
    return created(response, location, out)


def _summary(version: ReportVersion) -> VersionSummaryOut:
    return VersionSummaryOut(
        id=version.pk,
        state=version.report.state.iso3 or "",
        year=version.report.year,
        kind=version.report.kind,
        number=version.number,
        status=version.status,
        due_date=version.report.due_date,
        submitted_at=version.submitted_at,
        on_time=version.on_time,
        origin=version.report.origin,
    )


# --- a form: its entry and its tables ------------------------------------------------------


@router.get(
    "/reports/{version_id}/forms/{letter}",
    response={200: FormDetailOut, **READ_ERRORS},
    summary="One form of a version: its mark, narratives, totals and tables, each versioned",
    description="The ETag is the version of the form's entry (mark, narratives, totals); "
    "each table and row carries its own version. A fixed number of queries whatever the rows.",
)
def form_read(
    request: HttpRequest, response: HttpResponse, version_id: int, letter: str
) -> FormDetailOut:
    version = selectors.get_version_for(request.user, version_id)
    spec = _spec(letter)
    entry = _entry_or_blank(version, letter)
    rows = selectors.form_rows(version, letter)
    attachments = [a for a in version.attachments.all() if a.letter == letter]
    out = _entry_out(entry)
    with_version(response, out["version"])
    return FormDetailOut.model_construct(
        **out,
        report_version=version.pk,
        tables=[_table_out(letter, t.code, rows.get(t.code, [])) for t in spec.tables],
        attachments=[_attachment_out(a) for a in attachments],
    )


def _attachment_out(a: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=a.pk,
        letter=a.letter,
        name=a.name,
        kind=a.kind,
        size=a.size,
        description=a.description,
        url=reverse("reporting:attachment", args=[a.version_id, a.pk]),
    )


@router.put(
    "/reports/{version_id}/forms/{letter}",
    response={200: EntryOut, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Replace a form's narratives and declared totals (send the form's ETag as If-Match)",
    description=PERSONAL,
)
def form_entry_replace(
    request: HttpRequest, response: HttpResponse, version_id: int, letter: str, payload: EntryIn
) -> EntryOut:
    version = _draft(request, version_id)
    spec = _spec(letter)
    # as the page's form: what a form does not have is not sent (None), unless the body
    # names some anyway, which the service then refuses by name
    has_totals = any(t.total_of for t in spec.tables)
    entry = services.form_entry_save(
        actor=request.user,
        version=version,
        letter=letter,
        narratives=payload.narratives if spec.narratives or payload.narratives else None,
        declared_totals=payload.declared_totals if has_totals or payload.declared_totals else None,
        expected_version=if_match(request),
    )
    out = _entry_out(entry)
    with_version(response, out["version"])
    return EntryOut(**out)


@router.post(
    "/reports/{version_id}/forms/{letter}/mark",
    response={200: EntryOut, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Mark a form changed, unchanged since the last report, or not applicable (send "
    "the form's ETag as If-Match)",
    description="Marking it unchanged puts the last report's rows and narratives back, in "
    "place of those there now: the mark names the version of the form it was decided on. "
    + PERSONAL,
)
def form_mark(
    request: HttpRequest, response: HttpResponse, version_id: int, letter: str, payload: MarkIn
) -> EntryOut:
    version = _draft(request, version_id)
    _spec(letter)
    data = _read(FormStatusForm, payload.model_dump())
    entry = services.form_status_set(
        actor=request.user,
        version=version,
        letter=letter,
        status=data["status"],
        expected_version=if_match(request),
    )
    out = _entry_out(entry)
    with_version(response, out["version"])
    return EntryOut(**out)


@router.get(
    ROWS,
    response={200: TableOut, **READ_ERRORS},
    summary="One table's rows, in order, with the table's version as ETag",
)
def table_read(
    request: HttpRequest, response: HttpResponse, version_id: int, letter: str, table: str
) -> TableOut:
    version = selectors.get_version_for(request.user, version_id)
    _table(letter, table)
    out = _table_out(letter, table, selectors.form_rows(version, letter, table).get(table, []))
    with_version(response, out.version)
    return out


@router.put(
    ROWS,
    response={200: TableOut, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Replace all the rows of a table (send the table's ETag as If-Match)",
    description="The body is the list of rows in their order, each an object of values by "
    "field name (text or numbers, as typed; an empty table is []). Values are read as on the "
    "page: what cannot be read is kept as typed and flagged by the findings; a field the "
    "table does not have, or a value too long, refuses the whole table (fields "
    "`rows.<index>.<field>`). At most 5,000 rows. The rows written are new ones, with new "
    "ids and versions, given in the answer. " + PERSONAL,
)
def table_replace(
    request: HttpRequest,
    response: HttpResponse,
    version_id: int,
    letter: str,
    table: str,
    rows: Body[list[dict[str, Value]]],
) -> TableOut:
    version = _draft(request, version_id)
    _table(letter, table)
    saved = services.table_replace(
        actor=request.user,
        version=version,
        letter=letter,
        table=table,
        rows=rows,
        expected_version=if_match(request),
    )
    out = _table_out(letter, table, saved)
    with_version(response, out.version)
    return out


# --- rows ----------------------------------------------------------------------------------


@router.post(
    ROWS + "/rows",
    response={201: DraftRowOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Add a row at the end of a table",
    description="The body is the row's values by field name. " + PERSONAL,
)
def row_add(
    request: HttpRequest,
    response: HttpResponse,
    version_id: int,
    letter: str,
    table: str,
    values: Body[dict[str, Value]],
) -> Status[DraftRowOut]:
    version = _draft(request, version_id)
    _table(letter, table)
    row = services.row_save(
        actor=request.user, version=version, letter=letter, table=table, values=values
    )
    return created(response, _row_url(version, row), _row_answer(response, row))


@router.get(
    ROWS + "/rows/{row_id}",
    response={200: DraftRowOut, **READ_ERRORS},
    summary="One row, with its version as ETag",
)
def row_read(
    request: HttpRequest,
    response: HttpResponse,
    version_id: int,
    letter: str,
    table: str,
    row_id: int,
) -> DraftRowOut:
    version = selectors.get_version_for(request.user, version_id)
    return _row_answer(response, selectors.row_of(version, letter, table, row_id))


@router.patch(
    ROWS + "/rows/{row_id}",
    response={200: DraftRowOut, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Change some values of a row (send the row's ETag as If-Match)",
    description="The values sent replace the row's; the others stay; null empties a field. "
    + PERSONAL,
)
def row_change(
    request: HttpRequest,
    response: HttpResponse,
    version_id: int,
    letter: str,
    table: str,
    row_id: int,
    values: Body[dict[str, Value]],
) -> DraftRowOut:
    version = _draft(request, version_id)
    row = selectors.row_of(version, letter, table, row_id)
    # merged with the values of the version read: the service refuses any other (If-Match)
    row = services.row_save(
        actor=request.user,
        version=version,
        letter=letter,
        table=table,
        values={**row.data, **values},
        row=row,
        expected_version=if_match(request),
    )
    return _row_answer(response, row)


@router.delete(
    ROWS + "/rows/{row_id}",
    response={204: None, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Delete a row (send the row's ETag as If-Match)",
    description=PERSONAL,
)
def row_remove(
    request: HttpRequest, version_id: int, letter: str, table: str, row_id: int
) -> Status[None]:
    version = _draft(request, version_id)
    row = selectors.row_of(version, letter, table, row_id)
    services.row_delete(actor=request.user, row=row, expected_version=if_match(request))
    return Status(204, None)


@router.post(
    "/reports/{version_id}/remaining-areas",
    response={200: list[AreaUpdateOut], **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Form C: subtract this year's released land from last year's remaining areas",
    description="Only where that is unambiguous (one region row still at last year's figure); "
    "each update is a row edit. The regions left to decide are in the form's findings. " + PERSONAL,
)
def remaining_areas_update(request: HttpRequest, version_id: int) -> list[AreaUpdateOut]:
    version = _draft(request, version_id)
    done = services.remaining_areas_update(actor=request.user, version=version)
    return [
        AreaUpdateOut(
            region=u.region,
            last_year=u.last_year,
            released=u.released,
            found=u.found,
            previous=u.current,
            updated=u.proposed,
        )
        for u in done
    ]


# --- attachments and the cover page --------------------------------------------------------


@router.post(
    "/reports/{version_id}/forms/{letter}/attachments",
    response={201: AttachmentOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Attach a file to a form (multipart: file, description)",
    description="PDF, PNG, JPEG, DOCX, ODT or plain text, at most 10 MB; the type is checked "
    "by content, as on the page. " + PERSONAL,
)
@upload_limit(ATTACHMENT_MAX_BYTES)
def attachment_add(
    request: HttpRequest,
    response: HttpResponse,
    version_id: int,
    letter: str,
    file: File[UploadedFile],
    description: Form[str] = "",
) -> Status[AttachmentOut]:
    version = _draft(request, version_id)
    _spec(letter)
    data = _read(AttachmentForm, {"description": description}, files={"file": file})
    upload = data["file"]
    attachment = services.attachment_add(
        actor=request.user,
        version=version,
        letter=letter,
        file=upload,
        name=upload.name or "attachment",
        description=data["description"],
    )
    out = _attachment_out(attachment)
    return created(response, out.url, out)


@router.delete(
    "/reports/{version_id}/attachments/{attachment_id}",
    response={204: None, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Remove an attachment from a draft",
    description=PERSONAL,
)
def attachment_remove(request: HttpRequest, version_id: int, attachment_id: int) -> Status[None]:
    version = _draft(request, version_id)
    attachment = or_404(version.attachments.filter(pk=attachment_id).first(), "No such file.")
    services.attachment_remove(actor=request.user, attachment=attachment)
    return Status(204, None)


@router.put(
    "/reports/{version_id}/contact",
    response={200: ContactOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Set the point of contact on the cover page",
    description=PERSONAL,
)
def contact_save(request: HttpRequest, version_id: int, payload: ContactIn) -> ContactOut:
    version = _draft(request, version_id)
    data = _read(ContactForm, payload.model_dump())
    version = services.version_contact_save(actor=request.user, version=version, **data)
    return ContactOut(
        report_version=version.pk,
        name=version.contact_name,
        organisation=version.contact_organisation,
        email=version.contact_email,
        phone=version.contact_phone,
    )


# --- findings, explanations, submission ----------------------------------------------------


def _language(request: HttpRequest, lang: str | None) -> str:
    """``?lang=`` if given, else the best of ``Accept-Language`` (the API has no prefix)."""
    if lang:
        return lang
    return translation.get_language_from_request(request) or settings.LANGUAGE_CODE


@router.get(
    "/reports/{version_id}/findings",
    response={200: FindingsOut, **READ_ERRORS},
    summary="What validation says of a version: errors, warnings, and whether it may be submitted",
    description="Messages in the language of `lang`, else of the Accept-Language header "
    "(en, fr, es); the codes are stable in every language.",
)
def findings(
    request: HttpRequest, version_id: int, lang: Literal["en", "fr", "es"] | None = None
) -> FindingsOut:
    version = selectors.get_version_for(request.user, version_id)
    language = _language(request, lang)
    with translation.override(language):
        found = selectors.findings_of(version)
        items = [
            FindingOut(
                code=i.code,
                severity=i.severity,
                letter=i.letter,
                table=i.table,
                row_id=i.row_id,
                field=i.field,
                target=i.target,
                message=str(i.message),
                explained=None if i.is_error else found.explanation(i) is not None,
            )
            for i in found.issues
        ]
    return FindingsOut(
        report_version=version.pk, language=language, blocked=found.blocked, findings=items
    )


@router.post(
    "/reports/{version_id}/explanations",
    response={200: ExplanationOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Explain a warning (its code and target, from the findings); published with it",
    description=PERSONAL,
)
def warning_explain(
    request: HttpRequest, version_id: int, payload: ExplanationIn
) -> ExplanationOut:
    version = _draft(request, version_id)
    data = _read(WarningExplanationForm, payload.model_dump())
    explanation = services.warning_explain(actor=request.user, version=version, **data)
    return ExplanationOut(code=explanation.code, target=explanation.target, text=explanation.text)


@router.post(
    "/reports/{version_id}/submit",
    response={200: VersionSummaryOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Submit the draft: it becomes the official, public report",
    description="Refused (422) while the findings block it; 409 `already_done`, saying who "
    "submitted it and when, for the second of two submissions. " + PERSONAL,
)
def submit(request: HttpRequest, version_id: int) -> VersionSummaryOut:
    # not the "edit" lookup: a submission that lost the race to its twin is told who won
    version = selectors.get_version_for(request.user, version_id)
    return _summary(services.report_submit(actor=request.user, version=version))


@router.post(
    "/reports/{version_id}/amendments",
    response={201: VersionSummaryOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Open an amendment of a submitted report: a new draft version, with a reason",
    description=PERSONAL,
)
def amendment_open(
    request: HttpRequest, response: HttpResponse, version_id: int, payload: AmendmentIn
) -> Status[VersionSummaryOut]:
    version = selectors.get_version_for(request.user, version_id)
    data = _read(AmendmentForm, payload.model_dump())
    answers = (
        selectors.get_clarification_for(request.user, version, data["answers"])
        if data["answers"]
        else None
    )
    draft = services.amendment_open(
        actor=request.user, report=version.report, reason=data["reason"], answers=answers
    )
    return created(response, f"/api/reports/{draft.pk}", _summary(draft))


# --- clarifications ------------------------------------------------------------------------


def _clarification_out(c: Clarification) -> ClarificationOut:
    return ClarificationOut(
        id=c.pk,
        report_version=c.version_id,
        letter=c.letter,
        question=c.question,
        asked_at=c.asked_at,
        answer=c.answer,
        answered_at=c.answered_at,
        amendment=c.amendment_id,
    )


@router.post(
    "/reports/{version_id}/clarifications",
    response={201: ClarificationOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Ask the state about one form of a submitted version (ISU staff)",
    description=PERSONAL,
)
def clarification_request(
    request: HttpRequest, response: HttpResponse, version_id: int, payload: ClarificationIn
) -> Status[ClarificationOut]:
    version = selectors.get_version_for(request.user, version_id)
    data = _read(ClarificationRequestForm, payload.model_dump())
    clarification = services.clarification_request(
        actor=request.user,
        version=version,
        letter=data["letter"],
        question=data["question"],
        request_key="",
    )
    location = f"/api/reports/{version.pk}/clarifications/{clarification.pk}"
    return created(response, location, _clarification_out(clarification))


@router.get(
    "/reports/{version_id}/clarifications/{clarification_id}",
    response={200: ClarificationOut, **READ_ERRORS},
    summary="A question about a submitted version (ISU staff and the state's people)",
)
def clarification_read(
    request: HttpRequest, version_id: int, clarification_id: int
) -> ClarificationOut:
    version = selectors.get_version_for(request.user, version_id)
    return _clarification_out(
        selectors.get_clarification_for(request.user, version, clarification_id)
    )


@router.post(
    "/reports/{version_id}/clarifications/{clarification_id}/answer",
    response={200: ClarificationOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Answer a question with a comment (the state's focal point and delegates)",
    description="409 `already_done` when it was answered already. " + PERSONAL,
)
def clarification_answer(
    request: HttpRequest, version_id: int, clarification_id: int, payload: AnswerIn
) -> ClarificationOut:
    version = selectors.get_version_for(request.user, version_id)
    clarification = selectors.get_clarification_for(request.user, version, clarification_id)
    data = _read(ClarificationAnswerForm, payload.model_dump())
    answered = services.clarification_answer(
        actor=request.user, clarification=clarification, answer=data["answer"]
    )
    return _clarification_out(answered)


# --- workbooks -----------------------------------------------------------------------------


@router.post(
    "/reports/imports",
    response={200: VersionSummaryOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Import a filled MINEFREE-A7-1 workbook into the state's draft for its year",
    description="Multipart: `state` (ISO 3166 alpha-3) and `file` (XLSX, at most 10 MB). The "
    "workbook replaces the draft's content, all or nothing; findings are in the version's "
    "findings. " + PERSONAL,
)
@upload_limit(IMPORT_MAX_BYTES)
def workbook_import(
    request: HttpRequest, response: HttpResponse, state: Form[str], file: File[UploadedFile]
) -> VersionSummaryOut:
    country: Actor = or_404(get_state(state), "No state with this code.")
    version = report_import(
        actor=request.user, state=country, data=file.read(), name=file.name or "report.xlsx"
    )
    response["Location"] = f"/api/reports/{version.pk}"
    return _summary(version)
