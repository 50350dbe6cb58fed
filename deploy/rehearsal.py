"""The production rehearsal: minefree deployed as the ISU would run it, on this machine.

``bin/production-rehearsal`` starts a PostgreSQL primary with a streaming standby,
memcached, two gunicorn app servers behind nginx (TLS with a throwaway certificate),
background workers; loads the demo data; runs the checks (deployment settings, headers,
two servers sharing sessions and exact page versions, pages from the standby, load, the
signed-in country page under 32 clients, a primary restart under load, a longer API
fuzzing run); writes the figures to ``bench/results.json``; and stops everything it
started. Everything listens on loopback only. See docs/deploy.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from string import Template
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from common import machine_info, merge_results  # noqa: E402

from deploy.servers import PostgresPair  # noqa: E402

Json = dict[str, Any]
#: a bulk import: 300 workbooks of 10 MB and the form around them (reporting.exchange.batches)
CLIENT_MAX_BODY_SIZE = "3001m"
#: where a rehearsal's directory keeps the ports it chose, for ``--reuse``
PORTS_FILE = "ports.json"
DEBIAN_PACKAGES = {"nginx": "nginx-light", "memcached": "memcached", "wrk": "wrk"}


@dataclass(frozen=True)
class Ports:
    primary: int
    standby: int
    memcached: int
    app_a: int
    app_b: int
    http: int
    https: int

    @classmethod
    def free(cls) -> Ports:
        """Ports nothing listens on now, chosen by the system: a run right after another
        (or beside any other server) does not collide with it."""
        held = []
        try:
            for _name in fields(cls):
                held.append(socket.socket())
                held[-1].bind(("127.0.0.1", 0))
            return cls(*(s.getsockname()[1] for s in held))
        finally:
            for s in held:
                s.close()

    def save(self, directory: Path) -> None:
        (directory / PORTS_FILE).write_text(json.dumps(asdict(self)))

    @classmethod
    def of(cls, directory: Path) -> Ports:
        """The ports a kept directory's servers were made with (the standby names the
        primary's)."""
        return cls(**json.loads((directory / PORTS_FILE).read_text()))


def log(message: str) -> None:
    print(f"==> {message}", flush=True)


def _insecure_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the rehearsal's own throwaway certificate
    return context


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def fetch(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
    method: str | None = None,
) -> Answer:
    """One request, redirects not followed, errors returned as answers."""
    opener = urllib.request.build_opener(
        _NoRedirect, urllib.request.HTTPSHandler(context=_insecure_context())
    )
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with opener.open(request, timeout=30) as response:
            return Answer(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers.items()), error.read())


