"""``minefree import-reports FOLDER``: import every MINEFREE-A7-1 workbook of a folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minefree.core.audit import SYSTEM, new_request_id, request_context
from minefree.core.console import ProgressBar
from minefree.reporting.exchange.batches import (
    batch_progress,
    import_batch_create,
    import_batch_process,
)
from minefree.reporting.exchange.imports import IMPORT_MAX_BYTES
from minefree.reporting.models import ImportFileStatus, ImportMode


class Command(BaseCommand):
    help = (
        "Import every .xlsx workbook (MINEFREE-A7-1 template) of a folder. Each file is all "
        "or nothing; a bad file is reported and the others go on. By default the reports go "
        "into the states' drafts; --archive records them as the submitted reports they were "
        "(submission time from the workbook, else --received-on)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", help="Folder holding the workbooks.")
        parser.add_argument(
            "--recursive", action="store_true", help="Also read the folder's sub-folders."
        )
        parser.add_argument(
            "--archive",
            action="store_true",
            help="Record the reports as submitted (historic archive) instead of as drafts.",
        )
        parser.add_argument(
            "--received-on",
            type=dt.date.fromisoformat,
            help="YYYY-MM-DD: when the archive's reports were received, for workbooks that "
            "do not say when they were submitted.",
        )
        parser.add_argument("--quiet", action="store_true", help="Print only the summary.")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"No such folder: {folder}")
        pattern = "**/*.xlsx" if options["recursive"] else "*.xlsx"
        paths = sorted(p for p in folder.glob(pattern) if p.is_file())
        if not paths:
            raise CommandError(f"No .xlsx file in {folder}.")
        files = []
        for path in paths:
            size = path.stat().st_size
            files.append((path.name, path.read_bytes() if size <= IMPORT_MAX_BYTES else None, size))
        mode = ImportMode.ARCHIVE if options["archive"] else ImportMode.DRAFTS
        bar = ProgressBar(self.stdout, quiet=options["quiet"])
        with request_context(new_request_id("cli-")):
            try:
                batch = import_batch_create(
                    actor=SYSTEM, files=files, mode=mode, received_on=options["received_on"]
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            total = len(files)
            bar("files", batch_progress(batch).processed, total)
            while import_batch_process(actor=SYSTEM, batch=batch, limit=1):
                bar("files", batch_progress(batch).processed, total)
        progress = batch_progress(batch)
        self.stdout.write("")
        for item in batch.files.order_by("pk"):
            style = (
                self.style.SUCCESS if item.status == ImportFileStatus.IMPORTED else self.style.ERROR
            )
            self.stdout.write(style(f"{item.get_status_display():<9} {item.name}"))
            for message in item.messages:
                self.stdout.write(f"          {message}")
        self.stdout.write(
            f"Batch {batch.pk}: {progress.imported} imported, {progress.rejected} rejected, "
            f"of {progress.total} files."
        )
        if progress.rejected:
            raise CommandError(f"{progress.rejected} of {progress.total} files were rejected.")
