"""``minefree backup``: one archive of the database and every uploaded file, with a manifest."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from minefree.core.audit import new_request_id, request_context
from minefree.core.backups import ENGINE_NAMES, BackupError, backup_create
from minefree.core.console import ProgressBar


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def uploaded(count: int) -> str:
    return f"{count:,} uploaded file{'' if count == 1 else 's'}"


class Command(BaseCommand):
    help = (
        "Write one archive (minefree-backup-<UTC time>.tar) holding the database (SQLite's "
        "online backup, or pg_dump), every file under MEDIA_ROOT and a manifest with their "
        "SHA-256. Safe while the site runs; a backup cut short leaves only a hidden .partial "
        "file. Restore it with: minefree restore ARCHIVE."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="The archive's file name, or a folder to write it in "
            "(default: the backups folder of MINEFREE_DATA_DIR).",
        )
        parser.add_argument("--quiet", action="store_true", help="Print only the summary.")

    def handle(self, *args: Any, **options: Any) -> None:
        # progress on stderr, without the colour of errors
        progress = ProgressBar(
            OutputWrapper(options.get("stderr") or sys.stderr), quiet=options["quiet"]
        )
        with request_context(new_request_id("cli-")):
            try:
                outcome = backup_create(options["output"], progress=progress)
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
        manifest = outcome.manifest
        files = sum(f.size for f in manifest.files)
        self.stdout.write(
            self.style.SUCCESS(
                f"{outcome.path} ({megabytes(outcome.size)}): the {ENGINE_NAMES[manifest.engine]} database "
                f"({megabytes(manifest.database.size)}) and {uploaded(len(manifest.files))} "
                f"({megabytes(files)})."
            )
        )
