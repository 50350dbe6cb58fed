"""Background jobs (``core.jobs``): enqueued once, claimed once, recovered once, failures shown.

The first tests run in this process. The last ones start real ``minefree db_worker``
processes on a copy of the test run's database (a SQLite file, or a PostgreSQL database
made from the test database when ``DATABASE_URL`` names one), and kill them.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from minefree.accounts.tests.factories import make_cast
from minefree.core import hooks, jobs
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent, HookFailure, JobWorker
from minefree.core.tests import jobs_tasks
from minefree.core.tests.jobs_tasks import fail, note
from minefree.reporting.tests.test_batches import workbooks

REPO_ROOT = Path(__file__).resolve().parents[3]
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
LEASE = 4


@pytest.fixture
def in_database(settings: Any) -> None:
    """Jobs are stored for a worker, as in production."""
    settings.TASKS = DATABASE
    settings.MINEFREE_JOBS_LEASE = LEASE


def _rows(task: Any) -> list[DBTaskResult[Any, Any]]:
    return list(DBTaskResult.objects.filter(task_path=task.module_path).order_by("enqueued_at"))


# --- in this process ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_job_takes_ids_not_records(in_database: None) -> None:
    staff = make_cast()["isu_staff"]
    with pytest.raises(TypeError, match="must be an id"):
        jobs.enqueue(fail, n=staff)
    assert _rows(fail) == []


@pytest.mark.django_db
def test_without_a_worker_a_job_runs_at_once_and_a_delayed_one_is_not_queued(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "trace")
    assert not jobs.runs_in_background()
    result = jobs.enqueue(note, n=1, path=path)
    assert result is not None and result.return_value == 1
    assert jobs.enqueue(note, delay=dt.timedelta(minutes=1), n=2, path=path) is None
    assert Path(path).read_text().split() == ["start", "1", "end", "1"]
    assert DBTaskResult.objects.count() == 0


@pytest.mark.django_db
def test_a_job_waiting_or_running_is_not_queued_twice(in_database: None, tmp_path: Path) -> None:
    path = str(tmp_path / "trace")
    first = jobs.enqueue(note, n=1, path=path)
    assert jobs.enqueue(note, n=1, path=path).id == first.id  # type: ignore[union-attr]
    other = jobs.enqueue(note, n=2, path=path)
    assert other is not None and other.id != first.id  # type: ignore[union-attr]
    DBTaskResult.objects.filter(pk=first.id).update(status="RUNNING")  # type: ignore[union-attr]
    assert jobs.enqueue(note, n=1, path=path).id == first.id  # type: ignore[union-attr]
    DBTaskResult.objects.filter(pk=first.id).update(status="SUCCESSFUL")  # type: ignore[union-attr]
    assert jobs.enqueue(note, n=1, path=path).id != first.id  # type: ignore[union-attr]
    delayed = jobs.enqueue(note, delay=dt.timedelta(minutes=5), n=3, path=path)
    row = DBTaskResult.objects.get(pk=delayed.id)  # type: ignore[union-attr]
    assert row.run_after > timezone.now() + dt.timedelta(minutes=4)
    assert not DBTaskResult.objects.ready().filter(pk=row.pk).exists()


def _running(worker_ids: list[str], started: dt.datetime) -> DBTaskResult[Any, Any]:
    result = jobs.enqueue(note, n=DBTaskResult.objects.count(), path="/dev/null")
    DBTaskResult.objects.filter(pk=result.id).update(  # type: ignore[union-attr]
        status="RUNNING", started_at=started, worker_ids=worker_ids
    )
    return DBTaskResult.objects.get(pk=result.id)  # type: ignore[union-attr]


@pytest.mark.django_db
def test_a_job_whose_worker_stopped_beating_is_handed_back_once(in_database: None) -> None:
    long_ago = timezone.now() - dt.timedelta(seconds=LEASE * 3)
    jobs.worker_beat(worker_id="alive")
    jobs.worker_beat(worker_id="dead")
    JobWorker.objects.filter(worker_id="dead").update(seen_at=long_ago)
    of_the_living = _running(["alive"], long_ago)
    just_claimed = _running(["silent"], timezone.now())
    of_the_dead = _running(["dead"], long_ago)
    twice_dead = _running(["a", "dead"], long_ago)
    killer = _running(["a", "b", "dead"], long_ago)

    assert sorted(jobs.jobs_recover_abandoned()) == sorted(
        str(r.pk) for r in (of_the_dead, twice_dead, killer)
    )
    assert jobs.jobs_recover_abandoned() == []  # a second worker recovering finds nothing

    states = {r.pk: DBTaskResult.objects.get(pk=r.pk) for r in DBTaskResult.objects.all()}
    assert states[of_the_living.pk].status == "RUNNING"
    assert states[just_claimed.pk].status == "RUNNING"
    assert states[of_the_dead.pk].status == "READY"
    assert states[of_the_dead.pk].worker_ids == ["dead"]  # the attempt is counted
    assert states[twice_dead.pk].status == "READY"
    assert states[killer.pk].status == "FAILED"
    assert "stopped while running it, 3 times" in states[killer.pk].traceback
    actions = Counter(AuditEvent.objects.values_list("action", flat=True))
    assert actions["job.recovered"] == 2
    assert actions["job.abandoned"] == 1


@pytest.mark.django_db
def test_a_worker_forgets_its_heartbeat_when_it_stops(in_database: None) -> None:
    jobs.worker_beat(worker_id="w1")
    jobs.worker_beat(worker_id="old")
    JobWorker.objects.filter(worker_id="old").update(seen_at=timezone.now() - dt.timedelta(days=1))
    jobs.worker_beat(worker_id="w2")
    jobs.worker_gone(worker_id="w1")
    assert list(JobWorker.objects.values_list("worker_id", flat=True)) == ["w2"]


def _run_waiting_jobs() -> None:
    """What a worker does, here: claim each ready job and run it (the worker's own loop
    would close this test's connection, whose transaction it takes for a stale one)."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="in-test",
        excluded_queue_names=[],
    )
    while (row := DBTaskResult.objects.ready().first()) is not None:
        row.claim(worker.worker_id)
        worker.run_task(row)


