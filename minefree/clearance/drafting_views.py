"""The state's drafting pages: a draft's header and narratives, the submitted PDF, and the
submission in two steps (what will be published, then the confirmation). Its tables are
edited on their own pages (``table_views``).

Every form carries the draft's version (``services.version_version``): of two people who
read the same draft, the second to save is told who changed it and when, their typed
values stay in the form beside the values now saved, and saving again saves theirs.
Values are read by ``content.read_content``, so a refusal names the field it is about
(``milestones.3.area_m2``) and the page shows it beside that input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BoundField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from minefree.clearance import selectors, services
from minefree.clearance.content import read_content
from minefree.clearance.forms import DocumentForm, HeaderForm
from minefree.clearance.models import SECTIONS, RequestVersion
from minefree.clearance.web import (
    TABLES_BY_NAME,
    conflict_messages,
    held_version,
    may_edit,
    narrative_sections,
    refusals,
    refused_as_403,
    table_contents,
    table_url,
    version_of,
    version_url,
    with_rows,
)
from minefree.core.upload_limits import upload_limit
from minefree.core.versions import VersionConflictError
from minefree.core.views import flash_errors
from minefree.core.workflow import AlreadyDone

# --- the checks before submission ----------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What keeps a draft from being submitted, with where it is put right."""

    where: str
    message: str
    url: str
    label: str


def _problems(version: RequestVersion) -> list[Problem]:
    labels = dict(SECTIONS)
    header = {
        "submitted_on": _("Date of the request"),
        "requested_deadline": _("Deadline requested"),
        "reason": _("Reason for the revision"),
    }
    result = []
    for where, message in services.submission_problems(version):
        if where in TABLES_BY_NAME:
            url, label = table_url(version, where), str(TABLES_BY_NAME[where].label)
        elif where.startswith("narratives."):
            code = where.split(".", 1)[1]
            url, label = version_url(version, f"id_n_{code}"), str(labels.get(code, code))
        else:
            url, label = version_url(version, f"id_{where}"), str(header.get(where, where))
        result.append(Problem(where, message, url, label))
    return result


# --- the draft's page: header and narratives -----------------------------------------------


@dataclass
class FieldView:
    """An input of the header form, with the problems and refusals shown beside it."""

    bound: BoundField
    issues: list[str] = field(default_factory=list)
    #: after a save refused over someone else's change: the value now saved, where it is
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

    @property
    def invalid(self) -> bool:
        return bool(self.issues or self.bound.errors)

    def widget(self) -> str:
        described = [self.help_id] if self.bound.help_text else []
        attrs: dict[str, str | bool] = {}
        if self.invalid:
            described.append(self.issues_id)
            attrs["aria-invalid"] = "true"
        if described:
            attrs["aria-describedby"] = " ".join(described)
        return str(self.bound.as_widget(attrs=attrs))


def _header_initial(version: RequestVersion) -> dict[str, Any]:
    return {
        "submitted_on": version.submitted_on.isoformat() if version.submitted_on else "",
        "requested_deadline": (
            version.requested_deadline.isoformat() if version.requested_deadline else ""
        ),
        "language": version.language,
        **{f"n_{code}": version.narratives.get(code, "") for code, _label in SECTIONS},
    }


def _field_views(
    form: HeaderForm, problems: list[Problem], saved: RequestVersion | None
) -> list[FieldView]:
    by_field: dict[str, list[str]] = {}
    for p in problems:
        by_field.setdefault(HeaderForm.field_of(p.where), []).append(p.message)
    views = [FieldView(bound=b, issues=by_field.get(b.name, [])) for b in form]
    if saved is not None:
        now = _header_initial(saved)
        typed = form.data
        for fv in views:
            value = str(now.get(fv.bound.name, ""))
            if str(typed.get(fv.bound.name, "")).strip() != value.strip():
                fv.current = value or "—"
    return views


