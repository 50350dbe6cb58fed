"""The audit spine: every write goes through a ``@service`` that records AuditEvents.

``@service`` wraps a function in a transaction and watches the SQL it runs. If
the function changed any table but wrote no audit event, the transaction is
rolled back and ``UnauditedWriteError`` is raised: a service cannot forget the
audit log, and the meta-test in ``core/tests`` checks every service is wrapped.
"""

from __future__ import annotations

import contextvars
import functools
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import F

from minefree.core.counter_notices import heard_versions, note_local_change
from minefree.core.models import AuditEvent, ContentVersion, IdempotencyKey, JobWorker

P = ParamSpec("P")
R = TypeVar("R")

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
#: the name of the API token the current request came with ("" for a session or the console)
api_token_var: contextvars.ContextVar[str] = contextvars.ContextVar("api_token", default="")

SHARED_VERSION_KEY = "shared"
ALL_VERSION_KEY = "all"
SERVICES: dict[str, Callable[..., Any]] = {}


class _System:
    """The operator at the console (management commands): acts with full rights."""

    is_authenticated = True
    is_superuser = True
    pk = None

    def __str__(self) -> str:
        return "system"


SYSTEM = _System()


class UnauditedWriteError(RuntimeError):
    """A service changed data without recording an audit event."""


@dataclass
class _Frame:
    name: str
    writes: int = 0
    audits: int = 0
    touched: set[str] = field(default_factory=set)


_frames: contextvars.ContextVar[tuple[_Frame, ...]] = contextvars.ContextVar(
    "service_frames", default=()
)

_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")
_AUDIT_TABLE = AuditEvent._meta.db_table
#: bookkeeping that is no data of its own: page-cache counters, the keys of requests
#: that must take effect once (the change they guard is audited by its service) and the
#: heartbeats of background workers (core.jobs)
_VERSION_TABLE = ContentVersion._meta.db_table
_BOOKKEEPING = (_VERSION_TABLE, IdempotencyKey._meta.db_table, JobWorker._meta.db_table)


def _watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    head = sql.lstrip()[:7].upper()
    if head.startswith(_WRITE_VERBS):
        for frame in _frames.get():
            if _AUDIT_TABLE in sql:
                frame.audits += 1
            elif not any(table in sql for table in _BOOKKEEPING):
                frame.writes += 1
    return execute(sql, params, many, context)


def service(func: Callable[P, R]) -> Callable[P, R]:
    """Make ``func`` an audited, atomic write."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        frame = _Frame(func.__qualname__)
        token = _frames.set((*_frames.get(), frame))
        try:
            with transaction.atomic(), connection.execute_wrapper(_watch):
                result = func(*args, **kwargs)
                if frame.writes and not frame.audits:
                    raise UnauditedWriteError(
                        f"{func.__module__}.{func.__qualname__} wrote without an audit event"
                    )
                return result
        finally:
            _frames.reset(token)

    wrapper.__minefree_service__ = True  # type: ignore[attr-defined]
    SERVICES[f"{func.__module__}.{func.__qualname__}"] = wrapper
    return wrapper


def in_service() -> bool:
    """True inside a ``@service`` call (its transaction and SQL watch are active)."""
    return bool(_frames.get())


def within_service(func: Callable[P, R]) -> Callable[P, R]:
    """Mark a helper that writes for the service calling it (a loader's upsert, the audit
    itself): called outside a service it raises, so its writes are always audited."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not in_service():
            raise UnauditedWriteError(f"{func.__qualname__} writes: call it inside a @service")
        return func(*args, **kwargs)

    wrapper.__minefree_within_service__ = True  # type: ignore[attr-defined]
    return wrapper


def new_request_id(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex[:16]}"


@contextmanager
def request_context(request_id: str) -> Iterator[None]:
    """Tag audit events written inside the block (commands and tasks use this)."""
    token = request_id_var.set(request_id)
    try:
        yield
    finally:
        request_id_var.reset(token)


def _actor_fields(actor: Any) -> tuple[Any, str]:
    if actor is None or actor is SYSTEM:
        return None, "system"
    if isinstance(actor, AnonymousUser):
        return None, "anonymous"
    if isinstance(actor, AbstractBaseUser):
        return actor, actor.get_username()
    return None, str(actor)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """JSON-safe copy of a model's concrete field values, for before/after."""
    data: dict[str, Any] = {}
    for f in instance._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        value = f.value_from_object(instance)
        data[f.attname if f.is_relation else f.name] = (
            value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        )
    return data


#: ``noun.past_participle``: what happened to what ("report.submitted", "case.meeting_recorded")
ACTION_NAME = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")
IRREGULAR_PARTICIPLES = frozenset(
    {
        "done",
        "held",
        "taken",
        "made",
        "sent",
        "set",
        "split",
        "paid",
        "run",
        "drawn",
        "given",
        "met",
    }
)


