"""Membership endpoints: the same services as the web forms and the admin."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Router
from ninja.responses import Status
from ninja.security import django_auth

from minefree.accounts import selectors, services, steps
from minefree.accounts.models import Membership, Role
from minefree.accounts.schemas import (
    DelegateIn,
    HandOverIn,
    MembershipEndIn,
    MembershipGrantIn,
    MembershipOut,
)
from minefree.accounts.tokens import token_user
from minefree.core.permissions import require
from minefree.core.schemas import ErrorOut
from minefree.registry.models import Actor, Committee
from minefree.registry.selectors import get_state

router = Router(tags=["accounts"], auth=[token_user, django_auth])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _out(m: Membership) -> MembershipOut:
    return MembershipOut(
        id=m.pk,
        username=m.user.get_username(),
        role=m.role,
        actor=m.actor.code if m.actor else None,
        committee=m.committee.code if m.committee else None,
        starts_on=m.starts_on,
        ends_on=m.ends_on,
        delegated_by=m.delegated_by_id,
    )


def _state(iso3: str) -> Actor:
    state = get_state(iso3)
    if state is None:
        raise Http404(f"No state with code {iso3!r}.")
    return state


def _step(
    request: HttpRequest, step: steps.FocalPointStep, payload: DelegateIn | HandOverIn
) -> Status[MembershipOut]:
    """Delegating or handing over, as the home page's forms do."""
    data = payload.model_dump()
    return Status(201, _out(step.take(request.user, _state(data["state"]), data)))


@router.get("/memberships", response=list[MembershipOut], summary="Memberships you may see")
def list_memberships(request: HttpRequest) -> list[MembershipOut]:
    return [_out(m) for m in selectors.memberships_for(request.user)]


@router.post(
    "/delegations", response={201: MembershipOut, **ERRORS}, summary="Delegate to a colleague"
)
def delegate(request: HttpRequest, payload: DelegateIn) -> Status[MembershipOut]:
    return _step(request, steps.DELEGATE, payload)


@router.post(
    "/hand-overs", response={201: MembershipOut, **ERRORS}, summary="Hand over to a successor"
)
def hand_over(request: HttpRequest, payload: HandOverIn) -> Status[MembershipOut]:
    return _step(request, steps.HAND_OVER, payload)


@router.post(
    "/memberships", response={201: MembershipOut, **ERRORS}, summary="Grant a role (ISU staff)"
)
def grant(request: HttpRequest, payload: MembershipGrantIn) -> Status[MembershipOut]:
    require(request.user, "membership.grant")
    if payload.role not in Role.values:
        raise ValidationError(f"role must be one of {', '.join(Role.values)}")
    user = get_user_model().objects.filter(username=payload.username).first()
    if user is None:
        raise Http404("No user with that name.")
    scope_actor = None
    if payload.actor:
        scope_actor = (
            Actor.objects.filter(iso3=payload.actor.upper()).first()
            or Actor.objects.filter(slug=payload.actor).first()
        )
        if scope_actor is None:
            raise Http404("No such state or organisation.")
    committee = None
    if payload.committee:
        committee = Committee.objects.filter(code=payload.committee).first()
        if committee is None:
            raise Http404("No such committee.")
    membership = services.membership_grant(
        actor=request.user,
        user=user,
        role=payload.role,
        scope_actor=scope_actor,
        committee=committee,
        starts_on=payload.starts_on,
        note=payload.note,
    )
    return Status(201, _out(membership))


@router.post(
    "/memberships/{membership_id}/end",
    response={200: MembershipOut, **ERRORS},
    summary="End a membership (ISU staff)",
)
def end(request: HttpRequest, membership_id: int, payload: MembershipEndIn) -> MembershipOut:
    require(request.user, "membership.end")
    membership = selectors.get_membership_for(request.user, membership_id)
    services.membership_end(actor=request.user, membership=membership, ends_on=payload.ends_on)
    membership.refresh_from_db()
    return _out(membership)
