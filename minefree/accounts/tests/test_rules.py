"""Who may manage accounts and memberships (``accounts/rules.py``)."""

import pytest

from minefree.accounts.tests.rules import STAFF, RuleCases, rule_test
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db

RULE_CASES: RuleCases = {
    "user.create": (lambda: None, STAFF),
    "membership.grant": (lambda: None, STAFF),
    "membership.end": (lambda: None, STAFF),
    "focal_point.delegate": (lambda: Actor.objects.get(iso3="PER"), STAFF | {"focal_point_peru"}),
    "focal_point.hand_over": (
        lambda: Actor.objects.get(iso3="COL"),
        STAFF | {"focal_point_colombia"},
    ),
}


test_rule = rule_test(RULE_CASES)
