"""1,000,000 deadlines in working days: the vectorised ordinal index against a naive loop.

Inputs (fixed seed): acceptance instants uniform over 2021-2026 (Beijing wall time), limits
uniform 1..60 working days. *Ours*: ``WorkCalendar.deadlines_days_vec`` on the seeded calendar
(best of 3). *Baseline*: for each input, step a day at a time from the acceptance date and
count the days for which ``chinese_calendar.is_workday`` is true (for 2027, which the package
does not know, Monday-Friday: the same provisional rule as our table).

The naive loop costs about 1 ms per input, so it is timed on a random sample (20,000 inputs;
1,000 with ``--quick``) and scaled linearly to ``n`` (``baseline_n`` says how many were run).
Its answers on the sample must equal ours exactly; in addition every one of the ``n`` answers
is checked against the same day-by-day walk done once per distinct acceptance date (with each
date's ``is_workday`` looked up once), and a sample against the scalar ``deadline_days``.

Requirements: identical results, ours at least 100x faster than the baseline, and under 1 s.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import chinese_calendar
import numpy as np

SEED = 20261129
FULL_N, QUICK_N = 1_000_000, 20_000
FULL_SAMPLE, QUICK_SAMPLE = 20_000, 1_000
MAX_DAYS = 60
MIN_RATIO, MAX_OURS_S = 100.0, 1.0
BASELINE = "naive day-by-day loop over chinese_calendar.is_workday"


def baseline_is_workday(day: date) -> bool:
    if day.year <= 2026:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def naive_deadline(start: date, days: int) -> date:
    day = start
    while days:
        day += timedelta(days=1)
        if baseline_is_workday(day):
            days -= 1
    return day


def inputs(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    lo = np.datetime64("2021-01-01T00:00:00", "s").astype(np.int64)
    hi = np.datetime64("2027-01-01T00:00:00", "s").astype(np.int64)
    instants = rng.integers(lo, hi, size=n).astype("datetime64[s]")
    limits = rng.integers(1, MAX_DAYS + 1, size=n)
    return instants, limits


def check_all(instants: np.ndarray, limits: np.ndarray, ours: np.ndarray) -> int:
    """Mismatches between ``ours`` and the naive walk, for every input."""
    day_of = instants.astype("datetime64[D]")
    mismatches = 0
    status: dict[date, bool] = {}
    for start64 in np.unique(day_of):
        start: date = start64.item()
        table = [start]
        day = start
        while len(table) <= MAX_DAYS:
            day += timedelta(days=1)
            if day not in status:
                status[day] = baseline_is_workday(day)
            if status[day]:
                table.append(day)
        mask = day_of == start64
        expected = np.array(table, dtype="datetime64[D]")[limits[mask]]
        mismatches += int((expected != ours[mask]).sum())
    return mismatches


def run(quick: bool) -> list[dict]:
    from onewindow.workdays.seed import package_calendar

    n = QUICK_N if quick else FULL_N
    started = time.perf_counter()
    cal = package_calendar()
    build_s = time.perf_counter() - started
    instants, limits = inputs(n)

    timings = []
    for _ in range(3):
        started = time.perf_counter()
        ours = cal.deadlines_days_vec(instants, limits)
        timings.append(time.perf_counter() - started)
    ours_s = min(timings)

    rng = np.random.default_rng(SEED + 1)
    sample = rng.choice(n, size=min(n, QUICK_SAMPLE if quick else FULL_SAMPLE), replace=False)
    sample_starts = [d.item() for d in instants[sample].astype("datetime64[D]")]
    sample_limits = [int(x) for x in limits[sample]]
    started = time.perf_counter()
    naive = [naive_deadline(s, d) for s, d in zip(sample_starts, sample_limits, strict=True)]
    sample_s = time.perf_counter() - started
    baseline_s = sample_s * n / len(sample)

    sample_ok = naive == [d.item() for d in ours[sample]]
    scalar_ok = all(
        cal.deadline_days(s, d).due_date == o.item()
        for s, d, o in zip(sample_starts, sample_limits, ours[sample], strict=True)
    )
    mismatches = check_all(instants, limits, ours)

    identical = sample_ok and scalar_ok and mismatches == 0
    failed = []
    if not identical:
        failed.append(f"results differ (sample {sample_ok}, scalar {scalar_ok}, {mismatches=})")
    ratio = baseline_s / ours_s
    if ratio < MIN_RATIO:
        failed.append(f"ratio {ratio:.0f} < {MIN_RATIO:.0f}")
    if ours_s >= MAX_OURS_S:
        failed.append(f"ours {ours_s:.3f} s >= {MAX_OURS_S} s")
    return [
        {
            "name": "deadlines",
            "n": n,
            "ours_s": round(ours_s, 6),
            "baseline": BASELINE,
            "baseline_s": round(baseline_s, 3),
            "ratio": round(ratio, 1),
            "baseline_n": len(sample),
            "baseline_extrapolated": len(sample) < n,
            "build_s": round(build_s, 4),
            "identical": identical,
            "ok": not failed,
            **({"failed": "; ".join(failed)} if failed else {}),
        }
    ]