@pytest.mark.django_db
def test_a_failed_job_is_shown_to_isu_staff_and_run_again_by_them(
    in_database: None, client: Any
) -> None:
    cast = make_cast()
    jobs.enqueue(fail, n=7)
    _run_waiting_jobs()
    [row] = _rows(fail)
    assert row.status == "FAILED"

    client.force_login(cast["isu_staff"])
    page = client.get(reverse("site:follow_ups")).content.decode()
    assert "Test: always fails" in page
    assert "n=7" in page
    assert "RuntimeError: job 7 cannot be done" in page
    assert f'id="job-{row.pk}"' in page

    rerun = reverse("site:job_rerun", args=[row.pk])
    for name in ("focal_point_peru", "committee_chair", "donor_japan", "no_role"):
        client.force_login(cast[name])
        assert client.get(reverse("site:follow_ups")).status_code == 403
        assert client.post(rerun).status_code == 403
    client.logout()
    assert client.post(rerun).status_code == 302  # to sign in
    row.refresh_from_db()
    assert row.status == "FAILED"

    client.force_login(cast["isu_staff"])
    assert client.post(rerun).status_code == 302
    row.refresh_from_db()
    assert row.status == "READY" and row.traceback == ""
    event = AuditEvent.objects.get(action="job.requeued")
    assert event.actor_id == cast["isu_staff"].pk
    assert "cannot be done" in event.before["error"] and event.after["status"] == "READY"
    twice = client.post(rerun, follow=True)  # twice: refused, not queued again
    assert "no longer failed" in twice.content.decode()
    assert AuditEvent.objects.filter(action="job.requeued").count() == 1
    _run_waiting_jobs()
    row.refresh_from_db()
    assert row.status == "FAILED" and len(row.worker_ids) == 2
    page = client.get(reverse("site:follow_ups")).content.decode()
    assert f'id="job-{row.pk}"' in page


