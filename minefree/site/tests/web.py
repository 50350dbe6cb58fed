"""A plain HTTP client for tests against a real minefree server (``live_url``).

The browser tests drive Chromium; these drive the same server the way a script, an
impatient user (double clicks) or an attacker would: several requests at once, odd
headers, hostile bodies. Each ``WebClient`` keeps its own cookies (one signed-in person);
it is safe to share one between threads to send that person's requests in parallel.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from minefree.site.tests.browser import DEMO_PASSWORD

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class WebResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class WebClient:
    """One person's session with the server: sign in, GET, POST with the CSRF token."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )
        self._lock = threading.Lock()

    def request(
        self,
        method: str,
        path: str,
        *,
        data: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 60,
    ) -> WebResponse:
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        sent = dict(headers or {})
        if data is not None:
            body = urllib.parse.urlencode(list(_pairs(data))).encode()
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if method == "POST":
            token = self.csrf_token()
            if token:
                sent.setdefault("X-CSRFToken", token)
        req = urllib.request.Request(url, data=body, method=method, headers=sent)
        try:
            with self._opener.open(req, timeout=timeout) as response:
                return WebResponse(response.status, response.headers, response.read(), url)
        except urllib.error.HTTPError as error:
            return WebResponse(error.code, error.headers, error.read(), url)

    def get(self, path: str, **kwargs: Any) -> WebResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: Any = None, **kwargs: Any) -> WebResponse:
        return self.request("POST", path, data=data if data is not None else {}, **kwargs)

    def csrf_token(self) -> str:
        with self._lock:
            for cookie in self.cookies:
                if cookie.name == "csrftoken":
                    return cookie.value or ""
        return ""

    def new_api_token(self, name: str, days: int = 1) -> str:
        """Make a personal API token on the account page, as a person would; its secret."""
        page = self.get("/account/").text
        form = next(f for f in forms_in(page) if f.action and f.action.endswith("/account/tokens/"))
        self.post(form.action, form.fields | {"t-name": name, "t-expires_in_days": str(days)})
        match = re.search(r"<code data-token>([^<]+)</code>", self.get("/account/").text)
        assert match, "the account page shows the new token once"
        return match[1]

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> WebClient:
        page = self.get("/sign-in/")
        match = _CSRF_INPUT.search(page.text)
        assert match, "the sign-in page has no CSRF token"
        answer = self.request(
            "POST",
            "/sign-in/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": match[1]},
        )
        assert answer.status == 302, f"signing in as {username} failed ({answer.status})"
        # A page that renders a form sets the CSRF cookie used by later posts.
        self.get("/account/")
        return self

    def parallel(self, count: int, send: Callable[[], WebResponse]) -> list[WebResponse]:
        """Send ``count`` requests at once (a barrier lines the threads up first)."""
        barrier = threading.Barrier(count)

        def one() -> WebResponse:
            barrier.wait(timeout=30)
            return send()

        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(lambda _i: one(), range(count)))


@dataclass
class HtmlForm:
    action: str
    method: str
    fields: dict[str, str]


class _FormParser(HTMLParser):
    """Collects each form's fields as a browser would send them untouched."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[HtmlForm] = []
        self._select = ""
        self._textarea = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        name = values.get("name", "")
        if tag == "form":
            self.forms.append(HtmlForm(values.get("action", ""), values.get("method", "get"), {}))
        elif not self.forms:
            return
        elif tag == "input" and name:
            if values.get("type") in ("checkbox", "radio") and "checked" not in values:
                return
            self.forms[-1].fields.setdefault(name, values.get("value", ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select:
            fields = self.forms[-1].fields
            if "selected" in values or self._select not in fields:
                fields[self._select] = values.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.forms[-1].fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = ""
        elif tag == "textarea":
            self._textarea = ""

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea] += data.lstrip("\n")


def forms_in(html: str, action: str | None = None) -> list[HtmlForm]:
    """The forms of a page (their inputs' current values), or those posting to ``action``."""
    parser = _FormParser()
    parser.feed(html)
    return [f for f in parser.forms if action is None or f.action == action]


def _pairs(data: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> Iterable[tuple[str, str]]:
    items = data.items() if isinstance(data, Mapping) else data
    for key, value in items:
        if isinstance(value, list | tuple):
            for item in value:
                yield key, str(item)
        else:
            yield key, str(value)
