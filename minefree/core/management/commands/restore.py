"""``minefree restore ARCHIVE``: the database and uploaded files of a ``minefree backup``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from minefree.core.audit import new_request_id, request_context
from minefree.core.backups import ENGINE_NAMES, BackupError, backup_restore
from minefree.core.console import ProgressBar
from minefree.core.management.commands.backup import megabytes, uploaded


class Command(BaseCommand):
    help = (
        "Replace the database and MEDIA_ROOT with an archive of minefree backup. Every "
        "checksum is verified first; an archive of the other database engine, or made by a "
        "newer minefree, is refused. Stop the site (or put it in maintenance) while it runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The .tar file minefree backup wrote.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Replace the database and uploaded files that are there (required unless "
            "both are empty).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only verify the archive (checksums, engine, migrations); change nothing.",
        )
        parser.add_argument(
            "--operator",
            default="",
            help="Who restores, for the audit log (default: the login name).",
        )
        parser.add_argument("--quiet", action="store_true", help="Print only the summary.")

    def handle(self, *args: Any, **options: Any) -> None:
        # progress on stderr, without the colour of errors
        progress = ProgressBar(
            OutputWrapper(options.get("stderr") or sys.stderr), quiet=options["quiet"]
        )
        with request_context(new_request_id("cli-")):
            try:
                outcome = backup_restore(
                    options["archive"],
                    confirmed=options["yes"],
                    operator=options["operator"],
                    progress=progress,
                    check_only=options["check"],
                )
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
        manifest = outcome.manifest
        made = f"made {manifest.created_at} by minefree {manifest.minefree_version or '?'}" + (
            f" ({manifest.git_commit[:12]})" if manifest.git_commit else ""
        )
        what = (
            f"the {ENGINE_NAMES[manifest.engine]} database ({megabytes(manifest.database.size)}) and "
            f"{uploaded(len(manifest.files))}"
        )
        if options["check"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{outcome.path.name} is whole ({made}): {what}, checksums verified."
                )
            )
            return
        self.stdout.write(self.style.SUCCESS(f"Restored {what} from {outcome.path.name} ({made})."))
        if outcome.migrations_behind:
            self.stdout.write(
                self.style.WARNING(
                    f"The archive's database lacks {len(outcome.migrations_behind)} migrations of "
                    "this code: run minefree migrate before starting the site."
                )
            )
