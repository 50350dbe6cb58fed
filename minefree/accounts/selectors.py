"""Memberships and what they let a user see; the rules of writes are in ``rules.py``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from minefree.accounts.models import GLOBAL_ROLES, ApiToken, Membership, Role
from minefree.core.audit import SYSTEM
from minefree.registry.models import Actor


def _day(on: dt.date | None) -> dt.date:
    return on or dt.date.today()


def active_memberships(user: Any, on: dt.date | None = None) -> QuerySet[Membership]:
    if user is None or user is SYSTEM or not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    day = _day(on)
    return Membership.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day), user=user, starts_on__lte=day
    ).select_related("actor", "committee")


def is_staff_member(user: Any) -> bool:
    """ISU staff and administrators act on every state's records."""
    if user is SYSTEM:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return active_memberships(user).filter(role__in=GLOBAL_ROLES).exists()


def represents(user: Any, actor: Actor, roles: set[str]) -> bool:
    return active_memberships(user).filter(actor=actor, role__in=roles).exists()


def memberships_for(user: Any) -> QuerySet[Membership]:
    """Memberships a user may see: all for staff; their own and their states' otherwise."""
    qs = Membership.objects.select_related("user", "actor", "committee", "delegated_by")
    if is_staff_member(user):
        return qs
    if user is None or not getattr(user, "is_authenticated", False):
        return qs.none()
    own_actor_ids = active_memberships(user).exclude(actor=None).values("actor_id")
    return qs.filter(Q(user=user) | Q(actor_id__in=own_actor_ids))


def get_membership_for(user: Any, pk: int) -> Membership:
    membership = memberships_for(user).filter(pk=pk).first()
    if membership is None:
        raise Http404("No such membership")
    return membership


def focal_point_states(user: Any) -> list[Actor]:
    """States for which the user currently is the focal point."""
    return [
        m.actor
        for m in active_memberships(user).filter(role=Role.STATE_FOCAL_POINT)
        if m.actor is not None
    ]


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """A user's own API tokens, newest first (nobody else's, whoever asks)."""
    return ApiToken.objects.filter(user_id=getattr(user, "pk", None) or 0)


def get_token_of(user: Any, pk: int) -> ApiToken:
    token = tokens_of(user).filter(pk=pk).first()
    if token is None:
        raise Http404("No such token of yours.")
    return token
