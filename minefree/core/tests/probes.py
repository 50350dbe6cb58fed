"""Run a probe (a Python module or snippet) in a fresh process with its own settings, for
tests of what happens at a process's start or against servers the test started."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]


def run_probe(command: list[str], settings: dict[str, str], timeout: int = 180) -> Any:
    """Run ``python <command>`` with the settings given (over this environment, without its
    Django settings) and return the JSON the probe printed on its last line."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment |= {
        "DJANGO_SETTINGS_MODULE": "minefree.settings",
        "PYTHONPATH": str(ROOT),
        **settings,
    }
    run = subprocess.run(
        [sys.executable, *command],
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])
