"""Fixtures the knowledge base's tests share."""

from __future__ import annotations

from typing import Any

import pytest

from minefree.accounts.tests.factories import make_cast


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


@pytest.fixture
def own_corpus() -> None:
    """A test that counts what search finds works on passages of its own: the reference
    data's documents (loaded in every test database) leave, with their passages and index
    entries."""
    from minefree.knowledge.models import Document

    Document.objects.filter(origin="reference").delete()
