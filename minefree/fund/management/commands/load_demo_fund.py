"""``minefree load-demo-fund``: the fund's seed visit and a synthetic history (demo only)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minefree.core.audit import SYSTEM, new_request_id, request_context
from minefree.fund.demo import DEFAULT_SEED, demo_history_load


class Command(BaseCommand):
    help = (
        "Store the fund's first exchange visit (Nigeria → Türkiye, November 2024) and a small "
        "synthetic history around it: a second contribution, host profiles, a second 2024 "
        "round and a 2025 call with applications at several steps (labelled 'synthetic demo "
        "data' wherever shown). Running it twice adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="default: %(default)s")

    def handle(self, *args: Any, **options: Any) -> None:
        with request_context(new_request_id("cli-")):
            summary = demo_history_load(SYSTEM, seed=options["seed"])
        if summary.already_present and not summary.seed_visit:
            self.stdout.write("The fund's demo data is already there: nothing added.")
            return
        seed = "the seed visit" if summary.seed_visit else "the seed visit was already there"
        self.stdout.write(
            self.style.SUCCESS(
                f"Fund demo data added: {seed}; {summary.contributions} contribution(s), "
                f"{summary.host_profiles} host profile(s), {summary.calls} call(s), "
                f"{summary.applications} application(s)."
            )
        )
