"""A deadline says what the source says: "by the end of 2029", and a passed one is only as
current as the latest source."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _current_deadline(client, iso3: str) -> str:
    html = client.get(f"/states/{iso3}/").content.decode()
    section = html[html.index('id="article5"') :]
    found = re.search(r'<dd class="current-deadline">(.*?)</dd>', section, re.S)
    assert found, iso3
    return re.sub(r"\s+", " ", found.group(1))


def test_a_deadline_stated_as_the_end_of_a_year_says_so(client):
    peru = _current_deadline(client, "PER")
    assert "by the end of 2029" in peru
    assert '<time datetime="2029-12-31">' in peru  # the date itself is still there
    assert "by the end of 2025" not in _current_deadline(client, "COL")


def test_a_passed_deadline_is_given_as_of_the_latest_source(client):
    chad = _current_deadline(client, "TCD")  # 1 January 2020 in the latest source seen
    assert re.search(r"passed [\d,  ]+ days ago, as of the latest source", chad), chad
    assert "as of the latest source" not in _current_deadline(client, "KHM")  # 2030: ahead
