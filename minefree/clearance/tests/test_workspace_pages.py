"""The committees' workspace: questions to the state and its answers, the analysis text saved
and published (the second of two writers told and keeping their text), the decision and the
follow-up of what it asks; who may use it; bounded queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minefree.accounts.tests.factories import make_cast
from minefree.clearance import services
from minefree.clearance.models import (
    AnalysisStatus,
    Decision,
    DecisionRequirement,
    Outcome,
    Question,
    RequestStatus,
)
from minefree.clearance.tests.factories import submitted
from minefree.clearance.tests.web import client_of, decided, form_values
from minefree.registry.models import Meeting, Obligation

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_cast()


def _analysis(html: str, pk: int) -> dict[str, str]:
    return form_values(html, action=f"/clearance/{pk}/analysis/")


def test_the_workspace_is_for_the_committees_and_isu_staff(cast, client):
    request = submitted(cast["focal_point_peru"]).request
    url = f"/clearance/{request.pk}/workspace/"
    assert client.get(url)["Location"].startswith("/sign-in/")
    for name in ("focal_point_peru", "delegate_peru", "donor_japan", "no_role"):
        assert client_of(cast[name]).get(url).status_code == 403, name
    for name in ("committee_chair", "isu_staff"):
        assert client_of(cast[name]).get(url).status_code == 200, name
    page = client_of(cast["committee_chair"]).get(f"/clearance/{request.pk}/").content.decode()
    assert f'href="{url}"' in page
    assert f'href="{url}"' in client_of(cast["committee_chair"]).get("/clearance/").content.decode()
    assert f'href="{url}"' not in client.get("/clearance/").content.decode()
    assert f'href="{url}"' not in client.get(f"/clearance/{request.pk}/").content.decode()
    chair = client_of(cast["committee_chair"]).get(url).content.decode()
    assert "Record the decision" not in chair  # ISU staff record decisions
    assert "Record the decision" in client_of(cast["isu_staff"]).get(url).content.decode()


def test_a_member_asks_the_state_answers_and_both_are_public(cast, client):
    request = submitted(cast["focal_point_peru"]).request
    chair = client_of(cast["committee_chair"])
    page = chair.get(f"/clearance/{request.pk}/workspace/").content.decode()
    ask = form_values(page, action=f"/clearance/{request.pk}/questions/")
    asked = chair.post(
        f"/clearance/{request.pk}/questions/", ask | {"text": "How many teams in 2031?"}
    )
    question = Question.objects.get()
    assert asked["Location"] == f"/clearance/{request.pk}/workspace/#question-{question.pk}"
    request.refresh_from_db()
    assert request.status == RequestStatus.UNDER_ANALYSIS
    again = chair.post(
        f"/clearance/{request.pk}/questions/",
        ask | {"text": "How many teams in 2031?"},
        follow=True,
    )
    assert "the same form was sent twice" in again.content.decode()
    assert Question.objects.count() == 1
    focal = client_of(cast["focal_point_peru"])
    page = focal.get(f"/clearance/{request.pk}/").content.decode()
    answer_url = f"/clearance/{request.pk}/questions/{question.pk}/answer/"
    assert f'action="{answer_url}"' in page
    assert (
        f'action="{answer_url}"'
        not in client_of(cast["isu_staff"]).get(f"/clearance/{request.pk}/").content.decode()
    )
    sent = focal.post(answer_url, {"answer": "Four teams."})
    assert sent["Location"] == f"/clearance/{request.pk}/#question-{question.pk}"
    late = client_of(cast["delegate_peru"]).post(answer_url, {"answer": "Five teams."}, follow=True)
    said = late.content.decode()
    assert "already answered" in said and "focal_point_peru answered it first" in said
    assert "Five teams." in said  # the second writer's text is given back
    public = client.get(f"/clearance/{request.pk}/").content.decode()
    assert (
        "How many teams in 2031?" in public
        and "Four teams." in public
        and "Five teams." not in public
    )


def test_the_analysis_is_saved_then_published_and_public(cast, client):
    request = submitted(cast["focal_point_peru"]).request
    chair = client_of(cast["committee_chair"])
    url = f"/clearance/{request.pk}/workspace/"
    values = _analysis(chair.get(url).content.decode(), request.pk)
    assert values["_version"] == ""  # no text yet
    saved = chair.post(
        f"/clearance/{request.pk}/analysis/",
        values | {"s_summary": "Peru asks five years.", "s_observations": "Ambitious."},
    )
    assert saved.status_code == 302
    draft = services.latest_analysis(request)
    assert draft.sections == {"summary": "Peru asks five years.", "observations": "Ambitious."}
    assert "Peru asks five years." not in client.get(f"/clearance/{request.pk}/").content.decode()
    page = chair.get(url).content.decode()
    publish = form_values(page, action=f"/clearance/{request.pk}/analysis/publish/")
    assert publish["_version"] == services.analysis_version(draft)
    done = client_of(cast["isu_staff"]).post(f"/clearance/{request.pk}/analysis/publish/", publish)
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.status == AnalysisStatus.PUBLISHED
    public = client.get(f"/clearance/{request.pk}/").content.decode()
    assert "Peru asks five years." in public and "Ambitious." in public
    after = chair.get(url).content.decode()
    assert "saving starts version 2" in after and "Publish version" not in after


def test_the_second_writer_of_the_analysis_is_told_and_keeps_their_text(cast):
    request = submitted(cast["focal_point_peru"]).request
    services.analysis_save(
        actor=cast["committee_chair"], request=request, sections={"summary": "Draft."}
    )
    chair, staff = client_of(cast["committee_chair"]), client_of(cast["isu_staff"])
    url = f"/clearance/{request.pk}/workspace/"
    mine = _analysis(chair.get(url).content.decode(), request.pk)
    theirs = _analysis(staff.get(url).content.decode(), request.pk)
    publish = form_values(
        staff.get(url).content.decode(), action=f"/clearance/{request.pk}/analysis/publish/"
    )
    assert (
        chair.post(f"/clearance/{request.pk}/analysis/", mine | {"s_summary": "Mine."}).status_code
        == 302
    )
    second = staff.post(f"/clearance/{request.pk}/analysis/", theirs | {"s_summary": "Theirs."})
    html = second.content.decode()
    assert second.status_code == 409
    assert "committee_chair changed this record" in html and "Theirs." in html
    assert "saved now: Mine." in html
    stale = staff.post(f"/clearance/{request.pk}/analysis/publish/", publish, follow=True)
    assert "Nothing was published" in stale.content.decode()
    assert services.latest_analysis(request).status == AnalysisStatus.DRAFT
    again = staff.post(f"/clearance/{request.pk}/analysis/", _analysis(html, request.pk))
    assert again.status_code == 302
    assert services.latest_analysis(request).sections == {"summary": "Theirs."}


def test_a_decision_is_refused_beside_its_field_then_recorded_with_its_requirements(
    cast, client, django_capture_on_commit_callbacks
):
    request = submitted(cast["focal_point_peru"]).request
    staff = client_of(cast["isu_staff"])
    url = f"/clearance/{request.pk}/decision/"
    meeting = Meeting.objects.filter(kind="msp").order_by("-start_date").first()
    refused = staff.post(
        url,
        {"outcome": "granted", "decided_on": "2029-11-28", "requirements": "2031-02-30 A workplan"},
    )
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "Line 1: 2031-02-30 is no date." in html
    refused = staff.post(url, {"outcome": "granted", "decided_on": "2029-11-28"})
    html = refused.content.decode()
    field = html[html.index('for="decision-new_deadline"') :][:800]
    assert "A granted extension has a new deadline." in field
    assert not Decision.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = staff.post(
            url,
            {
                "outcome": "granted_with_requests",
                "meeting": str(meeting.pk),
                "decided_on": "2029-11-28",
                "new_deadline": "2034-12-31",
                "requirements": "2031-04-30 An updated workplan\nA survey of Amazonas\n",
                "notes": "Granted as requested.",
            },
        )
    assert done.status_code == 302 and done["Location"] == f"/clearance/{request.pk}/"
    decision = Decision.objects.get()
    assert decision.meeting == meeting and decision.outcome == Outcome.GRANTED_WITH_REQUESTS
    assert list(decision.requirements.order_by("pk").values_list("text", "due_on")) == [
        ("An updated workplan", dt.date(2031, 4, 30)),
        ("A survey of Amazonas", None),
    ]
    assert Obligation.objects.get(actor__iso3="PER", article=5).current_deadline == dt.date(
        2034, 12, 31
    )
    twice = staff.post(url, {"outcome": "not_granted", "decided_on": "2029-11-29"}, follow=True)
    assert "already been decided" in twice.content.decode()
    chair = client_of(cast["committee_chair"])
    data = {"outcome": "granted", "decided_on": "2029-11-28", "new_deadline": "2035-12-31"}
    assert chair.post(url, data).status_code == 403


def test_a_requirement_is_followed_up_until_met(cast, client):
    request = decided(cast, requirements=[("An updated workplan", dt.date(2020, 4, 30))])
    requirement = DecisionRequirement.objects.get()
    chair = client_of(cast["committee_chair"])
    page = chair.get(f"/clearance/{request.pk}/workspace/").content.decode()
    url = f"/clearance/{request.pk}/requirements/{requirement.pk}/met/"
    assert f'action="{url}"' in page and "overdue" in page
    assert (
        client_of(cast["focal_point_peru"]).post(url, {"met_on": "2030-04-01"}).status_code == 403
    )
    met = chair.post(url, {"met_on": "2030-04-01", "note": "Workplan received."})
    assert met.status_code == 302
    requirement.refresh_from_db()
    assert requirement.met_on == dt.date(2030, 4, 1)
    public = client.get(f"/clearance/{request.pk}/").content.decode()
    assert "met on 1 April 2030" in public and 'class="badge late">overdue' not in public
    assert "Workplan received." in public


def test_the_workspace_reads_a_fixed_number_of_queries(cast):
    request = decided(cast, requirements=[("An updated workplan", dt.date(2031, 4, 30))])
    staff = client_of(cast["isu_staff"])
    url = f"/clearance/{request.pk}/workspace/"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    version = services.current_version(request)
    Question.objects.bulk_create(
        Question(request=request, version=version, text=f"Q{n}", asked_by=cast["committee_chair"])
        for n in range(10)
    )
    DecisionRequirement.objects.bulk_create(
        DecisionRequirement(decision=request.decision, text=f"R{n}") for n in range(10)
    )
    cache.clear()
    assert count() == before
    html = staff.get(url).content.decode()
    assert len(re.findall(r'class="met"', html)) == 11
