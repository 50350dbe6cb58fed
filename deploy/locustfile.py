"""The load of a busy day before 30 April and a committee meeting, for locust.

    MINEFREE_LOAD_ACCOUNTS=accounts.json python -m locust -f deploy/locustfile.py \\
        --headless -u 200 -r 20 -t 5m --host https://127.0.0.1:8443 --csv load

``accounts.json`` is written by ``python -m deploy.seed_load``. Four kinds of users, by
weight: public visitors (50), focal points editing their Article 7 drafts (25), API
clients with a personal token (15) and committee members (10), each waiting 1 to 5 s
between tasks (``MINEFREE_LOAD_WAIT="MIN,MAX"`` in seconds changes it), so 200 users are a
busy day's peak, not a flood. Every request is named by the kind of page it asks
(``public:home``, ``focal:save``, ``api:write`` ...), so locust's statistics, and the
``_stats.csv`` of ``--csv`` with its percentiles, group by kind. ``MINEFREE_LOAD_TOUR=1``
makes every user do each of its tasks once first, so that a short run asks every kind.

A response other than the one expected is a failure naming its status and address: a
save must be stored (the draft shows it afterwards), a version conflict (409, 412) is a
failure since the scenario never provokes one (each API client writes Form J of a draft
of its own, as long as there are no more API clients than seeded focal points: 40 cover
266 users; focal points save the point of contact, which is not versioned). The
certificate is not checked: the rehearsal's is self-signed.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import urllib3
from locust import HttpUser, between, task

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STATE_LINK = re.compile(r'href="/states/([A-Z]{3})/"')
INDICATOR_LINK = re.compile(r'href="/indicators/(?!documents/)([a-z0-9][a-z0-9_-]*)/"')
CASE_LINK = re.compile(r'href="/cooperation/cases/(\d+)/"')
EXTENSION_LINK = re.compile(r'href="/clearance/(\d+)/"')
#: what visitors type into the knowledge base's search box
QUERIES = [
    "victim assistance",
    "mine risk education",
    "land release",
    "stockpile destruction",
    "survivors employment",
    "national mine action strategy",
    "gender and diversity",
    "technical survey",
    "international cooperation",
    "explosive ordnance risk education",
]
#: lists a visitor browses (the open data page among them)
PUBLIC_LISTS = [
    "/states/",
    "/meetings/",
    "/committees/",
    "/cooperation/",
    "/cooperation/needs/",
    "/cooperation/offers/",
    "/cooperation/cases/",
    "/clearance/",
    "/knowledge/challenges/",
    "/knowledge/practices/",
    "/indicators/documents/",
    "/reports/data/",
]


def _wait_range() -> tuple[float, float]:
    low, _sep, high = os.environ.get("MINEFREE_LOAD_WAIT", "1,5").partition(",")
    return float(low), float(high or low)


def _accounts() -> dict[str, Any]:
    path = os.environ.get("MINEFREE_LOAD_ACCOUNTS", "")
    if not path:
        raise RuntimeError("Set MINEFREE_LOAD_ACCOUNTS to the file of python -m deploy.seed_load.")
    accounts: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return accounts


ACCOUNTS = _accounts()
#: each signed-in user takes the next account of its pool: drafts are shared as little as can be
_focal_turn = itertools.count()
_api_turn = itertools.count()
_turn_lock = threading.Lock()


def _next(turn: itertools.count[int]) -> int:
    with _turn_lock:
        return next(turn)


class _Links:
    """Codes read once from the site's own pages (states, indicators, cases, requests)."""

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}
        self.lock = threading.Lock()

    def get(self, kind: str) -> list[str]:
        with self.lock:
            return self.found.get(kind, [])

    def keep(self, kind: str, pattern: re.Pattern[str], text: str) -> None:
        codes = sorted(set(pattern.findall(text)))
        if codes:
            with self.lock:
                self.found[kind] = codes


LINKS = _Links()


def _expect(response: Any, path: str, status: int, *, contains: str = "") -> bool:
    """Mark ``response`` to ``path`` failed unless it has ``status`` (and ``contains``)."""
    if response.status_code != status:
        why = f" {response.error!r}" if response.status_code == 0 else ""  # no answer
        response.failure(f"HTTP {response.status_code} (expected {status}) {path}{why}")
        return False
    if contains and contains not in response.text:
        response.failure(f"{path} lacks {contains!r}")
        return False
    response.success()
    return True


