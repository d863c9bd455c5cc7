"""kill -9 of a real server (gunicorn, 2 workers) in the middle of submissions leaves every
case whole, and the files written by the killed requests are swept by
``cases_clean_orphans``.

The server runs on its own database (a temporary SQLite file; under
``scripts/with-postgres.sh`` also a fresh PostgreSQL database created in that cluster) and
its own MEDIA_ROOT, migrated and loaded with ``bench/_fixture.py``. The test-only hook
``ONEWINDOW_FAULT_PAUSE`` (onewindow/cases/services/submission.py) holds a request inside
its transaction -- after the upload's file is written, after the submission's rows are
written -- and the test kills the server's whole process group there.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import _server
from bench._client import Session
from bench._fixture import MATERIALS
from bench.bench_submission import sample_files

pytestmark = pytest.mark.slow

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(params=BACKENDS)
def database_url(request: Any, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
    elif _server._existing_postgres() is None:
        pytest.skip("PostgreSQL only under scripts/with-postgres.sh")
    else:
        with _server.postgres_database() as url:
            yield url


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def in_background(fn: Any, *args: Any) -> threading.Thread:
    t = threading.Thread(target=fn, args=args, daemon=True)
    t.start()
    return t


def wait_for(predicate: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("the server never reached the pause")
        time.sleep(0.05)


def swallow(fn: Any, *args: Any) -> None:
    with contextlib.suppress(OSError):  # the server died under the request: the point
        fn(*args)


def test_kill_9_mid_submission_leaves_whole_cases_and_sweepable_files(
    database_url: str, tmp_path: Path
):
    media = tmp_path / "media"
    media.mkdir()
    marks = tmp_path / "marks"
    marks.mkdir()
    env = _server.django_env(database_url, media)
    _server.manage(env, "migrate", "--noinput", "-v0")
    fixture = json.loads(_server.python(env, "bench._fixture", "setup", "3"))
    item, password = fixture["item"], fixture["password"]
    zhangsan, qianqi, third = fixture["users"]
    files = sample_files()

    def draft(s: Session, uploads: int) -> dict[str, Any]:
        r = s.post_json("/api/v1/cases", {"item": item})
        assert r.status == 201, r.body
        case = r.json()
        for m, (name, content, ctype) in list(zip(case["materials"], files, strict=True))[:uploads]:
            u = s.post_file(
                f"/api/v1/cases/{case['number']}/materials/{m['id']}", name, content, ctype
            )
            assert u.status == 200, u.body
        return case

    # 1. normal operation: one case submitted, two complete drafts, one draft with 2 files
    with _server.gunicorn(env, workers=2, log_dir=tmp_path) as server:
        sessions = [Session(server.port) for _ in range(3)]
        for s, user in zip(sessions, (zhangsan, qianqi, third), strict=True):
            s.login(user, password)
        done = draft(sessions[0], len(MATERIALS))
        r = sessions[0].request("POST", f"/api/v1/cases/{done['number']}/submit")
        assert r.status == 200
        assert r.json()["status"] == "submitted"
        to_submit = [draft(sessions[0], len(MATERIALS)), draft(sessions[1], len(MATERIALS))]
        partial = draft(sessions[2], 2)
        cookies = [dict(s.cookies) for s in sessions]
        for s in sessions:
            s.close()
    committed_files = files_under(media)
    assert len(committed_files) == 3 * len(MATERIALS) + 2

    # 2. two concurrent submissions held inside their transactions; kill -9 the server
    paused = {**env, "ONEWINDOW_FAULT_PAUSE": "submit", "ONEWINDOW_FAULT_PAUSE_MARK": str(marks)}
    with _server.gunicorn(paused, workers=2, log_dir=tmp_path) as server:
        requests = []
        for case, jar in zip(to_submit, cookies, strict=False):
            s = Session(server.port, cookies=dict(jar))
            requests.append(
                in_background(swallow, s.request, "POST", f"/api/v1/cases/{case['number']}/submit")
            )
        wait_for(lambda: any(marks.iterdir()))
        time.sleep(0.3)  # the other request is in flight too (or waiting for the lock)
        server.kill_all()
        for t in requests:
            t.join(timeout=10)

    # 3. an upload held after its file is written; kill -9 the server
    paused["ONEWINDOW_FAULT_PAUSE"] = "upload"
    with _server.gunicorn(paused, workers=2, log_dir=tmp_path) as server:
        s = Session(server.port, cookies=dict(cookies[2]))
        slot = partial["materials"][2]
        name, content, ctype = files[2]
        path = f"/api/v1/cases/{partial['number']}/materials/{slot['id']}"
        t = in_background(swallow, s.post_file, path, name, content, ctype)
        wait_for(lambda: len(files_under(media)) > len(committed_files))
        server.kill_all()
        t.join(timeout=10)

    orphans = files_under(media) - committed_files
    assert len(orphans) == 1  # the killed upload's file, without a committed row

    # every case is whole: the killed submissions stayed drafts, nothing half-written
    check = json.loads(_server.python(env, "bench._fixture", "verify"))
    assert check["problems"] == []
    assert check["cases"] == 4
    assert check["by_status"] == {"submitted": 1, "draft": 3}
    assert check["material_rows"] == 4 * len(MATERIALS)

    # the sweep removes exactly the orphan and keeps every committed file
    out = _server.manage(env, "cases_clean_orphans", "--older-than-minutes", "0")
    assert "共删除孤立文件 1 个" in out
    assert files_under(media) == committed_files

    # and the server comes back: the killed submission goes through on a retry
    with _server.gunicorn(env, workers=2, log_dir=tmp_path) as server:
        s = Session(server.port, cookies=dict(cookies[0]))
        r = s.request("POST", f"/api/v1/cases/{to_submit[0]['number']}/submit")
        assert r.status == 200, r.body
        assert r.json()["status"] == "submitted"
        s.close()
    check = json.loads(_server.python(env, "bench._fixture", "verify"))
    assert check["problems"] == []
    assert check["by_status"] == {"submitted": 2, "draft": 2}