@pytest.mark.django_db
def test_a_failed_follow_up_is_retried_by_itself_three_times_then_waits_for_staff(
    in_database: None,
) -> None:
    calls: list[int] = []

    def handler(*, actor: Any, n: int) -> None:
        calls.append(n)
        if len(calls) < 4:
            raise RuntimeError("the mail server is down")

    hooks.register("test.happened", "test.handler", handler)
    try:
        hooks._run(hooks.HOOKS["test.happened"]["test.handler"], actor_id=None, payload={"n": 1})
        failure = HookFailure.objects.get(handler="test.handler")
        for attempt in (1, 2, 3):
            [waiting] = [r for r in _rows(hooks.follow_up_retry_job) if r.status == "READY"]
            assert waiting.args_kwargs["kwargs"] == {"failure_id": failure.pk, "attempt": attempt}
            assert waiting.run_after - timezone.now() > hooks.RETRY_DELAYS[attempt - 1] * 0.9
            DBTaskResult.objects.filter(pk=waiting.pk).update(run_after=timezone.now())
            _run_waiting_jobs()
        failure.refresh_from_db()
        # the first failure and three automatic retries; the third retry succeeded
        assert calls == [1, 1, 1, 1]
        assert failure.resolved_at is not None and failure.attempts == 4
        assert not [r for r in _rows(hooks.follow_up_retry_job) if r.status == "READY"]
    finally:
        del hooks.HOOKS["test.happened"]


@pytest.mark.django_db
def test_after_three_automatic_retries_a_follow_up_waits_for_staff(in_database: None) -> None:
    def handler(*, actor: Any) -> None:
        raise RuntimeError("still down")

    hooks.register("test.happened", "test.handler", handler)
    try:
        hooks._run(hooks.HOOKS["test.happened"]["test.handler"], actor_id=None, payload={})
        for _ in range(5):
            DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
            _run_waiting_jobs()
        failure = HookFailure.objects.get(handler="test.handler")
        assert failure.attempts == 4 and failure.resolved_at is None
        assert [r.status for r in _rows(hooks.follow_up_retry_job)] == ["SUCCESSFUL"] * 3
        # running a retry job twice is running it once more, and queues no fourth retry
        jobs_before = DBTaskResult.objects.count()
        hooks.follow_up_retry_job.call(failure_id=failure.pk, attempt=3)
        assert DBTaskResult.objects.count() == jobs_before
    finally:
        del hooks.HOOKS["test.happened"]


@pytest.mark.django_db
def test_the_reminders_job_runs_a_day_and_queues_the_next(
    in_database: None, django_capture_on_commit_callbacks: Any
) -> None:
    from minefree.reminders.tasks import reminders_run_day

    day = timezone.localdate() + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_run_day.call(day=day.isoformat()) >= 0
        reminders_run_day.call(day=day.isoformat())  # twice: sends nothing more, queues nothing
    [waiting] = _rows(reminders_run_day)
    assert waiting.args_kwargs["kwargs"] == {"day": (day + dt.timedelta(days=1)).isoformat()}
    assert waiting.status == "READY"
    assert waiting.run_after > timezone.now() + dt.timedelta(hours=12)


@pytest.mark.django_db
def test_a_late_reminders_job_acts_as_on_today(
    in_database: None, django_capture_on_commit_callbacks: Any
) -> None:
    from minefree.reminders.tasks import reminders_run_day

    with django_capture_on_commit_callbacks(execute=True):
        reminders_run_day.call(day="2026-03-31")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    [waiting] = _rows(reminders_run_day)
    assert waiting.args_kwargs["kwargs"] == {"day": tomorrow.isoformat()}


