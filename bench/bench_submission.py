"""Submission throughput over HTTP: whole cases (create, five uploads, submit) sent by
concurrent clients to a real gunicorn (2 sync workers) on PostgreSQL 15, against pgbench's
TPS on the same cluster in the same run; the same measurement on SQLite (WAL).

Setup (not timed): a throw-away PostgreSQL 15 cluster (``bench/_server.py``; or a fresh
database in the server named by ``DATABASE_URL`` under ``scripts/with-postgres.sh``),
``migrate``, the demo district, one published item with five required materials and one
applicant account per client (``bench/_fixture.py``); gunicorn on a free loopback port,
waited for on ``/healthz``; every client logs in through ``/accounts/login/`` (session and
CSRF cookies; ``X-CSRFToken`` on every POST).

Measured: for ``DURATION`` seconds each of ``CLIENTS`` threads submits whole cases, one
after the other: ``POST /api/v1/cases`` (Idempotency-Key), five multipart uploads (small
real PDFs and PNGs prepared once in memory), ``POST /api/v1/cases/{number}/submit``
(Idempotency-Key) -- 7 HTTP requests. A client starts no new case after the deadline and
finishes the one it is on. **One transaction = one whole submitted case** (what the
applicant experiences as "submitting an application"); requests per second are reported
too. Latencies: per case (create to submitted) and per HTTP request, p50/p95/p99.

Baseline: ``pgbench -i -s 10`` then ``pgbench -c 8 -j 2 -T 30`` (quick: ``-T 5``) on the
same cluster, after gunicorn has stopped (each side has the machine to itself).

Checked after the run (``python -m bench._fixture verify``): the database holds exactly the
cases the clients saw submitted, each with five uploaded materials whose files exist, its
audit events and its transition; no request failed.

Requirements (PostgreSQL): cases/s >= 10% of pgbench TPS, p95 per HTTP request < 100 ms.
SQLite: correctness only. ``--quick`` (CI smoke) runs 4 clients for 3 s and pgbench for
5 s, and checks correctness only (``target_met`` still says whether the targets were met).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench import _server
from bench._client import Session, percentile
from bench._fixture import MATERIALS

FULL = {"clients": 16, "duration": 20.0, "pgbench_t": 30}
QUICK = {"clients": 4, "duration": 3.0, "pgbench_t": 5}
MIN_RATIO, MAX_P95_S = 0.10, 0.100
REQUESTS_PER_CASE = 7
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
ERRORS_KEPT = 5


def sample_files() -> list[tuple[str, bytes, str]]:
    """Five small real files (3 PDFs, 2 PNGs), made once."""
    from PIL import Image
    from pypdf import PdfWriter

    def pdf(pages: int) -> bytes:
        writer = PdfWriter()
        for _ in range(pages):
            writer.add_blank_page(width=595, height=842)
        buf = io.BytesIO()
        writer.write(buf)
        return buf.getvalue()

    def png(colour: tuple[int, int, int]) -> bytes:
        buf = io.BytesIO()
        Image.new("RGB", (120, 90), colour).save(buf, "PNG")
        return buf.getvalue()

    return [
        ("申请书.pdf", pdf(1), "application/pdf"),
        ("身份证明.png", png((200, 30, 30)), "image/png"),
        ("场所证明.pdf", pdf(2), "application/pdf"),
        ("平面布局图.png", png((30, 120, 200)), "image/png"),
        ("承诺书.pdf", pdf(1), "application/pdf"),
    ]


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    case_seconds: list[float] = field(default_factory=list)
    request_seconds: list[float] = field(default_factory=list)
    submitted: list[str] = field(default_factory=list)
    errors: int = 0
    server_errors: int = 0
    error_samples: list[str] = field(default_factory=list)

    def error(self, what: str, status: int, body: bytes) -> None:
        with self.lock:
            self.errors += 1
            if status >= 500:
                self.server_errors += 1
            if len(self.error_samples) < ERRORS_KEPT:
                self.error_samples.append(f"{what}: HTTP {status} {body[:300]!r}")


def one_case(s: Session, item: str, files: list[tuple[str, bytes, str]], tally: Tally) -> bool:
    started = time.perf_counter()
    r = s.post_json("/api/v1/cases", {"item": item}, {"Idempotency-Key": uuid.uuid4().hex})
    if r.status != 201:
        tally.error("create", r.status, r.body)
        return False
    case = r.json()
    number = case["number"]
    for material, (name, content, ctype) in zip(case["materials"], files, strict=True):
        u = s.post_file(f"/api/v1/cases/{number}/materials/{material['id']}", name, content, ctype)
        if u.status != 200:
            tally.error("upload", u.status, u.body)
            return False
    r = s.request("POST", f"/api/v1/cases/{number}/submit", b"", {"Idempotency-Key": number})
    if r.status != 200 or r.json().get("status") != "submitted":
        tally.error("submit", r.status, r.body)
        return False
    with tally.lock:
        tally.case_seconds.append(time.perf_counter() - started)
        tally.submitted.append(number)
    return True


def multipart(
    fields: dict[str, str], files: list[tuple[str, str, bytes, str]]
) -> tuple[bytes, str]:
    """A multipart/form-data body: text ``fields`` and ``(field, filename, content, type)``."""
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, filename, content, ctype in files:
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n"
        ).encode()
        parts.append(head + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def one_case_whole(
    s: Session, item: str, files: list[tuple[str, bytes, str]], tally: Tally
) -> bool:
    """One whole case in one request: ``POST /api/v1/cases/submissions``."""
    started = time.perf_counter()
    parts = [
        (f"material.{code}", name, content, ctype)
        for (code, _name), (name, content, ctype) in zip(MATERIALS, files, strict=True)
    ]
    body, ctype = multipart({"item": item, "form_data": "{}"}, parts)
    r = s.request(
        "POST",
        "/api/v1/cases/submissions",
        body,
        {"Content-Type": ctype, "Idempotency-Key": uuid.uuid4().hex},
    )
    if r.status != 201 or r.json().get("status") != "submitted":
        tally.error("submission", r.status, r.body)
        return False
    with tally.lock:
        tally.case_seconds.append(time.perf_counter() - started)
        tally.submitted.append(r.json()["number"])
    return True


def client(
    port: int,
    username: str,
    password: str,
    item: str,
    files: list[tuple[str, bytes, str]],
    start: threading.Barrier,
    deadline: list[float],
    tally: Tally,
    whole: bool,
) -> None:
    one = one_case_whole if whole else one_case
    s = Session(port)
    try:
        s.login(username, password)
        start.wait()
        while time.perf_counter() < deadline[0]:
            try:
                if not one(s, item, files, tally):
                    s.close()
            except (OSError, ValueError) as exc:
                tally.error("connection", 0, repr(exc).encode())
                s.close()
        with tally.lock:
            tally.request_seconds.extend(s.timings)
    except Exception as exc:
        tally.error("client", 0, repr(exc).encode())
        with contextlib.suppress(threading.BrokenBarrierError):
            start.abort()
    finally:
        s.close()


def drive(
    port: int, fixture: dict[str, Any], clients: int, duration: float, whole: bool
) -> tuple[Tally, float]:
    files = sample_files()
    tally = Tally()
    start = threading.Barrier(clients + 1)
    deadline = [float("inf")]
    threads = [
        threading.Thread(
            target=client,
            args=(
                port,
                u,
                fixture["password"],
                fixture["item"],
                files,
                start,
                deadline,
                tally,
                whole,
            ),
            daemon=True,
        )
        for u in fixture["users"][:clients]
    ]
    for t in threads:
        t.start()
    try:
        start.wait(timeout=120)
    except threading.BrokenBarrierError:
        raise RuntimeError(f"clients could not start: {tally.error_samples}") from None
    began = time.perf_counter()
    deadline[0] = began + duration
    for t in threads:
        t.join(timeout=duration + 180)
    return tally, time.perf_counter() - began


def floor_rps(port: int, clients: int, seconds: float) -> float:
    """Requests per second of ``GET /healthz`` (Django's whole middleware stack and one
    ``SELECT 1``, no session) by ``clients`` keep-alive clients: the ceiling of any
    endpoint of this stack on this server and machine, for reading the results."""
    counts = [0] * clients
    stop = [0.0]
    start = threading.Barrier(clients + 1)

    def hit(i: int) -> None:
        s = Session(port)
        start.wait()
        try:
            while time.perf_counter() < stop[0]:
                if s.request("GET", "/healthz").status == 200:
                    counts[i] += 1
        finally:
            s.close()

    threads = [threading.Thread(target=hit, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    stop[0] = time.perf_counter() + 3600
    start.wait()
    began = time.perf_counter()
    stop[0] = began + seconds
    for t in threads:
        t.join(timeout=seconds + 60)
    return sum(counts) / (time.perf_counter() - began)


def ms(x: float) -> float:
    return round(x * 1000, 1)


def measure(
    database_url: str, label: str, work: Path, clients: int, duration: float, whole: bool
) -> dict[str, Any]:
    media = work / f"media-{label}"
    media.mkdir()
    # as a deployment runs: persistent database connections (DB_CONN_MAX_AGE) and messages
    # left in the outbox for the periodic sender (NOTIFY_SEND_MODE=outbox, docs/notify.md)
    env = _server.django_env(database_url, media, DB_CONN_MAX_AGE="60", NOTIFY_SEND_MODE="outbox")
    began = time.perf_counter()
    _server.manage(env, "migrate", "--noinput", "-v0")
    fixture = json.loads(_server.python(env, "bench._fixture", "setup", str(clients)))
    setup_s = time.perf_counter() - began
    with _server.gunicorn(env, workers=WORKERS, log_dir=work) as server:
        tally, elapsed = drive(server.port, fixture, clients, duration, whole)
        floor = floor_rps(server.port, clients, 5.0) if whole and clients >= 16 else None
    log_tail = server.log.read_text(errors="replace")[-3000:] if tally.server_errors else ""
    check = json.loads(_server.python(env, "bench._fixture", "verify"))
    n = len(tally.submitted)
    requests = len(tally.request_seconds)
    whole = (
        check["problem_count"] == 0
        and check["cases"] == n
        and check["by_status"] == ({"submitted": n} if n else {})
    )
    failed = []
    if tally.errors:
        failed.append(f"{tally.errors} failed requests ({tally.server_errors} 5xx)")
    if not whole:
        failed.append(f"database not as submitted: {check}")
    if n == 0:
        failed.append("no case submitted")
    return {
        "n": n,
        "ours_s": round(elapsed, 3),
        "clients": clients,
        "cases_per_s": round(n / elapsed, 2),
        "requests": requests,
        "requests_per_s": round(requests / elapsed, 1),
        "case_p50_ms": ms(percentile(tally.case_seconds, 50)),
        "case_p95_ms": ms(percentile(tally.case_seconds, 95)),
        "case_p99_ms": ms(percentile(tally.case_seconds, 99)),
        "request_p50_ms": ms(percentile(tally.request_seconds, 50)),
        "request_p95_ms": ms(percentile(tally.request_seconds, 95)),
        "request_p99_ms": ms(percentile(tally.request_seconds, 99)),
        "errors": tally.errors,
        "server_errors": tally.server_errors,
        **({"error_samples": tally.error_samples} if tally.error_samples else {}),
        **({"server_log_tail": log_tail} if log_tail else {}),
        "db_cases": check["cases"],
        "db_material_rows": check["material_rows"],
        "db_audit_events": check["audit_events"],
        "db_whole": whole,
        "setup_s": round(setup_s, 1),
        **({"healthz_rps": round(floor, 1)} if floor is not None else {}),
        "_failed": failed,
        "_p95_s": percentile(tally.request_seconds, 95),
    }


def pgbench(database_url: str, seconds: int) -> float:
    """TPS of ``pgbench -c 8 -j 2 -T seconds`` after ``pgbench -i -s 10``."""
    url = urlsplit(database_url)
    conn = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432)]
    conn += ["-U", url.username or "postgres"]
    db = url.path.lstrip("/")
    subprocess.run(
        ["pgbench", *conn, "-i", "-s", "10", "-q", db],
        check=True,
        capture_output=True,
        timeout=600,
    )
    out = subprocess.run(
        ["pgbench", *conn, "-c", "8", "-j", "2", "-T", str(seconds), db],
        check=True,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
    ).stdout
    found = re.search(r"tps = ([0-9.]+)", out)
    if found is None:
        raise RuntimeError(f"pgbench: no tps in output:\n{out}")
    return float(found.group(1))


def _finish(result: dict[str, Any], extra_failed: list[str], quick: bool) -> dict[str, Any]:
    failed = result.pop("_failed") + extra_failed
    result.pop("_p95_s")
    result["ok"] = not failed
    if failed:
        result["failed"] = "; ".join(failed)
    return result


def _steps_result(url: str, work: Path, clients: int, duration: float) -> dict[str, Any]:
    """The same cases through the three separate steps (7 requests): for reference."""
    ours = measure(url, "postgres-steps", work, clients, duration, whole=False)
    return _finish(
        {
            "name": "submission_steps_postgres",
            **ours,
            "baseline": "none (reference: the step-by-step API)",
            "baseline_s": None,
            "ratio": None,
            "transaction": "one whole case: create + 5 uploads + submit (7 HTTP requests)",
        },
        [],
        True,
    )


def run(quick: bool) -> list[dict[str, Any]]:
    cfg = QUICK if quick else FULL
    clients, duration, pg_t = int(cfg["clients"]), float(cfg["duration"]), int(cfg["pgbench_t"])
    results = []
    with tempfile.TemporaryDirectory(prefix="onewindow-bench-") as tmp:
        work = Path(tmp)
        if _server.postgres_available():
            with _server.postgres_database() as url:
                ours = measure(url, "postgres", work, clients, duration, whole=True)
                tps = pgbench(url, pg_t)
            ratio = ours["cases_per_s"] / tps
            target = []
            if ratio < MIN_RATIO:
                target.append(f"ratio {ratio:.4f} < {MIN_RATIO}")
            if ours["_p95_s"] >= MAX_P95_S:
                target.append(f"p95 {ms(ours['_p95_s'])} ms >= {ms(MAX_P95_S)} ms")
            result = {
                "name": "submission_postgres",
                **ours,
                "baseline": f"pgbench -c 8 -j 2 -T {pg_t}",
                "baseline_s": pg_t,
                "baseline_tps": round(tps, 1),
                "ratio": round(ratio, 4),
                "transaction": "one whole case with 5 files: POST /api/v1/cases/submissions",
                "target_met": not target,
                **({"target_missed": "; ".join(target)} if target else {}),
            }
            results.append(_finish(result, [] if quick else target, quick))
            if not quick:
                with _server.postgres_database() as url:
                    results.append(_steps_result(url, work, clients, duration))
        sqlite = work / "bench.sqlite3"
        ours = measure(f"sqlite:///{sqlite}", "sqlite", work, clients, duration, whole=True)
        results.append(
            _finish(
                {
                    "name": "submission_sqlite",
                    **ours,
                    "baseline": "none (correctness only)",
                    "baseline_s": None,
                    "ratio": None,
                    "transaction": "one whole case with 5 files: POST /api/v1/cases/submissions",
                },
                [],
                quick,
            )
        )
    return results
