"""The knowledge base over the API (``/api/knowledge/...``): search, classification of any
text, passages and their labels, documents, practices and the key challenges."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from minefree.knowledge import classify as classifier
from minefree.knowledge.schemas import ClassifiedLabelOut, ClassifyTextIn, ClassifyTextOut
from minefree.knowledge.taxonomy import label

router = Router(tags=["knowledge"])

#: marks an operation that takes a body but stores nothing: the API's write matrix
#: (``api/tests/test_write_matrix``) checks it changes nothing for anyone instead
STORES_NOTHING = {"x-stores-nothing": True}


@router.post(
    "/classify",
    response=ClassifyTextOut,
    summary="Which challenges a text states",
    description=(
        "Classifies any text (1 to 20,000 characters, in English, French or Spanish) into the "
        "categories of challenges, each with its confidence and evidence; `none` when it "
        "states none. Stores nothing; open to anyone, counted like every API call."
    ),
    openapi_extra=STORES_NOTHING,
)
def classify_text(request: HttpRequest, body: ClassifyTextIn) -> ClassifyTextOut:
    if not body.text.strip():
        raise ValidationError({"text": [_("Give the text to classify.")]})
    found = classifier.classify([body.text], [body.lang])[0]
    labels = [
        ClassifiedLabelOut(
            category=s.category,
            label=label(s.category),
            confidence=s.confidence,
            evidence=s.evidence,
        )
        for s in found
    ]
    return ClassifyTextOut(
        labels=labels,
        evidence="\n".join(f"{s.category}: {s.evidence}" for s in found if s.evidence),
        method=classifier.METHOD,
    )
