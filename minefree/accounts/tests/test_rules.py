"""Who may manage accounts and memberships (``accounts/rules.py``)."""

import pytest
from django.contrib.auth import get_user_model

from minefree.accounts.tests.factories import make_cast
from minefree.accounts.tests.rules import STAFF, RuleCases, rule_test
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db


def _user(name: str):
    """A user of the cast (made if the test has not made it yet)."""
    found = get_user_model().objects.filter(username=name).first()
    return found or make_cast()[name]


RULE_CASES: RuleCases = {
    "user.create": (lambda: None, STAFF),
    "membership.grant": (lambda: None, STAFF),
    "membership.end": (lambda: None, STAFF),
    "focal_point.delegate": (lambda: Actor.objects.get(iso3="PER"), STAFF | {"focal_point_peru"}),
    "api_token.create": (lambda: _user("donor_japan"), STAFF | {"donor_japan"}),
    "api_token.revoke": (lambda: _user("donor_japan"), STAFF | {"donor_japan"}),
    "api_token.use": (lambda: _user("donor_japan"), {"donor_japan"}),
    "focal_point.hand_over": (
        lambda: Actor.objects.get(iso3="COL"),
        STAFF | {"focal_point_colombia"},
    ),
}


test_rule = rule_test(RULE_CASES)
