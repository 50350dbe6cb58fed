"""Shared helpers of the benchmark harness: machine description, results.json merging and
the command line every benchmark script shares.

Used as a module by the benchmark scripts and as a small command by ``bench/run``::

    python bench/common.py init bench/results.json            # fresh file, machine info
    python bench/common.py finish bench/results.json SECONDS  # record the run time
    python bench/common.py summary bench/results.json         # print the ratios
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_PATH = ROOT / "bench" / "results.json"

Json = dict[str, Any]


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or "unknown"
    for line in text.splitlines():
        if line.lower().startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _mem_total_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _tool_version(cmd: list[str]) -> str | None:
    if shutil.which(cmd[0]) is None:
        return None
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else None


def machine_info() -> Json:
    """What the figures were measured on. Absolute numbers only compare on the same machine."""
    return {
        "nproc": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "mem_total_mb": _mem_total_mb(),
        "kernel": platform.release(),
        "os": _os_name(),
        "python": platform.python_version(),
        "wrk": _tool_version(["wrk", "--version"]),
        # other load on the machine when the run started: figures from a busy machine vary
        "loadavg": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.platform()


def load_results(path: Path = RESULTS_PATH) -> Json:
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            data.setdefault("machine", {})
            data.setdefault("benchmarks", {})
            return data
    return {"machine": {}, "benchmarks": {}}


def write_results(data: Json, path: Path = RESULTS_PATH) -> None:
    """Write atomically, so an interrupted run never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def merge_results(benchmarks: dict[str, Json], path: Path = RESULTS_PATH) -> Json:
    """Add or replace benchmarks in results.json; other benchmarks are kept."""
    data = load_results(path)
    if not data["machine"]:
        data["machine"] = machine_info()
    data["benchmarks"].update(benchmarks)
    write_results(data, path)
    return data


