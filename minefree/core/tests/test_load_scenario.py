"""The production rehearsal's load scenario (``deploy/locustfile.py``) runs for a few
seconds against a live minefree without one failure, asks every kind of page, and the
focal points' saves reach their drafts.

The server is the browser tests' (``minefree runserver`` on a throwaway database of its
own: a SQLite file, or a new database on the PostgreSQL server of ``DATABASE_URL``), set
up with the synthetic extension requests and the accounts of ``deploy.seed_load``, and
locust runs as the rehearsal runs it, as a subprocess. pytest-django's ``live_server``
is not used: its transactional test would empty the session's database of the reference
data the other tests share.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.seed_load import TOKEN_NAME, seed
from minefree.accounts.models import ApiToken, Membership
from minefree.reporting.models import ReportVersion
from minefree.site.tests.browser import REPO_ROOT, LiveServer
from minefree.site.tests.browser_fixtures import server_set_up_with

FOCAL_POINTS = 3
#: every kind of request the scenario names (the statistics' names)
KINDS = {
    "public:home",
    "public:lists",
    "public:country",
    "public:search",
    "public:indicator",
    "public:fund",
    "public:opendata",
    "focal:sign-in-form",
    "focal:sign-in",
    "focal:draft",
    "focal:form",
    "focal:save",
    "committee:sign-in-form",
    "committee:sign-in",
    "committee:workspace",
    "committee:lists",
    "committee:case",
    "committee:extension",
    "api:read",
    "api:write",
}


@pytest.fixture(scope="module")
def accounts_file() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="minefree-load-") as tmp:
        yield Path(tmp) / "accounts.json"


@pytest.fixture(scope="module")
def load_server(accounts_file: Path) -> Iterator[LiveServer]:
    setup = (
        "from pathlib import Path\n"
        "from django.core.management import call_command\n"
        "from deploy.seed_load import seed, write\n"
        "call_command('load_demo_extensions', count=1, stdout=open('/dev/null', 'w'))\n"
        f"write(seed({FOCAL_POINTS}), Path({str(accounts_file)!r}))\n"
    )
    with server_set_up_with(setup) as server:
        yield server


def _locust(
    server: LiveServer, accounts: Path, csv_prefix: Path
) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        MINEFREE_LOAD_ACCOUNTS=str(accounts),
        MINEFREE_LOAD_WAIT="0.1,0.4",
        MINEFREE_LOAD_TOUR="1",  # every user asks each of its kinds once, then the mix
    )
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(REPO_ROOT / "deploy" / "locustfile.py"),
            "--headless",
            "-u",
            "10",
            "-r",
            "10",
            "-t",
            "10s",
            "--stop-timeout",  # users in their first tour finish it (a busy machine is slow)
            "60",
            "--host",
            server.url,
            "--csv",
            str(csv_prefix),
            "--only-summary",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )


@pytest.mark.live
@pytest.mark.xdist_group("load")
def test_the_load_scenario_runs_without_failures(
    load_server: LiveServer, accounts_file: Path, tmp_path: Path
) -> None:
    accounts = json.loads(accounts_file.read_text(encoding="utf-8"))
    assert len(accounts["focal_points"]) == FOCAL_POINTS
    drafts = [fp["draft_version_id"] for fp in accounts["focal_points"]]
    assert {fp["username"][:8] for fp in accounts["focal_points"]} == {"load_fp_"}

    done = _locust(load_server, accounts_file, tmp_path / "load")

    output = done.stdout + done.stderr
    with (tmp_path / "load_stats.csv").open(encoding="utf-8") as stats_file:
        stats = {row["Name"]: row for row in csv.DictReader(stats_file)}
    failures = (tmp_path / "load_failures.csv").read_text(encoding="utf-8")
    assert failures.count("\n") == 1, failures  # the header alone
    assert done.returncode == 0, output[-4000:]
    assert int(stats["Aggregated"]["Failure Count"]) == 0, output[-4000:]
    asked = {name for name, row in stats.items() if int(row["Request Count"]) > 0}
    assert asked >= KINDS, f"never asked: {sorted(KINDS - asked)}"
    assert asked - {"Aggregated"} <= KINDS, f"unnamed kinds: {sorted(asked - KINDS)}"
    assert all(stats[kind]["99%"] not in ("", "N/A") for kind in KINDS)  # p99 per kind

    placeholders = ", ".join(["%s"] * len(drafts))
    contacts = load_server.query(
        "SELECT contact_name FROM reporting_reportversion "
        f"WHERE id IN ({placeholders}) AND contact_name LIKE %s",
        *drafts,
        "Load Test Contact %",
    )
    assert len(contacts) >= 1, "no focal point's save reached its draft"
    assert int(stats["focal:save"]["Request Count"]) >= len(contacts)
    narratives = load_server.query(
        "SELECT count(*) FROM reporting_formentry "
        f"WHERE version_id IN ({placeholders}) AND letter = 'J' AND CAST(narratives AS TEXT) LIKE %s",
        *drafts,
        "%Synthetic load test text%",
    )
    assert isinstance(narratives[0][0], int) and narratives[0][0] >= 1, (
        "no API write reached a draft's Form J"
    )


@pytest.mark.django_db
def test_seeding_again_finds_the_same_accounts_and_drafts() -> None:
    first = seed(2)
    again = seed(2, known=first)

    assert [fp["username"] for fp in again["focal_points"]] == [
        fp["username"] for fp in first["focal_points"]
    ]
    for before, after in zip(first["focal_points"], again["focal_points"], strict=True):
        assert after["password"] == before["password"]
        assert after["draft_version_id"] == before["draft_version_id"]
        assert after["token"] != before["token"]  # a secret is shown once: a new one
    drafts = ReportVersion.objects.filter(
        pk__in=[fp["draft_version_id"] for fp in again["focal_points"]]
    )
    assert {(v.report.year, v.is_draft) for v in drafts} == {(again["year"], True)}
    users = [fp["username"] for fp in again["focal_points"]] + ["isu_staff"]
    live = ApiToken.objects.filter(
        user__username__in=users, name=TOKEN_NAME, revoked_at__isnull=True
    )
    assert live.count() == len(users)
    assert Membership.objects.filter(user__username__in=users[:-1]).count() == 2
    assert again["committee"] == {"username": "committee_chair", "password": "minefree-demo"}
