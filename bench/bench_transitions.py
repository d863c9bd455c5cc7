"""10,000 cases through a 6-step process with a 3-department parallel sign-off, saved after
each step, against SpiffWorkflow 3.2 running the equivalent BPMN and storing its serialised
JSON after each step in the same database.

The process, both sides (details in ``bench/_transitions.py``): 受理 → 审查 → 三部门并联会签
(区市场监管局, 区卫生健康委, 区发展改革委; all three before the join) → 决定 → 办结 → 送达; per
case 1 creation + 8 user actions = 9 saves, each its own transaction.

*Ours*: ``workflow.apply_transition`` (TRANSITIONS table, capability check for the case's
department, case row, ``CaseTransition``, audit event) and ``Task`` rows; the sign-off is
three Task rows of three departments, each completed by that department's approver (checked),
the last one advancing the case (the cases module has no parallel construct: built here
from Task rows and a check). *Baseline*: SpiffWorkflow 3.2, ``BpmnWorkflowSerializer``
JSON after each user task, stored in ``bench_spiff_state`` (one row per case, updated).

Runs in a subprocess against a fresh, migrated SQLite file database (and, when
``DATABASE_URL`` names a PostgreSQL server, a fresh database there too). The baseline is
timed on ``BASELINE_N`` cases and scaled linearly to ``n`` (``baseline_n``,
``baseline_extrapolated``). Stored state per case: bytes of the case row, its transition rows
and its task rows, measured in the database (SQLite: ``LENGTH(CAST(col AS BLOB))`` over every
column; PostgreSQL: ``pg_column_size(row)``); the baseline's is its stored JSON.

Requirements: ours at least 10x faster than the baseline, and under 5 KB of state per case.
``--quick`` (CI smoke: 100 cases) checks that every case ended delivered with the expected
rows; ``target_met`` says whether the requirements were met.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from bench import _server

FULL_N, QUICK_N = 10_000, 100
FULL_BASELINE_N, QUICK_BASELINE_N = 1_000, 100
FULL_SINGLE_N, QUICK_SINGLE_N = 1_000, 50  # the single-case path, reported alongside
BATCH = 500  # cases per transaction on the batch path (both sides)
MIN_RATIO, MAX_STATE_BYTES = 10.0, 5120
TRANSITIONS_PER_CASE = 6  # accept, advance (to the sign-off), advance (join), approve, ...
TASKS_PER_CASE = 5  # 审查, three sign-offs, 决定
# audit events: one per transition, plus the two sign-offs the case waited behind (batch:
# ``case.task_completed``) or the three sign-offs (single: ``case.signed_off``)
BATCH_AUDIT_PER_CASE, SINGLE_AUDIT_PER_CASE = 8, 9
BASELINE = "SpiffWorkflow 3.2 BPMN, serialised after each step"


def measure(
    database_url: str, media: Path, n: int, baseline_n: int, single_n: int
) -> dict[str, Any]:
    env = _server.django_env(database_url, media)
    _server.manage(env, "migrate", "--noinput", "-v0")
    args = [str(n), str(baseline_n), str(single_n), str(BATCH)]
    out = _server.python(env, "bench._transitions", *args, timeout=7200)
    return json.loads(out.strip().splitlines()[-1])


def whole(label: str, ours: dict[str, Any], n: int, audit_per_case: int) -> list[str]:
    """Every case delivered with its rows: what makes a run correct."""
    failed = []
    if ours["by_status"] != {"delivered": n}:
        failed.append(f"{label}: cases not all delivered: {ours['by_status']}")
    rows = (ours["transitions"], ours["tasks"], ours["audit_rows"])
    if rows != (n * TRANSITIONS_PER_CASE, n * TASKS_PER_CASE, n * audit_per_case):
        failed.append(f"{label}: rows {rows} (transitions, tasks, audit events)")
    if ours.get("problems"):
        failed.append(f"{label}: {ours['problems']}")
    return failed


def result(
    name: str, raw: dict[str, Any], n: int, baseline_n: int, single_n: int, quick: bool
) -> dict[str, Any]:
    ours, base = raw["ours"], raw["baseline"]
    single, base_single = raw["ours_single"], raw["baseline_single"]
    baseline_s = base["seconds"] * n / baseline_n
    ratio = baseline_s / ours["seconds"]
    single_ms = single["seconds"] / single_n * 1000
    baseline_single_ms = base_single["seconds"] / baseline_n * 1000
    state = ours["state_bytes_per_case"]
    failed, missed = [], []
    failed += whole("batch", ours, n, BATCH_AUDIT_PER_CASE)
    failed += whole("single", single, single_n, SINGLE_AUDIT_PER_CASE)
    for label, b in (("baseline", base), ("baseline_single", base_single)):
        if b["saves"] != baseline_n * 9:
            failed.append(f"{label} saves {b['saves']} != {baseline_n * 9}")
    if ratio < MIN_RATIO:
        missed.append(f"ratio {ratio:.2f} < {MIN_RATIO:.0f}")
    if state >= MAX_STATE_BYTES:
        missed.append(f"state {state:.0f} B >= {MAX_STATE_BYTES} B")
    if not quick:
        failed += missed
    return {
        "name": name,
        "n": n,
        "database": raw["vendor"],
        "ours_s": round(ours["seconds"], 3),
        "ours_ms_per_case": round(ours["seconds"] / n * 1000, 2),
        "baseline": BASELINE,
        "baseline_s": round(baseline_s, 3),
        "baseline_ms_per_case": round(base["seconds"] / baseline_n * 1000, 2),
        "baseline_n": baseline_n,
        "baseline_extrapolated": baseline_n < n,
        "ratio": round(ratio, 3),
        "batch": BATCH,
        "ours_single_ms_per_case": round(single_ms, 2),
        "ours_single_n": single_n,
        "baseline_single_ms_per_case": round(baseline_single_ms, 2),
        "single_ratio": round(baseline_single_ms / single_ms, 3),
        "saves_per_case": 9,
        "ours_state_bytes_per_case": round(state),
        "ours_audit_bytes_per_case": round(ours["audit_bytes_per_case"]),
        "baseline_state_bytes_per_case": round(base["state_bytes_per_case"]),
        "baseline_json_bytes_per_case": round(base["json_bytes_per_case"]),
        "target_met": not missed,
        **({"target_missed": "; ".join(missed)} if missed else {}),
        "ok": not failed,
        **({"failed": "; ".join(failed)} if failed else {}),
    }


def run(quick: bool) -> list[dict[str, Any]]:
    n = QUICK_N if quick else FULL_N
    baseline_n = min(n, QUICK_BASELINE_N if quick else FULL_BASELINE_N)
    single_n = min(n, QUICK_SINGLE_N if quick else FULL_SINGLE_N)
    results = []
    with tempfile.TemporaryDirectory(prefix="onewindow-bench-") as tmp:
        work = Path(tmp)
        raw = measure(f"sqlite:///{work / 'transitions.sqlite3'}", work, n, baseline_n, single_n)
        results.append(result("transitions", raw, n, baseline_n, single_n, quick))
        if _server._existing_postgres() is not None:
            with _server.postgres_database() as url:
                raw = measure(url, work, n, baseline_n, single_n)
            results.append(result("transitions_postgres", raw, n, baseline_n, single_n, quick))
    return results
