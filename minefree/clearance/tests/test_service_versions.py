"""What the pages need of the services: the submitted PDF attached to a draft, a submission
and a publication decided on the version the writer read, and a question sent twice asked
once."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minefree.accounts.tests.factories import make_cast
from minefree.clearance import services
from minefree.clearance.content import RequestContent
from minefree.clearance.models import AnalysisStatus, Question, RequestStatus, VersionStatus
from minefree.clearance.tests.factories import filled_draft, submitted
from minefree.core.forms import new_request_key
from minefree.core.models import AuditEvent
from minefree.core.versions import VersionConflictError
from minefree.core.workflow import AlreadyDone

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def cast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_cast()


def test_the_submitted_pdf_is_attached_to_the_draft_and_changes_its_version(cast):
    draft = filled_draft(cast["focal_point_peru"])
    read = services.version_version(draft)
    services.version_document_attach(
        actor=cast["delegate_peru"], version=draft, file=io.BytesIO(PDF), name="../request.pdf"
    )
    draft.refresh_from_db()
    assert draft.document.name.startswith("extension-requests/request")
    assert draft.document.read() == PDF
    assert services.version_version(draft) != read  # a writer who read it before is told
    event = AuditEvent.objects.get(action="extension_request.document_attached")
    assert event.state_code == "PER" and event.after["name"] == "request.pdf"
    with pytest.raises(VersionConflictError):
        services.version_document_attach(
            actor=cast["focal_point_peru"],
            version=draft,
            file=io.BytesIO(PDF),
            name="again.pdf",
            expected_version=read,
        )


def test_only_a_pdf_is_attached_and_only_to_a_draft_by_its_state(cast):
    draft = filled_draft(cast["focal_point_peru"])
    with pytest.raises(ValidationError):
        services.version_document_attach(
            actor=cast["focal_point_peru"],
            version=draft,
            file=io.BytesIO(b"just text, not a PDF"),
            name="request.pdf",
        )
    for name in ("isu_staff", "focal_point_colombia", "committee_chair"):
        with pytest.raises(PermissionDenied):
            services.version_document_attach(
                actor=cast[name], version=draft, file=io.BytesIO(PDF), name="request.pdf"
            )
    services.request_submit(actor=cast["focal_point_peru"], version=draft)
    with pytest.raises(PermissionDenied):
        services.version_document_attach(
            actor=cast["focal_point_peru"], version=draft, file=io.BytesIO(PDF), name="late.pdf"
        )
    draft.refresh_from_db()
    assert not draft.document


def test_a_draft_changed_since_the_review_is_not_submitted(cast):
    draft = filled_draft(cast["focal_point_peru"])
    reviewed = services.version_version(draft)
    services.version_fill(
        actor=cast["delegate_peru"],
        version=draft,
        content=RequestContent(requested_deadline=draft.requested_deadline.replace(year=2035)),
    )
    with pytest.raises(VersionConflictError) as refused:
        services.request_submit(
            actor=cast["focal_point_peru"], version=draft, expected_version=reviewed
        )
    assert "delegate_peru changed this record" in refused.value.last_change
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    services.request_submit(
        actor=cast["focal_point_peru"],
        version=draft,
        expected_version=services.version_version(draft),
    )
    assert draft.request.status == RequestStatus.SUBMITTED


def test_a_text_changed_since_it_was_read_is_not_published_and_the_writer_is_named(cast):
    request = submitted(cast["focal_point_peru"]).request
    services.analysis_save(
        actor=cast["committee_chair"], request=request, sections={"summary": "First."}
    )
    read = services.analysis_version(services.latest_analysis(request))
    services.analysis_save(
        actor=cast["isu_staff"],
        request=request,
        sections={"summary": "Second."},
        expected_version=read,
    )
    with pytest.raises(VersionConflictError) as refused:
        services.analysis_publish(
            actor=cast["committee_chair"], request=request, expected_version=read
        )
    assert "isu_staff changed this record" in refused.value.last_change
    with pytest.raises(VersionConflictError) as stale:
        services.analysis_save(
            actor=cast["committee_chair"],
            request=request,
            sections={"summary": "Mine."},
            expected_version=read,
        )
    assert "isu_staff changed this record" in stale.value.last_change
    latest = services.latest_analysis(request)
    assert latest.status == AnalysisStatus.DRAFT and latest.sections == {"summary": "Second."}


def test_a_question_sent_twice_is_asked_once(cast):
    request = submitted(cast["focal_point_peru"]).request
    key = new_request_key()
    services.question_ask(
        actor=cast["committee_chair"], request=request, text="Why 2034?", request_key=key
    )
    with pytest.raises(AlreadyDone):
        services.question_ask(
            actor=cast["committee_chair"], request=request, text="Why 2034?", request_key=key
        )
    assert Question.objects.filter(request=request).count() == 1


def test_a_requirement_of_a_decision_is_recorded_as_met_once(cast):
    import datetime as dt

    from minefree.clearance.models import Outcome
    from minefree.clearance.tests.factories import DECIDED_ON

    request = submitted(cast["focal_point_peru"]).request
    decision = services.decision_record(
        actor=cast["isu_staff"],
        request=request,
        outcome=Outcome.GRANTED_WITH_REQUESTS,
        decided_on=DECIDED_ON,
        new_deadline=dt.date(2034, 12, 31),
        requirements=[("An updated workplan", dt.date(2031, 4, 30))],
    )
    requirement = decision.requirements.get()
    with pytest.raises(PermissionDenied):
        services.requirement_met(
            actor=cast["focal_point_peru"], requirement=requirement, met_on=dt.date(2031, 4, 1)
        )
    services.requirement_met(
        actor=cast["committee_chair"], requirement=requirement, met_on=dt.date(2031, 4, 1)
    )
    event = AuditEvent.objects.get(action="extension_request.requirement_met")
    assert event.state_code == "PER" and event.after["met_on"] == "2031-04-01"
    with pytest.raises(AlreadyDone):
        services.requirement_met(
            actor=cast["isu_staff"], requirement=requirement, met_on=dt.date(2031, 4, 2)
        )
