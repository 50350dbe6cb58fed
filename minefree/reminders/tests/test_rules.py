"""Who may send reminders (``reminders/rules.py``)."""

import pytest

from minefree.accounts.tests.rules import STAFF, RuleCases, assert_rule

pytestmark = pytest.mark.django_db

RULE_CASES: RuleCases = {"reminder.send": (lambda: None, STAFF)}


@pytest.mark.parametrize("action", sorted(RULE_CASES))
def test_rule(action):
    target, allowed = RULE_CASES[action]
    assert_rule(action, target(), allowed)
