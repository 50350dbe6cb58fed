"""Reminders of what a decision asked of a state (an updated workplan by a date...).

A decision's requirements are follow-up items with due dates. ``minefree send-reminders``
(through ``reminders.signals.reminders_run``) mails the state's focal points and delegates
when one is due within ``MINEFREE_REMINDER_DAYS_BEFORE`` days, on its due date, and when it
is ``OVERDUE_DAYS`` late, until it is recorded as met. Each step is recorded before the mail
leaves, so a second run sends nothing; a requirement met, or a new decision's requirements,
change what the next run sends.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from minefree.clearance.models import DecisionRequirement, RequirementReminder
from minefree.core.audit import audit_events, service
from minefree.core.permissions import require
from minefree.reminders.models import Result, Step
from minefree.reminders.selectors import OVERDUE_DAYS, days_before, state_addresses
from minefree.reminders.signals import ReminderRun

logger = logging.getLogger(__name__)

STEPS = (Step.BEFORE, Step.DUE, Step.OVERDUE)


def _step_dates(due: dt.date) -> dict[str, dt.date]:
    return {
        Step.BEFORE: due - dt.timedelta(days=days_before()),
        Step.DUE: due,
        Step.OVERDUE: due + dt.timedelta(days=OVERDUE_DAYS),
    }


@dataclass(frozen=True)
class DueRequirement:
    requirement: DecisionRequirement
    step: str
    recipients: tuple[str, ...]

    @property
    def state(self) -> Any:
        return self.requirement.decision.request.state

    @property
    def due_on(self) -> dt.date:
        assert self.requirement.due_on is not None  # only dated requirements are followed
        return self.requirement.due_on


def requirements_due(today: dt.date) -> list[DueRequirement]:
    """Per requirement not met, its latest step reached by ``today`` (within a year of its
    due date) unless that step was already recorded. A fixed number of queries."""
    open_ = list(
        DecisionRequirement.objects.filter(
            met_on__isnull=True,
            due_on__isnull=False,
            due_on__lte=today + dt.timedelta(days=days_before()),
            due_on__gt=today - dt.timedelta(days=366),
        ).select_related("decision__request__state")
    )
    if not open_:
        return []
    recorded = set(
        RequirementReminder.objects.filter(requirement__in=open_).values_list(
            "requirement_id", "step", "due_on"
        )
    )
    states = {r.decision.request.state_id for r in open_}
    by_role, _contacts = state_addresses(states, today)
    due = []
    for requirement in open_:
        assert requirement.due_on is not None
        reached = [s for s, day in _step_dates(requirement.due_on).items() if day <= today]
        if not reached or (requirement.pk, reached[-1], requirement.due_on) in recorded:
            continue
        roles = by_role.get(requirement.decision.request.state_id, {})
        recipients = tuple(
            dict.fromkeys(address for emails in roles.values() for address in emails)
        )
        due.append(DueRequirement(requirement, reached[-1], recipients))
    return due


def _message(item: DueRequirement, today: dt.date) -> EmailMessage:
    requirement = item.requirement
    due = requirement.due_on
    assert due is not None
    when = (
        f"is due on {due.isoformat()}"
        if due >= today
        else f"was due on {due.isoformat()} ({(today - due).days} days ago)"
    )
    decision = requirement.decision
    body = (
        f"Dear colleagues,\n\nWhen it decided on the Article 5 extension request of "
        f"{item.state.name_en} on {decision.decided_on.isoformat()}, the Meeting of the States "
        f"Parties asked:\n\n    {requirement.text}\n\nThis {when}. Once it is done, tell the "
        f"Implementation Support Unit so that it is recorded as met.\n\nminefree\n"
    )
    return EmailMessage(
        subject=f"Article 5 extension of {item.state.name_en}: a requirement {when}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(item.recipients),
    )


@service
def requirement_reminders_send(*, actor: Any, today: dt.date, dry_run: bool = False) -> ReminderRun:
    """Record and mail the requirement reminders due on ``today`` (after commit)."""
    require(actor, "reminder.send")
    run = ReminderRun("Reminders of extension decisions' requirements")
    due = requirements_due(today)
    for item in due:
        where = f"{item.state.name_en}: “{item.requirement.text[:60]}”, step {item.step}"
        to = ", ".join(item.recipients) or "no address"
        run.lines.append(f"  {where}: {'would send' if dry_run else 'to'} {to}")
    if dry_run or not due:
        return run
    rows = [
        RequirementReminder(
            requirement=item.requirement,
            step=item.step,
            due_on=item.due_on,
            recipients=list(item.recipients),
            result=Result.PENDING if item.recipients else Result.NO_RECIPIENT,
        )
        for item in due
    ]
    RequirementReminder.objects.bulk_create(rows)
    audit_events(
        actor=actor,
        action="requirement_reminder.recorded",
        changes=[
            (
                row,
                None,
                {"step": row.step, "due_on": row.due_on.isoformat(), "result": row.result},
                item.state.state_code,
            )
            for row, item in zip(rows, due, strict=True)
        ],
    )
    pending = [(row, item) for row, item in zip(rows, due, strict=True) if item.recipients]
    messages = [(row.pk, _message(item, today)) for row, item in pending]
    if messages:
        transaction.on_commit(lambda: _deliver(actor, messages, run))
    return run


def _deliver(actor: Any, messages: list[tuple[int, EmailMessage]], run: ReminderRun) -> None:
    outcomes: dict[int, tuple[str, str]] = {}
    for pk, message in messages:
        try:
            message.send()
            outcomes[pk] = (Result.SENT, "")
        except Exception as exc:
            logger.exception("Requirement reminder %s could not be delivered", pk)
            outcomes[pk] = (Result.FAILED, f"{type(exc).__name__}: {exc}"[:500])
            run.failed += 1
    requirement_reminders_record(actor=actor, outcomes=outcomes)


@service
def requirement_reminders_record(*, actor: Any, outcomes: dict[int, tuple[str, str]]) -> int:
    """What became of each mail; a failed one is sent again by the next run."""
    require(actor, "reminder.send")
    rows = RequirementReminder.objects.select_related(
        "requirement__decision__request__state"
    ).in_bulk(list(outcomes))
    changes = []
    for pk, (result, error) in outcomes.items():
        row = rows[pk]
        before = {"result": row.result}
        row.result, row.error = result, error
        changes.append(
            (
                row,
                before,
                {"result": result, "error": error},
                row.requirement.decision.request.state.state_code,
            )
        )
    RequirementReminder.objects.bulk_update([row for row, *_ in changes], ["result", "error"])
    failed = [row.pk for row, *_ in changes if row.result == Result.FAILED]
    # a failed step is forgotten, so that the next run sends it again
    RequirementReminder.objects.filter(pk__in=failed).delete()
    return audit_events(actor=actor, action="requirement_reminder.delivered", changes=changes)


def on_reminders_run(
    sender: Any, *, actor: Any, today: dt.date, dry_run: bool, **kw: Any
) -> ReminderRun:
    return requirement_reminders_send(actor=actor, today=today, dry_run=dry_run)
