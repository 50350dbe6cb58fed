"""Writes to extension requests: the state drafts, fills, submits and revises its request
and answers questions; the committees ask questions and write the analysis; ISU staff
record the Meeting's decision. Every function is an audited ``@service``.

The state's effects elsewhere run after commit through ``core.hooks``: the international
funding a submitted request seeks becomes needs (``clearance.needs``), and a decision
writes the new deadline into the registry's deadline history (``registry`` handles
``registry.events.EXTENSION_DECIDED``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from minefree.clearance import signals
from minefree.clearance.content import RequestContent
from minefree.clearance.models import (
    ANALYSIS_SECTION_CODES,
    REQUEST_WORKFLOW,
    AnalysisStatus,
    AnalysisVersion,
    BudgetLine,
    CapacityYear,
    Decision,
    DecisionRequirement,
    ExtensionRequest,
    Milestone,
    Outcome,
    ProgressYear,
    Question,
    RemainingArea,
    RequestStatus,
    RequestVersion,
    VersionStatus,
)
from minefree.core import hooks
from minefree.core.audit import audit_record, audited_create, audited_update, service, snapshot
from minefree.core.currency import to_usd
from minefree.core.models import AuditEvent, Origin, Source
from minefree.core.permissions import require
from minefree.core.uploads import PDF, check_upload, store_upload
from minefree.core.versions import check_version, fingerprint
from minefree.core.workflow import AlreadyDone, actor_label, claim_once, lock_rows, locked
from minefree.registry.events import EXTENSION_DECIDED
from minefree.registry.models import Actor, Meeting, Obligation

HEADER = ["submitted_on", "requested_deadline", "language", "narratives"]


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _code(request: ExtensionRequest) -> str:
    return request.state.state_code


def _require_drafter(actor: Any, state: Actor) -> None:
    require(
        actor,
        "extension_request.draft",
        state,
        _("Only the state's focal point and delegates draft its extension requests."),
    )


def _require_draft(actor: Any, version: RequestVersion) -> None:
    """The actor drafts the state's requests and the version is a draft, as of now (read
    under its row lock: an edit racing the submission lands before it or is refused)."""
    _require_drafter(actor, version.request.state)
    locked(version)
    if not version.is_draft:
        raise PermissionDenied(_("A submitted request cannot be changed; open a revision instead."))


def version_version(version: RequestVersion) -> str:
    """The version a writer names to change a draft: its header, narratives, submitted
    document and tables."""
    tables = {
        "remaining": list(version.remaining.values_list("region", "hazard", "areas", "area_m2")),
        "progress": list(
            version.progress.values_list("year", "method", "mine_type", "planned_m2", "achieved_m2")
        ),
        "milestones": list(version.milestones.values_list("year", "method", "areas", "area_m2")),
        "budget": list(version.budget.values_list("year", "source", "amount", "currency")),
        "capacity": list(
            version.capacity.values_list("year", "teams", "deminers", "dogs", "machines")
        ),
    }
    header = {name: getattr(version, name) for name in HEADER}
    return fingerprint(header | {"tables": tables, "document": version.document.name or ""})


def analysis_version(analysis: AnalysisVersion | None) -> str:
    """The version of a request's analysis text ("" before there is one)."""
    if analysis is None:
        return ""
    return fingerprint(
        {"number": analysis.number, "status": analysis.status, "sections": analysis.sections}
    )


