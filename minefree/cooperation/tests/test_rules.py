"""Who may act on what the cooperation pages compose (``cooperation/rules.py``)."""

from minefree.accounts.tests.rules import STAFF, RuleCases, rule_test

RULE_CASES: RuleCases = {"cooperation.demo_load": (lambda: None, STAFF)}


test_rule = rule_test(RULE_CASES)
