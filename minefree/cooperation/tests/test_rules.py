"""Who may change what in cooperation (``cooperation/rules.py``)."""

import datetime as dt

import pytest

from minefree.accounts.tests.rules import STAFF, RuleCases, assert_rule, rule_test
from minefree.cooperation.models import FollowUpAction, IndividualisedApproachCase
from minefree.cooperation.rules import FlowParties
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db
PERU_PEOPLE = {"focal_point_peru", "delegate_peru"}
COMMITTEE = {"committee_chair"} | STAFF


def _actor(iso3):
    return lambda: Actor.objects.get(iso3=iso3)


def _peru_action():
    peru = Actor.objects.get(iso3="PER")
    case = IndividualisedApproachCase.objects.create(state=peru, requested_on=dt.date(2024, 3, 1))
    return FollowUpAction.objects.create(
        case=case, description="Send the workplan", owner=peru, due_on=dt.date(2024, 9, 1)
    )


RULE_CASES: RuleCases = {
    "need.edit": (_actor("PER"), PERU_PEOPLE | STAFF),
    "offer.edit": (_actor("JPN"), {"donor_japan"} | STAFF),
    "flow.record": (
        lambda: FlowParties(Actor.objects.get(iso3="JPN"), Actor.objects.get(iso3="PER"), "donor"),
        {"donor_japan"} | STAFF,
    ),
    "flow.from_report": (lambda: {Actor.objects.get(iso3="PER").pk}, PERU_PEOPLE | STAFF),
    "partnership.confirm": (lambda: None, COMMITTEE),
    "case.request": (_actor("PER"), PERU_PEOPLE | COMMITTEE),
    "case.run": (lambda: None, COMMITTEE),
    "action.settle": (_peru_action, PERU_PEOPLE | COMMITTEE),
    "platform.edit": (_actor("PER"), PERU_PEOPLE | STAFF),
    "bilateral_meeting.record": (lambda: None, COMMITTEE),
    "cooperation.demo_load": (lambda: None, STAFF),
}


test_rule = rule_test(RULE_CASES)


def test_the_committee_records_pledges_made_at_a_meeting_it_runs():
    japan, peru = Actor.objects.get(iso3="JPN"), Actor.objects.get(iso3="PER")
    case = IndividualisedApproachCase.objects.create(state=peru, requested_on=dt.date(2024, 3, 1))
    assert_rule("flow.record", FlowParties(japan, peru, "donor", case), {"donor_japan"} | COMMITTEE)
    assert_rule("flow.record", FlowParties(japan, peru, "recipient"), PERU_PEOPLE | STAFF)
