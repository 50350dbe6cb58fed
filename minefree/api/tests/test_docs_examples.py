"""The Python examples of ``docs/api.md`` run as they are against a live minefree: each as
the user its marker names (``<!-- example: username -->``), with a token of theirs.

The examples submit Peru's report of last year, as a real script would: they get a server
and database of their own, so that no other test finds that report already submitted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest

from minefree.site.tests.browser import REPO_ROOT, LiveServer, live_server
from minefree.site.tests.web import WebClient

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("docs")]

DOC = REPO_ROOT / "docs" / "api.md"
EXAMPLE = re.compile(r"<!-- example: (\w+) -->\n```python\n(.*?)```", re.DOTALL)


@pytest.fixture(scope="module")
def docs_server() -> Iterator[LiveServer]:
    with live_server() as server:
        yield server


def _examples() -> list[tuple[str, str]]:
    return EXAMPLE.findall(DOC.read_text(encoding="utf-8"))


def test_every_python_example_is_marked_to_run():
    blocks = DOC.read_text(encoding="utf-8").count("```python")
    assert blocks == len(_examples()) >= 3


@pytest.mark.parametrize(("user", "code"), _examples(), ids=lambda v: v[:30])
def test_the_example_runs_against_a_live_server(docs_server: LiveServer, user: str, code: str):
    token = WebClient(docs_server.url).sign_in(user).new_api_token(f"docs-{len(code)}")
    env = dict(os.environ, MINEFREE_URL=docs_server.url, MINEFREE_TOKEN=token)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