@pytest.mark.django_db
def test_with_a_worker_the_batch_page_queues_one_import_job_and_polls_it(
    in_database: None, client: Any, workbooks: dict[str, bytes]
) -> None:
    from minefree.reporting.exchange.batches import batch_progress
    from minefree.reporting.models import ImportBatch
    from minefree.reporting.tasks import import_batch_run

    client.force_login(make_cast()["isu_staff"])
    uploads = []
    for name, data in workbooks.items():
        upload = io.BytesIO(data)
        upload.name = name
        uploads.append(upload)
    response = client.post("/reports/import/batches/", {"mode": "drafts", "files": uploads})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert [r.args_kwargs["kwargs"] for r in _rows(import_batch_run)] == [{"batch_id": batch.pk}]
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="load delay:1s"' in page
    partial = client.post(response["Location"] + "process/", HTTP_HX_REQUEST="true")
    assert 'value="0"' in partial.content.decode()  # the request imported nothing itself
    assert len(_rows(import_batch_run)) == 1  # and queued no second job
    _run_waiting_jobs()
    assert batch_progress(batch).imported == 3
    done = client.post(response["Location"] + "process/", HTTP_HX_REQUEST="true").content.decode()
    assert "3 imported, 0 rejected" in done and "hx-trigger" not in done
    assert len(_rows(import_batch_run)) == 1


@pytest.mark.django_db
def test_a_failed_import_job_is_not_queued_again_by_the_polling_page(
    in_database: None, client: Any, workbooks: dict[str, bytes]
) -> None:
    from minefree.reporting.exchange.batches import import_batch_create
    from minefree.reporting.tasks import import_batch_run

    cast = make_cast()
    batch = import_batch_create(
        actor=cast["isu_staff"], files=[(n, d, len(d)) for n, d in workbooks.items()]
    )
    batch.created_by = cast["focal_point_peru"]  # no right to import: the job fails
    batch.save()
    jobs.enqueue(import_batch_run, batch_id=batch.pk)
    _run_waiting_jobs()
    assert [r.status for r in _rows(import_batch_run)] == ["FAILED"]
    client.force_login(cast["isu_staff"])
    client.post(f"/reports/import/batches/{batch.pk}/process/", HTTP_HX_REQUEST="true")
    assert [r.status for r in _rows(import_batch_run)] == ["FAILED"]
    assert "Only ISU staff import many reports" in jobs.failed_jobs()[0].error


@pytest.mark.django_db
def test_send_reminders_queues_the_day_once_for_the_worker(in_database: None) -> None:
    from minefree.reminders.tasks import reminders_run_day

    out = io.StringIO()
    call_command("send_reminders", "--enqueue", "--today", "2026-04-30", stdout=out)
    call_command("send_reminders", "--enqueue", "--today", "2026-04-30", stdout=out)
    [row] = _rows(reminders_run_day)
    assert row.args_kwargs["kwargs"] == {"day": "2026-04-30"}
    assert "queued" in out.getvalue()


@pytest.mark.django_db
def test_send_reminders_refuses_to_queue_without_a_worker() -> None:
    with pytest.raises(CommandError, match="MINEFREE_TASKS=database"):
        call_command("send_reminders", "--enqueue")


# --- real worker processes ------------------------------------------------------------


class DatabaseCopies:
    """Copies of the test run's database, made from one taken as the module starts.

    SQLite: the test database (in memory) is backed up to a file, which each test copies.
    PostgreSQL: a database is made from the test database as template, and each test's
    from that one (a template must have no other connection: the test's own one is open).
    """

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        original = connections["default"]
        self.vendor = original.vendor
        self.settings_dict = dict(original.settings_dict)
        self.made: list[str] = []
        if self.vendor == "sqlite":
            self.pristine = str(tmp / "pristine.sqlite3")
            original.ensure_connection()
            with closing(sqlite3.connect(self.pristine)) as target:
                original.connection.backup(target)
        else:
            original.close()
            self.pristine = self._create(
                f"{self.settings_dict['NAME']}_jobs", self.settings_dict["NAME"]
            )

    def _admin(self) -> str:
        return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(scheme="postgresql"))

    def _create(self, name: str, template: str) -> str:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self._admin(), autocommit=True) as conn:
            # a template must have no other session: a live server of an earlier browser
            # test in this process may still hold one
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [template],
            )
            for statement in (
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                "CREATE DATABASE {} TEMPLATE {}",
            ):
                conn.execute(
                    sql.SQL(statement).format(sql.Identifier(name), sql.Identifier(template))
                )
        self.made.append(name)
        return name

    def new(self) -> tuple[str, dict[str, Any]]:
        """A fresh copy: its ``DATABASE_URL`` and Django settings."""
        settings_dict = dict(self.settings_dict)
        if self.vendor == "sqlite":
            path = self.tmp / f"copy-{secrets.token_hex(3)}.sqlite3"
            shutil.copyfile(self.pristine, path)
            settings_dict["NAME"] = str(path)
            return f"sqlite:///{path}", settings_dict
        name = self._create(f"{self.pristine}_{secrets.token_hex(3)}", self.pristine)
        settings_dict["NAME"] = name
        url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}")
        return urlunsplit(url), settings_dict

    def drop_all(self) -> None:
        if self.vendor == "sqlite":
            return
        import psycopg
        from psycopg import sql

        with psycopg.connect(self._admin(), autocommit=True) as conn:
            for name in reversed(self.made):
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