def bench_parser(description: str, *, name: str | None = None) -> argparse.ArgumentParser:
    """The options of every benchmark script: its key in results.json and where to merge it
    (``name`` is the key's default; without one ``--name`` is required)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--name", required=name is None, default=name, help="benchmark key in results.json"
    )
    parser.add_argument("--results", type=Path, help="merge into this results.json")
    return parser


def add_server_arguments(parser: argparse.ArgumentParser, *, prepare: str) -> None:
    """The database and wrk options of a benchmark that loads a gunicorn server;
    ``prepare`` says what ``--no-prepare`` skips."""
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--duration", type=int, default=8, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per URL")
    parser.add_argument("--rounds", type=int, default=1, help="measurements per URL (median)")
    parser.add_argument("--no-prepare", action="store_true", help=f"skip {prepare}")


#: what a benchmark that drives a server and wrk records as its failure
SERVER_FAILURES = (RuntimeError, ValueError, OSError, subprocess.SubprocessError)


def record_run(
    name: str,
    results: Path | None,
    measure: Callable[[], Json],
    errors: tuple[type[Exception], ...] = SERVER_FAILURES,
) -> int:
    """Run a benchmark that drives other processes and keep its result under ``name``: merged
    into ``results`` or printed as JSON. A failure among ``errors`` is recorded as an error
    entry, so results.json never shows a stale or missing entry silently; it exits 1."""
    status = 0
    try:
        result = measure()
    except errors as exc:
        detail = getattr(exc, "stderr", None) or ""
        result = {"error": f"{type(exc).__name__}: {exc}", "detail": str(detail)[-2000:]}
        result |= {"pass": False, "machine": machine_info()}
        print(f"{name}: {result['error']}\n{result['detail']}", file=sys.stderr)
        status = 1
    if results:
        merge_results({name: result}, results)
    else:
        print(json.dumps({name: result}, indent=2))
    return status


def record_in_process(name: str, results: Path | None, measure: Callable[[], Json]) -> int:
    """Run a benchmark that measures in this process, merge its result under ``name`` and
    print its summary lines; exits 0 only when it met its targets. Any failure is recorded,
    so the other benchmarks still report."""
    try:
        result = measure()
    except Exception as exc:
        result = {"error": f"{type(exc).__name__}: {exc}", "pass": False}
        print(result["error"], file=sys.stderr)
    if results:
        merge_results({name: result}, results)
    for line in result.get("summary_lines", []):
        print(f"  {line}")
    return 0 if result.get("pass") else 1


def init_results(path: Path = RESULTS_PATH) -> None:
    write_results({"machine": machine_info(), "benchmarks": {}}, path)


def _fmt_ms(value: Any) -> str:
    return f"{value:.2f} ms" if isinstance(value, int | float) else "-"


def summary(data: Json) -> str:
    lines: list[str] = []
    machine = data.get("machine", {})
    lines.append(
        f"machine: {machine.get('nproc')} CPU ({machine.get('cpu_model')}), "
        f"Python {machine.get('python')}, {machine.get('date')}"
    )
    for name, bench in data.get("benchmarks", {}).items():
        lines.append("")
        if "error" in bench:
            lines.append(f"{name}: ERROR {bench['error']}")
            continue
        measured = bench.get("measured", {})
        baseline = bench.get("baseline", {})
        ratios = bench.get("ratios", {})
        targets = bench.get("targets", {})
        verdict = "PASS" if bench.get("pass") else "FAIL"
        lines.append(f"{name} [{bench.get('database', '?')}]: {verdict}")
        for text in bench.get("summary_lines", []):
            lines.append(f"  {text}")
        for label, figures in (("  page  ", measured), ("  static", baseline)):
            if "requests_per_s" not in figures:
                continue
            lines.append(
                f"{label} {figures.get('requests_per_s', 0):>9.1f} req/s"
                f"   p50 {_fmt_ms(figures.get('p50_ms'))}   p99 {_fmt_ms(figures.get('p99_ms'))}"
            )
        for key, ratio in ratios.items():
            target = targets.get(key, {})
            bound = (
                f">= {target['min']}"
                if "min" in target
                else f"<= {target['max']}"
                if "max" in target
                else ""
            )
            if not target:
                lines.append(f"  {key:<18} {ratio:6.3f}  (no target)")
                continue
            ok = "ok" if target.get("pass") else "MISSED"
            lines.append(f"  {key:<18} {ratio:6.3f}  (target {bound}: {ok})")
        diagnostics = bench.get("diagnostics", {})
        if diagnostics.get("server_cpu_ratio") is not None:
            page_cpu = measured.get("cpu", {}).get("server_ms_per_request")
            static_cpu = baseline.get("cpu", {}).get("server_ms_per_request")
            lines.append(
                f"  {'server_cpu_ratio':<18} {diagnostics['server_cpu_ratio']:6.3f}  "
                f"(gunicorn CPU per request: {page_cpu} ms vs {static_cpu} ms; no target)"
            )
        if "queries_per_cached_hit" in diagnostics:
            lines.append(f"  SQL queries per cached hit: {diagnostics['queries_per_cached_hit']}")
    run = data.get("run", {})
    if "seconds" in run:
        lines.append("")
        lines.append(f"bench/run took {run['seconds']} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("init", "summary", "check"):
        p = sub.add_parser(name)
        p.add_argument("path", type=Path, nargs="?", default=RESULTS_PATH)
    p = sub.add_parser("finish")
    p.add_argument("path", type=Path)
    p.add_argument("seconds", type=int)
    args = parser.parse_args(argv)

    path: Path = args.path
    if args.command == "init":
        init_results(path)
    elif args.command == "finish":
        data = load_results(path)
        data["run"] = {
            "seconds": args.seconds,
            "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        write_results(data, path)
    elif args.command == "summary":
        print(summary(load_results(path)))
    elif args.command == "check":  # exit 1 unless every benchmark met its targets
        benches = load_results(path)["benchmarks"].values()
        return 0 if benches and all(b.get("pass") for b in benches) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())


def record_on_own_database(
    name: str, results: Path | None, measure: Callable[[], Json], *, prefix: str
) -> int:
    """``record_in_process`` on the database of ``DATABASE_URL``, or on a temporary SQLite
    file (removed afterwards) when none is given."""
    temporary = None
    if not os.environ.get("DATABASE_URL"):
        temporary = tempfile.mkdtemp(prefix=f"minefree-{prefix}-")
        os.environ["DATABASE_URL"] = f"sqlite:///{temporary}/bench.sqlite3"
    os.environ.setdefault("MINEFREE_DEBUG", "1")
    try:
        return record_in_process(name, results, measure)
    finally:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)
