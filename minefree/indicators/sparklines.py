"""A tiny inline SVG line of an indicator's yearly values, for the plans' tree.

A year without a value leaves a gap (never drawn as zero); the figures themselves are in
the text beside it and on the indicator's page, so the picture is hidden from screen
readers.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT, PAD = 120, 28, 3


def sparkline(
    points: list[tuple[int, float | None]], *, colour: str = "#0072B2", dashed: bool = False
) -> SafeString:
    """``points`` (year, value or None) as a polyline per run of known values."""
    known = [v for _y, v in points if v is not None]
    if not points or not known:
        return SafeString("")
    low, high = min(0.0, min(known)), max(known)
    span = (high - low) or 1.0
    step = (WIDTH - 2 * PAD) / max(1, len(points) - 1)

    def xy(index: int, value: float) -> str:
        x = PAD + index * step
        y = HEIGHT - PAD - (value - low) / span * (HEIGHT - 2 * PAD)
        return f"{x:.1f},{y:.1f}"

    runs: list[list[str]] = [[]]
    for index, (_year, value) in enumerate(points):
        if value is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(xy(index, value))
    dash = ' stroke-dasharray="3 2"' if dashed else ""
    shapes = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="1.5"' + dash + "/>",
        ((" ".join(run), colour) for run in runs if len(run) > 1),
    )
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="1.8" fill="{}"/>',
        ((*run[0].split(","), colour) for run in runs if len(run) == 1),
    )
    return format_html(
        '<svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" aria-hidden="true"'
        ' focusable="false">{}{}</svg>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        shapes,
        dots,
    )
