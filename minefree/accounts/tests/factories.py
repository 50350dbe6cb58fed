"""The named cast of users every permission test uses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model

from minefree.accounts.models import Membership, Role
from minefree.registry.models import Actor, Committee

PASSWORD = "a-long-test-password"


def make_user(
    username: str, role: str | None = None, *, scope: str = "", committee: str = "", **extra: Any
) -> Any:
    """A user with one active membership (created directly: test set-up, not a system write)."""
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    if role:
        Membership.objects.create(
            user=user,
            role=role,
            actor=Actor.objects.get(iso3=scope) if scope else None,
            committee=Committee.objects.get(code=committee) if committee else None,
            starts_on=dt.date.today() - dt.timedelta(days=30),
        )
    return user


STAFF_SITE_ROLES = {Role.ISU_STAFF, Role.ADMINISTRATOR}

CAST: dict[str, tuple[str | None, str, str]] = {
    "anonymous": (None, "", ""),
    "no_role": (None, "", ""),
    "focal_point_peru": (Role.STATE_FOCAL_POINT, "PER", ""),
    "delegate_peru": (Role.STATE_DELEGATE, "PER", ""),
    "focal_point_colombia": (Role.STATE_FOCAL_POINT, "COL", ""),
    "donor_japan": (Role.DONOR_FOCAL_POINT, "JPN", ""),
    "committee_chair": (Role.COMMITTEE_MEMBER, "", "cooperation_assistance"),
    "isu_staff": (Role.ISU_STAFF, "", ""),
    "administrator": (Role.ADMINISTRATOR, "", ""),
}


def make_cast() -> dict[str, Any]:
    users: dict[str, Any] = {"anonymous": None}
    for name, (role, scope, committee) in CAST.items():
        if name == "anonymous":
            continue
        users[name] = make_user(
            name, role, scope=scope, committee=committee, is_staff=role in STAFF_SITE_ROLES
        )
    Membership.objects.filter(user=users["delegate_peru"]).update(
        delegated_by=Membership.objects.get(user=users["focal_point_peru"])
    )
    return users


def bearer(user: Any, name: str = "script", days: int = 1) -> dict[str, str]:
    """The header of a new read-write personal API token of ``user``, for the test client."""
    from minefree.accounts.services import api_token_create

    _token, secret = api_token_create(actor=user, user=user, name=name, expires_in_days=days)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
