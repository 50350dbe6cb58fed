"""Follow-ups run after their change commits, never with it; failures wait for a retry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from minefree.core import hooks
from minefree.core.audit import SYSTEM
from minefree.core.models import HookFailure

pytestmark = pytest.mark.django_db
EVENT = "test.happened"


@pytest.fixture
def seen() -> Iterator[list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []
    broken = {"on": False}

    def handler(*, actor: Any, **payload: Any) -> None:
        if broken["on"]:
            raise ValueError("cannot take it")
        calls.append({"actor": actor, **payload})

    hooks.register(EVENT, "test.handler", handler)
    calls.append({"broken": broken})
    yield calls
    hooks.HOOKS.pop(EVENT)


def test_a_follow_up_runs_only_after_its_change_commits(seen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        hooks.emit(EVENT, actor=SYSTEM, ids=[1, 2])
        assert len(seen) == 1  # not yet: the transaction is still open
    assert len(callbacks) == 1
    assert seen[1] == {"actor": SYSTEM, "ids": [1, 2]}


def test_a_rolled_back_change_has_no_follow_up(seen, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        hooks.emit(EVENT, actor=SYSTEM, ids=[3])
        raise RuntimeError("the change fails")
    assert callbacks == [] and len(seen) == 1


def test_a_failed_follow_up_is_kept_and_retried_by_the_command(
    seen, django_capture_on_commit_callbacks
):
    seen[0]["broken"]["on"] = True
    with django_capture_on_commit_callbacks(execute=True):
        hooks.emit(EVENT, actor=SYSTEM, ids=[4])
    failure = HookFailure.objects.get()
    assert failure.error == "ValueError: cannot take it" and failure.payload == {"ids": [4]}
    with pytest.raises(CommandError, match="cannot take it"):
        call_command("retry_follow_ups")
    seen[0]["broken"]["on"] = False
    call_command("retry_follow_ups")
    failure.refresh_from_db()
    assert failure.resolved_at is not None and failure.attempts == 3
    assert seen[-1] == {"actor": SYSTEM, "ids": [4]}
    assert hooks.open_failure_count() == 0
