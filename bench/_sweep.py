"""The traffic-light sweep benchmark's work, run in a subprocess against one fresh migrated
database (``python -m bench._sweep N``; prints one JSON line). See ``bench/bench_sweep.py``.

Setup (not timed): the demo district (``load_demo``: departments, service points with their
office hours, an item, people), then N open accepted cases inserted in bulk (``executemany``
on SQLite, ``COPY`` on PostgreSQL) with random acceptance instants over 2021-2026, day limits
(90%, promised 1-30, legal promised + 0-40 working days) and hour limits (10%, promised
1-16, legal twice that), 10% with a finished suspension and 3% suspended right now; their
stored deadlines computed like ``cases.deadlines`` does (vectorised for the plain day-limit
cases, the scalar calendar for the rest).
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

import numpy as np

SEED = 20261129
NOW0 = "2026-08-03T10:00:00+08:00"  # the first sweep (creates every light)
NOW1 = "2026-09-01T10:00:00+08:00"  # the timed sweep: many colours change
US = 1_000_000


def _dt(epoch_s: int) -> datetime:
    return datetime.fromtimestamp(int(epoch_s), tz=UTC)


def make_inputs(n: int, cal: Any) -> dict[str, Any]:
    """Random open cases and their stored deadlines (no database)."""
    from onewindow.cases.deadlines import end_of_day

    rng = np.random.default_rng(SEED)
    lo = int(datetime(2021, 1, 1, tzinfo=UTC).timestamp()) - 8 * 3600
    hi = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp()) - 8 * 3600
    # cases arrive over time: the table's ids follow the acceptance instants, as in reality
    accepted = np.sort(rng.integers(lo, hi, size=n))
    hours = rng.random(n) < 0.10
    promised = np.where(hours, rng.integers(1, 17, n), rng.integers(1, 31, n))
    legal = np.where(hours, promised * 2, promised + rng.integers(0, 41, n))
    kind = rng.random(n)
    closed = kind < 0.10  # a finished suspension
    open_ = (kind >= 0.10) & (kind < 0.13)  # suspended now
    # suspensions start 1-10 days after acceptance and last 1-15 days (instants)
    s_start = accepted + rng.integers(1, 11, n) * 86400 + rng.integers(0, 86400, n)
    s_end = s_start + rng.integers(1, 16, n) * 86400 + rng.integers(0, 86400, n)
    # open suspensions must have started before the sweeps' "now"
    now0 = int(datetime.fromisoformat(NOW0).timestamp())
    open_ &= s_start < now0
    point = rng.integers(0, 2, n)  # two service points (their own office hours)
    promised_due = np.full(n, -1, dtype=np.int64)
    legal_due = np.full(n, -1, dtype=np.int64)
    plain = ~hours & ~closed & ~open_
    local = (accepted[plain] + 8 * 3600).astype("datetime64[s]")
    for limits, out in ((promised, promised_due), (legal, legal_due)):
        due = cal.deadlines_days_vec(local, limits[plain]).astype("datetime64[s]").astype(np.int64)
        out[plain] = due - 8 * 3600 + 86399  # 23:59:59 local
    return {
        "n": n,
        "accepted": accepted,
        "hours": hours,
        "promised": promised,
        "legal": legal,
        "closed": closed,
        "open": open_,
        "s_start": s_start,
        "s_end": s_end,
        "point": point,
        "promised_due": promised_due,
        "legal_due": legal_due,
        "plain": plain,
        "end_of_day": end_of_day,
    }


def suspensions_of(data: dict[str, Any], i: int) -> list[tuple[datetime, datetime | None]]:
    if data["closed"][i]:
        return [(_dt(data["s_start"][i]), _dt(data["s_end"][i]))]
    if data["open"][i]:
        return [(_dt(data["s_start"][i]), None)]
    return []


def scalar_deadlines(data: dict[str, Any], cal: Any, offices: list[Any]) -> None:
    """The stored deadlines of the cases that are not plain day-limit cases (as
    ``cases.deadlines.compute_deadlines``)."""
    eod = data["end_of_day"]
    for i in np.flatnonzero(~data["plain"]):
        start = _dt(data["accepted"][i])
        spans = suspensions_of(data, int(i))
        for limits, out in (
            (data["promised"], data["promised_due"]),
            (data["legal"], data["legal_due"]),
        ):
            if data["hours"][i]:
                d = cal.deadline_hours(start, int(limits[i]), offices[data["point"][i]], spans)
                out[i] = -1 if d.due_at is None else int(d.due_at.timestamp())
            else:
                dd = cal.deadline_days(start, int(limits[i]), spans)
                out[i] = -1 if dd.due_date is None else int(eod(dd.due_date).timestamp())


def baseline_colours(
    data: dict[str, Any], cal: Any, offices: list[Any], now: datetime, rows: np.ndarray
) -> tuple[np.ndarray, float]:
    """The per-case Python loop: for each case, its deadlines and colour with the scalar
    calendar (what a sweep without stored thresholds does). Returns colours and seconds."""
    from onewindow.cases.deadlines import end_of_day

    pct, min_days, min_hours = 20, 1, 1
    out = np.zeros(rows.size, dtype=np.int8)
    started = time.perf_counter()
    for pos, i in enumerate(rows):
        start = _dt(data["accepted"][i])
        spans = suspensions_of(data, int(i))
        at = now
        if spans and spans[0][1] is None:  # clock stopped: the colour at the pause
            at = spans[0][0]
            spans = []
        limit, legal = int(data["promised"][i]), int(data["legal"][i])
        if data["hours"][i]:
            office = offices[data["point"][i]]
            due = cal.deadline_hours(start, limit, office, spans).due_at
            legal_due = cal.deadline_hours(start, legal, office, spans).due_at
            keep = max(limit * 3600 * pct // 100, min_hours * 3600)
            if at > legal_due:
                colour = 3
            elif at > due:
                colour = 2
            elif cal.deadline_hours(at, keep / 3600, office).due_at >= due:
                colour = 1
            else:
                colour = 0
        else:
            due_day = cal.deadline_days(start, limit, spans).due_date
            legal_day = cal.deadline_days(start, legal, spans).due_date
            keep = max(limit * pct // 100, min_days)
            if at > end_of_day(legal_day):
                colour = 3
            elif at > end_of_day(due_day):
                colour = 2
            elif cal.workdays_remaining(at, due_day) + cal.is_workday(at) <= keep:
                colour = 1
            else:
                colour = 0
        out[pos] = colour
    return out, time.perf_counter() - started


def baseline_read() -> float:
    """The loop's input, read from the database as a loop-based sweep must: every open
    case's acceptance, limits and service point, and every suspension. Returns seconds
    (the loop itself then runs on the same values, held in memory)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, accepted_at, limit_unit, promised_limit, legal_limit, service_point_id "
            "FROM cases_case WHERE status IN ('in_review', 'in_decision', 'suspended')"
        )
        cursor.fetchall()
        cursor.execute("SELECT case_id, started_at, resumed_at FROM cases_suspension")
        cursor.fetchall()
    return time.perf_counter() - started


