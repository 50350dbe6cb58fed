"""The permission entry point for every app.

Lower apps (registry) must check rights without importing ``accounts``, which
sits above them. They call ``require``/``can`` here; ``accounts`` installs the
real policy (its selectors, built on memberships) when Django starts. Until then
everything but the console is denied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied

Policy = Callable[[Any, str, Any], bool]
StaffCheck = Callable[[Any], bool]


def _deny(user: Any, action: str, target: Any = None) -> bool:
    from minefree.core.audit import SYSTEM

    return user is SYSTEM


_policy: dict[str, Any] = {"can": _deny, "is_staff": lambda user: False}


def install(can_fn: Policy, is_staff_fn: StaffCheck) -> None:
    _policy["can"] = can_fn
    _policy["is_staff"] = is_staff_fn


def can(user: Any, action: str, target: Any = None) -> bool:
    return bool(_policy["can"](user, action, target))


def require(user: Any, action: str, target: Any = None) -> None:
    if not can(user, action, target):
        raise PermissionDenied(f"Not allowed: {action}")


def is_staff_member(user: Any) -> bool:
    return bool(_policy["is_staff"](user))
