"""The Python examples of ``docs/api.md`` run as they are against a live minefree: each as
the user its marker names (``<!-- example: username -->``), with a token of theirs."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from minefree.cooperation.tests.test_api_parallel import _token
from minefree.site.tests.browser import REPO_ROOT, LiveServer
from minefree.site.tests.web import WebClient

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("browser")]

DOC = REPO_ROOT / "docs" / "api.md"
EXAMPLE = re.compile(r"<!-- example: (\w+) -->\n```python\n(.*?)```", re.DOTALL)


def _examples() -> list[tuple[str, str]]:
    return EXAMPLE.findall(DOC.read_text(encoding="utf-8"))


def test_every_python_example_is_marked_to_run():
    blocks = DOC.read_text(encoding="utf-8").count("```python")
    assert blocks == len(_examples()) >= 3


@pytest.mark.parametrize(("user", "code"), _examples(), ids=lambda v: v[:30])
def test_the_example_runs_against_a_live_server(live: LiveServer, user: str, code: str):
    token = _token(WebClient(live.url).sign_in(user), f"docs-{os.getpid()}-{len(code)}")
    env = dict(os.environ, MINEFREE_URL=live.url, MINEFREE_TOKEN=token)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