def _fixtures() -> dict[str, Any]:
    from django.test import override_settings

    from onewindow.catalog.models import ItemVersion
    from onewindow.demo.loader import load_demo
    from onewindow.org.models import Applicant, ServicePoint, User

    # the demo's passwords do not matter here: the fast hasher saves ~15 s of setup
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        load_demo()
    version = (
        ItemVersion.objects.filter(status="published").select_related("item").order_by("pk").first()
    )
    assert version is not None
    points = list(ServicePoint.objects.order_by("pk")[:1])
    other = ServicePoint.objects.exclude(pk=points[0].pk).order_by("pk").first()
    assert other is not None
    other.office_hours = [["08:30", "12:00"], ["14:00", "17:30"]]
    other.save(update_fields=["office_hours"])
    points.append(other)
    user = User.objects.get(username="lisi")
    applicant = Applicant.objects.order_by("pk").first()
    assert applicant is not None
    return {"version": version, "points": points, "user": user, "applicant": applicant}


def _bulk(cursor: Any, table: str, columns: str, rows: list[tuple[Any, ...]], *, pg: bool) -> None:
    """COPY on PostgreSQL, executemany on SQLite."""
    if pg:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns.split(",")))
    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def insert_cases(data: dict[str, Any], fx: dict[str, Any]) -> None:
    from django.db import connection, transaction

    from onewindow.cases.models import Case, CaseTransition, Suspension

    n = data["n"]
    version, points, user, applicant = fx["version"], fx["points"], fx["user"], fx["applicant"]
    pg = connection.vendor == "postgresql"

    def when(epoch: int) -> Any:
        if epoch < 0:
            return None
        value = _dt(epoch)
        return value if pg else value.replace(tzinfo=None).isoformat(" ")

    mine: dict[str, Any] = {}
    fields = [f for f in Case._meta.concrete_fields if f.column != "id"]
    constant = {
        "item_id": version.item_id,
        "item_version_id": version.pk,
        "department_id": version.item.department_id,
        "applicant_id": applicant.pk,
        "channel": "online",
        "created_by_id": user.pk,
        "accepted_by_id": user.pk,
        "on_behalf": False,
        "consent_note": "",
        "form_data": "{}",
        "idempotency_key": "",
        "decision_reason": "",
        "deadlines_provisional": False,
        "suspended_workdays": 0,
    }
    defaults = {}
    for f in fields:
        if f.column in constant:
            defaults[f.column] = constant[f.column]
        elif f.has_default():
            defaults[f.column] = f.get_db_prep_save(f.get_default(), connection)
        else:
            defaults[f.column] = None
    columns = [f.column for f in fields]
    varying = (
        "number",
        "status",
        "service_point_id",
        "created_at",
        "submitted_at",
        "received_at",
        "accepted_at",
        "limit_unit",
        "promised_limit",
        "legal_limit",
        "promised_due_at",
        "legal_due_at",
    )

    def rows(lo: int, hi: int) -> list[tuple[Any, ...]]:
        out = []
        for i in range(lo, hi):
            acc = when(int(data["accepted"][i]))
            mine = {
                "number": f"B{i:09d}",
                "status": "suspended" if data["open"][i] else "in_review",
                "service_point_id": points[data["point"][i]].pk,
                "created_at": acc,
                "submitted_at": acc,
                "received_at": acc,
                "accepted_at": acc,
                "limit_unit": "working_hour" if data["hours"][i] else "working_day",
                "promised_limit": int(data["promised"][i]),
                "legal_limit": int(data["legal"][i]),
                "promised_due_at": when(int(data["promised_due"][i])),
                "legal_due_at": when(int(data["legal_due"][i])),
            }
            out.append(tuple(mine[c] if c in varying else defaults[c] for c in columns))
        return out

    del mine
    table = Case._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    chunk = 20_000
    with transaction.atomic(), connection.cursor() as cursor:
        for lo in range(0, n, chunk):
            batch = rows(lo, min(n, lo + chunk))
            if pg:
                raw = cursor.cursor
                with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", batch)
        cursor.execute(f"SELECT id FROM {table} WHERE number LIKE %s ORDER BY number", ["B%"])
        ids = np.array([r[0] for r in cursor.fetchall()], dtype=np.int64)
        data["ids"] = ids
        spans = []
        for i in np.flatnonzero(data["closed"] | data["open"]):
            start = when(int(data["s_start"][i]))
            end = when(int(data["s_end"][i])) if data["closed"][i] else None
            spans.append(
                (int(ids[i]), "expert_review", "专家评审", start, user.pk, end, "in_review")
            )
        # every accepted case has its acceptance transition (the sync reads new transitions)
        transitions = [
            (
                int(ids[i]),
                "accept",
                "submitted",
                "in_review",
                user.pk,
                when(int(data["accepted"][i])),
                "",
            )
            for i in range(n)
        ]
        ttable = CaseTransition._meta.db_table
        tcols = "case_id, name, from_status, to_status, actor_id, at, note"
        for lo in range(0, n, chunk):
            _bulk(cursor, ttable, tcols, transitions[lo : lo + chunk], pg=pg)
        stable = Suspension._meta.db_table
        scols = "case_id, kind, reason, started_at, started_by_id, resumed_at, resume_status"
        cursor.executemany(
            f"INSERT INTO {stable} ({scols}) VALUES (%s, %s, %s, %s, %s, %s, %s)", spans
        )


