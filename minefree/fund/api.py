"""The fund's API: reads for everyone the pages serve, and one write per service."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["fund"])
