"""A step sent twice takes effect once: submission, amendment, answers, questions, openings.

Each test loads the record twice, as two requests do before either writes, then runs the
step with each copy. The second copy is stale (it still says "draft", "open"); the
service must decide on the row it re-reads under a lock, not on the copy it was given.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from minefree.accounts.tests.factories import make_cast
from minefree.core.audit import SYSTEM
from minefree.core.forms import new_request_key
from minefree.core.models import AuditEvent
from minefree.core.workflow import AlreadyDone
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.models import Article7Report, Clarification, ReportVersion
from minefree.reporting.tests.factories import explain_warnings

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


def _draft(user: Any, year: int = 2023) -> ReportVersion:
    draft = services.report_open(actor=user, state=Actor.objects.get(iso3="PER"), year=year)
    explain_warnings(user, draft)
    return draft


def _events(action: str, version: ReportVersion) -> int:
    return AuditEvent.objects.filter(action=action, object_id=str(version.pk)).count()


def test_the_first_submission_wins_and_its_time_is_kept(cast):
    user = cast["focal_point_peru"]
    draft = _draft(user)
    first, second = ReportVersion.objects.get(pk=draft.pk), ReportVersion.objects.get(pk=draft.pk)
    services.report_submit(actor=user, version=first)
    stamped = ReportVersion.objects.get(pk=draft.pk).submitted_at
    with pytest.raises(AlreadyDone, match=r"already submitted on .* by focal_point_peru"):
        services.report_submit(actor=cast["delegate_peru"], version=second)
    version = ReportVersion.objects.get(pk=draft.pk)
    assert version.submitted_at == stamped
    assert version.submitted_by == user
    assert _events("report.submitted", version) == 1


def test_an_edit_after_submission_is_refused_even_from_a_stale_copy(cast):
    user = cast["focal_point_peru"]
    draft = _draft(user)
    stale = ReportVersion.objects.get(pk=draft.pk)
    services.report_submit(actor=user, version=draft)
    with pytest.raises(PermissionDenied):
        services.row_save(
            actor=user, version=stale, letter="B", table="stockpile", values={"quantity": "5"}
        )
    assert not stale.rows.filter(letter="B").exists()


def test_two_amendments_opened_at_once_give_one_draft(cast):
    user = cast["focal_point_peru"]
    draft = _draft(user)
    services.report_submit(actor=user, version=draft)
    report_a, report_b = (Article7Report.objects.get(pk=draft.report_id) for _ in range(2))
    services.amendment_open(actor=user, report=report_a, reason="Form C corrected.")
    with pytest.raises(AlreadyDone, match="already being drafted"):
        services.amendment_open(actor=user, report=report_b, reason="Form C corrected.")
    assert report_a.versions.filter(status="draft").count() == 1


def test_a_question_answered_twice_keeps_the_first_answer(cast):
    user = cast["focal_point_peru"]
    draft = _draft(user)
    services.report_submit(actor=user, version=draft)
    question = services.clarification_request(
        actor=cast["isu_staff"], version=draft, letter="C", question="Which region?"
    )
    first, second = (Clarification.objects.get(pk=question.pk) for _ in range(2))
    services.clarification_answer(actor=user, clarification=first, answer="Cajamarca.")
    with pytest.raises(AlreadyDone, match="already answered"):
        services.clarification_answer(actor=user, clarification=second, answer="Puno.")
    assert Clarification.objects.get(pk=question.pk).answer == "Cajamarca."


def test_a_question_sent_twice_with_the_same_form_is_asked_once(cast):
    user = cast["focal_point_peru"]
    draft = _draft(user)
    services.report_submit(actor=user, version=draft)
    key = new_request_key()
    ask = {"version": draft, "letter": "C", "question": "Which region?", "request_key": key}
    services.clarification_request(actor=cast["isu_staff"], **ask)
    with pytest.raises(AlreadyDone):
        services.clarification_request(actor=cast["isu_staff"], **ask)
    services.clarification_request(actor=cast["isu_staff"], **(ask | {"request_key": ""}))
    assert draft.clarifications.count() == 2  # a form without a key is not guarded


def test_a_damaged_request_key_is_refused(cast):
    draft = _draft(cast["focal_point_peru"])
    services.report_submit(actor=cast["focal_point_peru"], version=draft)
    with pytest.raises(AlreadyDone, match="damaged"):
        services.clarification_request(
            actor=SYSTEM, version=draft, letter="C", question="?", request_key="x' OR 1=1"
        )


def test_opening_the_same_year_twice_gives_one_report_and_one_draft(cast):
    user = cast["focal_point_peru"]
    peru_a, peru_b = Actor.objects.get(iso3="PER"), Actor.objects.get(iso3="PER")
    first = services.report_open(actor=user, state=peru_a, year=2022)
    again = services.report_open(actor=user, state=peru_b, year=2022)
    assert first == again
    assert Article7Report.objects.filter(state=peru_a, year=2022).count() == 1
