"""Real servers for the benchmarks and the fault tests: a throw-away PostgreSQL 15 cluster,
``manage.py`` in a subprocess, and gunicorn on a free loopback port.

Everything is a context manager that cleans up on the way out, also on failure: the cluster
is stopped (``pg_ctl -m immediate``) and its folder removed; gunicorn runs in its own
process group, which is sent SIGTERM and then SIGKILL. Nothing is left running.

The cluster follows ``scripts/with-postgres.sh``: as root the server runs as the
``postgres`` system account; ``fsync``, ``synchronous_commit`` and ``full_page_writes`` are
off (a throw-away cluster; the pgbench baseline runs on the same cluster, so both sides
share the setting). When ``DATABASE_URL`` already names a PostgreSQL server (the script
set it), that server is used and a fresh database is created in it instead.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
GUNICORN = Path(PYTHON).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_pg(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def postgres_available() -> bool:
    return (PGBIN / "initdb").exists() or _existing_postgres() is not None


def _existing_postgres() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def psql(url: str, sql: str) -> str:
    """Run ``sql`` with psql against ``url`` and return its output (tuples only)."""
    out = subprocess.run(
        ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return out.stdout.strip()


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty database; yields its URL (postgres://...)."""
    existing = _existing_postgres()
    if existing is not None:
        name = f"bench_{uuid.uuid4().hex[:10]}"
        psql(existing, f'CREATE DATABASE "{name}"')
        try:
            yield _with_db(existing, name)
        finally:
            with contextlib.suppress(Exception):
                psql(existing, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    folder = Path(tempfile.mkdtemp(prefix="onewindow-bench-pg."))
    folder.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    port = free_port()
    started = False
    try:
        subprocess.run(
            _as_pg(
                [
                    *(str(PGBIN / "initdb"), "-D", str(data), "-U", "onewindow"),
                    *("--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"),
                ]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        options = (
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            _as_pg(
                [
                    *(str(PGBIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log")),
                    *("-w", "-o", options, "start"),
                ]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        started = True
        url = f"postgres://onewindow@127.0.0.1:{port}/onewindow"
        psql(_with_db(url, "postgres"), "CREATE DATABASE onewindow")
        yield url
    finally:
        if started:
            subprocess.run(
                _as_pg([str(PGBIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                capture_output=True,
                timeout=120,
                check=False,
            )
        shutil.rmtree(folder, ignore_errors=True)


def django_env(database_url: str, media_root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PGBENCH_URL",)}
    env.update(
        DJANGO_SETTINGS_MODULE="onewindow.settings",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        DEBUG="0",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    out = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out.stderr[-4000:]}")
    return out.stdout


def python(env: dict[str, str], module: str, *args: str, timeout: float = 600) -> str:
    """Run ``python -m module args`` with ``env`` (Django code that needs the database)."""
    out = subprocess.run(
        [PYTHON, "-m", module, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"python -m {module} failed:\n{out.stderr[-4000:]}")
    return out.stdout


class Gunicorn:
    """A running gunicorn (its master is ``self.proc``; its own process group)."""

    def __init__(self, proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.proc = proc
        self.port = port
        self.log = log

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []

    def kill_all(self) -> None:
        """kill -9 the master and its workers (the whole process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)


def wait_healthy(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({proc.returncode}):\n{log.read_text()[-4000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn not healthy after {timeout} s:\n{log.read_text()[-4000:]}")


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 2, log_dir: Path) -> Iterator[Gunicorn]:
    port = free_port()
    log = log_dir / f"gunicorn-{port}.log"
    if os.environ.get("BENCH_SERVER") == "granian":
        threads = os.environ.get("BENCH_GRANIAN_THREADS", "1")
        cmd = [
            *(str(GUNICORN.with_name("granian")), "--interface", "wsgi"),
            *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
            *("--blocking-threads", threads, "--no-ws", "--log-level", "warning"),
            "onewindow.wsgi:application",
        ]
    else:
        cmd = [
            *(str(GUNICORN), "onewindow.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
            *("--worker-class", "sync", "--timeout", "120", "--graceful-timeout", "5"),
            *("--backlog", "512", "--log-level", "warning"),
        ]
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Gunicorn(proc, port, log)
    try:
        wait_healthy(port, proc, log, timeout=60)
        yield server
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        # workers left behind by a killed master die with their group
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
