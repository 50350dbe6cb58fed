"""``minefree load-demo-extensions``: synthetic Article 5 extension requests (demo only)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minefree.clearance.demo import DEFAULT_COUNT, DEFAULT_SEED, demo_extensions_load
from minefree.core.audit import SYSTEM, new_request_id, request_context


class Command(BaseCommand):
    help = (
        "Store synthetic Article 5 extension requests of a few states with an open obligation "
        "(labelled 'synthetic demo data' wherever shown), each at another step: submitted, "
        "under analysis with questions, analysis published, decided. A state that already "
        "has a request is left alone, so running it twice adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--count", type=int, default=DEFAULT_COUNT, help="states (default: %(default)s)"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="default: %(default)s")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["count"] < 1:
            raise CommandError("--count must be at least 1.")
        with request_context(new_request_id("cli-")):
            summary = demo_extensions_load(
                actor=SYSTEM, count=options["count"], seed=options["seed"]
            )
        if not summary.requests and summary.already_present:
            self.stdout.write("The synthetic extension requests are already there: nothing added.")
            return
        if not summary.requests:
            raise CommandError(
                "No state with an open Article 5 obligation and a known deadline: load the "
                "reference data first (minefree load-reference)."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.requests} synthetic extension requests added, with "
                f"{summary.questions} questions ({summary.answers} answered), "
                f"{summary.analyses_published} published analyses and {summary.decisions} "
                "decision."
                if summary.decisions == 1
                else f"{summary.requests} synthetic extension requests added, with "
                f"{summary.questions} questions ({summary.answers} answered), "
                f"{summary.analyses_published} published analyses and {summary.decisions} "
                "decisions."
            )
        )
