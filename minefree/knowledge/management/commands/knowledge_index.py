"""``minefree knowledge-index``: make the passages and the search index of every submitted
report, extension request and document again (after an upgrade, or to repair the index)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from minefree.core.audit import SYSTEM, new_request_id, request_context
from minefree.knowledge.services import passages_rebuild


class Command(BaseCommand):
    help = (
        "Make the passages of every submitted report and extension request again, with their "
        "challenge labels, and index every document's passages for search (idempotent)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("Indexing the reports, extension requests and documents...")
        with request_context(new_request_id("cli-")):
            counts = passages_rebuild(actor=SYSTEM)
        for name, count in counts.items():
            self.stdout.write(f"  {name:<20} {count}")
        self.stdout.write("Done.")
