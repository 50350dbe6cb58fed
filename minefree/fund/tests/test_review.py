"""The committee's review: members with no stake score each application once, in review;
the chair (or ISU staff for the chair) decides.

The committee's 2024 members (registry seats): Algeria (chair), Denmark, Japan, Türkiye.
The Nigerian Mine Action Centre's visit to the Turkish Mine Action Centre is hosted by
Türkiye's body, so the member sitting for Türkiye may not score it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minefree.core.workflow import AlreadyDone
from minefree.fund import services
from minefree.fund.models import ApplicationStatus, Call, Score
from minefree.fund.tests import steps
from minefree.fund.tests.steps import refused
from minefree.fund.tests.world import fund_cast
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def users() -> dict[str, Any]:
    return fund_cast()


@pytest.fixture
def call(users: dict[str, Any]) -> Call:
    return steps.open_call(users["isu"])


def _score(actor: Any, application: Any, **kwargs: Any) -> Score:
    return services.score_record(
        actor=actor, application=application, values=steps.scores(application), **kwargs
    )


def test_the_member_for_turkiye_cannot_score_a_visit_hosted_by_turmac(users, call):
    application = steps.in_review(users, call, host="turkiye-turmac")
    error = refused(lambda: _score(users["member_TUR"], application))
    assert "Your state is the host's" in str(error)
    # nor can ISU staff record Türkiye's scores for it
    error = refused(
        lambda: _score(users["isu"], application, on_behalf_of=Actor.objects.get(iso3="TUR"))
    )
    assert "host's" in str(error)
    # the three others may
    for iso3 in ("DZA", "DNK", "JPN"):
        _score(users[f"member_{iso3}"], application)
    assert sorted(application.scores.values_list("member_state__iso3", flat=True)) == [
        "DNK",
        "DZA",
        "JPN",
    ]


def test_the_member_for_the_applicants_state_cannot_score_it(users, call):
    # the Turkish Mine Action Centre applies to visit Peru's CONTRAMINAS
    application = steps.in_review(
        users, call, applicant="turkiye-turmac", host="peru-contraminas", by="turkiye"
    )
    error = refused(lambda: _score(users["member_TUR"], application))
    assert "Your state is the applicant's" in str(error)
    _score(users["member_JPN"], application)


def test_a_member_with_no_seat_that_year_cannot_score(users):
    isu = users["isu"]
    later = steps.open_call(isu, year=2025)  # the 2023-2024 seats have ended
    application = steps.in_review(users, later)
    for name in ("member_DZA", "member_DNK"):
        error = refused(lambda name=name: _score(users[name], application))
        assert "Only members of the committee in 2025" in str(error)
    # a committee member who sits for no state, and people who are no members at all
    application_2024 = steps.in_review(users, steps.open_call(isu))
    for name in ("unseated", "nigeria", "peru", "donor", "isu"):
        refused(lambda name=name: _score(users[name], application_2024))
    refused(
        lambda: _score(isu, application_2024, on_behalf_of=Actor.objects.get(iso3="PER")),
        match="Only members of the committee in 2024",
    )


def test_a_member_scores_once(users, call):
    application = steps.in_review(users, call)
    first = _score(users["member_DNK"], application, comment="Clear plan")
    assert first.member_state.iso3 == "DNK" and first.total == 20
    error = refused(lambda: _score(users["member_DNK"], application), AlreadyDone)
    assert "Denmark has already scored this application." in str(error)
    # ISU staff recording Denmark's scores again are refused the same way
    refused(
        lambda: _score(users["isu"], application, on_behalf_of=Actor.objects.get(iso3="DNK")),
        AlreadyDone,
    )


def test_only_isu_staff_record_a_members_scores_for_it(users, call):
    application = steps.in_review(users, call)
    japan = Actor.objects.get(iso3="JPN")
    refused(
        lambda: _score(users["member_DNK"], application, on_behalf_of=japan),
        match="Only ISU staff record a member's scores",
    )
    score = _score(users["isu"], application, on_behalf_of=japan)
    assert score.member_state == japan and score.scored_by == users["isu"]


def test_scores_are_given_in_review_only_and_within_each_criterion(users, call):
    application = steps.submitted(users, call)
    refused(
        lambda: _score(users["member_DNK"], application),
        ValidationError,
        "Only applications in review by the committee are scored.",
    )
    services.application_screen(
        actor=users["isu"], application=application, checks=steps.ALL_CHECKS
    )
    too_high = {**steps.scores(application), "relevance": 6}
    refused(
        lambda: services.score_record(
            actor=users["member_DNK"], application=application, values=too_high
        ),
        ValidationError,
        "from 0 to 5",
    )
    missing = steps.scores(application)
    del missing["plan"]
    refused(
        lambda: services.score_record(
            actor=users["member_DNK"], application=application, values=missing
        ),
        ValidationError,
        "Quality of the objectives",
    )
    _score(users["member_DNK"], application)
    services.decision_record(
        actor=users["member_DZA"], application=application, selected=False, reasons="Budget"
    )
    refused(
        lambda: _score(users["member_JPN"], application),
        ValidationError,
        "Only applications in review",
    )


def test_only_the_chair_or_isu_staff_for_the_chair_decide(users, call):
    application = steps.in_review(users, call)
    decide = {"application": application, "selected": True, "reasons": "A good plan."}
    for name in ("member_DNK", "member_JPN", "member_TUR", "unseated", "nigeria", "turkiye"):
        refused(
            lambda name=name: services.decision_record(actor=users[name], **decide),
            match="The committee's chair records the decision.",
        )
    refused(
        lambda: services.decision_record(actor=users["member_DZA"], **decide),
        ValidationError,
        "No member has scored this application yet.",
    )
    _score(users["member_JPN"], application)
    refused(
        lambda: services.decision_record(actor=users["member_DZA"], **{**decide, "reasons": ""}),
        ValidationError,
        "Give the reasons",
    )
    services.decision_record(actor=users["member_DZA"], on=dt.date(2024, 9, 20), **decide)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SELECTED
    assert application.decided_on == dt.date(2024, 9, 20)
    refused(lambda: services.decision_record(actor=users["isu"], **decide), AlreadyDone)
    # ISU staff record the chair's decision on another application
    other = steps.in_review(users, call)
    services.decision_record(
        actor=users["isu"], application=other, selected=False, reasons="Out of scope"
    )
    other.refresh_from_db()
    assert other.status == ApplicationStatus.NOT_SELECTED


def test_the_chair_decides_only_applications_in_review(users, call):
    application = steps.submitted(users, call)
    refused(
        lambda: services.decision_record(
            actor=users["member_DZA"], application=application, selected=False, reasons="No"
        ),
        ValidationError,
        "cannot become not selected",
    )


def test_a_refused_member_is_refused_before_anything_is_locked_or_written(users, call):
    """The conflict is a ``PermissionDenied`` (403 on the web and the API), not a form error."""
    application = steps.in_review(users, call)
    with pytest.raises(PermissionDenied):
        _score(users["member_TUR"], application)
    assert not Score.objects.exists()
