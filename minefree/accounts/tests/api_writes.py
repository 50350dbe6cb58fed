"""The accounts API's writes in the allow/deny matrix (``api/tests/writes.py``)."""

from __future__ import annotations

from typing import Any

from minefree.accounts import services
from minefree.accounts.models import ApiToken, Membership, Role
from minefree.accounts.tests.factories import make_user
from minefree.api.tests.writes import PERU_FOCAL, SIGNED_IN, STAFF, ApiWrite, Call


def _colleague(cast: dict[str, Any]) -> dict[str, Any]:
    return {
        "colleague": make_user("colleague"),
        "target": Membership.objects.get(user=cast["delegate_peru"]),
    }


def _peru_token(cast: dict[str, Any]) -> dict[str, Any]:
    user = cast["focal_point_peru"]
    token, _secret = services.api_token_create(
        actor=user, user=user, name="nightly", expires_in_days=30
    )
    return {"token": token}


def _holds(role: str) -> Any:
    return lambda ctx: Membership.objects.filter(user=ctx["colleague"], role=role).exists()


WRITES = [
    ApiWrite(
        "delegate",
        ("POST", "/api/accounts/delegations"),
        PERU_FOCAL,
        lambda ctx: Call(
            "POST", "/api/accounts/delegations", {"state": "PER", "colleague": "colleague"}
        ),
        _holds(Role.STATE_DELEGATE),
        _colleague,
    ),
    ApiWrite(
        "hand over",
        ("POST", "/api/accounts/hand-overs"),
        PERU_FOCAL,
        lambda ctx: Call(
            "POST", "/api/accounts/hand-overs", {"state": "PER", "successor": "colleague"}
        ),
        _holds(Role.STATE_FOCAL_POINT),
        _colleague,
    ),
    ApiWrite(
        "grant a role",
        ("POST", "/api/accounts/memberships"),
        STAFF,
        lambda ctx: Call(
            "POST",
            "/api/accounts/memberships",
            {"username": "colleague", "role": "donor_focal_point", "actor": "NOR"},
        ),
        _holds(Role.DONOR_FOCAL_POINT),
        _colleague,
    ),
    ApiWrite(
        "end a membership",
        ("POST", "/api/accounts/memberships/{membership_id}/end"),
        STAFF,
        lambda ctx: Call("POST", f"/api/accounts/memberships/{ctx['target'].pk}/end", {}),
        lambda ctx: Membership.objects.get(pk=ctx["target"].pk).ends_on is not None,
        _colleague,
    ),
    ApiWrite(
        "make an API token",
        ("POST", "/api/accounts/tokens"),
        SIGNED_IN,
        lambda ctx: Call("POST", "/api/accounts/tokens", {"name": "imsma", "expires_in_days": 7}),
        lambda ctx: ApiToken.objects.filter(name="imsma").exists(),
    ),
    ApiWrite(
        "revoke an API token",
        ("POST", "/api/accounts/tokens/{token_id}/revoke"),
        frozenset({"focal_point_peru"}),
        lambda ctx: Call("POST", f"/api/accounts/tokens/{ctx['token'].pk}/revoke"),
        lambda ctx: ApiToken.objects.get(pk=ctx["token"].pk).revoked_at is not None,
        _peru_token,
    ),
]
