"""Explaining warnings, submitting a draft, and the clarifications ISU staff ask about
a submitted version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from minefree.core import hooks
from minefree.core.audit import audit_record, service, snapshot
from minefree.core.permissions import require
from minefree.core.workflow import AlreadyDone, actor_label, claim_once, locked
from minefree.reporting import selectors
from minefree.reporting.models import (
    VERSION_WORKFLOW,
    Clarification,
    ReportVersion,
    VersionStatus,
    WarningExplanation,
)
from minefree.reporting.services.common import (
    require_draft,
    require_drafter,
    state_code_of,
    user_or_none,
    username,
)
from minefree.reporting.signals import REPORT_VERSIONS_SUBMITTED
from minefree.reporting.specification.content import load_content
from minefree.reporting.specification.schema import FORMS
from minefree.reporting.specification.validation import before_submission, unexplained


def _when(moment: dt.datetime | None) -> str:
    """A moment as Geneva time, the clock that decides timeliness."""
    if moment is None:
        return _("an unknown time")
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'DATE_FORMAT')}, {local:%H:%M}"


def _already_submitted(version: ReportVersion) -> str:
    return _("This report was already submitted on %(when)s (Geneva time) by %(who)s.") % {
        "when": _when(version.submitted_at),
        "who": username(version.submitted_by),
    }


@service
def warning_explain(
    *, actor: Any, version: ReportVersion, code: str, target: str, text: str
) -> WarningExplanation:
    """The state's explanation of a warning; published with the report."""
    require_draft(actor, version)
    if not text.strip():
        raise ValidationError(_("Please write an explanation."))
    explanation, _created = WarningExplanation.objects.update_or_create(
        version=version, code=code, target=target, defaults={"text": text.strip()}
    )
    audit_record(
        actor=actor,
        action="report.warning_explained",
        obj=explanation,
        after={"code": code, "target": target, "text": text.strip()},
        state_code=state_code_of(version),
    )
    return explanation


@service
def report_submit(*, actor: Any, version: ReportVersion) -> ReportVersion:
    """The state's sovereign act: the submitted version is official and public at once.

    Only the first of several submissions at once wins (the version is re-read under a row
    lock): its time decides timeliness and is never rewritten; the others are told who
    submitted it and when.
    """
    require_drafter(actor, version.report.state)
    locked(version)
    if not version.is_draft:
        raise AlreadyDone(_already_submitted(version))
    if version.number > 1 and not version.amendment_reason.strip():
        raise ValidationError(_("An amendment needs a reason."))
    issues = before_submission(load_content(version), selectors.validation_context(version))
    errors = [i for i in issues if i.is_error]
    if errors:
        raise ValidationError(
            [
                _("Form %(letter)s: %(message)s") % {"letter": i.letter, "message": i.message}
                for i in errors
            ]
        )
    explained = set(version.explanations.values_list("code", "target"))
    missing = unexplained(issues, explained)
    if missing:
        raise ValidationError(
            [_("Please explain: %(message)s") % {"message": i.message} for i in missing]
        )
    before = snapshot(version, ["status", "submitted_at"])
    VERSION_WORKFLOW.move(version, VersionStatus.SUBMITTED)
    version.submitted_at = timezone.now()
    version.submitted_by = user_or_none(actor)
    version.save(update_fields=["status", "submitted_at", "submitted_by"])
    audit_record(
        actor=actor,
        action="report.submitted",
        obj=version,
        before=before,
        after=snapshot(version, ["status", "submitted_at", "submitted_by"]),
        state_code=state_code_of(version),
    )
    hooks.emit(REPORT_VERSIONS_SUBMITTED, actor=actor, version_ids=[version.pk])
    return version


@service
def clarification_request(
    *, actor: Any, version: ReportVersion, letter: str, question: str, request_key: str = ""
) -> Clarification:
    """ISU staff ask the state about one form of a submitted version."""
    require(
        actor, "report.clarification_request", version, "Only ISU staff ask for clarifications."
    )
    claim_once(
        actor_label=actor_label(actor), key=request_key, action="report.clarification_requested"
    )
    if version.is_draft:
        raise ValidationError(_("Only a submitted report can be queried."))
    if letter not in FORMS or not question.strip():
        raise ValidationError(_("Choose a form and write the question."))
    clarification = Clarification.objects.create(
        version=version, letter=letter, question=question.strip(), asked_by=actor
    )
    audit_record(
        actor=actor,
        action="report.clarification_requested",
        obj=clarification,
        after={"letter": letter, "question": question.strip()},
        state_code=state_code_of(version),
    )
    return clarification


@service
def clarification_answer(*, actor: Any, clarification: Clarification, answer: str) -> Clarification:
    """The state answers a question with a comment."""
    require_drafter(actor, clarification.version.report.state)
    locked(clarification)
    if not clarification.is_open:
        raise AlreadyDone(
            _("This question was already answered on %(when)s by %(who)s.")
            % {
                "when": _when(clarification.answered_at),
                "who": username(clarification.answered_by),
            }
        )
    if not answer.strip():
        raise ValidationError(_("Please write the answer."))
    clarification.answer = answer.strip()
    clarification.answered_by = actor
    clarification.answered_at = timezone.now()
    clarification.save(update_fields=["answer", "answered_by", "answered_at"])
    audit_record(
        actor=actor,
        action="report.clarification_answered",
        obj=clarification,
        after={"answer": clarification.answer},
        state_code=state_code_of(clarification.version),
    )
    return clarification
