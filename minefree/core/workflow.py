"""Workflow steps that hold when a request is repeated or races another one.

Two requests on the same record at once (a double click, two tabs, a script retrying
after a timeout) each load the record before either writes. A step that decides on that
copy lets both pass the same check ("still a draft?") and takes effect twice. So a step:

1. re-reads its record under a row lock inside the service's transaction (``locked``):
   ``SELECT ... FOR UPDATE`` on PostgreSQL, where the second request waits for the first
   to commit; SQLite runs ``IMMEDIATE`` transactions, one writer at a time, so the
   re-read already sees the first request's result;
2. decides on what it read, and refuses a step already taken with ``AlreadyDone``,
   which says what happened (by whom, when) instead of failing or doing it again.

A step that adds a record (a meeting, a pledge) has no status to check: its form sends a
random key (``OnceForm``) that the service claims (``claim_once``); the same form posted
again carries the same key and is refused.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from minefree.core.audit import within_service
from minefree.core.models import IdempotencyKey

M = TypeVar("M", bound=models.Model)

KEY_PATTERN = re.compile(r"^[0-9a-f]{32}$")


class AlreadyDone(ValidationError):  # noqa: N818 - a refusal, not a failure
    """The step was already taken (by this request's twin or by someone else).

    A ``ValidationError``, so every form view shows it like any refusal; the API answers
    it with 409 Conflict.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, code="already_done")


def locked(instance: M) -> M:
    """``instance`` re-read in the current transaction, its row locked until commit.

    Every column is read again; related objects already loaded stay cached unless their
    key changed, so a step pays one query for its lock.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locked() must run inside a transaction (a @service).")
    model = type(instance)
    fields = model._meta.concrete_fields
    row = (
        model._default_manager.select_for_update()
        .filter(pk=instance.pk)
        .values(*(f.attname for f in fields))
        .first()
    )
    if row is None:
        raise ObjectDoesNotExist(f"{model.__name__} {instance.pk} is gone.")
    for f in fields:
        value = row[f.attname]
        if isinstance(f, models.ForeignKey) and getattr(instance, f.attname) != value:
            instance._state.fields_cache.pop(f.name, None)  # the cached object is another one
        setattr(instance, f.attname, value)
    return instance


@within_service
def claim_once(*, actor_label: str, key: str, action: str) -> None:
    """Record that the request with ``key`` took effect; refuse a second one with it.

    An empty key (a client that sends none) claims nothing. The insert runs in a
    savepoint: on PostgreSQL a concurrent twin waits on the unique index until the first
    commits and then fails here, cleanly, instead of breaking the transaction.
    """
    if not key:
        return
    if not KEY_PATTERN.match(key):
        raise AlreadyDone(_("The form is damaged (its one-time key is not valid); reload it."))
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(actor_label=actor_label, key=key, action=action)
    except IntegrityError as exc:
        raise AlreadyDone(
            _("This was already recorded: the same form was sent twice. Nothing was added.")
        ) from exc


def actor_label(actor: Any) -> str:
    """Whose key it is: keys of different people never collide."""
    name = getattr(actor, "get_username", None)
    return str(name()) if callable(name) else str(actor)


def lock_rows(queryset: models.QuerySet[Any]) -> None:
    """Lock the rows of ``queryset`` until commit, e.g. a parent before adding a child.

    For steps whose record does not exist yet (the first report of a year), the lock on
    the parent makes two requests create it one after the other, so the second finds it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_rows() must run inside a transaction (a @service).")
    list(queryset.select_for_update().values_list("pk", flat=True))


class Workflow:
    """A status field and the edges it may take, each edge taken by one named service.

    Every app with statuses declares one (cases, report versions, flows, and the apps to
    come) and registers it in ``WORKFLOWS``; ``core/tests/test_workflow.py`` walks every
    edge and every forbidden edge of each, and checks that each edge's service exists.
    """

    def __init__(
        self,
        name: str,
        statuses: type[models.TextChoices],
        edges: dict[str, dict[str, str]],
        *,
        noun: Any,
        field: str = "status",
    ) -> None:
        unknown = set(edges) | {t for targets in edges.values() for t in targets}
        unknown -= set(statuses.values)
        if unknown:
            raise ValueError(f"{name}: unknown statuses {sorted(unknown)}")
        self.name = name
        self.noun = noun  # translated, as messages say it ("case", "report")
        self.statuses = statuses
        self.edges = {s: dict(edges.get(s, {})) for s in statuses.values}
        self.field = field
        WORKFLOWS[name] = self

    def label(self, status: str) -> str:
        return str(self.statuses(status).label)

    def allows(self, current: str, target: str) -> bool:
        return target in self.edges.get(current, {})

    def check(self, current: str, target: str) -> None:
        """Refuse a forbidden edge: ``AlreadyDone`` when the step was already taken."""
        if self.allows(current, target):
            return
        if current == target:
            raise AlreadyDone(
                _("The %(thing)s is already %(status)s.")
                % {"thing": self.noun, "status": self.label(current)}
            )
        raise ValidationError(
            _("A %(thing)s that is %(current)s cannot become %(target)s.")
            % {"thing": self.noun, "current": self.label(current), "target": self.label(target)}
        )

    def move(self, instance: models.Model, target: str) -> str:
        """Set ``instance``'s status to ``target`` if the edge exists; return the status left.

        Call it on a row re-read under lock (``locked``), inside the edge's service.
        """
        current = str(getattr(instance, self.field))
        self.check(current, target)
        setattr(instance, self.field, target)
        return current


WORKFLOWS: dict[str, Workflow] = {}
