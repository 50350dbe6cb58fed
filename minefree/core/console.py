"""Progress bars for long commands: redrawn in place on a terminal, one line per step in logs."""

from __future__ import annotations

from django.core.management.base import OutputWrapper

WIDTH = 30


class ProgressBar:
    """``bar(step, done, total)`` draws ``step [#####-----] done/total``.

    On a terminal the line is redrawn in place; when the output is a file or a CI log
    (or ``quiet``) only the final count of each step is written, so logs stay short.
    """

    def __init__(self, out: OutputWrapper, *, quiet: bool = False) -> None:
        self.out = out
        self.quiet = quiet or not out.isatty()
        self._last: dict[str, int] = {}

    def __call__(self, step: str, done: int, total: int) -> None:
        if self._last.get(step) == done:
            return
        self._last[step] = done
        if self.quiet:
            if done >= total:
                self.out.write(f"  {step}: {total}")
            return
        filled = int(WIDTH * done / max(total, 1))
        bar = "#" * filled + "-" * (WIDTH - filled)
        end = "\n" if done >= total else ""
        self.out.write(f"\r  {step:<36} [{bar}] {done}/{total}", ending=end)
        self.out.flush()
