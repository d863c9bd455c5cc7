"""Where a submitted case's time goes, in one process (not a benchmark: a tool)::

    python -m bench._profile [CASES] [--whole] [--cprofile N] [--pyinstrument] [--no-queries]

Against a fresh, migrated database (``DATABASE_URL``; by default a temporary SQLite file
made here), sets up the submission benchmark's fixture (``bench/_fixture.py``), logs one
applicant in through Django's test client and submits ``CASES`` whole cases exactly as the
benchmark's clients do (create, five uploads, submit; the same files; with ``--whole`` in
one request, ``POST /api/v1/cases/submissions``). Prints, per endpoint,
the mean wall time and the number of SQL queries, as JSON; with ``--cprofile N`` also the
``N`` most expensive functions (cumulative; ``PROFILE_SORT=tottime`` to change) of the
whole run; with ``--pyinstrument`` a sampled call tree (lower overhead than cProfile);
``--no-queries`` times without capturing queries (the debug cursor costs time too);
``PROFILE_SQL=1`` prints the last case's SQL per endpoint.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from contextlib import nullcontext
from pathlib import Path
from typing import Any


def run(cases: int, top: int, pyinstrument: bool, capture: bool, whole: bool) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench._fixture import setup
    from bench.bench_submission import sample_files

    fixture = setup(1)
    files = sample_files()
    client = Client()
    if not client.login(username=fixture["users"][0], password=fixture["password"]):
        raise RuntimeError("login failed")
    seconds: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, list[int]] = defaultdict(list)
    last_sql: dict[str, list[str]] = {}

    def timed(label: str, call: Any) -> Any:
        with CaptureQueriesContext(connection) if capture else nullcontext() as ctx:
            began = time.perf_counter()
            response = call()
            seconds[label].append(time.perf_counter() - began)
        queries[label].append(len(ctx.captured_queries) if ctx else 0)
        if os.environ.get("PROFILE_SQL"):
            last_sql[label] = [q["sql"][:240] for q in ctx.captured_queries]
        if response.status_code >= 400:
            raise RuntimeError(f"{label}: HTTP {response.status_code} {response.content[:300]!r}")
        return response

    def one_whole() -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from bench._fixture import MATERIALS

        data: dict[str, Any] = {"item": fixture["item"], "form_data": "{}"}
        for (code, _n), (name, content, ctype) in zip(MATERIALS, files, strict=True):
            data[f"material.{code}"] = SimpleUploadedFile(name, content, content_type=ctype)
        timed(
            "submission",
            lambda: client.post(
                "/api/v1/cases/submissions", data, headers={"Idempotency-Key": uuid.uuid4().hex}
            ),
        )

    def one_steps() -> None:
        r = timed(
            "create",
            lambda: client.post(
                "/api/v1/cases",
                {"item": fixture["item"]},
                content_type="application/json",
                headers={"Idempotency-Key": uuid.uuid4().hex},
            ),
        )
        case = r.json()
        number = case["number"]
        for material, (name, content, ctype) in zip(case["materials"], files, strict=True):
            from django.core.files.uploadedfile import SimpleUploadedFile

            upload = SimpleUploadedFile(name, content, content_type=ctype)
            timed(
                "upload",
                lambda m=material, u=upload: client.post(
                    f"/api/v1/cases/{number}/materials/{m['id']}", {"file": u}
                ),
            )
        timed(
            "submit",
            lambda: client.post(
                f"/api/v1/cases/{number}/submit", headers={"Idempotency-Key": number}
            ),
        )

    one = one_whole if whole else one_steps
    one()  # warm-up (imports, caches)
    seconds.clear()
    queries.clear()
    profiler = cProfile.Profile() if top else None
    sampler = None
    if pyinstrument:
        from pyinstrument import Profiler

        sampler = Profiler(interval=0.0005)
        sampler.start()
    if profiler:
        profiler.enable()
    began = time.perf_counter()
    for _ in range(cases):
        one()
    total = time.perf_counter() - began
    if profiler:
        profiler.disable()
        order = os.environ.get("PROFILE_SORT", "cumulative")
        pstats.Stats(profiler, stream=sys.stderr).sort_stats(order).print_stats(top)
    if sampler:
        sampler.stop()
        print(sampler.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)
    for label, sql in last_sql.items():
        print(f"--- {label}", *sql, sep="\n", file=sys.stderr)
    return {
        "vendor": connection.vendor,
        "cases": cases,
        "ms_per_case": round(total / cases * 1000, 2),
        "endpoints": {
            label: {
                "ms": round(sum(v) / len(v) * 1000, 2),
                "queries": round(sum(queries[label]) / len(queries[label]), 1),
            }
            for label, v in seconds.items()
        },
    }


def main(argv: list[str]) -> int:
    cases = int(argv[0]) if argv and argv[0].isdigit() else 20
    top = int(argv[argv.index("--cprofile") + 1]) if "--cprofile" in argv else 0
    if "_PROFILE_CHILD" not in os.environ:
        with tempfile.TemporaryDirectory(prefix="onewindow-profile-") as tmp:
            env = {
                **os.environ,
                "_PROFILE_CHILD": "1",
                "MEDIA_ROOT": str(Path(tmp) / "media"),
                "DEBUG": "0",
            }
            env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/profile.sqlite3")
            env.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
            root = Path(__file__).resolve().parent.parent
            subprocess.run(
                [sys.executable, str(root / "manage.py"), "migrate", "--noinput", "-v0"],
                env=env,
                check=True,
            )
            child = [sys.executable, "-m", "bench._profile", *argv]
            return subprocess.run(child, env=env, check=False).returncode
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    capture = "--no-queries" not in argv
    result = run(cases, top, "--pyinstrument" in argv, capture, "--whole" in argv)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
