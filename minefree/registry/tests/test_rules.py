"""Who may change the treaty registry (``registry/rules.py``)."""

import pytest

from minefree.accounts.tests.rules import STAFF, RuleCases, assert_rule

pytestmark = pytest.mark.django_db

RULE_CASES: RuleCases = {
    "reference.load": (lambda: None, STAFF),
    "registry.edit": (lambda: None, STAFF),
}


@pytest.mark.parametrize("action", sorted(RULE_CASES))
def test_rule(action):
    target, allowed = RULE_CASES[action]
    assert_rule(action, target(), allowed)