@pytest.fixture(scope="module")
def database_copies(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[DatabaseCopies]:
    # module-scoped: made before the test's own transaction opens on the test database
    with django_db_blocker.unblock():
        copies = DatabaseCopies(tmp_path_factory.mktemp("jobs"))
    try:
        yield copies
    finally:
        copies.drop_all()


class Workers:
    """``minefree db_worker`` processes on the shared database."""

    def __init__(self, url: str, tmp_path: Path) -> None:
        self.url = url
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, **env: str) -> subprocess.Popen[bytes]:
        log = (self.tmp_path / f"worker-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "minefree.core.tests.worker", "db_worker"),
                *("--interval", "0.05", "--no-reload", "--no-startup-delay", "-v", "2"),
            ],
            cwd=REPO_ROOT,
            env={
                **os.environ,
                "DATABASE_URL": self.url,
                "MINEFREE_TASKS": "database",
                "MINEFREE_JOBS_LEASE": str(LEASE),
                "MINEFREE_DEBUG": "1",
                "DJANGO_SETTINGS_MODULE": "minefree.settings",
                "PYTHONPATH": str(REPO_ROOT),
                **env,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.tmp_path.glob("worker-*.log")))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(
    database_copies: DatabaseCopies, in_database: None, tmp_path: Path
) -> Iterator[Workers]:
    """Worker processes on a copy of the database, which this test's queries use too."""
    url, settings_dict = database_copies.new()
    original = connections["default"]
    copy = original.__class__(settings_dict, "default")
    connections["default"] = copy
    pool = Workers(url, tmp_path)
    try:
        yield pool
    finally:
        pool.stop()
        copy.close()
        connections["default"] = original