def draft_page(
    request: HttpRequest,
    version: RequestVersion,
    *,
    form: HeaderForm | None = None,
    conflict: list[str] | None = None,
    document_form: DocumentForm | None = None,
    held: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page of a draft its state's people edit: header and narratives, the tables and
    their sizes, the document, and what keeps it from being submitted. ``form`` is a
    refused header form, shown with what was typed; ``conflict`` what to say when it was
    refused over someone else's change (then the values now saved are shown beside).
    ``held`` is the version a refused form was sent with: it stays in the forms, so that a
    change made meanwhile by someone else is still caught when the writer saves again."""
    full = with_rows(RequestVersion.objects.filter(pk=version.pk)).get()
    problems = _problems(full)
    bound = form if form is not None else HeaderForm(initial=_header_initial(full))
    fields = _field_views(bound, [] if form is not None else problems, full if conflict else None)
    context = {
        "ext": full.request,
        "version": full,
        "version_token": held or services.version_version(full),
        "header_fields": fields,
        "conflict": conflict or [],
        "problems": problems,
        "table_lines": [
            (t, [p.message for p in problems if p.where == t.spec.name])
            for t in table_contents(full)
        ],
        "document_form": document_form or DocumentForm(),
        "versions": selectors.versions_for(request.user, full.request),
    }
    return render(request, "clearance/draft.html", context, status=status)


@login_required
@require_POST
@refused_as_403
def header_save(request: HttpRequest, pk: int) -> HttpResponse:
    version = version_of(request, pk)
    form = HeaderForm(request.POST)
    form.is_valid()  # the fields' own limits; the values are read below
    content = read_content(form.raw())
    for name in ("submitted_on", "requested_deadline"):
        if getattr(version, name) is not None and not form.data.get(name, "").strip():
            content.errors.setdefault(name, []).append(
                _("A date once given can be corrected, not removed: give the right date.")
            )
    try:
        services.version_fill(
            actor=request.user,
            version=version,
            content=content,
            expected_version=request.POST.get("_version") or None,
        )
    except VersionConflictError as exc:
        return draft_page(request, version, form=form, conflict=conflict_messages(exc), status=409)
    except ValidationError as exc:
        for where, errors in refusals(exc).items():
            name = HeaderForm.field_of(where)
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        return draft_page(request, version, form=form, held=held_version(request), status=422)
    messages.success(request, _("Saved."))
    # back to the first field a problem is about, so the focus stays where the work is
    first = next((p for p in _problems(version) if p.where not in TABLES_BY_NAME), None)
    anchor = f"id_{HeaderForm.field_of(first.where)}" if first else "header"
    return redirect(version_url(version, anchor))


@login_required
@require_POST
@upload_limit(services.DOCUMENT_MAX_BYTES)
@refused_as_403
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    version = version_of(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        if not may_edit(request.user, version):
            raise PermissionDenied
        return draft_page(
            request, version, document_form=form, held=held_version(request), status=422
        )
    upload = form.cleaned_data["file"]
    try:
        services.version_document_attach(
            actor=request.user,
            version=version,
            file=upload,
            name=upload.name or "request.pdf",
            expected_version=request.POST.get("_version") or None,
        )
    except VersionConflictError as exc:
        flash_errors(request, [exc.last_change, _("Nothing was saved: attach the file again.")])
    except ValidationError as exc:
        form.add_error("file", exc.messages)
        return draft_page(
            request, version, document_form=form, held=held_version(request), status=422
        )
    else:
        messages.success(request, _("The document is attached."))
    return redirect(version_url(version, "document"))


# --- submission ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@refused_as_403
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """What will be published (GET), then the submission (POST with ``confirmed=yes``)."""
    version = version_of(request, pk)
    said: list[str] = []
    status = 200
    if request.method == "POST":
        if request.POST.get("confirmed") != "yes":
            return redirect("clearance:submit", version.pk)
        try:
            services.request_submit(
                actor=request.user,
                version=version,
                expected_version=request.POST.get("_version") or None,
            )
        except AlreadyDone as exc:
            flash_errors(request, exc.messages)
            return redirect("clearance:request", version.request_id)
        except VersionConflictError as exc:
            said, status = (
                [
                    exc.last_change,
                    _("Nothing was submitted: check the draft as it is now, then submit it."),
                ],
                409,
            )
        except ValidationError:
            status = 422  # the problems are listed below, each linked to its field
        else:
            messages.success(
                request,
                _(
                    "The request is submitted: it is now public, and the committees will analyse it."
                ),
            )
            return redirect("clearance:request", version.request_id)
    elif not version.is_draft:
        return redirect("clearance:version", version.pk)
    elif not may_edit(request.user, version):
        raise PermissionDenied  # the review is the first step of the state's own act
    full = with_rows(RequestVersion.objects.filter(pk=version.pk)).get()
    context = {
        "ext": full.request,
        "version": full,
        "version_token": services.version_version(full),
        "problems": _problems(full),
        "tables": table_contents(full),
        "sections": narrative_sections(full),
        "said": said,
    }
    return render(request, "clearance/submit.html", context, status=status)