@service
def request_open(*, actor: Any, state: Actor, origin: str = Origin.REPORTED) -> RequestVersion:
    """The draft version of the state's request in progress: a new request (its first
    version) when it has none, the draft already open otherwise. A submitted request is
    changed through a revision (``revision_open``)."""
    _require_drafter(actor, state)
    lock_rows(Actor.objects.filter(pk=state.pk))  # two opens at once: one request
    request = (
        ExtensionRequest.objects.filter(state=state)
        .exclude(status=RequestStatus.DECIDED)
        .order_by("-created_at")
        .first()
    )
    if request is not None:
        draft = request.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is not None:
            return draft
        raise ValidationError(
            _("This state's request is already submitted. To change it, open a revision.")
        )
    obligation = Obligation.objects.filter(actor=state, article=5).first()
    request = ExtensionRequest(state=state, obligation=obligation, origin=origin)
    audited_create(
        actor=actor, obj=request, action="extension_request.created", state_code=state.state_code
    )
    version = RequestVersion(request=request, number=1, created_by=_user(actor))
    audited_create(
        actor=actor,
        obj=version,
        action="extension_request.version_opened",
        state_code=state.state_code,
    )
    return version


@service
def version_fill(
    *,
    actor: Any,
    version: RequestVersion,
    content: RequestContent,
    expected_version: str | None = None,
) -> RequestVersion:
    """Store ``content`` in a draft: its header and narratives, and each table it gives
    (replaced whole, in one go). One audit event records what changed, before and after."""
    _require_draft(actor, version)
    if content.errors:
        raise ValidationError(content.errors)
    check_version(version, version_version(version), expected_version)
    request = version.request
    before = _described(version)
    for name in ("submitted_on", "requested_deadline", "language", "narratives"):
        value = getattr(content, name)
        if value is not None:
            setattr(version, name, value)
    version.full_clean()
    version.save()
    if content.remaining is not None:
        version.remaining.all().delete()
        RemainingArea.objects.bulk_create(
            RemainingArea(
                version=version, region=r.region, hazard=r.hazard, areas=r.areas, area_m2=r.area_m2
            )
            for r in content.remaining
        )
    if content.previous_period is not None:
        version.progress.all().delete()
        ProgressYear.objects.bulk_create(
            ProgressYear(
                version=version,
                year=p.year,
                method=p.method,
                mine_type=p.mine_type,
                planned_m2=p.planned_m2,
                achieved_m2=p.achieved_m2,
            )
            for p in content.previous_period
        )
    if content.milestones is not None:
        version.milestones.all().delete()
        Milestone.objects.bulk_create(
            Milestone(
                version=version, year=m.year, method=m.method, areas=m.areas, area_m2=m.area_m2
            )
            for m in content.milestones
        )
    if content.budget is not None:
        version.budget.all().delete()
        BudgetLine.objects.bulk_create(
            BudgetLine(
                version=version,
                year=b.year,
                source=b.source,
                amount=b.amount,
                currency=b.currency,
                amount_usd=to_usd(b.amount, b.currency, b.year),
            )
            for b in content.budget
        )
    if content.capacity is not None:
        version.capacity.all().delete()
        CapacityYear.objects.bulk_create(
            CapacityYear(
                version=version,
                year=c.year,
                teams=c.teams,
                deminers=c.deminers,
                dogs=c.dogs,
                machines=c.machines,
            )
            for c in content.capacity
        )
    audit_record(
        actor=actor,
        action="extension_request.filled",
        obj=version,
        before=before,
        after=_described(version),
        state_code=_code(request),
    )
    return version


def _described(version: RequestVersion) -> dict[str, Any]:
    """What an audit event keeps of a version: its header, narratives and table sizes and
    totals (the rows themselves are in the version; a revision keeps the old ones)."""
    return snapshot(version, HEADER) | {
        "remaining_rows": version.remaining.count(),
        "previous_period_rows": version.progress.count(),
        "milestone_rows": version.milestones.count(),
        "budget_rows": version.budget.count(),
        "capacity_rows": version.capacity.count(),
        "version": version_version(version),
    }


#: the submitted request as the state sent it: a PDF, checked by its content
DOCUMENT_MAX_BYTES = 30 * 1024 * 1024


