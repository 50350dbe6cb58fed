"""The knowledge base's API writes (none yet) and its operations that take a body but store
nothing, for the API's write matrix (``api/tests/test_write_matrix``)."""

from __future__ import annotations

from minefree.api.tests.writes import ApiWrite, Call

WRITES: list[ApiWrite] = []

#: called by every role with a read-write token (and anonymously): each changes nothing
STORES_NOTHING: list[Call] = [
    Call(
        "POST",
        "/api/knowledge/classify",
        {"text": "La falta de fondos retrasa el desminado.", "lang": "es"},
    ),
]
