"""Who may send reminders (``reminders/rules.py``)."""

import pytest

from minefree.accounts.tests.rules import STAFF, RuleCases, rule_test

pytestmark = pytest.mark.django_db

RULE_CASES: RuleCases = {"reminder.send": (lambda: None, STAFF)}


test_rule = rule_test(RULE_CASES)
