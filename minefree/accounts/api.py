"""Membership endpoints: the same services as the web forms and the admin."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router
from ninja.responses import Status

from minefree.accounts import selectors, services, steps
from minefree.accounts.models import Membership, Role
from minefree.accounts.schemas import (
    ApiTokenIn,
    ApiTokenOut,
    DelegateIn,
    HandOverIn,
    MembershipEndIn,
    MembershipGrantIn,
    MembershipOut,
    NewApiTokenOut,
)
from minefree.accounts.tokens import WRITE_AUTH
from minefree.core.api import WRITE_ERRORS, created
from minefree.core.permissions import require
from minefree.core.schemas import from_record
from minefree.registry.models import Actor, Committee
from minefree.registry.selectors import get_state

router = Router(tags=["accounts"], auth=WRITE_AUTH)
ERRORS = WRITE_ERRORS


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


@router.get("/tokens", response=list[ApiTokenOut], summary="Your API tokens")
def list_tokens(request: HttpRequest) -> list[ApiTokenOut]:
    return [from_record(ApiTokenOut, t) for t in selectors.tokens_of(request.user)]


@router.get(
    "/tokens/{token_id}", response={200: ApiTokenOut, **ERRORS}, summary="One of your tokens"
)
def get_token(request: HttpRequest, token_id: int) -> ApiTokenOut:
    return from_record(ApiTokenOut, selectors.get_token_of(request.user, token_id))


@router.post(
    "/tokens",
    response={201: NewApiTokenOut, **ERRORS},
    summary="Make a personal API token (the secret is in this answer only)",
)
def create_token(
    request: HttpRequest, response: HttpResponse, payload: ApiTokenIn
) -> Status[NewApiTokenOut]:
    token, secret = services.api_token_create(
        actor=request.user, user=request.user, **payload.model_dump()
    )
    out = from_record(NewApiTokenOut, token, token=secret)
    response["Cache-Control"] = "no-store"
    return created(response, f"/api/accounts/tokens/{token.pk}", out)


@router.post(
    "/tokens/{token_id}/revoke",
    response={200: ApiTokenOut, **ERRORS},
    summary="Revoke one of your tokens (at once)",
)
def revoke_token(request: HttpRequest, token_id: int) -> ApiTokenOut:
    token = services.api_token_revoke(
        actor=request.user, token=selectors.get_token_of(request.user, token_id)
    )
    return from_record(ApiTokenOut, token)
