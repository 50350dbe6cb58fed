"""The life of an extension request through its services: drafted and filled by the state,
submitted (immutable, public), questioned and answered, revised with a reason, analysed and
published, decided; the decision reaches the registry, and the funding sought becomes needs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minefree.accounts.tests.factories import make_cast
from minefree.assistance.models import Need, NeedSource
from minefree.clearance import services
from minefree.clearance.content import checked, read_content
from minefree.clearance.models import (
    AnalysisStatus,
    Outcome,
    RequestStatus,
    VersionStatus,
)
from minefree.clearance.tests.factories import (
    DECIDED_ON,
    PERU_REQUEST,
    filled_draft,
    peru,
    submitted,
)
from minefree.core.models import AuditEvent
from minefree.core.workflow import AlreadyDone
from minefree.registry.models import DeadlineEvent, Meeting, Obligation

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return make_cast()


def test_the_state_drafts_and_fills_its_request_in_one_go(cast):
    draft = filled_draft(cast["focal_point_peru"])
    assert draft.request.obligation == Obligation.objects.get(actor=peru(), article=5)
    assert draft.milestones.count() == 4 and draft.remaining.count() == 2
    assert draft.budget.get(year=2031).amount_usd == Decimal("900000.00")
    assert draft.narratives["rationale"].startswith("Five years")
    event = AuditEvent.objects.get(action="extension_request.filled")
    assert event.state_code == "PER" and event.after["milestone_rows"] == 4
    again = services.request_open(actor=cast["delegate_peru"], state=peru())
    assert again == draft  # one request in progress per state


def test_bad_values_are_refused_by_row_and_field_and_nothing_is_stored(cast):
    data = PERU_REQUEST | {
        "milestones": [
            {"year": 2030, "method": "cleared", "area_m2": 1},
            {"year": 1990, "method": "flattened", "area_m2": -5},
        ],
        "budget": [{"year": 2030, "source": "national", "amount": "lots", "currency": "US"}],
    }
    errors = read_content(data).errors
    assert set(errors) == {
        "milestones.1.year",
        "milestones.1.method",
        "milestones.1.area_m2",
        "budget.0.amount",
        "budget.0.currency",
    }
    draft = services.request_open(actor=cast["focal_point_peru"], state=peru())
    with pytest.raises(ValidationError):
        services.version_fill(
            actor=cast["focal_point_peru"], version=draft, content=read_content(data)
        )
    assert not draft.milestones.exists()


def test_only_the_state_s_people_draft(cast):
    for name in ("focal_point_colombia", "isu_staff", "committee_chair", "donor_japan"):
        with pytest.raises(PermissionDenied):
            services.request_open(actor=cast[name], state=peru())


def test_submission_needs_what_article_5_4_requires(cast):
    draft = services.request_open(actor=cast["focal_point_peru"], state=peru())
    with pytest.raises(ValidationError) as refused:
        services.request_submit(actor=cast["focal_point_peru"], version=draft)
    fields = refused.value.message_dict
    assert {"submitted_on", "requested_deadline", "milestones", "budget", "remaining"} <= set(
        fields
    )
    services.version_fill(
        actor=cast["focal_point_peru"],
        version=draft,
        content=checked(PERU_REQUEST | {"requested_deadline": "2029-01-01"}),
    )
    with pytest.raises(ValidationError) as early:
        services.request_submit(actor=cast["focal_point_peru"], version=draft)
    assert "2029-12-31" in early.value.message_dict["requested_deadline"][0]


def test_a_submitted_version_never_changes_and_a_second_submission_is_already_done(cast):
    version = submitted(cast["focal_point_peru"])
    assert version.status == VersionStatus.SUBMITTED
    assert version.request.status == RequestStatus.SUBMITTED
    with pytest.raises(PermissionDenied):
        services.version_fill(
            actor=cast["focal_point_peru"], version=version, content=checked({"language": "fr"})
        )
    with pytest.raises(AlreadyDone):
        services.request_submit(actor=cast["delegate_peru"], version=version)


def test_questions_start_the_analysis_and_the_state_answers_once(cast):
    request = submitted(cast["focal_point_peru"]).request
    with pytest.raises(PermissionDenied):
        services.question_ask(actor=cast["focal_point_peru"], request=request, text="Why?")
    question = services.question_ask(
        actor=cast["committee_chair"], request=request, text="How many teams in 2031?"
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.UNDER_ANALYSIS
    with pytest.raises(PermissionDenied):
        services.question_answer(actor=cast["isu_staff"], question=question, answer="Four")
    services.question_answer(actor=cast["delegate_peru"], question=question, answer="Four teams.")
    with pytest.raises(AlreadyDone):
        services.question_answer(actor=cast["focal_point_peru"], question=question, answer="Five")


def test_a_revision_is_a_new_version_with_a_reason_and_the_old_one_stays(cast):
    first = submitted(cast["focal_point_peru"])
    request = first.request
    with pytest.raises(ValidationError):
        services.revision_open(actor=cast["focal_point_peru"], request=request, reason=" ")
    revision = services.revision_open(
        actor=cast["focal_point_peru"], request=request, reason="Answers to the Committee"
    )
    assert revision.number == 2 and revision.milestones.count() == 4
    services.version_fill(
        actor=cast["focal_point_peru"],
        version=revision,
        content=checked({"milestones": [{"year": 2030, "method": "cleared", "area_m2": 90000}]}),
    )
    services.request_submit(actor=cast["focal_point_peru"], version=revision)
    assert first.milestones.count() == 4  # the first version is as it was submitted
    assert services.current_version(request) == revision


def test_the_analysis_is_versioned_and_published_once(cast):
    request = submitted(cast["focal_point_peru"]).request
    with pytest.raises(PermissionDenied):
        services.analysis_save(actor=cast["delegate_peru"], request=request, sections={})
    draft = services.analysis_save(
        actor=cast["committee_chair"], request=request, sections={"summary": "Peru asks 5 years."}
    )
    services.analysis_publish(actor=cast["isu_staff"], request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.ANALYSIS_PUBLISHED
    with pytest.raises(AlreadyDone):
        services.analysis_publish(actor=cast["isu_staff"], request=request)
    draft.refresh_from_db()
    stale = services.analysis_save  # a writer who read the draft before it was published
    with pytest.raises(ValidationError):
        stale(actor=cast["committee_chair"], request=request, sections={}, expected_version="x")
    second = services.analysis_save(
        actor=cast["committee_chair"],
        request=request,
        sections={"summary": "Peru asks five years."},
        expected_version=services.analysis_version(draft),
    )
    draft.refresh_from_db()
    assert second.number == 2 and draft.status == AnalysisStatus.PUBLISHED
    assert draft.sections == {"summary": "Peru asks 5 years."}


def test_a_granted_extension_reaches_the_deadline_history_after_commit(
    cast, django_capture_on_commit_callbacks
):
    request = submitted(cast["focal_point_peru"]).request
    meeting = Meeting.objects.order_by("-start_date").first()
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.decision_record(
            actor=cast["isu_staff"],
            request=request,
            outcome=Outcome.GRANTED_WITH_REQUESTS,
            decided_on=DECIDED_ON,
            meeting=meeting,
            new_deadline=dt.date(2034, 12, 31),
            requirements=[("An updated workplan", dt.date(2031, 4, 30))],
        )
    obligation = Obligation.objects.get(actor=peru(), article=5)
    assert obligation.current_deadline == dt.date(2034, 12, 31)
    event = DeadlineEvent.objects.get(reference=f"clearance.extensionrequest:{request.pk}")
    assert event.seq > 1000 and event.meeting == meeting and event.origin == "reported"
    assert event.request_submitted == dt.date(2029, 3, 31)
    assert AuditEvent.objects.filter(action="obligation.deadline_extended", state_code="PER")
    assert decision.requirements.get().due_on == dt.date(2031, 4, 30)
    with pytest.raises(AlreadyDone):
        services.decision_record(
            actor=cast["isu_staff"],
            request=request,
            outcome=Outcome.NOT_GRANTED,
            decided_on=DECIDED_ON,
        )


def test_the_reference_load_keeps_a_recorded_decision(cast, django_capture_on_commit_callbacks):
    from django.conf import settings

    from minefree.core.audit import SYSTEM
    from minefree.registry.services import reference_load

    request = submitted(cast["focal_point_peru"]).request
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_record(
            actor=cast["isu_staff"],
            request=request,
            outcome=Outcome.GRANTED,
            decided_on=DECIDED_ON,
            new_deadline=dt.date(2034, 12, 31),
        )
    reference_load(actor=SYSTEM, directory=settings.REFERENCE_DATA_DIR)
    obligation = Obligation.objects.get(actor=peru(), article=5)
    assert obligation.current_deadline == dt.date(2034, 12, 31)
    assert DeadlineEvent.objects.filter(obligation=obligation, origin="reported").count() == 1


def test_a_refused_or_withdrawn_request_leaves_the_deadline(
    cast, django_capture_on_commit_callbacks
):
    request = submitted(cast["focal_point_peru"]).request
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_record(
            actor=cast["isu_staff"],
            request=request,
            outcome=Outcome.WITHDRAWN,
            decided_on=DECIDED_ON,
            new_deadline=dt.date(2034, 12, 31),  # ignored: nothing was granted
        )
    assert Obligation.objects.get(actor=peru(), article=5).current_deadline == dt.date(2029, 12, 31)
    assert not DeadlineEvent.objects.exclude(origin="reference").exists()


def test_the_funding_sought_becomes_needs_once(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = submitted(cast["focal_point_peru"])
    needs = Need.objects.filter(source_kind=NeedSource.EXTENSION_REQUEST).order_by("year_from")
    assert [(n.year_from, n.amount) for n in needs] == [
        (2030, Decimal("1200000.00")),
        (2031, Decimal("900000.00")),
    ]
    revision = services.revision_open(
        actor=cast["focal_point_peru"], request=version.request, reason="Lower budget"
    )
    services.version_fill(
        actor=cast["focal_point_peru"],
        version=revision,
        content=checked(
            {
                "budget": [
                    {
                        "year": 2030,
                        "source": "international_sought",
                        "amount": 700000,
                        "currency": "USD",
                    }
                ]
            }
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.request_submit(actor=cast["focal_point_peru"], version=revision)
    assert needs.get(year_from=2030).amount == Decimal("700000.00")
    assert needs.count() == 2  # 2031's need stays: a need is closed by hand, never deleted
