"""Background jobs: minefree's thin layer over Django's tasks framework.

minefree uses the tasks framework of Django 6 through its backport for Django 5.2
(``django-tasks``) and the database backend (``django-tasks-db``): a job is a row that a
``minefree db_worker`` process claims and runs. ``MINEFREE_TASKS=immediate`` (the demo, the
tests) runs each job at once inside the request that enqueues it instead.

A job is declared with ``@job`` next to the service it calls (``reporting/tasks.py``) and
takes ids only, never model instances, so that it can be stored, shown to staff and run
again. Every job must be idempotent: running it twice gives the result of running it once,
because a job can run twice (a worker killed after its work committed, a staff re-run).

What the package lacks and this module adds:

- ``enqueue`` refuses arguments that are not plain ids and does not queue a job that is
  already waiting or running with the same arguments (a page polled twice starts one job);
- abandoned jobs: the package marks a claimed job RUNNING and never looks at it again, so a
  worker killed mid-job (SIGKILL, out of memory, a lost machine) leaves it RUNNING for ever.
  Each worker here beats a heartbeat (``JobWorker.seen_at``) every quarter of the lease
  (``MINEFREE_JOBS_LEASE``, 60 s); any worker hands a RUNNING job whose worker has been
  silent for longer than the lease back to the queue, once: the hand-back is a conditional
  update on the claim it saw, so two workers recovering at once requeue it once. A job
  claimed ``MINEFREE_JOBS_MAX_CLAIMS`` times (3) without finishing is marked failed instead;
- failed jobs are listed for ISU staff (``failed_jobs``) and run again by them
  (``job_rerun``, rule ``job.rerun``, audited).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django_tasks import task, task_backends
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from minefree.core.audit import SYSTEM, audit_record, service
from minefree.core.models import JobWorker
from minefree.core.permissions import require
from minefree.core.workflow import AlreadyDone

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

#: Every declared job: its import path -> a short label for the staff page.
JOBS: dict[str, str] = {}

#: What a job's arguments may be: ids and plain values that survive JSON as they are.
PLAIN = (int, float, str, bool, type(None))


def job(label: str) -> Callable[[Callable[P, T]], Task[P, T]]:
    """Declare a background job (a module-level function taking ids as keywords)."""

    def decorate(func: Callable[P, T]) -> Task[P, T]:
        declared: Task[P, T] = task()(func)
        JOBS[declared.module_path] = label
        return declared

    return decorate


def runs_in_background() -> bool:
    """True when jobs wait for a ``db_worker``; False when they run at once (immediate)."""
    return isinstance(task_backends["default"], DatabaseBackend)


def enqueue(
    declared: Task[Any, Any], *, delay: dt.timedelta | None = None, **ids: Any
) -> TaskResult[Any] | None:
    """Queue ``declared`` with ``ids`` (keywords of plain values), after ``delay`` if given.

    A job already waiting or running with the same arguments is returned instead of a new
    one. Without a worker (immediate backend) the job runs now, and a delayed job is not
    queued at all (returns None): there is no one to run it later.
    """
    for name, value in ids.items():
        if not isinstance(value, PLAIN):
            raise TypeError(f"job argument {name} must be an id, not {type(value).__name__}")
    if not runs_in_background():
        if delay is not None:
            log.info("job %s not scheduled (no worker): %s", declared.module_path, ids)
            return None
        return declared.enqueue(**ids)
    waiting = (
        DBTaskResult.objects.filter(
            task_path=declared.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
            args_kwargs={"args": [], "kwargs": ids},
        )
        .order_by()
        .first()
    )
    if waiting is not None:
        return waiting.task_result
    if delay is not None:
        declared = declared.using(run_after=timezone.now() + delay)
    return declared.enqueue(**ids)


def job_failed(declared: Task[Any, Any], **ids: Any) -> bool:
    """True if the last job of ``declared`` with ``ids`` failed: staff run it again from
    the follow-ups page, a page polling its progress does not queue it once a second."""
    last = (
        DBTaskResult.objects.filter(
            task_path=declared.module_path, args_kwargs={"args": [], "kwargs": ids}
        )
        .order_by("-enqueued_at")
        .first()
    )
    return last is not None and last.status == TaskResultStatus.FAILED


# --- failed jobs, for ISU staff -------------------------------------------------------


@dataclass(frozen=True)
class FailedJob:
    id: str
    label: str
    task_path: str
    arguments: dict[str, Any]
    error: str
    failed_at: dt.datetime | None
    attempts: int


def _error_line(row: DBTaskResult[Any, Any]) -> str:
    lines = [line for line in row.traceback.strip().splitlines() if line.strip()]
    return lines[-1] if lines else str(row.exception_class_path)


def failed_jobs() -> list[FailedJob]:
    """Jobs whose last run raised, newest first, with their arguments and error."""
    rows = DBTaskResult.objects.failed().order_by("-finished_at")
    return [
        FailedJob(
            id=str(row.pk),
            label=JOBS.get(row.task_path, row.task_path.rsplit(".", 1)[-1]),
            task_path=row.task_path,
            arguments=dict(row.args_kwargs.get("kwargs", {})),
            error=_error_line(row),
            failed_at=row.finished_at,
            attempts=len(row.worker_ids),
        )
        for row in rows
    ]


def failed_job_count() -> int:
    return DBTaskResult.objects.failed().count()


_RESET = {
    "status": TaskResultStatus.READY,
    "started_at": None,
    "finished_at": None,
    "exception_class_path": "",
    "traceback": "",
    "return_value": None,
}


def _state(row: DBTaskResult[Any, Any]) -> dict[str, Any]:
    return {
        "task": row.task_path,
        "arguments": row.args_kwargs,
        "status": row.status,
        "attempts": len(row.worker_ids),
        "error": _error_line(row) if row.status == TaskResultStatus.FAILED else "",
    }


@service
def job_rerun(*, actor: Any, job_id: str) -> None:
    """Put a failed job back in the queue (ISU staff), keeping its count of attempts.

    Without a worker (immediate backend) it runs at once, as any job does then.
    """
    require(actor, "job.rerun", None, "Only ISU staff run failed background jobs again.")
    row = DBTaskResult.objects.select_for_update().filter(pk=job_id).first()
    if row is None or row.status != TaskResultStatus.FAILED:
        raise AlreadyDone("This job is no longer failed: it was run again already.")
    before = _state(row)
    DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.FAILED).update(
        **_RESET, run_after=get_date_max()
    )
    row.refresh_from_db()
    audit_record(actor=actor, action="job.requeued", obj=row, before=before, after=_state(row))
    if not runs_in_background():
        row.claim("immediate")
        _run_now(row)


def _run_now(row: DBTaskResult[Any, Any]) -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=[row.queue_name],
        interval=0,
        batch=True,
        backend_name=row.backend_name,
        startup_delay=False,
        max_tasks=1,
        worker_id="immediate",
        excluded_queue_names=[],
    )
    worker.run_task(row)


# --- workers: heartbeats and abandoned jobs -------------------------------------------


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.MINEFREE_JOBS_LEASE)


@service
def worker_beat(*, worker_id: str) -> None:
    """Record that worker ``worker_id`` (this process) is alive (bookkeeping, unaudited)."""
    JobWorker.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "seen_at": timezone.now(),
        },
    )


@service
def worker_gone(*, worker_id: str) -> None:
    """Forget a worker that stopped normally, and workers silent for ten leases."""
    JobWorker.objects.filter(worker_id=worker_id).delete()
    JobWorker.objects.filter(seen_at__lt=timezone.now() - 10 * lease()).delete()


@service
def jobs_recover_abandoned(*, actor: Any = SYSTEM) -> list[str]:
    """Hand back to the queue the jobs whose worker stopped beating; ids of those handed back.

    A job claimed ``MINEFREE_JOBS_MAX_CLAIMS`` times without finishing is marked failed:
    it is probably what kills its workers, and staff decide.
    """
    cutoff = timezone.now() - lease()
    alive = set(JobWorker.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    recovered = []
    for row in DBTaskResult.objects.running().filter(started_at__lt=cutoff):
        if row.worker_ids and row.worker_ids[-1] in alive:
            continue
        before = _state(row)
        claim = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        )
        if len(row.worker_ids) >= settings.MINEFREE_JOBS_MAX_CLAIMS:
            done = claim.update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                exception_class_path="minefree.core.jobs.AbandonedJob",
                traceback=(
                    f"AbandonedJob: its worker stopped while running it, "
                    f"{len(row.worker_ids)} times ({', '.join(row.worker_ids)})."
                ),
            )
            action = "job.abandoned"
        else:
            done = claim.update(status=TaskResultStatus.READY, started_at=None)
            action = "job.recovered"
        if done:
            row.refresh_from_db()
            audit_record(actor=actor, action=action, obj=row, before=before, after=_state(row))
            recovered.append(str(row.pk))
            log.warning("job %s %s (%s): its worker stopped", row.pk, action, row.task_path)
    return recovered


class Heartbeat(threading.Thread):
    """Beats for a worker and recovers abandoned jobs, every quarter of the lease.

    A thread, so that it beats while the worker's main thread runs a long job. On SQLite
    a beat waits while a job holds the write lock; a single transaction of a job must so
    stay well under the lease.
    """

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.interval = max(settings.MINEFREE_JOBS_LEASE / 4, 0.25)
        self.stopped = threading.Event()

    def tick(self) -> None:
        try:
            worker_beat(worker_id=self.worker_id)
            jobs_recover_abandoned()
        except DatabaseError:
            log.warning("worker %s could not beat; it tries again", self.worker_id, exc_info=True)
        finally:
            close_old_connections()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.tick()
        connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=self.interval + 5)