@service
def version_document_attach(
    *,
    actor: Any,
    version: RequestVersion,
    file: Any,
    name: str,
    expected_version: str | None = None,
) -> RequestVersion:
    """Attach the submitted document (the request as a PDF) to a draft, in place of the
    one it had; the file is checked by its content and size before it is stored. The
    earlier versions keep theirs."""
    _require_draft(actor, version)
    clean_name = Path(name).name[:100] or "request.pdf"
    check_upload(file, name=clean_name, allowed=(PDF,), max_bytes=DOCUMENT_MAX_BYTES)
    check_version(version, version_version(version), expected_version)
    before = {"document": version.document.name or ""}
    store_upload(version.document, clean_name, file)
    version.save(update_fields=["document"])
    audit_record(
        actor=actor,
        action="extension_request.document_attached",
        obj=version,
        before=before,
        after={"document": version.document.name, "name": clean_name},
        state_code=_code(version.request),
    )
    return version


def submission_problems(version: RequestVersion) -> list[tuple[str, str]]:
    """What keeps a draft from being submitted, by field: what Article 5.4 requires and
    what the analysis cannot do without."""
    problems = []
    request = version.request
    if version.submitted_on is None:
        problems.append(("submitted_on", _("Give the date of the request.")))
    current = request.obligation.current_deadline if request.obligation else None
    if version.requested_deadline is None:
        problems.append(("requested_deadline", _("Give the deadline requested (Art. 5.4(a)).")))
    elif current is not None and version.requested_deadline <= current:
        problems.append(
            (
                "requested_deadline",
                _("The deadline requested must come after the current one (%(current)s).")
                % {"current": current.isoformat()},
            )
        )
    if not version.narratives.get("impediments"):
        problems.append(
            ("narratives.impediments", _("Explain what impedes compliance (Art. 5.4(b)(iii)).")),
        )
    if not version.narratives.get("implications"):
        problems.append(
            ("narratives.implications", _("Give the implications of the extension (Art. 5.4(c)).")),
        )
    if not version.remaining.exists():
        problems.append(("remaining", _("Give the remaining contamination.")))
    if not version.milestones.exists():
        problems.append(("milestones", _("Give the workplan's milestones.")))
    if not version.budget.exists():
        problems.append(("budget", _("Give the budget of the workplan (Art. 5.4(b)(ii)).")))
    if version.number > 1 and not version.reason.strip():
        problems.append(("reason", _("A revision needs a reason.")))
    return problems


@service
def request_submit(
    *, actor: Any, version: RequestVersion, expected_version: str | None = None
) -> RequestVersion:
    """The state's act: the version becomes public and never changes again. Of two
    submissions at once only the first is taken (the version is read under its lock).
    With ``expected_version`` (the version the submitter reviewed), a draft changed since
    the review is not submitted."""
    _require_drafter(actor, version.request.state)
    locked(version)
    request = locked(version.request)
    if not version.is_draft:
        raise AlreadyDone(
            _("This version was already submitted on %(when)s.")
            % {"when": timezone.localtime(version.submitted_at).strftime("%Y-%m-%d %H:%M")}
            if version.submitted_at
            else _("This version was already submitted.")
        )
    check_version(version, version_version(version), expected_version)
    problems = submission_problems(version)
    if problems:
        errors: dict[str, list[str]] = {}
        for where, message in problems:
            errors.setdefault(where, []).append(message)
        raise ValidationError(errors)
    before = snapshot(version, ["status", "submitted_at"])
    version.status = VersionStatus.SUBMITTED
    version.submitted_at = timezone.now()
    version.submitted_by = _user(actor)
    version.save(update_fields=["status", "submitted_at", "submitted_by"])
    audit_record(
        actor=actor,
        action="extension_request.submitted",
        obj=version,
        before=before,
        after=snapshot(version, ["status", "submitted_at", "submitted_by"]),
        state_code=_code(request),
    )
    if request.status == RequestStatus.DRAFT:
        request_before = snapshot(request, ["status"])
        REQUEST_WORKFLOW.move(request, RequestStatus.SUBMITTED)
        request.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="extension_request.status_changed",
            obj=request,
            before=request_before,
            after=snapshot(request, ["status"]),
            state_code=_code(request),
        )
    hooks.emit(signals.REQUEST_SUBMITTED, actor=actor, request_id=request.pk, version_id=version.pk)
    return version


