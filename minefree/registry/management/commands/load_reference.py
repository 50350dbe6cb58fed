"""``minefree load-reference``: load the real reference data (idempotent, all-or-nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minefree.core.audit import SYSTEM, new_request_id, request_context
from minefree.core.console import ProgressBar
from minefree.registry.reference import ReferenceDataError
from minefree.registry.services import LoadSummary, reference_load


class Command(BaseCommand):
    help = (
        "Load the reference data (States Parties, Article 4/5 obligations, meetings, "
        "committees) from CSV files. Running it twice changes nothing; a changed row "
        "updates its record and is audited. Any error leaves the database untouched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir",
            default=str(settings.REFERENCE_DATA_DIR),
            help="Folder holding the reference CSV files (default: %(default)s).",
        )
        parser.add_argument("--quiet", action="store_true", help="Print only the summary.")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dir"])
        if not directory.is_dir():
            raise CommandError(f"No such folder: {directory}")
        progress = ProgressBar(self.stdout, quiet=options["quiet"])

        self.stdout.write(f"Loading reference data from {directory}")
        try:
            with request_context(new_request_id("cli-")):
                summary = reference_load(actor=SYSTEM, directory=directory, progress=progress)
        except ReferenceDataError as exc:
            raise CommandError(f"Nothing was loaded: {exc}") from exc
        self._print_summary(summary)

    def _print_summary(self, summary: LoadSummary) -> None:
        self.stdout.write("")
        self.stdout.write(f"{'records':<28}{'created':>9}{'updated':>9}{'deleted':>9}{'same':>7}")
        for label, counts in sorted(summary.counts.items()):
            self.stdout.write(
                f"{label:<28}{counts['created']:>9}{counts['updated']:>9}"
                f"{counts['deleted']:>9}{counts['unchanged']:>7}"
            )
        if summary.changed:
            self.stdout.write(self.style.SUCCESS(f"{summary.changed} changes, each audited."))
        else:
            self.stdout.write(self.style.SUCCESS("Already up to date: nothing changed."))
        for warning in summary.warnings:
            self.stdout.write(self.style.WARNING(warning))
