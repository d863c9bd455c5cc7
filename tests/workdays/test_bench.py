"""The benchmark harness (python -m bench): discovery, output, and its own checks."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bench import __main__ as harness
from bench import bench_deadlines


def test_discovers_the_deadlines_benchmark():
    assert "bench_deadlines" in harness.discover()


def test_quick_run_prints_one_json_line_and_passes(capsys):
    assert harness.main(["--quick", "deadlines"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert set(harness.REQUIRED_KEYS) <= set(result)
    assert result["name"] == "deadlines"
    assert result["n"] == 20_000
    assert result["identical"] is True
    assert result["ok"] is True
    assert result["ratio"] == pytest.approx(result["baseline_s"] / result["ours_s"], rel=0.01)


def test_unknown_benchmark_names_are_refused():
    with pytest.raises(SystemExit):
        harness.main(["no_such_benchmark"])


def test_the_correctness_check_catches_a_wrong_answer():
    from onewindow.workdays.seed import package_calendar

    instants, limits = bench_deadlines.inputs(500)
    ours = package_calendar().deadlines_days_vec(instants, limits)
    assert bench_deadlines.check_all(instants, limits, ours) == 0
    wrong = ours.copy()
    wrong[7] += np.timedelta64(1, "D")
    assert bench_deadlines.check_all(instants, limits, wrong) == 1
