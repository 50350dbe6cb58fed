"""Granting, delegating, handing over and ending memberships (all audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from minefree.accounts import tokens
from minefree.accounts.models import ACTOR_ROLES, COMMITTEE_ROLES, ApiToken, Membership, Role
from minefree.accounts.selectors import active_memberships
from minefree.core.audit import audit_record, audited_create, audited_update, service
from minefree.core.permissions import require
from minefree.core.workflow import AlreadyDone
from minefree.registry.models import Actor, Committee


@service
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    email: str = "",
    full_name: str = "",
    staff_site: bool = False,
) -> Any:
    """ISU staff (or the console) create a sign-in account.

    ``staff_site`` opens the Django admin, whose actions go through these services too.
    """
    require(actor, "user.create")
    model = get_user_model()
    if model.objects.filter(username=username).exists():
        raise ValidationError(_("A user with that name already exists."))
    first, _sep, last = full_name.partition(" ")
    user = model(
        username=username, email=email, first_name=first, last_name=last, is_staff=staff_site
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        actor=actor,
        action="user.created",
        obj=user,
        after={"username": username, "email": email, "is_staff": staff_site},
    )
    return user


def _state_code(membership: Membership) -> str:
    return membership.actor.state_code if membership.actor else ""


@service
def membership_grant(
    *,
    actor: Any,
    user: Any,
    role: str,
    scope_actor: Actor | None = None,
    committee: Committee | None = None,
    starts_on: dt.date | None = None,
    note: str = "",
) -> Membership:
    """ISU staff give a user a role for a state, organisation or committee. A committee
    role may name the member state the person sits for (the fund's conflict-of-interest
    rule reads it)."""
    require(actor, "membership.grant")
    if role in ACTOR_ROLES and scope_actor is None:
        raise ValidationError(_("This role needs a state or organisation."))
    if role in COMMITTEE_ROLES and committee is None:
        raise ValidationError(_("This role needs a committee."))
    membership = Membership(
        user=user,
        role=role,
        actor=scope_actor if role in ACTOR_ROLES | COMMITTEE_ROLES else None,
        committee=committee if role in COMMITTEE_ROLES else None,
        starts_on=starts_on or dt.date.today(),
        note=note,
    )
    audited_create(
        actor=actor, obj=membership, action="membership.granted", state_code=_state_code(membership)
    )
    return membership


@service
def membership_end(*, actor: Any, membership: Membership, ends_on: dt.date | None = None) -> None:
    """End a membership; it stays as history. Delegations derived from it end too."""
    require(actor, "membership.end")
    _end(actor, membership, ends_on or dt.date.today())


def _end(actor: Any, membership: Membership, day: dt.date) -> None:
    if membership.ends_on is not None and membership.ends_on <= day:
        raise ValidationError(_("This membership has already ended."))
    if day < membership.starts_on:
        raise ValidationError(_("A membership cannot end before it starts."))
    audited_update(
        actor=actor,
        obj=membership,
        action="membership.ended",
        changes={"ends_on": day},
        state_code=_state_code(membership),
    )
    for delegation in membership.delegations.filter(ends_on__isnull=True):
        _end(actor, delegation, max(day, delegation.starts_on))


def _focal_point_membership(state: Actor, by: Any) -> Membership:
    membership = (
        active_memberships(by).filter(actor=state, role=Role.STATE_FOCAL_POINT).first()
        or Membership.objects.filter(
            actor=state, role=Role.STATE_FOCAL_POINT, ends_on__isnull=True
        ).first()
    )
    if membership is None:
        raise ValidationError(_("This state has no focal point to act for."))
    return membership


@service
def focal_point_delegate(
    *, actor: Any, state: Actor, colleague_username: str, note: str = ""
) -> Membership:
    """A focal point lets a colleague draft for their state; the grant points back to them."""
    require(actor, "focal_point.delegate", state)
    colleague = get_user_model().objects.filter(username=colleague_username).first()
    if colleague is None:
        raise ValidationError(_("No user with that name."))
    if active_memberships(colleague).filter(actor=state, role=Role.STATE_DELEGATE).exists():
        raise ValidationError(_("This colleague is already a delegate for this state."))
    source = _focal_point_membership(state, actor)
    membership = Membership(
        user=colleague,
        role=Role.STATE_DELEGATE,
        actor=state,
        starts_on=dt.date.today(),
        delegated_by=source,
        note=note,
    )
    audited_create(
        actor=actor, obj=membership, action="focal_point.delegated", state_code=state.iso3 or ""
    )
    return membership


@service
def focal_point_hand_over(
    *, actor: Any, state: Actor, successor_username: str, note: str = ""
) -> Membership:
    """Staff change: the successor becomes focal point; the old membership ends as history.

    The predecessor's delegations move to the successor so colleagues keep drafting.
    """
    require(actor, "focal_point.hand_over", state)
    successor = get_user_model().objects.filter(username=successor_username).first()
    if successor is None:
        raise ValidationError(_("No user with that name."))
    current = _focal_point_membership(state, actor)
    if current.user_id == successor.pk:
        raise ValidationError(_("This user already is the focal point."))
    today = dt.date.today()
    delegations = list(current.delegations.filter(ends_on__isnull=True))
    audited_update(
        actor=actor,
        obj=current,
        action="focal_point.handed_over",
        changes={"ends_on": today},
        state_code=state.iso3 or "",
    )
    new = Membership(
        user=successor,
        role=Role.STATE_FOCAL_POINT,
        actor=state,
        starts_on=today,
        succeeded=current,
        note=note,
    )
    audited_create(
        actor=actor, obj=new, action="focal_point.taken_over", state_code=state.iso3 or ""
    )
    for delegation in delegations:
        audited_update(
            actor=actor,
            obj=delegation,
            action="focal_point.delegation_moved",
            changes={"delegated_by": new},
            state_code=state.iso3 or "",
        )
    return new


#: the longest a personal API token may live
TOKEN_MAX_DAYS = 366
#: how often the "last used" time of a token is written (and audited)
TOKEN_USE_RESOLUTION = dt.timedelta(hours=1)


@service
def api_token_create(
    *, actor: Any, user: Any, name: str, expires_in_days: int, read_only: bool = False
) -> tuple[ApiToken, str]:
    """A new personal token of ``user``; the returned secret is shown once and never stored."""
    require(actor, "api_token.create", user, _("Only the user themselves or ISU staff."))
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the token a name, e.g. the script that will use it."))
    if not 1 <= expires_in_days <= TOKEN_MAX_DAYS:
        raise ValidationError(
            _("A token lives from 1 to %(days)s days.") % {"days": TOKEN_MAX_DAYS}
        )
    if ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
        raise ValidationError(_("You already have a token with this name."))
    secret, prefix, digest = tokens.new_secret()
    token = ApiToken(
        user=user,
        name=name,
        prefix=prefix,
        digest=digest,
        read_only=read_only,
        expires_at=timezone.now() + dt.timedelta(days=expires_in_days),
    )
    audited_create(actor=actor, obj=token, action="api_token.created")
    return token, secret


@service
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Stop a token at once; it stays listed as revoked."""
    require(actor, "api_token.revoke", token.user, _("Only the user themselves or ISU staff."))
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise AlreadyDone(_("The token is already revoked."))
    audited_update(
        actor=actor, obj=token, action="api_token.revoked", changes={"revoked_at": timezone.now()}
    )
    return token


@service
def api_token_used(*, actor: Any, token: ApiToken) -> None:
    """Note that a token was used, to the hour (one audit event an hour at most)."""
    require(actor, "api_token.use", token.user)
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_USE_RESOLUTION:
        return
    audited_update(actor=actor, obj=token, action="api_token.used", changes={"last_used_at": now})
