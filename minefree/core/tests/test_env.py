"""Settings helpers refuse bad values loudly; production refuses to start without a secret."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from minefree.core.env import env_bool, env_int, env_list, env_str


def test_booleans(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env_bool("X_FLAG", default=True) is False
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG")


def test_integers_and_lists(monkeypatch):
    monkeypatch.setenv("X_INT", "12")
    assert env_int("X_INT", 1) == 12
    monkeypatch.setenv("X_INT", "twelve")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_LIST", "a.org, b.org,,")
    assert env_list("X_LIST", []) == ["a.org", "b.org"]


def test_required_string(monkeypatch):
    monkeypatch.delenv("X_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_REQUIRED"):
        env_str("X_REQUIRED")


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "MINEFREE_DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "minefree.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_secret_key_is_required_outside_debug():
    result = _start({"MINEFREE_DEBUG": "0"})
    assert result.returncode != 0 and "SECRET_KEY is required" in result.stderr
    assert _start({"MINEFREE_DEBUG": "0", "SECRET_KEY": "x" * 50}).returncode == 0


def test_a_malformed_database_url_is_refused():
    result = _start({"MINEFREE_DEBUG": "1", "DATABASE_URL": "nosuchdb://x"})
    assert result.returncode != 0 and "DATABASE_URL" in result.stderr


def test_a_malformed_rate_limit_is_refused():
    result = _start({"MINEFREE_DEBUG": "1", "MINEFREE_API_RATE_TOKEN": "lots"})
    assert result.returncode != 0 and "MINEFREE_API_RATE_TOKEN" in result.stderr
    assert _start({"MINEFREE_DEBUG": "1", "MINEFREE_API_RATE_TOKEN": "10/15m"}).returncode == 0