def current_version(request: ExtensionRequest) -> RequestVersion | None:
    """The latest submitted version of a request (what is public)."""
    return request.versions.filter(status=VersionStatus.SUBMITTED).order_by("-number").first()


@service
def revision_open(*, actor: Any, request: ExtensionRequest, reason: str) -> RequestVersion:
    """A new draft version of a submitted request, pre-filled from the latest one: the
    state revises its request (often after the committees' questions)."""
    _require_drafter(actor, request.state)
    request = locked(request)
    if request.status == RequestStatus.DECIDED:
        raise ValidationError(_("This request has been decided; a new request is needed."))
    existing = request.versions.filter(status=VersionStatus.DRAFT).first()
    if existing is not None:
        raise AlreadyDone(_("A revision of this request is already open."))
    if not reason.strip():
        raise ValidationError({"reason": [_("A revision needs a reason.")]})
    source = current_version(request)
    if source is None:
        raise ValidationError(_("This request has no submitted version to revise."))
    number = (request.versions.aggregate(Max("number"))["number__max"] or 0) + 1
    version = RequestVersion(
        request=request,
        number=number,
        reason=reason.strip(),
        submitted_on=source.submitted_on,
        requested_deadline=source.requested_deadline,
        language=source.language,
        narratives=dict(source.narratives),
        document=source.document,
        created_by=_user(actor),
    )
    audited_create(
        actor=actor,
        obj=version,
        action="extension_request.revision_opened",
        state_code=_code(request),
    )
    _copy_tables(source, version)
    return version


TABLE_MODELS: tuple[Any, ...] = (RemainingArea, ProgressYear, Milestone, BudgetLine, CapacityYear)


def _copy_tables(source: RequestVersion, target: RequestVersion) -> None:
    for model in TABLE_MODELS:
        rows: list[Any] = list(model.objects.filter(version=source))
        for row in rows:
            row.pk = None
            row.version = target
        model.objects.bulk_create(rows)


@service
def question_ask(
    *, actor: Any, request: ExtensionRequest, text: str, request_key: str = ""
) -> Question:
    """A written question of the committees on the submitted request; the first one
    starts the analysis. A form sent twice (its one-time ``request_key``) asks once."""
    require(
        actor,
        "extension_request.question",
        request,
        _("Only committee members and ISU staff ask questions on a request."),
    )
    request = locked(request)
    if request.status in (RequestStatus.DRAFT, RequestStatus.DECIDED):
        raise ValidationError(_("Questions are asked on a submitted request before its decision."))
    if not text.strip():
        raise ValidationError({"text": [_("Write the question.")]})
    claim_once(actor_label=actor_label(actor), key=request_key, action="extension_request.question")
    version = current_version(request)
    assert version is not None  # a submitted request has a submitted version
    if request.status == RequestStatus.SUBMITTED:
        _move(actor, request, RequestStatus.UNDER_ANALYSIS)
    question = Question(request=request, version=version, text=text.strip(), asked_by=_user(actor))
    audited_create(
        actor=actor,
        obj=question,
        action="extension_request.question_asked",
        state_code=_code(request),
    )
    return question


@service
def question_answer(*, actor: Any, question: Question, answer: str) -> Question:
    """The state's written answer; a question is answered once."""
    request = question.request
    require(
        actor,
        "extension_request.answer",
        request.state,
        _("Only the state's focal point and delegates answer questions on its request."),
    )
    locked(question)
    if question.answered_at is not None:
        raise AlreadyDone(_("This question was already answered."))
    if not answer.strip():
        raise ValidationError({"answer": [_("Write the answer.")]})
    audited_update(
        actor=actor,
        obj=question,
        action="extension_request.question_answered",
        changes={
            "answer": answer.strip(),
            "answered_by": _user(actor),
            "answered_at": timezone.now(),
        },
        state_code=_code(request),
    )
    return question


