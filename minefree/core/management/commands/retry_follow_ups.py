"""``minefree retry-follow-ups``: run again every follow-up that failed after a change."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minefree.core import hooks
from minefree.core.audit import SYSTEM


class Command(BaseCommand):
    help = (
        "Retry the effects on other apps that failed after a change committed (e.g. Form J "
        "rows that did not become funding flows). Exits non-zero if any fails again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        failures = hooks.open_failures()
        if not failures:
            self.stdout.write("No failed follow-up is waiting.")
            return
        still: list[str] = []
        for failure in failures:
            if hooks.follow_up_retry(actor=SYSTEM, failure=failure):
                self.stdout.write(f"resolved: {failure.handler} after {failure.event}")
            else:
                still.append(f"{failure.handler} after {failure.event}: {failure.error}")
        if still:
            raise CommandError("Failed again:\n" + "\n".join(still))
        self.stdout.write(f"{len(failures)} follow-ups resolved.")
