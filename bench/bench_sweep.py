"""The traffic-light sweep over 1,000,000 open cases (``--quick``: 20,000), on SQLite and on
PostgreSQL, against a per-case Python loop calling the calendar.

Setup (not timed; ``bench/_sweep.py`` in a subprocess against a fresh migrated database: a
SQLite file, and a throw-away PostgreSQL 15 cluster from ``bench/_server.py`` or a fresh
database in the server ``DATABASE_URL`` names): the demo district, then the cases inserted in
bulk with random acceptance instants over 2021-2026, day and hour limits, finished and open
suspensions, and their stored deadlines.

Then:

1. a first sweep at 2026-03-02 10:00 creates every light (the threshold sync of all n cases
   with the vectorised calendar, reported as ``first_sync_s``, and their first colours);
2. (PostgreSQL: ``VACUUM ANALYZE`` and ``CHECKPOINT``, the database at rest after the load)
   *ours*: a full sweep at 2026-09-01 10:00 (many colours change): the sync check (nothing
   to resync) plus the colour decision, the events and the bookkeeping, one transaction;
3. a second sweep at the same instant must write nothing (``again_changed`` = 0; on SQLite
   ``total_changes()`` before and after must be equal);
4. *baseline*: the per-case Python loop (deadlines and colour of each case with the scalar
   calendar, ``bench._sweep.baseline_colours``) over **every** case, not a sample, plus the
   time to read its input from the database (``baseline_read_s``; the loop is
   ``baseline_loop_s``); its colours are compared with the stored colours of every light
   (``mismatches``).

The cases are inserted in the order of their acceptance instants (ids grow with time, as
in reality); the lights are created in case order by the first sweep.

Requirements: the full sweep at most 2 s, at least 50x faster than the loop, zero
mismatches, and a second sweep that writes nothing.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from bench import _server

FULL_N, QUICK_N = 1_000_000, 20_000
MAX_SWEEP_S, MIN_RATIO = 2.0, 50.0
BASELINE = "per-case Python loop: deadlines and colour with the scalar WorkCalendar"


def measure(database_url: str, media: Path, n: int) -> dict[str, Any]:
    env = _server.django_env(database_url, media, SUPERVISION_ALERTS="off")
    _server.manage(env, "migrate", "--noinput", "-v0")
    out = _server.python(env, "bench._sweep", str(n), timeout=7200)
    return json.loads(out.strip().splitlines()[-1])


def result(name: str, raw: dict[str, Any], n: int, quick: bool) -> dict[str, Any]:
    full, again = raw["full"], raw["again"]
    ours_s = raw["full_s"]
    ratio = raw["baseline_s"] / ours_s
    failed, missed = [], []
    if raw["mismatches"]:
        failed.append(f"{raw['mismatches']} colour mismatches")
    written = again["created"] + again["resynced"] + again["closed"] + again["changed"]
    if written or again["events"] or (raw["again_db_changes"] or 0):
        failed.append(f"second sweep wrote: {again}, db changes {raw['again_db_changes']}")
    if ours_s > MAX_SWEEP_S:
        missed.append(f"sweep {ours_s:.3f} s > {MAX_SWEEP_S} s")
    if ratio < MIN_RATIO:
        missed.append(f"ratio {ratio:.1f} < {MIN_RATIO:.0f}")
    if not quick:
        failed += missed
    return {
        "name": name,
        "n": n,
        "database": raw["vendor"],
        "ours_s": round(ours_s, 3),
        "ours_sync_check_s": round(full["sync_s"], 3),
        "ours_decide_s": round(full["sweep_s"], 3),
        "changed": full["changed"],
        "events": full["events"],
        "baseline": BASELINE,
        "baseline_s": round(raw["baseline_s"], 3),
        "baseline_n": raw["baseline_n"],
        "baseline_read_s": round(raw["baseline_read_s"], 3),
        "baseline_loop_s": round(raw["baseline_loop_s"], 3),
        "baseline_extrapolated": False,
        "ratio": round(ratio, 1),
        "mismatches": raw["mismatches"],
        "compared": "every light against the loop",
        "first_sweep_s": round(raw["first_s"], 3),
        "first_sync_s": round(raw["first"]["sync_s"], 3),
        "first_changed": raw["first"]["changed"],
        "again_s": round(raw["again_s"], 3),
        "again_changed": written,
        "again_db_changes": raw["again_db_changes"],
        "colours": raw["colours"],
        "suspended_now": raw["suspended_now"],
        "hour_limits": raw["hour_limits"],
        "setup_s": round(raw["setup_s"], 1),
        "target_met": not missed,
        **({"target_missed": "; ".join(missed)} if missed else {}),
        "ok": not failed,
        **({"failed": "; ".join(failed)} if failed else {}),
    }


def run(quick: bool) -> list[dict[str, Any]]:
    n = QUICK_N if quick else FULL_N
    results = []
    with tempfile.TemporaryDirectory(prefix="onewindow-bench-") as tmp:
        work = Path(tmp)
        raw = measure(f"sqlite:///{work / 'sweep.sqlite3'}", work, n)
        results.append(result("sweep", raw, n, quick))
        if _server.postgres_available():
            with _server.postgres_database() as url:
                raw = measure(url, work, n)
            results.append(result("sweep_postgres", raw, n, quick))
    return results
