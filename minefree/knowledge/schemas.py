"""The knowledge base's API schemas."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema

#: the longest text ``POST /api/knowledge/classify`` reads (a passage is at most this long)
CLASSIFY_MAX_CHARS = 20_000


class ClassifyTextIn(Schema):
    text: str = Field(
        ..., max_length=CLASSIFY_MAX_CHARS, description="The text, 1 to 20,000 characters."
    )
    lang: Literal["en", "fr", "es"] = Field(..., description="Its language: en, fr or es.")


class ClassifiedLabelOut(Schema):
    category: str = Field(..., description="A code of the taxonomy, or `none`.")
    label: str = Field(..., description="The category's name in the language of the request.")
    confidence: float = Field(..., description="The model's probability, 0 to 1.")
    evidence: str = Field(..., description="The cue phrase found, or the terms that weighed most.")


class ClassifyTextOut(Schema):
    labels: list[ClassifiedLabelOut]
    evidence: str = Field(..., description="The evidence of every label, one per line.")
    method: str = Field(..., description="The classification method and its version.")