def wait_for(condition: Callable[[], Any], what: str, pool: Workers, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    pytest.fail(f"gave up waiting for {what}; the workers said:\n{pool.logs()[-4000:]}")


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


@pytest.mark.django_db
def test_two_workers_claim_each_job_exactly_once(workers: Workers, tmp_path: Path) -> None:
    trace = tmp_path / "trace"
    workers.start()
    workers.start()
    wait_for(lambda: JobWorker.objects.count() == 2, "two workers beating", workers)
    count = 40
    for n in range(count):
        jobs.enqueue(note, n=n, path=str(trace), seconds=0.05)
    wait_for(
        lambda: DBTaskResult.objects.filter(status="SUCCESSFUL").count() == count,
        "every job done",
        workers,
    )
    ran = Counter(line for line in lines(trace) if line.startswith("end"))
    assert ran == Counter(f"end {n}" for n in range(count))
    assert len(lines(trace)) == 2 * count
    claims = [row.worker_ids for row in DBTaskResult.objects.all()]
    assert all(len(ids) == 1 for ids in claims)
    assert len({ids[0] for ids in claims}) == 2, "both workers took jobs"


@pytest.mark.django_db
def test_a_job_of_a_killed_worker_runs_again_once(workers: Workers, tmp_path: Path) -> None:
    trace = tmp_path / "trace"
    for _ in range(3):
        workers.start()
    wait_for(lambda: JobWorker.objects.count() == 3, "three workers beating", workers)
    result = jobs.enqueue(note, n=1, path=str(trace), seconds=1)
    wait_for(lambda: lines(trace) == ["start 1"], "the job to start", workers)
    row = DBTaskResult.objects.get(pk=result.id)  # type: ignore[union-attr]
    claimer = JobWorker.objects.get(worker_id=row.worker_ids[-1])
    os.kill(claimer.pid, signal.SIGKILL)
    row.refresh_from_db()
    assert row.status == "RUNNING"  # and so it would stay, with the package alone
    # the two others both look for abandoned jobs; one of them hands it back, once
    wait_for(
        lambda: DBTaskResult.objects.filter(pk=row.pk, status="SUCCESSFUL").exists(),
        "the job to be recovered and done",
        workers,
    )
    time.sleep(1)  # two beats of each worker: time for a wrong second recovery to show
    assert lines(trace) == ["start 1", "start 1", "end 1"]
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL" and len(row.worker_ids) == 2
    assert row.worker_ids[0] != row.worker_ids[1]
    assert AuditEvent.objects.filter(action="job.recovered", object_id=str(row.pk)).count() == 1


def _workbooks(staff: Any) -> list[tuple[str, bytes, int]]:
    """Real workbooks of three states, exported, then removed from the database."""
    from minefree.core.models import Origin
    from minefree.reporting.exchange.imports import reports_import_history
    from minefree.reporting.exchange.synthetic import synthetic_history
    from minefree.reporting.exchange.xlsx import export_xlsx
    from minefree.reporting.models import Article7Report, ReportVersion

    now = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
    latest = {}
    for item in synthetic_history(states=["NOR", "PER", "COL"], last_year=2025, now=now):
        if item.parsed.kind == "annual":
            latest[item.parsed.state] = item
    reports_import_history(actor=SYSTEM, reports=list(latest.values()), origin=Origin.REPORTED)
    books = [
        (f"{v.report.state.iso3}.xlsx", data, len(data))
        for v in ReportVersion.objects.select_related("report__state").order_by("report__state")
        for data in [export_xlsx(v)]
    ]
    ReportVersion.objects.all().delete()
    Article7Report.objects.all().delete()
    return books


@pytest.mark.django_db
def test_a_bulk_import_killed_mid_file_keeps_what_was_done_and_completes(
    workers: Workers, tmp_path: Path
) -> None:
    from minefree.reporting.exchange.batches import import_batch_create
    from minefree.reporting.models import ImportFile, ReportVersion
    from minefree.reporting.tasks import import_batch_run

    staff = make_cast()["isu_staff"]
    batch = import_batch_create(actor=staff, files=_workbooks(staff))
    marker = tmp_path / "marker"
    result = jobs.enqueue(import_batch_run, batch_id=batch.pk)
    first = workers.start(MINEFREE_TEST_PAUSE="1", MINEFREE_TEST_MARKER=str(marker))
    wait_for(lambda: len(lines(marker)) == 1, "the first file to be imported", workers)
    workers.start()  # the next worker, without pauses, starts meanwhile
    wait_for(lambda: len(lines(marker)) == 2, "the second file to be half imported", workers)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()

    files = list(ImportFile.objects.filter(batch=batch).order_by("pk"))
    assert [f.status for f in files] == ["imported", "pending", "pending"]
    # the first file is in; the second, killed half-way, left nothing
    assert list(ReportVersion.objects.values_list("report__state__iso3", flat=True)) == [
        lines(marker)[0]
    ]
    assert files[1].content  # still there to be imported

    wait_for(
        lambda: DBTaskResult.objects.filter(pk=result.id, status="SUCCESSFUL").exists(),  # type: ignore[union-attr]
        "the batch to complete",
        workers,
    )
    statuses = list(ImportFile.objects.filter(batch=batch).values_list("status", flat=True))
    assert statuses == ["imported"] * 3
    states = Counter(ReportVersion.objects.values_list("report__state__iso3", flat=True))
    assert states == Counter({"COL": 1, "NOR": 1, "PER": 1})


assert jobs_tasks and workbooks  # test jobs declared before any worker looks; a fixture
