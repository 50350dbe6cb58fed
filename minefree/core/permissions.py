"""Rights in one place: every app declares its rules, every service asks here.

Each app lists its actions in ``<app>/rules.py`` (``RULES``: action name → rule over the
acting user and the target) and registers them in its ``AppConfig.ready``. Services call
``require(actor, "report.submitted", version)`` before they change anything; views and the
API ask ``can`` only to decide what to show, never to allow a write. An action no app
registered is denied; the console operator (``SYSTEM``) may do everything.

Rules are built on memberships, which live in ``accounts``, above ``core`` and
``registry``. So lower apps' rules use ``is_staff_member`` from here, which ``accounts``
installs when Django starts (until then only the console counts as staff).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied

#: a rule: may ``user`` take the action on ``target`` (a state, a record, or None)?
Rule = Callable[[Any, Any], bool]
StaffCheck = Callable[[Any], bool]

RULES: dict[str, Rule] = {}
_staff: dict[str, StaffCheck] = {}


def _is_console(user: Any) -> bool:
    from minefree.core.audit import SYSTEM

    return user is SYSTEM


def install_staff_check(check: StaffCheck) -> None:
    """``accounts`` installs who counts as ISU staff (its memberships)."""
    _staff["check"] = check


def register(rules: Mapping[str, Rule]) -> None:
    """Add an app's rules; an action belongs to one app only."""
    for action, rule in rules.items():
        if RULES.get(action, rule) is not rule:
            raise ImproperlyConfigured(f"The action {action!r} has two rules.")
        RULES[action] = rule


def can(user: Any, action: str, target: Any = None) -> bool:
    if _is_console(user):
        return True
    rule = RULES.get(action)
    return rule is not None and bool(rule(user, target))


def require(user: Any, action: str, target: Any = None, message: str = "") -> None:
    """Raise ``PermissionDenied`` (with ``message``, or the action's name) unless allowed."""
    if not can(user, action, target):
        raise PermissionDenied(message or f"Not allowed: {action}")


def is_staff_member(user: Any) -> bool:
    if _is_console(user):
        return True
    check = _staff.get("check")
    return bool(check and check(user))


def staff_only(user: Any, target: Any = None) -> bool:
    """The rule of actions only ISU staff take (loading reference data, bulk imports)."""
    return is_staff_member(user)
