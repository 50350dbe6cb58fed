"""Jobs for the tests of ``core.jobs`` only: they leave a trace in a file, one line a run."""

from __future__ import annotations

import time
from pathlib import Path

from minefree.core import jobs


def _append(path: str, line: str) -> None:
    # one short write in append mode: lines of concurrent processes never interleave
    with Path(path).open("a", encoding="utf-8") as out:
        out.write(line + "\n")


@jobs.job("Test: note a number")
def note(*, n: int, path: str, seconds: float = 0) -> int:
    _append(path, f"start {n}")
    time.sleep(seconds)
    _append(path, f"end {n}")
    return n


@jobs.job("Test: always fails")
def fail(*, n: int) -> None:
    raise RuntimeError(f"job {n} cannot be done")
