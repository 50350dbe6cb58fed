"""The individualised approach, national platforms and the committee's bilateral meetings,
written over the API with the services and rules of their pages.

A case's steps (schedule, meeting, follow-up, close) and a change of a platform name the
version they were made from (``If-Match``, the ``ETag`` of the GET): of two writers who
read the same version the second gets 412 and nothing of theirs is applied over the first
one's change. A step already taken answers 409, as does a follow-up action already
settled.

The parties of a record (the state of a case, the counterpart of a bilateral meeting) are
looked up like the owners of needs and offers: 404 for an unknown code. Other codes in a
body (members, participants, an owner, a meeting) are values: an unknown one is a 422
naming its field.

These endpoints join the cooperation router (``cooperation.api.router``) instead of a
router of their own: Django sends a path to one router's view, and ``POST
/cooperation/cases`` shares its path with ``GET /cooperation/cases``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Schema
from ninja.responses import Status

from minefree.accounts.tokens import WRITE_AUTH
from minefree.assistance.selectors import Reader, cooperation_committee, reader
from minefree.casework import cases, platforms
from minefree.casework import selectors as casework
from minefree.casework.models import BilateralMeeting, FollowUpAction
from minefree.casework.platforms import BilateralTopic
from minefree.cooperation.api import (
    VISIBILITY,
    ActionOut,
    BilateralMeetingOut,
    CaseDetailOut,
    PlatformMeetingOut,
    PlatformOut,
    action_out,
    actor_or_404,
    bilateral_out,
    case_detail_out,
    case_or_404,
    platform_meeting_out,
    platform_or_404,
    platform_out,
    router,
)
from minefree.core.api import VERSIONED_WRITE_ERRORS, WRITE_ERRORS, created, if_match
from minefree.core.models import Visibility
from minefree.registry.models import Actor, Meeting
from minefree.registry.selectors import get_actor, meetings_list
from minefree.reporting.specification.schema import PILLARS

CODES = "ISO 3166 alpha-3 codes or slugs"


def _actor(code: str, field: str) -> Actor | None:
    """The actor a body names in ``field`` (none for a blank); 422 for an unknown code."""
    if not code.strip():
        return None
    found = get_actor(code)
    if found is None:
        raise ValidationError({field: [f"No state or organisation with the code {code}."]})
    return found


def _actors(codes: list[str], field: str) -> list[Actor]:
    found = [_actor(code, field) for code in dict.fromkeys(codes)]
    return [actor for actor in found if actor is not None]


def _meeting(code: str) -> Meeting | None:
    """The treaty meeting a case's meeting was held in the margins of, by its code."""
    if not code.strip():
        return None
    meeting = meetings_list().filter(code__iexact=code.strip()).first()
    if meeting is None:
        raise ValidationError({"in_margins_of": [f"No meeting with the code {code}."]})
    return meeting


# --- cases -----------------------------------------------------------------------------------


class CaseRequestIn(Schema):
    """A state's request (the new case page's form)."""

    state: str = Field(description="ISO 3166 alpha-3 code of the state that asks")
    requested_on: dt.date
    summary: str = Field(description="What the state asks")
    pillars: list[str] = Field(
        default_factory=list, description="Any of: " + ", ".join(c for c, _l in PILLARS)
    )
    visibility: str = Field(
        Visibility.PUBLIC, description="One of: " + ", ".join(Visibility.values)
    )


