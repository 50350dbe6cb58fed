"""The allow/deny check every app's ``tests/test_rules.py`` runs for each of its actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from minefree.accounts.tests.factories import CAST, make_cast
from minefree.core.audit import SYSTEM
from minefree.core.permissions import can

STAFF = {"isu_staff", "administrator"}
#: Peru's focal point and delegate, and the cooperation committee with ISU staff
PERU_PEOPLE = {"focal_point_peru", "delegate_peru"}
COMMITTEE = {"committee_chair"} | STAFF
#: action → (the target, built in the test database; who of the cast may take it)
RuleCases = dict[str, tuple[Callable[[], Any], set[str]]]


def _cast() -> dict[str, Any]:
    """The named cast, made once per test."""
    names = [name for name in CAST if name != "anonymous"]
    found = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    if len(found) < len(names):
        return make_cast()
    return {"anonymous": None, **found}


def assert_rule(action: str, target: Any, allowed: set[str]) -> None:
    """Exactly ``allowed`` of the named cast may take ``action`` on ``target``; the console too."""
    cast = _cast()
    assert set(allowed) <= set(cast), sorted(set(allowed) - set(cast))
    got = {name for name, user in cast.items() if can(user, action, target)}
    assert got == set(allowed), (action, sorted(got ^ set(allowed)))
    assert can(SYSTEM, action, target)


def rule_test(cases: RuleCases) -> Callable[[str], None]:
    """The test of an app's ``RULE_CASES``, one case per action: ``test_rule = rule_test(...)``."""

    @pytest.mark.django_db
    @pytest.mark.parametrize("action", sorted(cases))
    def test_rule(action: str) -> None:
        target, allowed = cases[action]
        assert_rule(action, target(), allowed)

    return test_rule
