"""Real funding tables show what the source gives: who gave, where it is recorded, and
"unknown" for what the source does not say; no coverage table without a recorded need."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _section(html: str, heading: str) -> str:
    start = html.index(heading)
    return html[start : html.index("<h3>", start + len(heading))]


def test_each_received_line_names_its_donor_and_source_and_leaves_pledges_unknown(client):
    html = client.get("/states/COL/").content.decode()
    table = _section(html, "Assistance received")
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    assert rows, "Colombia received Monitor-reported funding in 2022"
    us = [r for r in rows if "United States" in r and ">2022<" in r]
    assert us, "the United States' 2022 funding to Colombia is its own line"
    for row in rows:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        assert cells[1].strip(), row  # the donor
        assert 'class="source"' in cells[6] or "Form J" in cells[6], row
    cells = re.findall(r"<td[^>]*>(.*?)</td>", us[0], re.S)
    assert 'class="unknown"' in cells[3]  # the Monitor gives contributions, not pledges
    assert re.search(r"24[,  .]?587[,  .]?000", cells[5])


def test_no_coverage_table_when_no_need_is_recorded(client):
    html = client.get("/states/COL/").content.decode()
    coverage = _section(html, "Coverage of the needs")
    assert "None recorded." in coverage
    assert 'class="coverage"' not in coverage