def _move(actor: Any, request: ExtensionRequest, target: str) -> None:
    before = snapshot(request, ["status"])
    REQUEST_WORKFLOW.move(request, target)
    request.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="extension_request.status_changed",
        obj=request,
        before=before,
        after=snapshot(request, ["status"]),
        state_code=_code(request),
    )


def _require_analyst(actor: Any, request: ExtensionRequest) -> None:
    require(
        actor,
        "extension_request.analyse",
        request,
        _("Only committee members and ISU staff write the analysis of a request."),
    )


@service
def analysis_start(*, actor: Any, request: ExtensionRequest) -> ExtensionRequest:
    """The committees take up the submitted request."""
    _require_analyst(actor, request)
    request = locked(request)
    _move(actor, request, RequestStatus.UNDER_ANALYSIS)
    return request


def latest_analysis(request: ExtensionRequest) -> AnalysisVersion | None:
    return request.analyses.order_by("-number").first()


@service
def analysis_save(
    *,
    actor: Any,
    request: ExtensionRequest,
    sections: dict[str, str],
    expected_version: str | None = None,
) -> AnalysisVersion:
    """Save the analysis text: into the draft, or a new draft after a published version
    (which stays as it was)."""
    _require_analyst(actor, request)
    request = locked(request)
    if request.status in (RequestStatus.DRAFT, RequestStatus.DECIDED):
        raise ValidationError(
            _("A request is analysed after its submission and before its decision.")
        )
    unknown = sorted(set(sections) - set(ANALYSIS_SECTION_CODES))
    if unknown:
        raise ValidationError(
            {f"sections.{code}": [_("Not a section of an analysis.")] for code in unknown}
        )
    latest = latest_analysis(request)
    check_version(
        request, analysis_version(latest), expected_version, changes=_analysis_changes(request)
    )
    if request.status == RequestStatus.SUBMITTED:
        _move(actor, request, RequestStatus.UNDER_ANALYSIS)
    text = {code: value.strip() for code, value in sections.items() if value.strip()}
    if latest is not None and latest.status == AnalysisStatus.DRAFT:
        audited_update(
            actor=actor,
            obj=latest,
            action="extension_request.analysis_saved",
            changes={"sections": text},
            state_code=_code(request),
        )
        return latest
    analysis = AnalysisVersion(
        request=request,
        number=(latest.number + 1) if latest else 1,
        sections=text,
        created_by=_user(actor),
    )
    audited_create(
        actor=actor,
        obj=analysis,
        action="extension_request.analysis_saved",
        state_code=_code(request),
    )
    return analysis


def _analysis_changes(request: ExtensionRequest) -> QuerySet[AuditEvent]:
    """The audit events that change a request's analysis text (who changed it, and when)."""
    return AuditEvent.objects.filter(
        object_type=AnalysisVersion._meta.label_lower,
        object_id__in=[str(pk) for pk in request.analyses.values_list("pk", flat=True)],
    )


@service
def analysis_publish(
    *, actor: Any, request: ExtensionRequest, expected_version: str | None = None
) -> AnalysisVersion:
    """Publish the draft analysis: it becomes public and is kept as it is. With
    ``expected_version`` (the text the publisher read), a text changed since is not
    published."""
    _require_analyst(actor, request)
    request = locked(request)
    latest = latest_analysis(request)
    if latest is None:
        raise ValidationError(_("Write the analysis before publishing it."))
    latest = locked(latest)
    if latest.status == AnalysisStatus.PUBLISHED:
        raise AlreadyDone(_("This version of the analysis is already published."))
    check_version(
        request, analysis_version(latest), expected_version, changes=_analysis_changes(request)
    )
    audited_update(
        actor=actor,
        obj=latest,
        action="extension_request.analysis_published",
        changes={"status": AnalysisStatus.PUBLISHED, "published_at": timezone.now()},
        state_code=_code(request),
    )
    if request.status == RequestStatus.UNDER_ANALYSIS:
        _move(actor, request, RequestStatus.ANALYSIS_PUBLISHED)
    return latest


