"""Writes of the individualised approach: a state's request, its meetings, follow-up actions,
and the case's way from request to outcome.

A case moves along one workflow (``CASE_WORKFLOW``); every edge is one service
with the same shape: permission → lock → state → version → validation → change → audit.
The version (``case_version``, sent back as ``If-Match``) is compared after the state, so
a step repeated by a retry is answered "already done" rather than "changed since read".

Scheduling a case creates its next ``CaseMeeting`` with the planned date; recording the
meeting fills that row in, so a case has no separate "scheduled on" field and the plan
stays visible.

The pledges made at a case's meeting are funding flows: ``funding.pledges.case_pledge``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minefree.assistance.selectors import cooperation_committee
from minefree.casework.models import (
    ActionStatus,
    BilateralMeeting,
    CaseMeeting,
    CaseStatus,
    FollowUpAction,
    IndividualisedApproachCase,
)
from minefree.core.audit import (
    audit_record,
    audited_create,
    audited_save,
    audited_update,
    service,
    snapshot,
)
from minefree.core.models import Visibility
from minefree.core.permissions import require
from minefree.core.versions import check_version, version_of
from minefree.core.workflow import AlreadyDone, Workflow, actor_label, claim_once
from minefree.registry.models import Actor, ActorKind, Meeting
from minefree.reporting.specification.schema import PILLARS

#: The case's life. A case in follow-up may be scheduled again (the next meeting reviews the
#: follow-up), and a scheduled meeting may be moved to another date.
CASE_WORKFLOW = Workflow(
    "case",
    CaseStatus,
    {
        CaseStatus.REQUESTED: {CaseStatus.SCHEDULED: "case_schedule"},
        CaseStatus.SCHEDULED: {
            CaseStatus.SCHEDULED: "case_schedule",
            CaseStatus.HELD: "case_meeting_record",
        },
        CaseStatus.HELD: {CaseStatus.FOLLOW_UP: "case_follow_up"},
        CaseStatus.FOLLOW_UP: {
            CaseStatus.SCHEDULED: "case_schedule",
            CaseStatus.CLOSED: "case_close",
        },
    },
    noun=gettext_lazy("case"),
)


#: Pledges are made at a meeting, so only a case whose meeting took place takes them.
PLEDGE_STATUSES = frozenset({CaseStatus.HELD, CaseStatus.FOLLOW_UP})


def creator(actor: Any) -> Any:
    """The user to store in ``created_by`` (none for the console's system actor)."""
    return actor if isinstance(actor, AbstractBaseUser) else None


def check_visibility(visibility: str) -> None:
    if visibility not in Visibility.values:
        raise ValidationError(_("Choose a visibility from the list."))


def check_not_future(day: dt.date, what: str) -> None:
    if day > timezone.localdate():
        raise ValidationError(_("%(what)s cannot be in the future.") % {"what": what})


def require_committee(actor: Any) -> None:
    require(actor, "case.run", None, _("Only committee members and ISU staff do this."))


def _check_pillars(pillars: list[str]) -> list[str]:
    known = {code for code, _label in PILLARS}
    unknown = [p for p in pillars if p not in known]
    if unknown:
        raise ValidationError(
            _("Unknown pillar(s): %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
        )
    return list(dict.fromkeys(pillars))


def _check_margins(held_on: dt.date, meeting: Meeting | None) -> None:
    """A meeting "in the margins of" another must fall within a week of it."""
    if meeting is None or meeting.start is None:
        return
    first = meeting.start.earliest
    last = (meeting.end or meeting.start).latest
    slack = dt.timedelta(days=7)
    if not first - slack <= held_on <= last + slack:
        raise ValidationError(
            _("The date is not in the margins of %(meeting)s.") % {"meeting": meeting.name}
        )


#: what a case's version covers: the fields its steps audit, and its latest meeting
CASE_FIELDS = [
    "state",
    "committee",
    "status",
    "requested_on",
    "pillars",
    "summary",
    "outcome",
    "closed_on",
    "visibility",
    "origin",
]
CASE_MEETING_FIELDS = ["held_on", "setting", "in_margins_of", "notes", "visibility"]


def case_version(case: IndividualisedApproachCase) -> str:
    """The version a writer names to take a step of ``case`` (``If-Match``).

    The latest meeting is part of it: moving a scheduled meeting leaves the case's own
    fields as they were, and must still tell a second planner that the plan changed.
    """
    meeting = case.meetings.order_by("-held_on", "-pk").first()
    latest = (
        None if meeting is None else snapshot(meeting, CASE_MEETING_FIELDS) | {"id": meeting.pk}
    )
    return version_of(case, CASE_FIELDS, {"meeting": latest})


def planned_meeting(case: IndividualisedApproachCase) -> CaseMeeting | None:
    """The meeting a scheduled case waits for (the latest one); None in any other status."""
    if case.status != CaseStatus.SCHEDULED:
        return None
    return case.meetings.order_by("-held_on", "-pk").first()


@service
def case_request(
    *,
    actor: Any,
    state: Actor,
    requested_on: dt.date,
    summary: str,
    pillars: list[str],
    visibility: str = Visibility.PUBLIC,
    request_key: str = "",
) -> IndividualisedApproachCase:
    """Open a case: the state asks, or the committee records the request on its behalf."""
    require(
        actor,
        "case.request",
        state,
        _("Only the state's focal point, committee members and ISU staff open a case."),
    )
    claim_once(actor_label=actor_label(actor), key=request_key, action="case.requested")
    if state.kind != ActorKind.STATE:
        raise ValidationError(_("Only a state asks to use the individualised approach."))
    check_visibility(visibility)
    check_not_future(requested_on, _("The date of the request"))
    if not summary.strip():
        raise ValidationError(_("Say what the state asks for."))
    case = IndividualisedApproachCase(
        state=state,
        committee=cooperation_committee(),
        requested_on=requested_on,
        summary=summary.strip(),
        pillars=_check_pillars(pillars),
        visibility=visibility,
        created_by=creator(actor),
    )
    audited_create(actor=actor, obj=case, action="case.requested", state_code=state.state_code)
    return case


@service
def case_schedule(
    *,
    actor: Any,
    case: IndividualisedApproachCase,
    on: dt.date,
    setting: str,
    in_margins_of: Meeting | None = None,
    expected_version: str | None = None,
) -> CaseMeeting:
    """Plan the case's (next) meeting; scheduling again moves the planned meeting.

    With ``expected_version`` (the version the planner read), a case changed since then
    is left as it is (``VersionConflictError``): two planners do not move one meeting
    over each other."""
    require_committee(actor)
    case = IndividualisedApproachCase.objects.select_for_update().get(pk=case.pk)
    current = case_version(case)
    before_status = CASE_WORKFLOW.move(case, CaseStatus.SCHEDULED)
    check_version(case, current, expected_version)
    if not setting.strip():
        raise ValidationError(_("Say where the meeting takes place."))
    if case.requested_on and on < case.requested_on:
        raise ValidationError(_("The meeting cannot come before the request."))
    _check_margins(on, in_margins_of)
    meeting = (
        case.meetings.order_by("-held_on", "-pk").first()
        if before_status == CaseStatus.SCHEDULED
        else None
    )
    before = snapshot(meeting) if meeting is not None else None
    if meeting is not None and (meeting.held_on, meeting.setting, meeting.in_margins_of_id) == (
        on,
        setting.strip(),
        in_margins_of.pk if in_margins_of else None,
    ):
        raise AlreadyDone(
            _("The meeting is already scheduled for %(day)s.") % {"day": on.isoformat()}
        )
    if meeting is None:
        meeting = CaseMeeting(case=case, visibility=case.visibility, created_by=creator(actor))
    meeting.held_on = on
    meeting.setting = setting.strip()
    meeting.in_margins_of = in_margins_of
    meeting.full_clean()
    meeting.save()
    case.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="case.scheduled",
        obj=case,
        before={"status": before_status, "meeting": before},
        after={"status": case.status, "meeting": snapshot(meeting)},
        state_code=case.state.state_code,
    )
    return meeting


@service
def case_meeting_record(
    *,
    actor: Any,
    case: IndividualisedApproachCase,
    held_on: dt.date,
    setting: str,
    in_margins_of: Meeting | None,
    participants: list[Actor],
    notes: str,
    visibility: str,
    expected_version: str | None = None,
) -> CaseMeeting:
    """Record that the scheduled meeting took place (its real date, who came, what was said).

    With ``expected_version``, a meeting moved since the writer read the case is not
    recorded over (``VersionConflictError``)."""
    require_committee(actor)
    case = IndividualisedApproachCase.objects.select_for_update().get(pk=case.pk)
    planned = planned_meeting(case)
    CASE_WORKFLOW.check(case.status, CaseStatus.HELD)
    check_version(case, case_version(case), expected_version)
    check_visibility(visibility)
    check_not_future(held_on, _("The date of a meeting held"))
    if case.requested_on and held_on < case.requested_on:
        raise ValidationError(_("The meeting cannot come before the request."))
    if not setting.strip():
        raise ValidationError(_("Say where the meeting took place."))
    if not participants:
        raise ValidationError(_("List who took part in the meeting."))
    _check_margins(held_on, in_margins_of)
    meeting = planned or CaseMeeting(case=case, created_by=creator(actor))
    before = snapshot(meeting) if planned is not None else None
    meeting.held_on = held_on
    meeting.setting = setting.strip()
    meeting.in_margins_of = in_margins_of
    meeting.notes = notes.strip()
    meeting.visibility = visibility
    code = case.state.state_code
    links = {"participants": participants}
    audited_save(
        actor=actor,
        obj=meeting,
        action="case.meeting_recorded",
        before=before,
        links=links,
        state_code=code,
    )
    changes = {"status": CaseStatus.HELD}
    audited_update(actor=actor, obj=case, action="case.held", changes=changes, state_code=code)
    return meeting


@service
def case_follow_up(
    *, actor: Any, case: IndividualisedApproachCase, expected_version: str | None = None
) -> IndividualisedApproachCase:
    """The meeting is over and its pledges recorded: the committee now follows them up."""
    require_committee(actor)
    case = IndividualisedApproachCase.objects.select_for_update().get(pk=case.pk)
    CASE_WORKFLOW.check(case.status, CaseStatus.FOLLOW_UP)
    check_version(case, case_version(case), expected_version)
    changes = {"status": CaseStatus.FOLLOW_UP}
    code = case.state.state_code
    audited_update(
        actor=actor, obj=case, action="case.followed_up", changes=changes, state_code=code
    )
    return case


@service
def case_close(
    *,
    actor: Any,
    case: IndividualisedApproachCase,
    outcome: str,
    closed_on: dt.date,
    expected_version: str | None = None,
) -> IndividualisedApproachCase:
    """Close the case with its outcome; open follow-up actions must be settled first.

    With ``expected_version``, a case changed since the writer read it stays open."""
    require_committee(actor)
    case = IndividualisedApproachCase.objects.select_for_update().get(pk=case.pk)
    CASE_WORKFLOW.check(case.status, CaseStatus.CLOSED)
    check_version(case, case_version(case), expected_version)
    if not outcome.strip():
        raise ValidationError(_("Closing a case needs its outcome."))
    check_not_future(closed_on, _("The closing date"))
    if case.requested_on and closed_on < case.requested_on:
        raise ValidationError(_("A case cannot close before it was requested."))
    if case.actions.filter(status=ActionStatus.OPEN).exists():
        raise ValidationError(
            _("Mark each open follow-up action done or dropped before closing the case.")
        )
    changes = {"status": CaseStatus.CLOSED, "outcome": outcome.strip(), "closed_on": closed_on}
    code = case.state.state_code
    audited_update(
        actor=actor, obj=case, action="case.closed", changes=changes, state_code=code, validate=True
    )
    return case


def _subject_code(action: FollowUpAction) -> str:
    if action.case is not None:
        return action.case.state.state_code
    if action.bilateral_meeting is not None:
        return action.bilateral_meeting.counterpart.state_code
    return ""


@service
def action_add(
    *,
    actor: Any,
    case: IndividualisedApproachCase | None = None,
    bilateral_meeting: BilateralMeeting | None = None,
    description: str,
    owner: Actor,
    due_on: dt.date,
    request_key: str = "",
) -> FollowUpAction:
    """Track who does what by when after a case's meeting or a bilateral meeting."""
    require_committee(actor)
    claim_once(actor_label=actor_label(actor), key=request_key, action="action.added")
    if (case is None) == (bilateral_meeting is None):
        raise ValidationError(_("A follow-up action belongs to one case or one bilateral meeting."))
    if case is not None and case.status == CaseStatus.CLOSED:
        raise ValidationError(_("A closed case takes no new actions."))
    if not description.strip():
        raise ValidationError(_("Say what is to be done."))
    action = FollowUpAction(
        case=case,
        bilateral_meeting=bilateral_meeting,
        description=description.strip(),
        owner=owner,
        due_on=due_on,
    )
    audited_create(actor=actor, obj=action, action="action.added", state_code=_subject_code(action))
    return action


def _settle(
    actor: Any, action: FollowUpAction, status: str, day: dt.date, code: str
) -> FollowUpAction:
    require(
        actor, "action.settle", action, _("Only the committee and the action's owner settle it.")
    )
    action = (
        FollowUpAction.objects.select_for_update(of=("self",))
        .select_related("case__state", "bilateral_meeting__counterpart", "owner")
        .get(pk=action.pk)
    )
    if action.status != ActionStatus.OPEN:
        raise AlreadyDone(
            _("This action is already %(status)s.") % {"status": ActionStatus(action.status).label}
        )
    check_not_future(day, _("The date"))
    audited_update(
        actor=actor,
        obj=action,
        action=code,
        changes={"status": status, "done_on": day},
        state_code=_subject_code(action),
        validate=True,
    )
    return action


@service
def action_done(*, actor: Any, action: FollowUpAction, done_on: dt.date) -> FollowUpAction:
    """Mark an action done."""
    return _settle(actor, action, ActionStatus.DONE, done_on, "action.done")


@service
def action_drop(*, actor: Any, action: FollowUpAction, dropped_on: dt.date) -> FollowUpAction:
    """Drop an action that will not happen (so the case can close with an honest record)."""
    return _settle(actor, action, ActionStatus.DROPPED, dropped_on, "action.dropped")