class MinefreeUser(HttpUser):
    """What every user shares: no certificate check, a failure for every unexpected answer."""

    abstract = True
    wait_time = between(*_wait_range())

    def on_start(self) -> None:
        self.client.verify = False  # the rehearsal's certificate is self-signed

    def tour(self) -> None:
        """With ``MINEFREE_LOAD_TOUR=1``, do each task once before the weighted mix: a short
        run (the test's) then asks every kind for sure."""
        if os.environ.get("MINEFREE_LOAD_TOUR") == "1":
            for each in dict.fromkeys(self.tasks):
                each(self)  # type: ignore[operator]

    def page(self, path: str, kind: str, *, status: int = 200, contains: str = "") -> str:
        with self.client.get(path, name=kind, catch_response=True) as response:
            _expect(response, path, status, contains=contains)
            return response.text if response.status_code == status else ""

    def post(self, path: str, kind: str, data: dict[str, str], *, location: str) -> bool:
        """A form posted as a browser posts it (CSRF token, Referer), expecting a redirect
        to ``location``: a sign-in page or the same form again means it was refused."""
        headers = {"Referer": f"{self.host}{path}"}
        with self.client.post(
            path, data=data, headers=headers, name=kind, catch_response=True, allow_redirects=False
        ) as response:
            if _expect(response, path, 302):
                target = response.headers.get("Location", "")
                if not target.split("#")[0].endswith(location):
                    response.failure(f"{path} went to {target!r}, not {location!r}")
                    return False
                return True
        return False

    def sign_in(self, who: str, username: str, password: str) -> bool:
        """Sign in as a person does, on the page; ``who`` names the kinds (``focal:sign-in``)."""
        token = CSRF.search(self.page("/sign-in/", f"{who}:sign-in-form"))
        if token is None:
            return False
        data = {"username": username, "password": password, "csrfmiddlewaretoken": token[1]}
        return self.post("/sign-in/", f"{who}:sign-in", data, location="/")


class PublicVisitor(MinefreeUser):
    """Anyone: the home page, the lists, a country, a search, an indicator, the fund, open data."""

    weight = 50

    def on_start(self) -> None:
        super().on_start()
        self.tour()

    @task(4)
    def home(self) -> None:
        self.page("/", "public:home")

    @task(4)
    def lists(self) -> None:
        text = self.page(random.choice(PUBLIC_LISTS), "public:lists")
        LINKS.keep("states", STATE_LINK, text)

    @task(5)
    def country(self) -> None:
        states = LINKS.get("states")
        if not states:
            LINKS.keep("states", STATE_LINK, self.page("/states/", "public:lists"))
            states = LINKS.get("states")
        if states:
            self.page(f"/states/{random.choice(states)}/", "public:country")

    @task(3)
    def search(self) -> None:
        self.page("/knowledge/?" + urlencode({"q": random.choice(QUERIES)}), "public:search")

    @task(2)
    def indicator(self) -> None:
        codes = LINKS.get("indicators")
        if not codes:
            LINKS.keep("indicators", INDICATOR_LINK, self.page("/indicators/", "public:indicator"))
            codes = LINKS.get("indicators")
        if codes:
            self.page(f"/indicators/{random.choice(codes)}/", "public:indicator")

    @task(2)
    def fund(self) -> None:
        self.page("/fund/", "public:fund")

    @task(1)
    def open_data(self) -> None:
        states = LINKS.get("states") or ["PER"]
        dataset = random.choice(
            [
                "/reports/data/reports.csv",
                "/reports/data/reports.json",
                "/reports/data/rows.csv?state=" + random.choice(states),
                "/reports/data/rows.json?"
                + urlencode({"state": random.choice(states), "form": "J"}),
            ]
        )
        self.page(dataset, "public:opendata")


