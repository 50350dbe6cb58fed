"""Optional semantic ranking of search hits: the best full-text matches re-ranked by how
close their meaning is to the query, with WordLlama's small static embedding model
(256 dimensions), which the ``wordllama`` package ships inside its wheel: nothing is
downloaded at run time, and a query in French can rank an English passage.

Off by default (``MINEFREE_SEMANTIC_SEARCH=1`` turns it on, with the ``semantic`` extra
installed); imported only when on. Full-text matching still decides which passages are
hits; only the order of the first ``CANDIDATES`` changes, and results say "semantic".
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from django.conf import settings

#: how many of the best full-text matches are re-ranked
CANDIDATES = 100


def enabled() -> bool:
    return bool(getattr(settings, "MINEFREE_SEMANTIC_SEARCH", False))


@functools.cache
def model() -> Any:
    """The model shipped in the package; downloading is disabled, so a missing file fails
    loudly instead of reaching the network."""
    import wordllama

    package = Path(wordllama.__file__).parent
    return wordllama.WordLlama.load(cache_dir=package, disable_download=True)


def rerank(query: str, candidates: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """``candidates`` (passage id, full-text score) ordered by cosine similarity of their
    text to ``query``; the score returned is that similarity."""
    if not candidates:
        return []
    import numpy as np

    from minefree.knowledge.models import Passage

    ids = [pk for pk, _score in candidates]
    texts = dict(Passage.objects.filter(pk__in=ids).values_list("id", "text"))
    ids = [pk for pk in ids if pk in texts]
    embedder = model()
    vectors = np.asarray(embedder.embed([query, *(texts[pk] for pk in ids)]), dtype=float)
    norms = np.linalg.norm(vectors, axis=1)
    norms[norms == 0] = 1.0
    unit = vectors / norms[:, None]
    similarity = unit[1:] @ unit[0]
    order = sorted(range(len(ids)), key=lambda n: (-similarity[n], n))
    return [(ids[n], float(similarity[n])) for n in order]
