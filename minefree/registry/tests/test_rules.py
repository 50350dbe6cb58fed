"""Who may change the treaty registry (``registry/rules.py``)."""

import pytest

from minefree.accounts.tests.rules import STAFF, RuleCases, rule_test

pytestmark = pytest.mark.django_db

RULE_CASES: RuleCases = {
    "reference.load": (lambda: None, STAFF),
    "registry.edit": (lambda: None, STAFF),
    "obligation.extend": (lambda: None, STAFF),
}


test_rule = rule_test(RULE_CASES)
