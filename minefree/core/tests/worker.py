"""``python -m minefree.core.tests.worker db_worker ...``: the real command line, for the
worker subprocesses of ``test_jobs``, with one test-only addition.

With ``MINEFREE_TEST_PAUSE`` (seconds) and ``MINEFREE_TEST_MARKER`` (a file), each report
version created by an import writes its state to the marker and pauses there, inside the
import's transaction: a test can kill the worker while a file is half imported.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minefree.settings")
    import django

    django.setup()
    pause = float(os.environ.get("MINEFREE_TEST_PAUSE", "0"))
    marker = os.environ.get("MINEFREE_TEST_MARKER", "")
    if pause and marker:
        from django.db.models.signals import post_save

        from minefree.reporting.models import ReportVersion

        def slow(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
            if created:
                with Path(marker).open("a", encoding="utf-8") as out:
                    out.write(f"{instance.report.state.iso3}\n")
                time.sleep(pause)

        post_save.connect(slow, sender=ReportVersion, weak=False)
    from minefree.cli import main as minefree

    minefree(["minefree", *sys.argv[1:]])


if __name__ == "__main__":
    main()
