"""``minefree load-demo-history``: synthetic Article 7 reports for every State Party (demo only)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minefree.core.audit import SYSTEM, new_request_id, request_context
from minefree.core.console import ProgressBar
from minefree.core.models import Origin
from minefree.reporting.exchange.imports import reports_import_history
from minefree.reporting.exchange.synthetic import synthetic_history


class Command(BaseCommand):
    help = (
        "Generate synthetic Article 7 reports for every State Party over its membership "
        "(labelled 'synthetic demo data' wherever shown) and store them through the import "
        "service. Reports already present are left alone, so running it twice adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--states",
            help="Only these states (ISO3 codes, comma-separated), e.g. PER,COL.",
        )
        parser.add_argument(
            "--seed", type=int, default=1997, help="Random seed (default: %(default)s)."
        )
        parser.add_argument(
            "--last-year",
            type=int,
            help="Last reporting year (default: the latest year whose report is already due).",
        )
        parser.add_argument("--quiet", action="store_true", help="Print only the summary.")

    def handle(self, *args: Any, **options: Any) -> None:
        codes = None
        if options["states"]:
            codes = [c.strip().upper() for c in options["states"].split(",") if c.strip()]
            if not codes:
                raise CommandError("--states needs at least one ISO3 code.")
        started = time.perf_counter()
        history = synthetic_history(
            seed=options["seed"], states=codes, last_year=options["last_year"]
        )
        if not history:
            raise CommandError(
                "No report to generate: load the reference data first (minefree load-reference)."
            )
        bar = ProgressBar(self.stdout, quiet=options["quiet"])
        total = len(history)
        self.stdout.write(f"Storing {total} synthetic reports through the import service")
        with request_context(new_request_id("cli-")):
            summary = reports_import_history(
                actor=SYSTEM,
                reports=history,
                origin=Origin.SYNTHETIC,
                progress=lambda done: bar("reports", done, total),
            )
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.reports} reports added ({summary.rows} form rows, "
                f"{summary.findings} validation findings recorded), "
                f"{summary.skipped_existing} already present, in {seconds:.1f} s."
            )
        )
