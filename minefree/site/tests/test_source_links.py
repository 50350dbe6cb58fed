"""Every source link on a page opens something: a web page, a served reference file, or it is a
citation with no link at all (never a relative path that answers 404)."""

from __future__ import annotations

import re

import pytest

from minefree.core.models import Source

pytestmark = pytest.mark.django_db


def _source_hrefs(html: str) -> list[str]:
    spans = re.findall(r'<span class="source">(.*?)</span>', html, re.S)
    return [href for span in spans for href in re.findall(r'href="([^"]+)"', span)]


def test_a_repository_file_is_served_and_a_cited_document_is_not_a_link(client):
    readme = Source(url="data/reference/README.md")
    statement = Source(url="seed/committee-statement-5RC-2024.txt")
    assert readme.links == [("/sources/reference/README.md", "README.md")]
    ((href, label),) = statement.links
    assert href is None and "Committee on the Enhancement of Cooperation" in label

    response = client.get("/sources/reference/README.md")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/markdown")
    assert b"Reference data" in response.content
    assert client.get("/sources/reference/states_parties.csv").status_code == 200
    for bad in ("../settings.py", ".env", "missing.csv", "README.txt"):
        assert client.get(f"/sources/reference/{bad}").status_code == 404, bad


@pytest.mark.parametrize("url", ["/committees/", "/meetings/", "/states/PER/", "/states/DZA/"])
def test_every_source_link_on_reference_pages_resolves(client, url):
    html = client.get(url).content.decode()
    hrefs = _source_hrefs(html)
    assert hrefs, url
    for href in hrefs:
        assert href.startswith(("http://", "https://", "/sources/reference/")), href
        if href.startswith("/"):
            assert client.get(href).status_code == 200, href
    if url == "/committees/":
        assert "<cite>Statement of the Committee on the Enhancement" in html
