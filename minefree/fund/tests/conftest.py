"""Fixtures of the fund's tests: the cast of the page tests, and the reference data for
tests that commit (threads with their own connections)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from minefree.fund.tests import pages
from minefree.fund.tests.world import fund_cast


@pytest.fixture
def users(settings: Any, tmp_path: Any) -> dict[str, Any]:
    """The fund's cast, the committee seated this year, uploads in a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    users = fund_cast()
    pages.seat_committee()
    return users


@pytest.fixture
def reference_data(transactional_db: Any) -> None:
    """The reference data, in a test whose writes are committed.

    pytest-django runs such tests after the others and empties every table after each
    (``flush``), the reference data loaded for the session included: the second of them on
    a worker would find no states. Loading is idempotent, so it is loaded again when gone.
    """
    from minefree.core.audit import SYSTEM
    from minefree.registry.models import Actor
    from minefree.registry.services import reference_load

    if not Actor.objects.filter(slug="nigeria-nmac").exists():
        reference_load(actor=SYSTEM, directory=settings.REFERENCE_DATA_DIR)