@dataclass
class Rehearsal:
    duration: int
    users: int
    keep: bool = False
    reuse: Path | None = None
    directory: Path = field(init=False)
    ports: Ports = field(init=False)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    results: dict[str, Json] = field(default_factory=dict)
    pair: PostgresPair = field(init=False)

    def __post_init__(self) -> None:
        if self.reuse:
            self.directory = self.reuse
            self.keep = True
            self.ports = Ports.of(self.directory)
        else:
            self.directory = Path(tempfile.mkdtemp(prefix="minefree-rehearsal-"))
            self.directory.chmod(0o755)
            self.ports = Ports.free()
            self.ports.save(self.directory)
        self.pair = PostgresPair(self.directory / "pg", self.ports.primary, self.ports.standby)
        self.secret_key = secrets.token_urlsafe(50)

    # -- environment and processes -------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.ports.https}"

    def app_url(self, which: str) -> str:
        port = self.ports.app_a if which == "a" else self.ports.app_b
        return f"http://127.0.0.1:{port}"

    def env(self, **extra: str) -> dict[str, str]:
        database = "postgres://postgres@127.0.0.1:{}/minefree"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        environment |= {
            "MINEFREE_DEBUG": "0",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database.format(self.ports.primary),
            "MINEFREE_STANDBY_URL": database.format(self.ports.standby),
            "MINEFREE_CACHE_URL": f"memcached://127.0.0.1:{self.ports.memcached}",
            "MINEFREE_BEHIND_PROXY": "1",
            "MINEFREE_DATA_DIR": str(self.directory / "data"),
            "MINEFREE_TASKS": "database",
            "PYTHONPATH": str(ROOT),
        }
        return environment | extra

    def minefree(self, *args: str, **extra: str) -> str:
        done = subprocess.run(
            ["minefree", *args], env=self.env(**extra), cwd=ROOT, capture_output=True, text=True
        )
        if done.returncode:
            raise RuntimeError(f"minefree {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def start(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        output = (self.directory / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            command,
            env=env or self.env(),
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def wait_for(self, url: str, what: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if fetch(url, headers={"X-Forwarded-Proto": "https"}).status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"{what} did not answer within {timeout:.0f} s")

    # -- set-up ----------------------------------------------------------------------------

    def install_packages(self) -> None:
        missing = [pkg for cmd, pkg in DEBIAN_PACKAGES.items() if not shutil.which(cmd)]
        if not list(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup")):
            missing.append("postgresql")
        if not missing:
            return
        if os.geteuid() != 0:
            raise RuntimeError(f"install these Debian packages first: {' '.join(missing)}")
        log(f"Installing {' '.join(missing)} (Debian packages)")
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", *missing],
            check=True,
            capture_output=True,
            env=os.environ | {"DEBIAN_FRONTEND": "noninteractive"},
        )

    def start_databases(self) -> None:
        if self.reuse:
            log(f"PostgreSQL primary and standby of {self.reuse}, with their data")
            self.pair.primary.start()
            self.pair.standby.start()
            self.pair.wait_replayed()
            return
        log("PostgreSQL primary and streaming standby")
        self.pair.start()
        with self.pair.primary.connect() as primary:
            primary.execute("CREATE DATABASE minefree")
        self.pair.wait_replayed()

    def load_data(self) -> None:
        if self.reuse:
            self.seed_accounts()
            return
        started = time.monotonic()
        log("Migrations, static files, reference data and the demo's synthetic data")
        self.minefree("migrate", "--noinput", "-v0")
        self.minefree("collectstatic", "--noinput", "-v0")
        for command in (
            "load-reference",
            "demo-accounts",
            "load-demo-history",
            "load-demo-cooperation",
            "load-demo-extensions",
            "load-demo-fund",
            "load-demo-documents",
        ):
            self.minefree(command)
        self.seed_accounts()
        self.results["data_load_s"] = {"value": round(time.monotonic() - started, 1)}

    def seed_accounts(self) -> None:
        """Synthetic focal points with open drafts and API tokens (deploy/seed_load.py): one
        for each focal point and API client of the load, so no two users share an account
        and overwrite each other's drafts (a quarter and 15 % of the users: 80 of 200)."""
        accounts = self.directory / "accounts.json"
        log("Synthetic focal point accounts for the load")
        seed = subprocess.run(
            [
                sys.executable,
                "-m",
                "deploy.seed_load",
                "--focal-points",
                str(max(40, self.users * 2 // 5)),
                "--out",
                str(accounts),
            ],
            env=self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if seed.returncode:
            raise RuntimeError(f"seeding the load's accounts failed:\n{seed.stderr[-3000:]}")
        self.accounts: Json = json.loads(accounts.read_text())

    def certificate(self) -> tuple[Path, Path]:
        certificate, key = self.directory / "tls.crt", self.directory / "tls.key"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout",
                str(key),
                "-out",
                str(certificate),
            ],
            check=True,
            capture_output=True,
        )
        return certificate, key

    def start_servers(self) -> None:
        log("memcached, two gunicorn app servers, nginx, two background workers")
        memcached = ["memcached", "-l", "127.0.0.1", "-p", str(self.ports.memcached), "-U", "0"]
        if os.geteuid() == 0:
            memcached += ["-u", "nobody"]
        self.start("memcached", [*memcached, "-m", "256"])
        for which, port in (("a", self.ports.app_a), ("b", self.ports.app_b)):
            self.start(
                f"app-{which}",
                [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy/gunicorn.conf.py")],
                self.env(
                    MINEFREE_BIND=f"127.0.0.1:{port}", MINEFREE_PROCESS_NAME=f"minefree-{which}"
                ),
            )
        if self._has_worker():
            for number in (1, 2):
                self.start(
                    f"worker-{number}",
                    [
                        "minefree",
                        "db_worker",
                        "--queue-name",
                        "default",
                        "--interval",
                        "1",
                        "--no-reload",
                    ],
                )
        certificate, key = self.certificate()
        run_dir = self.directory / "nginx"
        run_dir.mkdir(exist_ok=True)
        template = Template((ROOT / "deploy/nginx.conf.template").read_text())
        config = template.safe_substitute(  # nginx's own $variables stay as they are
            run_dir=run_dir,
            app_a=f"127.0.0.1:{self.ports.app_a}",
            app_b=f"127.0.0.1:{self.ports.app_b}",
            http_listen=f"127.0.0.1:{self.ports.http}",
            https_listen=f"127.0.0.1:{self.ports.https}",
            https_port=self.ports.https,
            server_name="127.0.0.1 localhost",
            certificate=certificate,
            certificate_key=key,
            client_max_body_size=CLIENT_MAX_BODY_SIZE,
            static_root=ROOT / "staticfiles",
        )
        if "${" in config.replace("# The rehearsal fills the ${...}", ""):
            raise RuntimeError("a placeholder of deploy/nginx.conf.template was left unfilled")
        (run_dir / "nginx.conf").write_text(config)
        self.start(
            "nginx",
            ["nginx", "-c", str(run_dir / "nginx.conf"), "-p", str(run_dir), "-g", "daemon off;"],
        )
        self.wait_for(self.app_url("a") + "/", "app server A")
        self.wait_for(self.app_url("b") + "/", "app server B")
        self.wait_for(self.base_url + "/", "nginx")

    def _has_worker(self) -> bool:
        return "db_worker" in self.minefree("help", "--commands")

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)
        self.pair.stop()
        if not self.keep:
            shutil.rmtree(self.directory, ignore_errors=True)

    # -- checks ------------------------------------------------------------------------------

    def check(self, name: str, measure: Callable[[], Json]) -> None:
        log(name)
        try:
            result = measure()
        except Exception as error:  # a failed check is recorded; the others still run
            result = {"error": f"{type(error).__name__}: {error}", "pass": False}
        self.results[name] = result
        print(json.dumps(result, indent=1)[:2000], flush=True)

    def deploy_check(self) -> Json:
        done = subprocess.run(
            ["minefree", "check", "--deploy", "--fail-level", "WARNING"],
            env=self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        output = (done.stdout + done.stderr).strip()
        return {"output": output[-2000:], "pass": done.returncode == 0}

    def headers(self) -> Json:
        page = fetch(self.base_url + "/")
        plain = fetch(f"http://127.0.0.1:{self.ports.http}/states/")
        css = next((p for p in (ROOT / "staticfiles/site").glob("minefree.*.css")), None)
        static = fetch(f"{self.base_url}/static/site/{css.name}") if css else None
        found = {
            "status": page.status,
            "strict_transport_security": page.headers.get("Strict-Transport-Security", ""),
            "content_security_policy": page.headers.get("Content-Security-Policy", ""),
            "x_frame_options": page.headers.get("X-Frame-Options", ""),
            "referrer_policy": page.headers.get("Referrer-Policy", ""),
            "http_redirect": [plain.status, plain.headers.get("Location", "")],
            "static_served_by_nginx": bool(static and static.status == 200)
            and "X-Request-Id" not in (static.headers if static else {}),
        }
        found["pass"] = (
            page.status == 200
            and "max-age=31536000" in found["strict_transport_security"]
            and "default-src 'self'" in found["content_security_policy"]
            and "script-src 'self'" in found["content_security_policy"]
            and found["x_frame_options"] == "DENY"
            and found["referrer_policy"] == "same-origin"
            and plain.status == 301
            and plain.headers.get("Location", "").startswith("https://")
            and found["static_served_by_nginx"]
        )
        return found

    def sign_in(self, base: str, username: str, password: str) -> dict[str, str]:
        """Sign in through the form; the cookies (session) as a header value dict."""
        proto = {"X-Forwarded-Proto": "https"}
        form = fetch(base + "/sign-in/", headers=proto)
        csrf_cookie = _cookie(form.headers, "csrftoken")
        token = _hidden(form.body.decode(), "csrfmiddlewaretoken")
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        answer = fetch(
            base + "/sign-in/",
            data=data,
            headers=proto
            | {
                "Cookie": f"csrftoken={csrf_cookie}",
                "Referer": base.replace("http://", "https://") + "/sign-in/",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        session = _cookie(answer.headers, "sessionid")
        if answer.status != 302 or not session:
            raise RuntimeError(f"signing in as {username} failed: {answer.status}")
        return {"Cookie": f"sessionid={session}", **proto}

    def two_servers(self) -> Json:
        """A session made on A works on B; a change made through A is seen by B at once."""
        account = self.accounts["focal_points"][0]
        cookie = self.sign_in(self.app_url("a"), account["username"], account["password"])
        signed_in_on_b = fetch(self.app_url("b") + "/reports/", headers=cookie)
        proto = {"X-Forwarded-Proto": "https"}
        country = "/states/" + account["state"] + "/"
        fetch(self.app_url("b") + country, headers=proto)
        before = fetch(self.app_url("b") + country, headers=proto)
        changed = self._change_state_data(account)
        after = fetch(self.app_url("b") + country, headers=proto)
        result = {
            "session_from_a_on_b": signed_in_on_b.status,
            "country_page_on_b_before": before.headers.get("X-Page-Cache"),
            "change_through_a": changed,
            "country_page_on_b_after": after.headers.get("X-Page-Cache"),
        }
        result["pass"] = (
            signed_in_on_b.status == 200
            and result["country_page_on_b_before"] == "hit"
            and changed < 300
            and result["country_page_on_b_after"] == "miss"
        )
        return result

    def _change_state_data(self, account: Json) -> int:
        """A change of the state's records through server A's API: its draft's contact."""
        answer = fetch(
            f"{self.app_url('a')}/api/reports/{account['draft_version_id']}/contact",
            data=json.dumps({"name": "Rehearsal contact", "email": "contact@example.org"}).encode(),
            headers={
                "Authorization": f"Bearer {account['token']}",
                "Content-Type": "application/json",
                "X-Forwarded-Proto": "https",
            },
            method="PUT",
        )
        return answer.status

    def load(self) -> Json:
        stats = self.directory / "load"
        environment = self.env(MINEFREE_LOAD_ACCOUNTS=str(self.directory / "accounts.json"))
        started = time.monotonic()
        standby_before = self._standby_transactions()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "deploy/locustfile.py"),
                "--headless",
                "-u",
                str(self.users),
                "-r",
                str(max(1, self.users // 20)),
                "-t",
                f"{self.duration}s",
                "--host",
                self.base_url,
                "--csv",
                str(stats),
                "--only-summary",
                "--stop-timeout",
                "10",
            ],
            env=environment,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        kinds = _locust_stats(stats.with_name("load_stats.csv"))
        failures = sum(kind["failures"] for kind in kinds.values())
        requests = sum(kind["requests"] for kind in kinds.values())
        result: Json = {
            "description": f"{self.users} locust users for {self.duration} s through nginx over "
            "TLS to two gunicorn servers, PostgreSQL primary + standby, memcached",
            "users": self.users,
            "duration_s": round(time.monotonic() - started),
            "requests": requests,
            "failures": failures,
            "p99_ms_by_kind": {name: kind["p99_ms"] for name, kind in kinds.items()},
            "kinds": kinds,
            "standby_transactions": self._standby_transactions() - standby_before,
            "locust_exit": done.returncode,
            "locust_tail": done.stderr[-1500:],
        }
        result["targets"] = {"failures": _target("max", 0, failures)}
        result["ratios"] = {}
        result["pass"] = all(t["pass"] for t in result["targets"].values()) and requests > 0
        return result

    def _standby_transactions(self) -> int:
        with self.pair.standby.connect() as standby:
            row = standby.execute(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = 'minefree'"
            ).fetchone()
        return int(row[0]) if row else 0

    def signed_in_country_page(self) -> Json:
        """The country page signed in (never cached), 32 wrk connections through nginx."""
        account = self.accounts["focal_points"][0]
        cookie = self.sign_in(self.app_url("a"), account["username"], account["password"])
        url = f"{self.base_url}/states/{account['state']}/"
        check = fetch(url, headers={"Cookie": cookie["Cookie"]})
        if check.status != 200 or check.headers.get("X-Page-Cache"):
            raise RuntimeError(f"the signed-in page is not a fresh 200: {check.status}")
        done = subprocess.run(
            [
                "wrk",
                "-t2",
                "-c32",
                "-d20s",
                "--timeout=5s",
                "--latency",
                "-H",
                f"Cookie: {cookie['Cookie']}",
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = _wrk_figures(done.stdout)
        figures["targets"] = {
            "p99_s": _target("max", 0.1, figures["p99_ms"] / 1000),
            "non_2xx_3xx": _target("max", 0, figures["non_2xx_3xx"]),
        }
        figures["ratios"] = {}
        figures["pass"] = all(t["pass"] for t in figures["targets"].values())
        return figures

    def primary_restart(self) -> Json:
        """Restart the primary while clients read and write: 503s, never 500s; back without
        restarting the app servers."""
        statuses: Counter[int] = Counter()
        after_restart: Counter[int] = Counter()
        bodies_500: list[str] = []
        stop = threading.Event()
        restarted = threading.Event()
        account = self.accounts["focal_points"][1]
        cookie = self.sign_in(self.app_url("a"), account["username"], account["password"])
        urls = [
            f"{self.base_url}/states/{account['state']}/",
            f"{self.base_url}/reports/",
            f"{self.base_url}/api/states",
        ]

        def client(number: int) -> None:
            index = number
            while not stop.is_set():
                url = urls[index % len(urls)]
                index += 1
                try:
                    answer = fetch(url, headers={"Cookie": cookie["Cookie"]})
                    status = answer.status
                    if status >= 500 and status != 503 and len(bodies_500) < 3:
                        bodies_500.append(answer.body.decode(errors="replace")[:300])
                except OSError:
                    status = 0  # the connection itself failed
                (after_restart if restarted.is_set() else statuses)[status] += 1
                time.sleep(0.05)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(5)
        started = time.monotonic()
        self.pair.primary.restart()
        restart_s = time.monotonic() - started
        time.sleep(3)  # connections broken by the restart fail once, then are replaced
        restarted.set()
        time.sleep(10)
        stop.set()
        for thread in threads:
            thread.join()
        self.pair.wait_replayed()
        during = dict(statuses)
        after = dict(after_restart)
        result: Json = {
            "restart_s": round(restart_s, 1),
            "statuses_during": during,
            "statuses_after": after,
            "examples_of_500": bodies_500,
        }
        result["targets"] = {
            "server_errors_other_than_503": _target(
                "max",
                0,
                sum(n for s, n in (during | {}).items() if s >= 500 and s != 503)
                + sum(n for s, n in after.items() if s >= 500 and s != 503),
            ),
            "failures_after_recovery": _target(
                "max", 0, sum(n for s, n in after.items() if s >= 500 or s == 0)
            ),
            "successes_after_recovery": _target("min", 1, after.get(200, 0)),
        }
        result["ratios"] = {}
        result["pass"] = all(t["pass"] for t in result["targets"].values())
        return result

    def fuzz_api(self) -> Json:
        examples = os.environ.get("FUZZ_MAX_EXAMPLES", "100")
        done = subprocess.run(
            [str(ROOT / "bin/fuzz-api")],
            env=os.environ | {"FUZZ_MAX_EXAMPLES": examples, "FUZZ_PORT": "58765"},
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        return {"exit": done.returncode, "tail": done.stdout[-1500:], "pass": done.returncode == 0}

    # -- the whole run ---------------------------------------------------------------------

    def run(self, *, fuzz: bool) -> int:
        self.install_packages()
        try:
            self.start_databases()
            self.load_data()
            self.check("rehearsal_deploy_check", self.deploy_check)
            self.start_servers()
            self.check("rehearsal_headers", self.headers)
            self.check("rehearsal_two_servers", self.two_servers)
            self.check("rehearsal_load_postgresql", self.load)
            self.check("rehearsal_signed_in_country_page_postgresql", self.signed_in_country_page)
            self.check("rehearsal_primary_restart_postgresql", self.primary_restart)
            if fuzz:
                self.check("rehearsal_api_fuzzing", self.fuzz_api)
        finally:
            log("Stopping everything the rehearsal started")
            self.stop_all()
        self.record()
        failed = [name for name, result in self.results.items() if result.get("pass") is False]
        log("rehearsal passed" if not failed else f"rehearsal failed: {', '.join(failed)}")
        return 1 if failed else 0

    def record(self) -> None:
        benchmarks = {
            name: result | {"machine": machine_info()}
            for name, result in self.results.items()
            if "targets" in result
        }
        if benchmarks:
            merge_results(benchmarks)
        summary = self.directory.with_name(self.directory.name + ".json")
        summary.write_text(json.dumps(self.results, indent=1))
        log(f"all results: {summary}")


def _target(kind: str, value: float, measured: float) -> Json:
    met = measured <= value if kind == "max" else measured >= value
    return {kind: value, "value": measured, "pass": bool(met)}


def _cookie(headers: dict[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == "set-cookie" and value.startswith(name + "="):
            return value.split(";", 1)[0].split("=", 1)[1]
    return ""


def _hidden(html: str, name: str) -> str:
    marker = f'name="{name}" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def _locust_stats(path: Path) -> dict[str, Json]:
    kinds: dict[str, Json] = {}
    if not path.exists():
        return kinds
    with path.open() as file:
        for row in csv.DictReader(file):
            if row["Name"] == "Aggregated":
                continue
            kinds[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0),
                "p99_ms": float(row["99%"] or 0),
                "requests_per_s": round(float(row["Requests/s"] or 0), 2),
            }
    return kinds


def _wrk_figures(output: str) -> Json:
    figures: Json = {"non_2xx_3xx": 0}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("50%", "99%"):
            figures[f"p{parts[0][:-1]}_ms"] = _milliseconds(parts[1])
        elif line.startswith("Requests/sec:"):
            figures["requests_per_s"] = float(parts[1])
        elif "Non-2xx or 3xx responses:" in line:
            figures["non_2xx_3xx"] = int(parts[-1])
    return figures


def _milliseconds(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return round(float(text[: -len(unit)]) * factor, 2)
    return float(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=300, help="seconds of load (300)")
    parser.add_argument("--users", type=int, default=200, help="concurrent clients (200)")
    parser.add_argument("--no-fuzz", action="store_true", help="skip the longer API fuzzing")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    parser.add_argument(
        "--reuse", type=Path, help="start again from a directory kept by --keep, with its data"
    )
    args = parser.parse_args(argv)
    rehearsal = Rehearsal(
        duration=args.duration, users=args.users, keep=args.keep, reuse=args.reuse
    )
    return rehearsal.run(fuzz=not args.no_fuzz)


if __name__ == "__main__":
    sys.exit(main())
