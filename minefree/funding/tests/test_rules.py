"""Who may record funding flows (``funding/rules.py``)."""

import datetime as dt

import pytest

from minefree.accounts.tests.rules import (
    COMMITTEE,
    PERU_PEOPLE,
    STAFF,
    RuleCases,
    assert_rule,
    rule_test,
)
from minefree.casework.models import IndividualisedApproachCase
from minefree.funding.rules import FlowParties
from minefree.registry.models import Actor

RULE_CASES: RuleCases = {
    "flow.record": (
        lambda: FlowParties(Actor.objects.get(iso3="JPN"), Actor.objects.get(iso3="PER"), "donor"),
        {"donor_japan"} | STAFF,
    ),
    "flow.from_report": (lambda: {Actor.objects.get(iso3="PER").pk}, PERU_PEOPLE | STAFF),
}


test_rule = rule_test(RULE_CASES)


@pytest.mark.django_db
def test_the_committee_records_pledges_made_at_a_meeting_it_runs():
    japan, peru = Actor.objects.get(iso3="JPN"), Actor.objects.get(iso3="PER")
    case = IndividualisedApproachCase.objects.create(state=peru, requested_on=dt.date(2024, 3, 1))
    assert_rule("flow.record", FlowParties(japan, peru, "donor", case), {"donor_japan"} | COMMITTEE)
    assert_rule("flow.record", FlowParties(japan, peru, "recipient"), PERU_PEOPLE | STAFF)
