"""Peru's individualised approach, 2024, end to end through the services.

As the committee told the Fifth Review Conference: Peru asked to use the individualised
approach; the committee (Algeria in the chair, with Denmark, Japan and Türkiye) convened a
meeting in the margins of the June 2024 intersessional meetings between the Peruvian mine
action centre and its partners; Peru presented its progress and what keeps it from finishing
clearance in the Cordillera del Cóndor; partners reaffirmed their support.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from minefree.accounts.models import Role
from minefree.accounts.tests.factories import make_user
from minefree.assistance.selectors import reader
from minefree.casework import cases
from minefree.casework import selectors as casework
from minefree.casework.models import CaseStatus
from minefree.cooperation.selectors import case_detail, needs_profile
from minefree.core.models import AuditEvent, Visibility
from minefree.funding import flows, pledges
from minefree.funding.models import FlowStatus
from minefree.registry.models import (
    Actor,
    ActorKind,
    CommitteeSeat,
    DeadlineEventKind,
    Meeting,
    SeatRole,
)

pytestmark = pytest.mark.django_db

COMMITTEE = "cooperation_assistance"


def committee_in(year: int) -> list[CommitteeSeat]:
    return list(
        CommitteeSeat.objects.filter(
            committee__code=COMMITTEE, term_start_year__lte=year, term_end_year__gte=year
        ).select_related("actor")
    )


def peruvian_mine_action_centre(peru: Actor) -> Actor:
    """CONTRAMINAS from the registry; created here only if the reference data lacks it."""
    centre = Actor.objects.filter(parent=peru, kind=ActorKind.NATIONAL_BODY).first()
    if centre is None:
        centre = Actor.objects.create(
            kind=ActorKind.NATIONAL_BODY,
            slug="peru-contraminas",
            name_en="Peruvian Mine Action Centre (CONTRAMINAS)",
            parent=peru,
        )
    return centre


def article5_rows(iso3: str) -> list[dict[str, str]]:
    with (settings.REFERENCE_DATA_DIR / "article5.csv").open(encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["iso3"] == iso3]


def test_peru_individualised_approach_2024() -> None:
    peru = Actor.objects.get(iso3="PER")
    im2024 = Meeting.objects.get(code="IM2024")
    review_conference = Meeting.objects.get(code="5RC")
    centre = peruvian_mine_action_centre(peru)

    # The committee of 2024, as the reference data has it.
    seats = committee_in(2024)
    members = {s.actor.iso3 for s in seats}
    assert members == {"DZA", "DNK", "JPN", "TUR"}
    [chair_seat] = [s for s in seats if s.role == SeatRole.CHAIR]
    assert chair_seat.actor.iso3 == "DZA"

    focal_point_peru = make_user("focal_point_peru", Role.STATE_FOCAL_POINT, scope="PER")
    committee_chair = make_user("chair_algeria", Role.COMMITTEE_MEMBER, committee=COMMITTEE)
    donor_usa = make_user("donor_usa", Role.DONOR_FOCAL_POINT, scope="USA")
    committee_view = reader(committee_chair)

    # 1. Peru asks to use the individualised approach.
    case = cases.case_request(
        actor=focal_point_peru,
        state=peru,
        requested_on=dt.date(2024, 3, 15),
        summary="Present progress and the obstacles to finishing clearance in the "
        "Cordillera del Cóndor, and seek partners' continued support.",
        pillars=["survey_clearance"],
        visibility=Visibility.PUBLIC,
    )
    assert case.status == CaseStatus.REQUESTED

    # The needs profile the committee prepares from Peru's data: the deadline then in force
    # (31 Dec 2024) and the extension to end 2029 the Fifth Review Conference granted.
    profile = needs_profile(peru, committee_view)
    article5 = profile.deadline(5)
    assert article5 is not None
    in_force = article5.in_force_on(dt.date(2024, 6, 19))
    assert in_force is not None and in_force.latest == dt.date(2024, 12, 31)
    [granted_at_5rc] = [e for e in article5.extensions if e.meeting == review_conference]
    assert granted_at_5rc.kind == DeadlineEventKind.EXTENSION_GRANTED
    assert granted_at_5rc.deadline == dt.date(2029, 12, 31)
    [csv_row] = [r for r in article5_rows("PER") if "Review Conference" in r["decision_meeting"]]
    assert csv_row["event"] == "extension_granted" and csv_row["deadline"] == "2029-12-31"
    assert "Cordillera del Condor" in csv_row["notes"]
    after_5rc = article5.in_force_on(dt.date(2024, 12, 1))
    assert after_5rc is not None and after_5rc.latest == dt.date(2029, 12, 31)

    # 2. The committee schedules the meeting in the margins of the intersessional meetings.
    cases.case_schedule(
        actor=committee_chair,
        case=case,
        on=dt.date(2024, 6, 19),
        setting="Geneva, in the margins of the intersessional meetings",
        in_margins_of=im2024,
    )

    # 3. The meeting: the Peruvian mine action centre, the committee and Peru's partners.
    partners = list(Actor.objects.filter(iso3__in=["USA", "NOR"]))
    meeting = cases.case_meeting_record(
        actor=committee_chair,
        case=case,
        held_on=dt.date(2024, 6, 19),
        setting="Geneva, in the margins of the intersessional meetings",
        in_margins_of=im2024,
        participants=[peru, centre, *[s.actor for s in seats], *partners],
        notes="Peru presented the progress achieved in clearance and the difficulties "
        "preventing it from finishing clearance in the Cordillera del Cóndor (remote, "
        "densely forested terrain; funding). Partners reaffirmed their support.",
        visibility=Visibility.PUBLIC,
    )

    # 4. Partners reaffirm support with pledges, financial and in kind.
    usa_pledge = pledges.case_pledge(
        actor=committee_chair,
        case=case,
        donor=Actor.objects.get(iso3="USA"),
        amount=Decimal("1500000"),
        currency="USD",
        year=2024,
        pillar="survey_clearance",
        assistance_type="financial",
        description="Clearance teams for the Cordillera del Cóndor",
    )
    japan_pledge = pledges.case_pledge(
        actor=committee_chair,
        case=case,
        donor=Actor.objects.get(iso3="JPN"),
        amount=Decimal(0),
        currency="",
        year=2025,
        pillar="survey_clearance",
        assistance_type="equipment",
        description="2 brush cutters and 20 detectors",
    )
    norway_pledge = pledges.case_pledge(
        actor=committee_chair,
        case=case,
        donor=Actor.objects.get(iso3="NOR"),
        amount=Decimal("300000"),
        currency="USD",
        year=2025,
        pillar="capacity_building",
        assistance_type="expertise",
        description="Technical adviser to CONTRAMINAS, 12 months",
    )
    cases.case_follow_up(actor=committee_chair, case=case)

    # 5. Follow-up actions are tracked.
    workplan = cases.action_add(
        actor=committee_chair,
        case=case,
        description="Share the updated workplan for the Cordillera del Cóndor",
        owner=centre,
        due_on=dt.date(2024, 9, 30),
    )
    summary = cases.action_add(
        actor=committee_chair,
        case=case,
        description="Circulate the summary of the meeting to participants",
        owner=Actor.objects.get(slug="isu"),
        due_on=dt.date(2024, 7, 15),
    )
    upcoming = casework.upcoming_actions(committee_view, today=dt.date(2024, 7, 1))
    assert [line.action for line in upcoming] == [summary]
    overdue = casework.overdue_actions(committee_view, today=dt.date(2024, 10, 15))
    assert [line.action for line in overdue] == [summary, workplan]
    cases.action_done(actor=committee_chair, action=summary, done_on=dt.date(2024, 7, 10))
    # Peru's focal point settles its own centre's action.
    cases.action_done(actor=focal_point_peru, action=workplan, done_on=dt.date(2024, 9, 20))

    # 6. The United States' pledge becomes a commitment; the others do not (yet).
    commitment = flows.flow_advance(actor=donor_usa, flow=usa_pledge, status="commitment")
    assert commitment.follows == usa_pledge and commitment.case == case

    detail = case_detail(case, reader(None))
    [line] = detail.meetings
    assert line.meeting == meeting and centre in line.participants
    assert {p.iso3 for p in line.participants} >= {"DZA", "DNK", "JPN", "TUR", "USA"}
    by_pledge = {p.pledge: p for p in detail.pledges}
    assert set(by_pledge) == {usa_pledge, japan_pledge, norway_pledge}
    assert by_pledge[usa_pledge].committed and by_pledge[usa_pledge].commitment == commitment
    assert not by_pledge[usa_pledge].paid
    assert not by_pledge[japan_pledge].committed
    assert not by_pledge[norway_pledge].committed
    assert [p.pledge for p in detail.pledges_committed] == [usa_pledge]
    assert japan_pledge.amount == 0 and japan_pledge.currency == "XXX"
    assert all(not a.overdue for a in detail.actions)

    # 7. The case is closed with its outcome.
    cases.case_close(
        actor=committee_chair,
        case=case,
        outcome="Partners reaffirmed their support; one pledge is committed. Peru requested "
        "an extension to 2029, granted at the Fifth Review Conference.",
        closed_on=dt.date(2024, 11, 29),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case_detail(case, committee_view).outcome.startswith("Partners reaffirmed")

    # Every step is in the audit log, filed under Peru.
    logged = set(AuditEvent.objects.filter(state_code="PER").values_list("action", flat=True))
    assert {
        "case.requested",
        "case.scheduled",
        "case.meeting_recorded",
        "case.held",
        "case.pledged",
        "flow.recorded",
        "case.followed_up",
        "action.added",
        "action.done",
        "flow.advanced",
        "case.closed",
    } <= logged
    assert AuditEvent.objects.filter(
        action="case.requested", actor=focal_point_peru, object_id=str(case.pk)
    ).exists()
    assert AuditEvent.objects.filter(
        action="flow.advanced", actor=donor_usa, object_id=str(commitment.pk)
    ).exists()
    assert AuditEvent.objects.filter(action="case.pledged", actor=committee_chair).count() == 3
    assert commitment.status == FlowStatus.COMMITMENT
