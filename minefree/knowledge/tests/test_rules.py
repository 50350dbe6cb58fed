"""Who may add to the knowledge base and decide on labels (``knowledge/rules.py``)."""

from minefree.accounts.tests.factories import CAST
from minefree.accounts.tests.rules import COMMITTEE, PERU_PEOPLE, STAFF, RuleCases, rule_test
from minefree.registry.models import Actor

SIGNED_IN = set(CAST) - {"anonymous"}

RULE_CASES: RuleCases = {
    "passages.from_report": (lambda: {Actor.objects.get(iso3="PER").pk}, PERU_PEOPLE | STAFF),
    "document.add": (lambda: None, COMMITTEE),
    "challenge.label": (lambda: None, COMMITTEE),
    "practice.propose": (
        lambda: None,
        COMMITTEE | PERU_PEOPLE | {"focal_point_colombia", "donor_japan"},
    ),
    "practice.publish": (lambda: None, STAFF),
    "passages.rebuild": (lambda: None, STAFF),
    "classifier.train": (lambda: None, STAFF),
    "practice.feedback": (lambda: None, SIGNED_IN),
}


test_rule = rule_test(RULE_CASES)
