"""The allow/deny check every app's ``tests/test_rules.py`` runs for each of its actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minefree.accounts.tests.factories import make_cast
from minefree.core.audit import SYSTEM
from minefree.core.permissions import can

STAFF = {"isu_staff", "administrator"}
#: action → (the target, built in the test database; who of the cast may take it)
RuleCases = dict[str, tuple[Callable[[], Any], set[str]]]


def assert_rule(action: str, target: Any, allowed: set[str]) -> None:
    """Exactly ``allowed`` of the named cast may take ``action`` on ``target``; the console too."""
    cast = make_cast()
    assert set(allowed) <= set(cast), sorted(set(allowed) - set(cast))
    got = {name for name, user in cast.items() if can(user, action, target)}
    assert got == set(allowed), (action, sorted(got ^ set(allowed)))
    assert can(SYSTEM, action, target)
