"""Who may manage accounts and memberships (``core.permissions``)."""

from __future__ import annotations

from typing import Any

from minefree.accounts.models import Role
from minefree.accounts.selectors import is_staff_member, represents
from minefree.core.permissions import Rule, staff_only
from minefree.registry.models import Actor


def _staff_or_the_state_s_focal_point(user: Any, state: Any) -> bool:
    """A focal point delegates or hands over for their own state; staff for any state."""
    if not isinstance(state, Actor):
        return False
    return is_staff_member(user) or represents(user, state, {Role.STATE_FOCAL_POINT})


def _oneself(user: Any, owner: Any) -> bool:
    """The signed-in user acting on what is theirs (their API tokens)."""
    pk = getattr(user, "pk", None)
    return pk is not None and owner is not None and pk == getattr(owner, "pk", None)


def _oneself_or_staff(user: Any, owner: Any) -> bool:
    """A user manages their own API tokens; ISU staff anyone's."""
    return _oneself(user, owner) or is_staff_member(user)


RULES: dict[str, Rule] = {
    "api_token.create": _oneself_or_staff,
    "api_token.revoke": _oneself_or_staff,
    "api_token.use": _oneself,
    "user.create": staff_only,
    "membership.grant": staff_only,
    "membership.end": staff_only,
    "focal_point.delegate": _staff_or_the_state_s_focal_point,
    "focal_point.hand_over": _staff_or_the_state_s_focal_point,
}