def main(n: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection

    from onewindow.supervision.models import CaseLight
    from onewindow.supervision.services import lights_sweep
    from onewindow.workdays.officehours import OfficeHours
    from onewindow.workdays.selectors import get_calendar

    cal = get_calendar()
    fx = _fixtures()
    offices = [OfficeHours.parse(p.office_hours or None).as_json() for p in fx["points"]]
    started = time.perf_counter()
    data = make_inputs(n, cal)
    scalar_deadlines(data, cal, offices)
    insert_cases(data, fx)
    setup_s = time.perf_counter() - started

    now0, now1 = datetime.fromisoformat(NOW0), datetime.fromisoformat(NOW1)
    started = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        cProfile.runctx("lights_sweep(now=now0, alerts=False)", globals(), locals(), sort="cumtime")
    first = lights_sweep(now=now0, alerts=False)
    first_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # the database at rest, as between two sweeps of a running centre: statistics and
        # visibility up to date, and the bulk load's dirty pages written out (not a
        # checkpoint the load set off running during the timed sweep)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
    started = time.perf_counter()
    full = lights_sweep(now=now1, alerts=False)
    full_s = time.perf_counter() - started
    changes_before = _total_changes()
    started = time.perf_counter()
    again = lights_sweep(now=now1, alerts=False)
    again_s = time.perf_counter() - started
    changes_after = _total_changes()

    stored = dict(CaseLight.objects.values_list("case_id", "colour"))
    ours = np.array([stored.get(int(pk), -1) for pk in data["ids"]], dtype=np.int8)
    every = np.arange(n)
    read_s = baseline_read()
    base, loop_s = baseline_colours(data, cal, offices, now1, every)
    base_s = read_s + loop_s
    mismatches = int((base != ours).sum())
    return {
        "vendor": connection.vendor,
        "n": n,
        "setup_s": setup_s,
        "first": first.as_dict(),
        "first_s": first_s,
        "full": full.as_dict(),
        "full_s": full_s,
        "again": again.as_dict(),
        "again_s": again_s,
        "again_db_changes": None if changes_before is None else changes_after - changes_before,
        "baseline_s": base_s,
        "baseline_read_s": read_s,
        "baseline_loop_s": loop_s,
        "baseline_n": int(every.size),
        "mismatches": mismatches,
        "colours": {str(c): int((ours == c).sum()) for c in range(4)},
        "suspended_now": int(data["open"].sum()),
        "hour_limits": int(data["hours"].sum()),
    }


def _total_changes() -> int | None:
    from django.db import connection

    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT total_changes()")
        return int(cursor.fetchone()[0])


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    print(json.dumps(main(int(sys.argv[1]))))