@service
def decision_record(
    *,
    actor: Any,
    request: ExtensionRequest,
    outcome: str,
    decided_on: dt.date,
    meeting: Meeting | None = None,
    new_deadline: dt.date | None = None,
    requirements: Sequence[tuple[str, dt.date | None]] = (),
    notes: str = "",
    source: Source | None = None,
) -> Decision:
    """The Meeting's decision (Art. 5.5). A granted extension goes into the registry's
    deadline history after commit (``registry.events.EXTENSION_DECIDED``), so the country
    page, reminders and every later analysis see the new deadline; the decision's requests
    become follow-up items with their due dates. A synthetic request's decision (the demo)
    stays on the request: it never moves a real obligation's deadline."""
    require(actor, "extension_request.decide", request, _("Only ISU staff record decisions."))
    request = locked(request)
    if request.status == RequestStatus.DECIDED:
        raise AlreadyDone(_("This request has already been decided."))
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": [_("Not an outcome of a decision.")]})
    granted = outcome in (Outcome.GRANTED, Outcome.GRANTED_WITH_REQUESTS)
    if granted and new_deadline is None:
        raise ValidationError({"new_deadline": [_("A granted extension has a new deadline.")]})
    if not granted:
        new_deadline = None
    version = current_version(request)
    current = request.obligation.current_deadline if request.obligation else None
    if granted and current is not None and new_deadline is not None and new_deadline <= current:
        raise ValidationError(
            {"new_deadline": [_("The new deadline must come after the current one.")]}
        )
    _move(actor, request, RequestStatus.DECIDED)
    decision = Decision(
        request=request,
        outcome=outcome,
        meeting=meeting,
        decided_on=decided_on,
        new_deadline=new_deadline,
        notes=notes.strip(),
        source=source,
        recorded_by=_user(actor),
    )
    audited_create(
        actor=actor, obj=decision, action="extension_request.decided", state_code=_code(request)
    )
    for text, due_on in requirements:
        if text.strip():
            requirement = DecisionRequirement(decision=decision, text=text.strip(), due_on=due_on)
            audited_create(
                actor=actor,
                obj=requirement,
                action="extension_request.requirement_added",
                state_code=_code(request),
            )
    if granted and request.obligation is not None and request.origin != Origin.SYNTHETIC:
        hooks.emit(
            EXTENSION_DECIDED,
            actor=actor,
            obligation_id=request.obligation.pk,
            reference=f"clearance.extensionrequest:{request.pk}",
            submitted_on=version.submitted_on.isoformat()
            if version and version.submitted_on
            else None,
            meeting_id=meeting.pk if meeting else None,
            decided_on=decided_on.isoformat(),
            new_deadline=new_deadline.isoformat() if new_deadline else None,
            origin=request.origin,
        )
    return decision


@service
def requirement_met(
    *, actor: Any, requirement: DecisionRequirement, met_on: dt.date, note: str = ""
) -> DecisionRequirement:
    """Record that the state did what the decision asked; it leaves the follow-up list."""
    request = requirement.decision.request
    _require_analyst(actor, request)
    locked(requirement)
    if requirement.met_on is not None:
        raise AlreadyDone(_("This requirement was already recorded as met."))
    audited_update(
        actor=actor,
        obj=requirement,
        action="extension_request.requirement_met",
        changes={"met_on": met_on, "met_note": note.strip()},
        state_code=_code(request),
    )
    return requirement
