"""``minefree load-demo-cooperation``: synthetic needs, offers and partnerships (demo only)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minefree.cooperation.demo import DEFAULT_SEED, demo_cooperation_load
from minefree.core.audit import SYSTEM, new_request_id, request_context


class Command(BaseCommand):
    help = (
        "Store synthetic needs of affected states, offers of donors and a few partnerships "
        "(labelled 'synthetic demo data' wherever shown), so the demo site shows matches. "
        "Does nothing when the demo set is already there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--needs", type=int, default=150, help="default: %(default)s")
        parser.add_argument("--offers", type=int, default=60, help="default: %(default)s")
        parser.add_argument(
            "--partnerships", type=int, default=6, help="confirmed (default: %(default)s)"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="default: %(default)s")

    def handle(self, *args: Any, **options: Any) -> None:
        if min(options["needs"], options["offers"], options["partnerships"]) < 0:
            raise CommandError("Counts cannot be negative.")
        with request_context(new_request_id("cli-")):
            summary = demo_cooperation_load(
                actor=SYSTEM,
                needs=options["needs"],
                offers=options["offers"],
                partnerships=options["partnerships"],
                seed=options["seed"],
            )
        if summary.already_present:
            self.stdout.write("The synthetic cooperation demo set is already there: nothing added.")
            return
        if not summary.needs:
            raise CommandError(
                "No affected state or donor found: load the reference data first "
                "(minefree load-reference)."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.needs} synthetic needs, {summary.offers} offers and "
                f"{summary.partnerships} partnerships added."
            )
        )