class FocalPoint(MinefreeUser):
    """A state's focal point drafting the report due on 30 April, in the browser."""

    weight = 25

    def on_start(self) -> None:
        super().on_start()
        fps = ACCOUNTS["focal_points"]
        self.account = fps[_next(_focal_turn) % len(fps)]
        self.draft = f"/reports/v/{self.account['draft_version_id']}/"
        self.signed_in = self.sign_in("focal", self.account["username"], self.account["password"])
        self.saves = 0
        self.tour()

    @task(3)
    def draft_page(self) -> None:
        if self.signed_in:
            self.page(self.draft, "focal:draft")

    @task(3)
    def form_page(self) -> None:
        if self.signed_in:
            letter = random.choice("ABCDEFGHIJ")
            self.page(f"{self.draft}forms/{letter}/", "focal:form")

    @task(2)
    def save_contact(self) -> None:
        """The cover page's point of contact, saved and seen saved on the draft's page."""
        if not self.signed_in:
            return
        token = CSRF.search(self.page(self.draft, "focal:draft"))
        if token is None:
            return
        self.saves += 1
        name = f"Load Test Contact {self.account['state']} {int(time.time())}-{self.saves}"
        data = {
            "csrfmiddlewaretoken": token[1],
            "name": name,
            "organisation": "Synthetic national mine action centre (load test)",
            "email": f"{self.account['username']}@example.org",
            "phone": "+41 22 000 00 00",
        }
        if self.post(f"{self.draft}contact/", "focal:save", data, location=self.draft):
            self.page(self.draft, "focal:draft", contains=name)


class CommitteeMember(MinefreeUser):
    """A committee member preparing a meeting: the workspace, cases, extension requests."""

    weight = 10

    def on_start(self) -> None:
        super().on_start()
        committee = ACCOUNTS["committee"]
        self.signed_in = self.sign_in("committee", committee["username"], committee["password"])
        self.tour()

    @task(3)
    def workspace(self) -> None:
        if self.signed_in:
            self.page("/cooperation/workspace/", "committee:workspace")

    @task(3)
    def case(self) -> None:
        if not self.signed_in:
            return
        cases = LINKS.get("cases")
        if not cases:
            LINKS.keep("cases", CASE_LINK, self.page("/cooperation/cases/", "committee:lists"))
            cases = LINKS.get("cases")
        if cases:
            self.page(f"/cooperation/cases/{random.choice(cases)}/", "committee:case")

    @task(2)
    def extension_request(self) -> None:
        if not self.signed_in:
            return
        requests = LINKS.get("extensions")
        if not requests:
            text = self.page("/clearance/", "committee:lists")
            LINKS.keep("extensions", EXTENSION_LINK, text)
            requests = LINKS.get("extensions")
        if requests:
            self.page(f"/clearance/{random.choice(requests)}/workspace/", "committee:extension")

    @task(1)
    def documents(self) -> None:
        if self.signed_in:
            self.page("/indicators/documents/", "committee:lists")


class ApiClient(MinefreeUser):
    """A national centre's or an analyst's script with a personal token: reads, and Form J's
    narratives of its state's draft written with the ``ETag`` read (``If-Match``)."""

    weight = 15

    def on_start(self) -> None:
        super().on_start()
        fps = ACCOUNTS["focal_points"]
        self.account = fps[_next(_api_turn) % len(fps)]
        self.client.headers["Authorization"] = f"Bearer {self.account['token']}"
        self.client.headers["Accept"] = "application/json"
        self.draft = f"/api/reports/{self.account['draft_version_id']}"
        self.writes = 0
        self.tour()

    @task(6)
    def read(self) -> None:
        state = random.choice(ACCOUNTS["focal_points"])["state"]
        path = random.choice(
            [
                "/api/states?" + urlencode({"page": str(random.randint(1, 3))}),
                f"/api/states/{state}",
                "/api/reports?" + urlencode({"state": state}),
                self.draft,
                "/api/cooperation/needs",
                "/api/indicators",
                f"/api/indicators/states/{state}",
            ]
        )
        self.page(path, "api:read")

    @task(2)
    def write(self) -> None:
        form = f"{self.draft}/forms/J"
        with self.client.get(form, name="api:read", catch_response=True) as read:
            if not _expect(read, form, 200):
                return
            etag = read.headers.get("ETag", "")
        self.writes += 1
        narratives = {
            "victim_assistance": f"Synthetic load test text {int(time.time())}-{self.writes}.",
            "other_matters": "Written by the production rehearsal's load scenario.",
        }
        with self.client.put(
            form,
            json={"narratives": narratives, "declared_totals": {}},
            headers={"If-Match": etag},
            name="api:write",
            catch_response=True,
        ) as response:
            if _expect(response, form, 200) and response.headers.get("ETag") == etag:
                response.failure(f"{form}: the ETag did not change")
