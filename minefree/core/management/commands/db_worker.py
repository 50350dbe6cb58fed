"""``minefree db_worker``: the tasks package's database worker, with heartbeats.

The package's worker claims and runs jobs; this one also beats a heartbeat while it runs
and hands back to the queue the jobs of workers that died mid-job (``core.jobs``). It
replaces the package's command of the same name (``minefree.core`` comes first in
``INSTALLED_APPS``). Run one or more per machine, e.g. under systemd:
``minefree db_worker --queue-name default --interval 1 --no-reload``.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands import db_worker

from minefree.core import jobs


class Command(db_worker.Command):
    help = (
        "Run background jobs from the database; with a heartbeat, so that the jobs of a "
        "worker that died are run again by another."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        # The package draws one random id when its module loads; a worker's id here names
        # its machine and process, which is what staff look for when a job was abandoned.
        unique = f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"
        parser.set_defaults(worker_id=unique)

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id: str = options["worker_id"]
        heartbeat = jobs.Heartbeat(worker_id)
        heartbeat.tick()  # beat, and recover what died, before claiming anything
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
            jobs.worker_gone(worker_id=worker_id)
