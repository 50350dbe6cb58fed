"""Who may manage accounts and memberships (``accounts/rules.py``)."""

import pytest

from minefree.accounts.tests.rules import STAFF, RuleCases, assert_rule
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


@pytest.mark.parametrize("action", sorted(RULE_CASES))
def test_rule(action):
    target, allowed = RULE_CASES[action]
    assert_rule(action, target(), allowed)
