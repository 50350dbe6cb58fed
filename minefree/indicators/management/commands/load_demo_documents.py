"""``minefree load-demo-documents``: the committee's 2024 statement and observations (demo)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from minefree.core.audit import SYSTEM, new_request_id, request_context
from minefree.indicators.demo import demo_documents_load


class Command(BaseCommand):
    help = (
        "Open the committee's statement and its observations for the Fifth Review Conference "
        "(year 2024), drafted from the records held (synthetic demo data labelled where it "
        "is), and publish the statement's first version. Running it twice adds nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with request_context(new_request_id("cli-")):
            summary = demo_documents_load(SYSTEM)
        if summary.nothing_added:
            self.stdout.write("The committee's demo documents are already there: nothing added.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Committee documents opened: {', '.join(summary.opened)}; "
                f"published: {', '.join(summary.published) or 'none'}."
            )
        )
