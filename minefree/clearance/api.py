"""The extension requests' endpoints: one router, on which the writes of
``clearance.api_writes`` are declared too (Django sends a path to one router's view, and
``PUT …/analysis`` shares its path with the analysis read)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["clearance"])
