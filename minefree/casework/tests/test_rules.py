"""Who may run the individualised approach, platforms and bilateral meetings
(``casework/rules.py``)."""

import datetime as dt

from minefree.accounts.tests.rules import COMMITTEE, PERU_PEOPLE, STAFF, RuleCases, rule_test
from minefree.casework.models import FollowUpAction, IndividualisedApproachCase
from minefree.registry.models import Actor


def _peru() -> Actor:
    return Actor.objects.get(iso3="PER")


def _peru_action() -> FollowUpAction:
    case = IndividualisedApproachCase.objects.create(
        state=_peru(), requested_on=dt.date(2024, 3, 1)
    )
    return FollowUpAction.objects.create(
        case=case, description="Send the workplan", owner=_peru(), due_on=dt.date(2024, 9, 1)
    )


RULE_CASES: RuleCases = {
    "case.request": (_peru, PERU_PEOPLE | COMMITTEE),
    "case.run": (lambda: None, COMMITTEE),
    "action.settle": (_peru_action, PERU_PEOPLE | COMMITTEE),
    "platform.edit": (_peru, PERU_PEOPLE | STAFF),
    "bilateral_meeting.record": (lambda: None, COMMITTEE),
}


test_rule = rule_test(RULE_CASES)
