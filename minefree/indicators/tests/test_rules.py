"""Who may correct the plans' wording and draft, edit and publish the committee's documents
(``indicators/rules.py``)."""

from types import SimpleNamespace

from minefree.accounts.tests.rules import COMMITTEE, STAFF, RuleCases, rule_test

RULE_CASES: RuleCases = {
    "action_plan.correct": (lambda: None, STAFF),
    "committee_document.edit": (lambda: SimpleNamespace(committee_id=None), COMMITTEE),
    "committee_document.publish": (lambda: None, COMMITTEE),
}

test_rule = rule_test(RULE_CASES)
