"""bench/results.json keeps one shape, so every figure can be checked the same way."""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[3] / "bench" / "results.json"


def test_every_benchmark_states_its_ratios_and_targets_with_value_and_verdict() -> None:
    benchmarks = json.loads(RESULTS.read_text())["benchmarks"]
    assert benchmarks
    for name, bench in benchmarks.items():
        if "error" in bench:
            continue
        assert isinstance(bench["ratios"], dict), name
        assert bench["targets"], name
        for metric, target in bench["targets"].items():
            bounds = {"min", "max"} & target.keys()
            assert len(bounds) == 1, (name, metric)
            bound = target[bounds.pop()]
            assert isinstance(target["value"], int | float), (name, metric)
            expected = target["value"] >= bound if "min" in target else target["value"] <= bound
            assert target["pass"] is expected, (name, metric)
        verdicts = [t["pass"] for t in bench["targets"].values()]
        assert bench["pass"] is (bench["pass"] and all(verdicts)), name
        assert not bench["pass"] or all(verdicts), name
