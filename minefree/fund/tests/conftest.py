"""Fixtures of the fund's page tests."""

from __future__ import annotations

from typing import Any

import pytest

from minefree.fund.tests import pages
from minefree.fund.tests.world import fund_cast


@pytest.fixture
def users(settings: Any, tmp_path: Any) -> dict[str, Any]:
    """The fund's cast, the committee seated this year, uploads in a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    users = fund_cast()
    pages.seat_committee()
    return users
