"""Production settings pass Django's deployment checks: HTTPS only (redirect, HSTS, secure
cookies), and a plain-HTTP server (a benchmark on loopback) is a choice that the checks name."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.test import Client, override_settings

PRODUCTION = {
    "MINEFREE_DEBUG": "0",
    "ALLOWED_HOSTS": "minefree.example.org",
    "SECRET_KEY": secrets.token_urlsafe(50),
}


def _check_deploy(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MINEFREE_", "DJANGO_")) and k not in {"SECRET_KEY", "ALLOWED_HOSTS"}
    }
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "minefree.settings", **PRODUCTION, **extra},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks():
    result = _check_deploy({})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_plain_http_is_named_by_the_deployment_checks():
    result = _check_deploy({"MINEFREE_HTTPS": "0"})
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout


@pytest.mark.django_db
@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31_536_000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_HSTS_PRELOAD=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_http_is_redirected_and_https_behind_the_proxy_is_served_with_hsts():
    client = Client()
    redirected = client.get("/states/")
    assert redirected.status_code == 301
    assert redirected["Location"] == "https://testserver/states/"
    served = client.get("/states/", headers={"X-Forwarded-Proto": "https"})
    assert served.status_code == 200
    assert served["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert served["Referrer-Policy"] == "same-origin"
    assert served["X-Frame-Options"] == "DENY"
