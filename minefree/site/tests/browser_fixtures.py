"""Fixtures of the browser tests: a real server, Debian's Chromium, a fresh page per test."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from minefree.site.tests.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DEMO_PASSWORD,
    MINEFREE,
    REPO_ROOT,
    LiveServer,
    live_server,
    server_env,
)

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def live() -> Iterator[LiveServer]:
    """``minefree runserver`` on a database of its own (no pytest-django db)."""
    with live_server() as server:
        yield server


@pytest.fixture(scope="session")
def live_url(live: LiveServer) -> str:
    """Base URL of the live server."""
    return live.url


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def js_errors() -> list[str]:
    """Uncaught exceptions and console errors of the test's page, as they happen."""
    return []


@pytest.fixture
def browser_page(chromium_browser: Browser, live_url: str, js_errors: list[str]) -> Iterator[Page]:
    context = chromium_browser.new_context(base_url=live_url, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            js_errors.append(f"console error on {page.url}: {message.text}")

    page.on("pageerror", lambda exc: js_errors.append(f"page error on {page.url}: {exc}"))
    page.on("console", on_console)
    yield page
    context.close()


def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in on the sign-in page and wait until the header names the user."""
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("header .user").get_by_role("link", name=username)).to_be_visible()


def sign_out(page: Page) -> None:
    """Sign out from the header and wait until the sign-in link is back."""
    user = page.locator("header .user")
    user.get_by_role("button", name="Sign out").click()
    expect(user.get_by_role("link", name="Staff sign in")).to_be_visible()


@contextmanager
def server_set_up_with(setup: str) -> Iterator[LiveServer]:
    """A server of a test module's own, its database prepared by ``setup`` (Python run by
    ``minefree shell``) before the first page is asked."""
    with live_server() as server, tempfile.TemporaryDirectory() as tmp:
        env = server_env(server.database_url, Path(tmp))
        subprocess.run(
            [*MINEFREE, "shell", "-c", setup],
            cwd=REPO_ROOT,
            env={**os.environ, **env},
            check=True,
            timeout=120,
        )
        yield server


@contextmanager
def english_page(browser: Browser, server: LiveServer) -> Iterator[Page]:
    """A fresh page in British English on ``server``, closed after the test."""
    context = browser.new_context(base_url=server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()
