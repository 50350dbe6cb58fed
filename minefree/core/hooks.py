"""Effects of one app's change on another app, run after that change commits.

A lower app may not import a higher one (the layer test), yet its changes matter above:
a submitted Article 7 report's Form J becomes funding flows in cooperation. The lower app
``emit``s a named event with a JSON payload of ids; a higher app ``register``s a handler
for it in its ``AppConfig.ready`` (the same inversion as ``core.permissions``).

Handlers run once the emitting transaction has committed, each in its own transaction,
so nothing downstream can veto or undo the change that caused it: a state's submission
stands even if cooperation cannot take one of its rows. A handler that raises is recorded
as a ``HookFailure`` (with its error, shown to ISU staff on the follow-ups page) and
retried from there or by ``minefree retry-follow-ups``. With a background worker
(``core.jobs``) it is also retried by itself, up to ``AUTO_RETRIES`` times after growing
delays (a database briefly locked, a mail server down); then it waits for staff. Handlers
must therefore be idempotent: running one twice gives the result of running it once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from minefree.core import jobs
from minefree.core.audit import SYSTEM, audit_record, service, snapshot
from minefree.core.models import HookFailure
from minefree.core.permissions import require

log = logging.getLogger(__name__)

#: A handler gets the acting user (or SYSTEM) and the event's payload as keywords.
Handler = Callable[..., Any]


@dataclass(frozen=True)
class Hook:
    event: str
    name: str
    handler: Handler


HOOKS: dict[str, dict[str, Hook]] = {}


def register(event: str, name: str, handler: Handler) -> None:
    """Run ``handler`` after every committed ``event``; ``name`` identifies it in failures."""
    HOOKS.setdefault(event, {})[name] = Hook(event, name, handler)


def emit(event: str, *, actor: Any, **payload: Any) -> None:
    """Announce ``event`` (call inside the service making the change).

    The handlers run after the outermost transaction commits; nothing runs if it rolls
    back. ``payload`` holds ids, never model instances, so a failure can be stored and
    retried later.
    """
    hooks = list(HOOKS.get(event, {}).values())
    if not hooks:
        return
    actor_id = getattr(actor, "pk", None) if actor is not SYSTEM else None

    def run_all() -> None:
        for hook in hooks:
            _run(hook, actor_id=actor_id, payload=payload)

    transaction.on_commit(run_all)


def _actor(actor_id: int | None) -> Any:
    if actor_id is None:
        return SYSTEM
    from django.contrib.auth import get_user_model

    return get_user_model()._default_manager.filter(pk=actor_id).first() or SYSTEM


def _run(hook: Hook, *, actor_id: int | None, payload: dict[str, Any]) -> None:
    actor = _actor(actor_id)
    try:
        with transaction.atomic():
            hook.handler(actor=actor, **payload)
    except Exception as exc:
        log.exception("follow-up %s after %s failed", hook.name, hook.event)
        failure = follow_up_failed(actor=actor, hook=hook, payload=payload, error=_describe(exc))
        _schedule_retry(failure, attempt=1)


#: Automatic retries of a failed follow-up (with a worker), and the delay before each.
AUTO_RETRIES = 3
RETRY_DELAYS = (dt.timedelta(minutes=1), dt.timedelta(minutes=10), dt.timedelta(hours=1))


def _schedule_retry(failure: HookFailure, *, attempt: int) -> None:
    if attempt <= AUTO_RETRIES:
        jobs.enqueue(
            follow_up_retry_job,
            delay=RETRY_DELAYS[attempt - 1],
            failure_id=failure.pk,
            attempt=attempt,
        )


@jobs.job("Retry of a failed follow-up")
def follow_up_retry_job(*, failure_id: int, attempt: int) -> bool:
    """Automatic retry ``attempt`` of a failed follow-up; schedules the next if it fails.

    Idempotent: a follow-up resolved meanwhile (by staff, by a twin of this job) is left
    alone. True if the follow-up is resolved.
    """
    failure = HookFailure.objects.filter(pk=failure_id).first()
    if failure is None or failure.resolved_at is not None:
        return True
    if follow_up_retry(actor=SYSTEM, failure=failure):
        return True
    _schedule_retry(failure, attempt=attempt + 1)
    return False


def _describe(exc: Exception) -> str:
    messages = getattr(exc, "messages", None)
    text = "; ".join(str(m) for m in messages) if messages else str(exc)
    return f"{type(exc).__name__}: {text}"[:2000]


@service
def follow_up_failed(*, actor: Any, hook: Hook, payload: dict[str, Any], error: str) -> HookFailure:
    """Keep a failed follow-up, with its error, for staff to see and retry."""
    failure = HookFailure.objects.create(
        event=hook.event,
        handler=hook.name,
        payload=payload,
        actor_label=str(actor),
        error=error,
    )
    audit_record(actor=actor, action="follow_up.failed", obj=failure, after=snapshot(failure))
    return failure


def open_failures() -> list[HookFailure]:
    return list(HookFailure.objects.filter(resolved_at__isnull=True))


def open_failure_count() -> int:
    return HookFailure.objects.filter(resolved_at__isnull=True).count()


def follow_up_retry(*, actor: Any, failure: HookFailure) -> bool:
    """Run a failed follow-up again, as ``actor`` (ISU staff); True if it now succeeded.

    The handler runs in its own transaction; the outcome (resolved, or failed once more
    with the new error) is recorded in another, so a second failure is kept too.
    """
    require(actor, "follow_up.retry", failure, "Only ISU staff retry follow-ups.")
    hook = HOOKS.get(failure.event, {}).get(failure.handler)
    error = ""
    if hook is None:
        error = f"No handler named {failure.handler} is registered for {failure.event}."
    else:
        try:
            with transaction.atomic():
                hook.handler(actor=actor, **failure.payload)
        except Exception as exc:
            error = _describe(exc)
    _retry_outcome(actor=actor, failure=failure, error=error)
    return not error


@service
def _retry_outcome(*, actor: Any, failure: HookFailure, error: str) -> None:
    before = snapshot(failure, ["attempts", "error", "resolved_at"])
    failure.attempts += 1
    if error:
        failure.error = error
    else:
        failure.resolved_at = timezone.now()
    failure.save(update_fields=["attempts", "error", "resolved_at", "last_failed_at"])
    audit_record(
        actor=actor,
        action="follow_up.resolved" if not error else "follow_up.failed_again",
        obj=failure,
        before=before,
        after=snapshot(failure, ["attempts", "error", "resolved_at"]),
    )
