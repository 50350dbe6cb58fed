"""The indicators' writes: corrections of the plans' wording, and the committee's documents
from draft to published, each refused to those the rules leave out with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minefree.accounts.tests.factories import make_cast
from minefree.core.models import AuditEvent, Origin
from minefree.core.versions import VersionConflictError
from minefree.core.workflow import AlreadyDone
from minefree.indicators import services
from minefree.indicators.models import (
    CommitteeDocument,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    Indicator,
    PlanAction,
    WordingStatus,
)
from minefree.registry.models import Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def users() -> dict[str, Any]:
    return make_cast()


@pytest.fixture
def meeting() -> Meeting:
    found = Meeting.objects.filter(start_date__year=2024).order_by("start_date").first()
    assert found is not None
    return found


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# --- corrections of the wording ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["focal_point_peru", "committee_chair", "anonymous", "no_role"])
def test_only_isu_staff_correct_the_wording(users: dict[str, Any], who: str) -> None:
    action = PlanAction.objects.order_by("pk").first()
    indicator = Indicator.objects.order_by("pk").first()
    assert action is not None and indicator is not None
    with pytest.raises(PermissionDenied):
        services.action_correct(actor=users[who], action=action, values={"text_en": "No."})
    with pytest.raises(PermissionDenied):
        services.indicator_correct(actor=users[who], indicator=indicator, values={"text_en": "No."})
    action.refresh_from_db()
    indicator.refresh_from_db()
    assert action.text_en != "No." and indicator.text_en != "No."
    assert events("plan_action.corrected") == events("indicator.corrected") == 0


def test_isu_staff_correct_an_action_audited_and_marked_entered(users: dict[str, Any]) -> None:
    action = PlanAction.objects.order_by("pk").first()
    assert action is not None
    services.action_correct(
        actor=users["isu_staff"], action=action, values={"text_en": "  The official text.  "}
    )
    action.refresh_from_db()
    assert (action.text_en, action.origin) == ("The official text.", Origin.ENTERED)
    event = AuditEvent.objects.get(action="plan_action.corrected")
    assert event.after is not None and event.after["text_en"] == "The official text."
    assert event.actor == users["isu_staff"]


@pytest.mark.parametrize("kind", ["action", "indicator"])
def test_official_wording_needs_a_source(users: dict[str, Any], kind: str) -> None:
    model: Any = PlanAction if kind == "action" else Indicator
    record = model.objects.order_by("pk").first()
    model.objects.filter(pk=record.pk).update(source=None)
    record.refresh_from_db()
    correct: Any = services.action_correct if kind == "action" else services.indicator_correct
    target = {kind: record}
    official = {"wording_status": WordingStatus.OFFICIAL, "text_en": "Official."}
    with pytest.raises(ValidationError):
        correct(actor=users["isu_staff"], values=official, **target)
    record.refresh_from_db()
    assert record.text_en != "Official." and record.origin != Origin.ENTERED
    correct(
        actor=users["isu_staff"],
        values=official,
        source_url="https://www.apminebanconvention.org/",
        source_title="Final report",
        **target,
    )
    record.refresh_from_db()
    assert record.wording_status == WordingStatus.OFFICIAL
    assert record.source is not None and record.source.title == "Final report"


def test_an_empty_english_text_or_unknown_field_is_refused(users: dict[str, Any]) -> None:
    indicator = Indicator.objects.order_by("pk").first()
    assert indicator is not None
    for values in ({"text_en": "  "}, {"definition": "report_submitted"}):
        with pytest.raises(ValidationError):
            services.indicator_correct(actor=users["isu_staff"], indicator=indicator, values=values)
    assert events("indicator.corrected") == 0


# --- the committee's documents -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["committee_chair", "isu_staff"])
def test_a_document_from_draft_to_published(
    users: dict[str, Any], meeting: Meeting, who: str
) -> None:
    actor = users[who]
    draft = services.document_open(actor=actor, kind=DocumentKind.STATEMENT, meeting=meeting)
    assert draft.number == 1 and draft.status == DocumentStatus.DRAFT
    assert set(draft.sections) == {
        "opening",
        "mandate",
        "individualised_approach",
        "fund",
        "closing",
    }
    # opening again gives the same draft
    again = services.document_open(actor=actor, kind=DocumentKind.STATEMENT, meeting=meeting)
    assert again.pk == draft.pk
    etag = services.version_etag(draft)
    services.document_edit(
        actor=actor,
        version=draft,
        sections={"opening": "Madam President,"},
        change_note="opening",
        expected_version=etag,
    )
    draft.refresh_from_db()
    assert draft.sections["opening"] == "Madam President,"
    services.document_redraft(actor=actor, version=draft, section="closing")
    draft.refresh_from_db()
    published = services.document_publish(
        actor=actor, version=draft, expected_version=services.version_etag(draft)
    )
    assert published.status == DocumentStatus.PUBLISHED and published.published_at is not None
    assert set(published.content) == {"en", "fr", "es"}
    assert {"tables", "figures", "chart"} <= set(published.content["en"])
    for action in (
        "committee_document.created",
        "document_version.created",
        "document_version.edited",
        "document_version.redrafted",
        "document_version.published",
    ):
        assert events(action) == 1, action


def _published(users: dict[str, Any], meeting: Meeting) -> DocumentVersion:
    isu = users["isu_staff"]
    draft = services.document_open(actor=isu, kind=DocumentKind.OBSERVATIONS, meeting=meeting)
    services.document_edit(actor=isu, version=draft, sections={"observations": "Observed."})
    return services.document_publish(actor=isu, version=draft)


def test_a_published_version_never_changes(users: dict[str, Any], meeting: Meeting) -> None:
    published = _published(users, meeting)
    frozen = (dict(published.sections), dict(published.content))
    isu = users["isu_staff"]
    with pytest.raises(ValidationError, match="never changes"):
        services.document_edit(actor=isu, version=published, sections={"observations": "Changed."})
    with pytest.raises(ValidationError, match="never changes"):
        services.document_redraft(actor=isu, version=published, section="observations")
    with pytest.raises(AlreadyDone):
        services.document_publish(actor=isu, version=published)
    published.refresh_from_db()
    assert (published.sections, published.content) == frozen
    assert events("document_version.edited") == 1 and events("document_version.published") == 1


def test_a_new_version_opens_from_the_last_published_text(
    users: dict[str, Any], meeting: Meeting
) -> None:
    published = _published(users, meeting)
    second = services.document_open(
        actor=users["committee_chair"], kind=DocumentKind.OBSERVATIONS, meeting=meeting
    )
    assert second.pk != published.pk and second.number == 2
    assert second.status == DocumentStatus.DRAFT
    assert second.sections == published.sections
    assert second.sections["observations"] == "Observed."
    assert CommitteeDocument.objects.filter(meeting=meeting).count() == 1


def test_if_match_mismatch_is_refused_with_nothing_saved(
    users: dict[str, Any], meeting: Meeting
) -> None:
    isu = users["isu_staff"]
    draft = services.document_open(actor=isu, kind=DocumentKind.STATEMENT, meeting=meeting)
    stale = services.version_etag(draft)
    services.document_edit(actor=isu, version=draft, sections={"opening": "First."})
    with pytest.raises(VersionConflictError):
        services.document_edit(
            actor=users["committee_chair"],
            version=draft,
            sections={"opening": "Second."},
            expected_version=stale,
        )
    with pytest.raises(VersionConflictError):
        services.document_publish(actor=isu, version=draft, expected_version=stale)
    draft.refresh_from_db()
    assert draft.sections["opening"] == "First." and draft.status == DocumentStatus.DRAFT


@pytest.mark.parametrize("who", ["focal_point_peru", "anonymous", "donor_japan"])
def test_outsiders_cannot_open_edit_redraft_or_publish(
    users: dict[str, Any], meeting: Meeting, who: str
) -> None:
    before = (CommitteeDocument.objects.count(), DocumentVersion.objects.count())
    with pytest.raises(PermissionDenied):
        services.document_open(actor=users[who], kind=DocumentKind.STATEMENT, meeting=meeting)
    assert (CommitteeDocument.objects.count(), DocumentVersion.objects.count()) == before
    draft = services.document_open(
        actor=users["isu_staff"], kind=DocumentKind.STATEMENT, meeting=meeting
    )
    sections = dict(draft.sections)
    with pytest.raises(PermissionDenied):
        services.document_edit(actor=users[who], version=draft, sections={"opening": "Mine."})
    with pytest.raises(PermissionDenied):
        services.document_redraft(actor=users[who], version=draft, section="opening")
    with pytest.raises(PermissionDenied):
        services.document_publish(actor=users[who], version=draft)
    draft.refresh_from_db()
    assert draft.sections == sections and draft.status == DocumentStatus.DRAFT
    assert events("document_version.edited") == events("document_version.published") == 0


def test_unknown_sections_and_empty_documents_are_refused(
    users: dict[str, Any], meeting: Meeting
) -> None:
    isu = users["isu_staff"]
    draft = services.document_open(actor=isu, kind=DocumentKind.OBSERVATIONS, meeting=meeting)
    with pytest.raises(ValidationError):
        services.document_edit(actor=isu, version=draft, sections={"opening": "Not here."})
    with pytest.raises(ValidationError):
        services.document_redraft(actor=isu, version=draft, section="opening")
    services.document_edit(actor=isu, version=draft, sections=dict.fromkeys(draft.sections, ""))
    with pytest.raises(ValidationError, match="empty"):
        services.document_publish(actor=isu, version=draft)
    draft.refresh_from_db()
    assert draft.status == DocumentStatus.DRAFT
