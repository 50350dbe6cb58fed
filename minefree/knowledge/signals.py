"""Signals of the knowledge base for the apps above it (which it may not import)."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent by ``services.passages_rebuild`` with ``actor``: each app that hands in passages
#: (extension requests...) hands in those of every record it holds again.
passages_rebuild_requested = Signal()
