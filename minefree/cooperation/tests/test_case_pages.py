"""The individualised approach run from its pages: each step by the committee, refused to others."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from minefree.accounts.tests.factories import make_cast
from minefree.casework.models import CaseStatus, FollowUpAction, IndividualisedApproachCase
from minefree.core.models import AuditEvent
from minefree.funding.models import Flow
from minefree.registry.models import Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


def login(cast: dict[str, Any], who: str) -> Client:
    client = Client()
    client.force_login(cast[who])
    return client


def step(client: Client, case: IndividualisedApproachCase, name: str, **data: Any) -> Any:
    return client.post(
        f"/cooperation/cases/{case.pk}/{name}/", {f"{name}-{k}": v for k, v in data.items()}
    )


def test_peru_case_runs_from_request_to_close_through_the_pages(cast: dict[str, Any]) -> None:
    peru_fp = login(cast, "focal_point_peru")
    response = peru_fp.post(
        "/cooperation/cases/new/",
        {
            "state": "Peru",
            "requested_on": "2024-03-01",
            "pillars": ["survey_clearance"],
            "summary": "Finish clearance in the Cordillera del Cóndor",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    case = IndividualisedApproachCase.objects.exclude(origin="reference").get(state__iso3="PER")
    assert case.status == CaseStatus.REQUESTED

    # Only the committee runs the case.
    for outsider in ("focal_point_peru", "focal_point_colombia", "donor_japan"):
        audits = AuditEvent.objects.count()
        refused = step(login(cast, outsider), case, "schedule", on="2024-06-18", setting="Geneva")
        assert refused.status_code == 403, outsider
        assert AuditEvent.objects.count() == audits

    chair = login(cast, "committee_chair")
    margins = Meeting.objects.get(code="IM2024")
    assert (
        step(
            chair, case, "schedule", on="2024-06-18", setting="Geneva", in_margins_of=margins.pk
        ).status_code
        == 302
    )
    page = chair.get(f"/cooperation/cases/{case.pk}/").content.decode()
    assert "Record the meeting" in page
    step(
        chair,
        case,
        "meeting",
        on="2024-06-18",
        setting="In the margins of the intersessional meetings, Geneva",
        in_margins_of=margins.pk,
        participants="PER, JPN, Norway",
        notes="Peru presented its progress.",
        visibility="committee",
    )
    step(
        chair,
        case,
        "pledge",
        donor="JPN",
        assistance_type="financial",
        amount="300000",
        currency="USD",
        year="2025",
        pillar="survey_clearance",
        description="Mine detection equipment",
    )
    step(
        chair,
        case,
        "action",
        description="Send the detailed plan",
        owner="PER",
        due_on=(dt.date.today() + dt.timedelta(days=20)).isoformat(),
    )
    step(chair, case, "follow_up")
    case.refresh_from_db()
    assert case.status == CaseStatus.FOLLOW_UP
    pledge = Flow.objects.get(case=case)
    assert (pledge.donor.iso3, pledge.status, pledge.created_by) == (
        "JPN",
        "pledge",
        cast["committee_chair"],
    )

    # Closing with an open action is refused with a message; done, then closed.
    step(chair, case, "close", outcome="Partners reaffirmed support.", closed_on="2024-12-01")
    case.refresh_from_db()
    assert case.status == CaseStatus.FOLLOW_UP
    action = FollowUpAction.objects.get(case=case)
    assert chair.post(f"/cooperation/actions/{action.pk}/done/").status_code == 302
    step(chair, case, "close", outcome="Partners reaffirmed support.", closed_on="2024-12-01")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED

    public = Client().get(f"/cooperation/cases/{case.pk}/").content.decode()
    assert "Partners reaffirmed support." in public
    assert 'data-committed="no"' in public
    assert "Peru presented its progress." not in public  # committee-only notes


def test_a_bad_step_input_is_explained_and_changes_nothing(cast: dict[str, Any]) -> None:
    chair = login(cast, "committee_chair")
    chair.post(
        "/cooperation/cases/new/",
        {"state": "PER", "requested_on": "2024-03-01", "summary": "x", "visibility": "public"},
    )
    case = IndividualisedApproachCase.objects.exclude(origin="reference").get(state__iso3="PER")
    response = step(chair, case, "schedule", on="not a date", setting="")
    assert response.status_code == 302
    follow = chair.get(f"/cooperation/cases/{case.pk}/").content.decode()
    assert "Enter a valid date" in follow
    case.refresh_from_db()
    assert case.status == CaseStatus.REQUESTED
    unknown = step(chair, case, "pledge", donor="Atlantis", amount="1", year="2025")
    assert unknown.status_code == 302
    assert not Flow.objects.filter(case=case).exists()
    assert chair.post(f"/cooperation/cases/{case.pk}/teleport/").status_code == 404
