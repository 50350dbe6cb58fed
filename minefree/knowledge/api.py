"""The knowledge base over the API (``/api/knowledge/...``): search, classification of any
text, passages and their labels, documents, practices and the key challenges."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["knowledge"])
