"""Benchmark "hostile_workbook": how fast, and at what memory, a hostile workbook is refused.

The workbooks (``minefree/reporting/tests/hostile_workbooks.py``):

* ``expands_199mb``: error cells only, a few MB that expand to about 199 MB, like the
  workbook that once tied up a worker for five minutes and 4 GB;
* ``at_the_limits``: error cells and random numbers (compressing like real data), just
  under the expanded-size limit, so it is opened and read until the cell budget stops it:
  the most work a workbook can cost;
* ``far_row``: one value a billion rows down.

Each is parsed in a fresh process (the import's parse, ``parse_xlsx``, as the upload page
and the bulk import call it), which reports the wall time and its resident memory before
and after (``VmRSS``, and the peak ``VmHWM``). Targets from the issue: refused in under
2 s, with resident memory growing by less than 100 MB. No baseline exists to compare
with, so the targets are absolute, on this project's 2-core machine.

    python bench/hostile_workbook.py --name hostile_workbook --results bench/results.json
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, Json, bench_parser, machine_info, record_run

SECONDS_TARGET = 2.0
RSS_GROWTH_TARGET_MB = 100.0

_MAKE = r"""
import sys
import django
django.setup()
from minefree.reporting.tests import hostile_workbooks as h
kind, path = sys.argv[1], sys.argv[2]
if kind == "expands_199mb":
    data = h.error_cells(505_000, 16, numbers=False)
elif kind == "at_the_limits":
    data = h.error_cells(27_000, 48)
else:
    data = h.far_row()
open(path, "wb").write(data)
print(len(data), h.expanded_size(data))
"""

_PARSE = r"""
import json, sys, time
import django
django.setup()
from minefree.reporting.exchange.imports import read_workbook
from django.core.exceptions import ValidationError

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0

data = open(sys.argv[1], "rb").read()
before = status("VmRSS")
started = time.perf_counter()
try:
    read_workbook(data, "hostile.xlsx")
    refused, messages = False, []
except ValidationError as exc:
    refused, messages = True, exc.messages
seconds = time.perf_counter() - started
print(json.dumps({
    "refused": refused,
    "seconds": round(seconds, 3),
    "rss_before_mb": round(before, 1),
    "rss_after_mb": round(status("VmRSS"), 1),
    "rss_peak_mb": round(status("VmHWM"), 1),
    "messages": len(messages),
    "first_message": messages[0] if messages else "",
    "last_message": messages[-1] if messages else "",
}))
"""

KINDS = ("expands_199mb", "at_the_limits", "far_row")


def _python(code: str, *args: str) -> str:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="minefree.settings", MINEFREE_DEBUG="1")
    env.setdefault("DATABASE_URL", "sqlite:///:memory:")
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def run() -> Json:
    started = time.monotonic()
    workbooks: Json = {}
    with tempfile.TemporaryDirectory(prefix="minefree-hostile-") as tmp:
        for kind in KINDS:
            path = str(Path(tmp) / f"{kind}.xlsx")
            size, expanded = (int(x) for x in _python(_MAKE, kind, path).split())
            figures = json.loads(_python(_PARSE, path))
            # growth over the process's memory before the parse, at its peak
            figures["rss_growth_mb"] = round(figures["rss_peak_mb"] - figures["rss_before_mb"], 1)
            workbooks[kind] = {"bytes": size, "expanded_bytes": expanded, **figures}
    slowest = max(w["seconds"] for w in workbooks.values())
    growth = max(w["rss_growth_mb"] for w in workbooks.values())
    targets: Json = {
        "refusal_seconds_max": {
            "max": SECONDS_TARGET,
            "value": slowest,
            "pass": slowest < SECONDS_TARGET,
        },
        "rss_growth_mb_max": {
            "max": RSS_GROWTH_TARGET_MB,
            "value": growth,
            "pass": growth < RSS_GROWTH_TARGET_MB,
        },
    }
    refused = all(w["refused"] for w in workbooks.values())
    return {
        "description": (
            "Hostile workbooks through the import's workbook check and parse "
            "(read_workbook), each in a fresh process: wall time and resident memory"
        ),
        "summary_lines": [
            f"{kind}: {w['bytes'] / 1e6:.1f} MB expanding to {w['expanded_bytes'] / 1e6:.0f} MB, "
            f"refused in {w['seconds']:.2f} s, RSS +{w['rss_growth_mb']:.0f} MB"
            for kind, w in workbooks.items()
        ],
        "workbooks": workbooks,
        "ratios": {},
        "targets": targets,
        "pass": refused and all(t["pass"] for t in targets.values()),
        "machine": machine_info(),
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    args = bench_parser("Refusal time and memory of hostile workbooks.").parse_args(argv)
    return record_run(
        args.name, args.results, run, (subprocess.SubprocessError, OSError, ValueError)
    )


if __name__ == "__main__":
    sys.exit(main())
