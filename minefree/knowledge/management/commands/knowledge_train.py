"""``minefree knowledge-train``: train the challenge classifier again and refresh the
suggested labels of every passage (as ISU staff would from the API)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from minefree.core.audit import SYSTEM, new_request_id, request_context
from minefree.knowledge.services import classifier_train


class Command(BaseCommand):
    help = (
        "Train the challenge classifier on the labelled set and people's decisions, record "
        "the run and refresh every passage's suggested labels."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with request_context(new_request_id("cli-")):
            run = classifier_train(actor=SYSTEM)
        self.stdout.write(
            f"Trained {run.method} on {run.set_passages} passages of the set and "
            f"{run.corrections} with people's decisions: macro-F1 {run.macro_f1:.3f} on "
            f"{run.eval_passages} held-out passages; {run.labels_suggested} labels suggested."
        )
        for code, f1 in run.f1.items():
            self.stdout.write(f"  {code:<22} F1 {f1:.3f}")