def check_action_name(action: str) -> None:
    """Refuse an audit action that is not ``noun.past_participle`` (one tense for the log)."""
    words = action.partition(".")[2].split("_")
    if not ACTION_NAME.match(action) or not any(
        w.endswith("ed") or w in IRREGULAR_PARTICIPLES for w in words
    ):
        raise ValueError(f"audit action {action!r} is not noun.past_participle")


@within_service
def audit_events(
    *,
    actor: Any,
    action: str,
    changes: Iterable[tuple[models.Model, dict[str, Any] | None, dict[str, Any] | None, str]],
) -> int:
    """Record many audit events at once: (object, before, after, state_code) each."""
    check_action_name(action)
    user, label = _actor_fields(actor)
    rid = request_id_var.get()
    rows = [
        AuditEvent(
            actor=user,
            actor_label=label,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:300],
            state_code=state_code,
            before=before,
            after=after,
            request_id=rid,
            api_token=api_token_var.get(),
        )
        for obj, before, after, state_code in changes
    ]
    if not rows:
        return 0
    AuditEvent.objects.bulk_create(rows, batch_size=500)
    bump_versions({row.state_code for row in rows})
    return len(rows)


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    state_code: str = "",
) -> None:
    """Record one audit event; call it inside the service that made the change."""
    audit_events(actor=actor, action=action, changes=[(obj, before, after, state_code)])


@within_service
def audited_create(*, actor: Any, obj: models.Model, action: str, state_code: str = "") -> None:
    """The common tail of a service that adds a record: validate it, save it, audit it."""
    audited_save(actor=actor, obj=obj, action=action, state_code=state_code)


@within_service
def audited_save(
    *,
    actor: Any,
    obj: models.Model,
    action: str,
    before: dict[str, Any] | None = None,
    links: Mapping[str, Iterable[models.Model]] | None = None,
    state_code: str = "",
) -> None:
    """The common tail of a service that adds or changes a record: validate it, save it, set
    its many-to-many ``links`` (audited as sorted ids), audit it against ``before``."""
    obj.full_clean()
    obj.save()
    after = snapshot(obj)
    for name, related in (links or {}).items():
        records = list(related)
        getattr(obj, name).set(records)
        after[name] = sorted({r.pk for r in records})
    audit_record(
        actor=actor, action=action, obj=obj, before=before, after=after, state_code=state_code
    )


@within_service
def audited_update(
    *,
    actor: Any,
    obj: models.Model,
    action: str,
    changes: Mapping[str, Any],
    state_code: str = "",
    validate: bool = False,
) -> None:
    """The common tail of a service that changes some fields of a record: set them (after
    ``full_clean`` with ``validate``), save only them, audit their values before and after."""
    fields = list(changes)
    before = snapshot(obj, fields)
    for name, value in changes.items():
        setattr(obj, name, value)
    if validate:
        obj.full_clean()
    obj.save(update_fields=fields)
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        before=before,
        after=snapshot(obj, fields),
        state_code=state_code,
    )


@within_service
def bump_versions(state_codes: Iterable[str]) -> None:
    """Invalidate cached pages that depend on the changed states (or on shared data)."""
    keys = {ALL_VERSION_KEY}
    for code in state_codes:
        keys.add(f"state:{code}" if code else SHARED_VERSION_KEY)
    for key in sorted(keys):
        updated = ContentVersion.objects.filter(key=key).update(version=F("version") + 1)
        if not updated:
            ContentVersion.objects.get_or_create(key=key, defaults={"version": 1})
    transaction.on_commit(note_local_change)


@within_service
def versions_move_past(floors: Mapping[str, int]) -> None:
    """Set every counter (those named in ``floors`` and those stored) above both its stored
    value and its floor, so no page cached under an earlier value is served again (after a
    restore has replaced the database under the running servers)."""
    stored = dict(ContentVersion.objects.values_list("key", "version"))
    for key in sorted(set(stored) | set(floors)):
        value = max(stored.get(key, 0), floors.get(key, 0)) + 1
        if not ContentVersion.objects.filter(key=key).update(version=value):
            ContentVersion.objects.create(key=key, version=value)
    transaction.on_commit(note_local_change)


def current_versions(keys: Iterable[str], using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """The counters behind a cached page: one prepared statement, on every cached hit.

    Plain SQL on purpose: building the equivalent ORM query costs more than running it.
    Read from the primary (``default``) unless ``using`` names another database: the
    counters decide what is fresh, so they are never taken from a standby that may lag.
    On PostgreSQL, outside a transaction, the primary's counters come from this process's
    copy that the primary keeps current (``core.counter_notices``): no round trip.
    """
    wanted = list(keys)
    if using == DEFAULT_DB_ALIAS and (heard := heard_versions(wanted)) is not None:
        return heard
    placeholders = ", ".join(["%s"] * len(wanted))
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT key, version FROM {_VERSION_TABLE} WHERE key IN ({placeholders})",
            wanted,
        )
        found = dict(cursor.fetchall())
    return {key: found.get(key, 0) for key in wanted}
