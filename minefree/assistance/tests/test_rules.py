"""Who may change needs, offers and partnerships (``assistance/rules.py``)."""

from minefree.accounts.tests.rules import COMMITTEE, PERU_PEOPLE, STAFF, RuleCases, rule_test
from minefree.registry.models import Actor

RULE_CASES: RuleCases = {
    "need.edit": (lambda: Actor.objects.get(iso3="PER"), PERU_PEOPLE | STAFF),
    "offer.edit": (lambda: Actor.objects.get(iso3="JPN"), {"donor_japan"} | STAFF),
    "partnership.confirm": (lambda: None, COMMITTEE),
}


test_rule = rule_test(RULE_CASES)
