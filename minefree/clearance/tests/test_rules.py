"""Who may draft, question, analyse and decide extension requests (``clearance/rules.py``)."""

from minefree.accounts.tests.rules import COMMITTEE, PERU_PEOPLE, STAFF, RuleCases, rule_test
from minefree.registry.models import Actor


def _peru() -> Actor:
    return Actor.objects.get(iso3="PER")


RULE_CASES: RuleCases = {
    "extension_request.draft": (_peru, PERU_PEOPLE),
    "extension_request.answer": (_peru, PERU_PEOPLE),
    "extension_request.question": (lambda: None, COMMITTEE),
    "extension_request.analyse": (lambda: None, COMMITTEE),
    "extension_request.decide": (lambda: None, STAFF),
    "extension_request.demo_load": (lambda: None, STAFF),
}


test_rule = rule_test(RULE_CASES)