@router.post(
    "/cooperation/cases",
    response={201: CaseDetailOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Open a case: a state asks for the individualised approach (the state's focal "
    "point and delegates, committee members, ISU staff)",
)
def case_request(
    request: HttpRequest, response: HttpResponse, payload: CaseRequestIn
) -> Status[CaseDetailOut]:
    state = actor_or_404(payload.state)
    record = cases.case_request(
        actor=request.user, state=state, **payload.model_dump(exclude={"state"})
    )
    out = case_detail_out(response, record, reader(request.user))
    return created(response, f"/api/cooperation/cases/{record.pk}", out)


def _step(
    request: HttpRequest,
    response: HttpResponse,
    case_id: int,
    take: Callable[..., Any],
    **values: Any,
) -> Status[CaseDetailOut]:
    """Take a step of the case from the version the caller read (``If-Match``); answer the
    case after it, as the caller may read it, with its new version."""
    who = reader(request.user)
    record = case_or_404(who, case_id)
    take(actor=request.user, case=record, expected_version=if_match(request), **values)
    return Status(200, case_detail_out(response, case_or_404(who, case_id), who))


class ScheduleIn(Schema):
    """The case's next meeting (the case page's schedule form); again to move it."""

    on: dt.date = Field(description="The day planned")
    setting: str = Field(description="e.g. in the margins of the intersessional meetings, Geneva")
    in_margins_of: str = Field("", description="Code of the treaty meeting, e.g. IM2024")


@router.post(
    "/cooperation/cases/{case_id}/schedule",
    response={200: CaseDetailOut, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Schedule the case's meeting, or move it (If-Match: the case's ETag)",
)
def case_schedule(
    request: HttpRequest, response: HttpResponse, case_id: int, payload: ScheduleIn
) -> Status[CaseDetailOut]:
    return _step(
        request,
        response,
        case_id,
        cases.case_schedule,
        on=payload.on,
        setting=payload.setting,
        in_margins_of=_meeting(payload.in_margins_of),
    )


class CaseMeetingIn(Schema):
    """The meeting as it was held (the case page's meeting form)."""

    held_on: dt.date
    setting: str
    in_margins_of: str = Field("", description="Code of the treaty meeting, e.g. IM2024")
    participants: list[str] = Field(default_factory=list, description=f"Who took part: {CODES}")
    notes: str = ""
    visibility: str = Field(Visibility.COMMITTEE, description="Who may read the notes")


@router.post(
    "/cooperation/cases/{case_id}/meeting",
    response={200: CaseDetailOut, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Record that the case's meeting was held (If-Match: the case's ETag)",
)
def case_meeting_record(
    request: HttpRequest, response: HttpResponse, case_id: int, payload: CaseMeetingIn
) -> Status[CaseDetailOut]:
    return _step(
        request,
        response,
        case_id,
        cases.case_meeting_record,
        held_on=payload.held_on,
        setting=payload.setting,
        in_margins_of=_meeting(payload.in_margins_of),
        participants=_actors(payload.participants, "participants"),
        notes=payload.notes,
        visibility=payload.visibility,
    )


@router.post(
    "/cooperation/cases/{case_id}/follow-up",
    response={200: CaseDetailOut, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Move the case to follow-up once its meeting is held (If-Match: the case's ETag)",
)
def case_follow_up(
    request: HttpRequest, response: HttpResponse, case_id: int
) -> Status[CaseDetailOut]:
    return _step(request, response, case_id, cases.case_follow_up)


class CaseCloseIn(Schema):
    outcome: str
    closed_on: dt.date


@router.post(
    "/cooperation/cases/{case_id}/close",
    response={200: CaseDetailOut, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Close the case with its outcome (If-Match: the case's ETag)",
)
def case_close(
    request: HttpRequest, response: HttpResponse, case_id: int, payload: CaseCloseIn
) -> Status[CaseDetailOut]:
    return _step(
        request,
        response,
        case_id,
        cases.case_close,
        outcome=payload.outcome,
        closed_on=payload.closed_on,
    )


# --- follow-up actions -----------------------------------------------------------------------


def _action_out(action: FollowUpAction) -> ActionOut:
    return action_out(casework.action_line(action, timezone.localdate()))


def action_or_404(who: Reader, pk: int) -> FollowUpAction:
    action = casework.action_for(who, pk)
    if action is None:
        raise Http404("No such follow-up action, or it is not shared with you.")
    return action


@router.get("/cooperation/actions/{action_id}", response=ActionOut, description=VISIBILITY)
def action(request: HttpRequest, action_id: int) -> ActionOut:
    """A follow-up action, read with the case or bilateral meeting it belongs to."""
    return _action_out(action_or_404(reader(request.user), action_id))


class ActionIn(Schema):
    """Who does what by when (the case page's action form)."""

    description: str = Field(description="What is to be done")
    owner: str = Field(description=f"Who does it: one of the {CODES}")
    due_on: dt.date


def _action_add(
    request: HttpRequest, response: HttpResponse, payload: ActionIn, **parent: Any
) -> Status[ActionOut]:
    owner = _actor(payload.owner, "owner")
    if owner is None:
        raise ValidationError({"owner": ["Say who does it."]})
    action = cases.action_add(
        actor=request.user,
        description=payload.description,
        owner=owner,
        due_on=payload.due_on,
        **parent,
    )
    return created(response, f"/api/cooperation/actions/{action.pk}", _action_out(action))


@router.post(
    "/cooperation/cases/{case_id}/actions",
    response={201: ActionOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Add a follow-up action to a case (committee members, ISU staff)",
)
def case_action_add(
    request: HttpRequest, response: HttpResponse, case_id: int, payload: ActionIn
) -> Status[ActionOut]:
    case = case_or_404(reader(request.user), case_id)
    return _action_add(request, response, payload, case=case)


def _bilateral_or_404(who: Reader, pk: int) -> casework.BilateralLine:
    found = casework.bilateral_meetings(who, pk=pk)
    if not found:
        raise Http404("No such bilateral meeting, or it is not shared with you.")
    return found[0]


@router.post(
    "/cooperation/bilateral-meetings/{meeting_id}/actions",
    response={201: ActionOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Add a follow-up action to a bilateral meeting (committee members, ISU staff)",
)
def bilateral_action_add(
    request: HttpRequest, response: HttpResponse, meeting_id: int, payload: ActionIn
) -> Status[ActionOut]:
    meeting: BilateralMeeting = _bilateral_or_404(reader(request.user), meeting_id).meeting
    return _action_add(request, response, payload, bilateral_meeting=meeting)


class ActionDoneIn(Schema):
    done_on: dt.date | None = Field(None, description="Left out: today")


class ActionDropIn(Schema):
    dropped_on: dt.date | None = Field(None, description="Left out: today")


@router.post(
    "/cooperation/actions/{action_id}/done",
    response={200: ActionOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Mark a follow-up action done (committee members, ISU staff, its owner's people)",
)
def action_done(request: HttpRequest, action_id: int, payload: ActionDoneIn) -> Status[ActionOut]:
    action = action_or_404(reader(request.user), action_id)
    day = payload.done_on or timezone.localdate()
    return Status(
        200, _action_out(cases.action_done(actor=request.user, action=action, done_on=day))
    )


@router.post(
    "/cooperation/actions/{action_id}/drop",
    response={200: ActionOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Drop a follow-up action that will not happen (committee members, ISU staff, its "
    "owner's people)",
)
def action_drop(request: HttpRequest, action_id: int, payload: ActionDropIn) -> Status[ActionOut]:
    action = action_or_404(reader(request.user), action_id)
    day = payload.dropped_on or timezone.localdate()
    dropped = cases.action_drop(actor=request.user, action=action, dropped_on=day)
    return Status(200, _action_out(dropped))


# --- national platforms ----------------------------------------------------------------------


class PlatformIn(Schema):
    """The platform as its state keeps it (the platform page's form)."""

    convening_authority: str = Field(
        "", description="The state itself or one of its national bodies (ISO code or slug)"
    )
    established_on: dt.date | None = None
    members: list[str] = Field(default_factory=list, description=f"Donors, operators: {CODES}")
    terms_of_reference: str = ""
    visibility: str = Field(
        Visibility.PUBLIC, description="One of: " + ", ".join(Visibility.values)
    )


@router.put(
    "/cooperation/platforms/{iso3}",
    response={200: PlatformOut, 201: PlatformOut, **VERSIONED_WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Record a state's national platform, or change it (If-Match: its ETag, once it "
    "exists) (the state's focal point and delegates, ISU staff)",
)
def platform_save(
    request: HttpRequest, response: HttpResponse, iso3: str, payload: PlatformIn
) -> Status[PlatformOut]:
    """201 with its address when the state had no platform; a platform recorded meanwhile
    by someone else is not overwritten (412)."""
    who = reader(request.user)
    state = actor_or_404(iso3)
    existing = casework.platform_of(state, who)
    version = if_match(request) if existing is not None else ""
    platforms.platform_save(
        actor=request.user,
        state=state,
        convening_authority=_actor(payload.convening_authority, "convening_authority"),
        established_on=payload.established_on,
        members=_actors(payload.members, "members"),
        terms_of_reference=payload.terms_of_reference,
        visibility=payload.visibility,
        expected_version=version,
    )
    out = platform_out(response, platform_or_404(state, who))
    if existing is None:
        return created(response, f"/api/cooperation/platforms/{state.code}", out)
    return Status(200, out)


class PlatformMeetingIn(Schema):
    """A meeting of the platform (the platform page's meeting form)."""

    held_on: dt.date
    participants: list[str] = Field(default_factory=list, description=f"Who came: {CODES}")
    progress: str = Field("", description="Progress discussed")
    funding_gap_usd: Decimal | None = Field(None, description="Funding gap discussed, in USD")
    commitments: str = Field("", description="Commitments made")
    visibility: str = Field(
        Visibility.PUBLIC, description="One of: " + ", ".join(Visibility.values)
    )


@router.get(
    "/cooperation/platforms/{iso3}/meetings/{meeting_id}",
    response=PlatformMeetingOut,
    description=VISIBILITY,
)
def platform_meeting(request: HttpRequest, iso3: str, meeting_id: int) -> PlatformMeetingOut:
    view = platform_or_404(get_actor(iso3), reader(request.user))
    return _platform_meeting_out(view, meeting_id)


def _platform_meeting_out(view: casework.PlatformView, pk: int) -> PlatformMeetingOut:
    line = next((line for line in view.meetings if line.meeting.pk == pk), None)
    if line is None:
        raise Http404("No such meeting of this platform, or it is not shared with you.")
    return platform_meeting_out(line)


@router.post(
    "/cooperation/platforms/{iso3}/meetings",
    response={201: PlatformMeetingOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Record a meeting of a national platform (the state's focal point and delegates, "
    "ISU staff)",
)
def platform_meeting_record(
    request: HttpRequest, response: HttpResponse, iso3: str, payload: PlatformMeetingIn
) -> Status[PlatformMeetingOut]:
    who, state = reader(request.user), get_actor(iso3)
    platform = platform_or_404(state, who).platform
    meeting = platforms.platform_meeting_record(
        actor=request.user,
        platform=platform,
        participants=_actors(payload.participants, "participants"),
        **payload.model_dump(exclude={"participants"}),
    )
    out = _platform_meeting_out(platform_or_404(state, who), meeting.pk)  # as stored
    where = f"/api/cooperation/platforms/{platform.state.code}/meetings/{meeting.pk}"
    return created(response, where, out)


# --- the committee's bilateral meetings ------------------------------------------------------


@router.get(
    "/cooperation/bilateral-meetings/{meeting_id}",
    response=BilateralMeetingOut,
    description=VISIBILITY + " Notes are confidential to the committee by default.",
)
def bilateral_meeting(request: HttpRequest, meeting_id: int) -> BilateralMeetingOut:
    return bilateral_out(_bilateral_or_404(reader(request.user), meeting_id))


class BilateralMeetingIn(Schema):
    """The committee's meeting with a state or organisation (the bilateral meetings page)."""

    counterpart: str = Field(description="ISO 3166 alpha-3 code or slug")
    held_on: dt.date
    topics: list[str] = Field(
        description="Codes of the usual topics ("
        + ", ".join(BilateralTopic.values)
        + ") or topics in words"
    )
    notes: str = ""
    visibility: str = Field(
        Visibility.COMMITTEE, description="One of: " + ", ".join(Visibility.values)
    )


@router.post(
    "/cooperation/bilateral-meetings",
    response={201: BilateralMeetingOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Record the committee's meeting with a state or organisation (committee members, "
    "ISU staff)",
)
def bilateral_meeting_record(
    request: HttpRequest, response: HttpResponse, payload: BilateralMeetingIn
) -> Status[BilateralMeetingOut]:
    committee = cooperation_committee()
    if committee is None:
        raise Http404("The committee is not in the reference data.")
    meeting = platforms.bilateral_meeting_record(
        actor=request.user,
        committee=committee,
        counterpart=actor_or_404(payload.counterpart),
        **payload.model_dump(exclude={"counterpart"}),
    )
    topics = [(t, platforms.topic_label(t)) for t in meeting.topics]
    out = bilateral_out(casework.BilateralLine(meeting, topics, []))
    return created(response, f"/api/cooperation/bilateral-meetings/{meeting.pk}", out)
