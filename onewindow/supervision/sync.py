"""Keep the lights' thresholds in step with the cases, set-wise, at the start of each sweep.

Cases do not know supervision (they must not import it), so there is no save hook: instead
every light keeps a copy of the source fields its thresholds were computed from (status,
step, promised and legal deadlines). Each sweep asks the database, in two set-based queries
per subject (cases, bundle cases), for:

* open accepted cases / bundles without a light (new), and
* active lights whose copied fields differ from the subject's (moved, suspended, resumed,
  extended, concluded...).

Only those rows come to Python, where their thresholds are computed for the whole batch at
once with the calendar's vectorised ordinal index (``thresholds``); cases whose clock is
stopped need their deadline as it was before the open suspension and are computed one by one
with the scalar calendar (few). A light whose subject is no longer open is closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from django.db import connection

from onewindow.cases.models import BundleCase, BundleCaseStatus, Case, CaseTransition, Suspension
from onewindow.cases.states import CLOCK_STOPPED, OPEN_ACCEPTED
from onewindow.catalog.models import LimitUnit
from onewindow.org.models import ServicePoint
from onewindow.supervision import thresholds as th
from onewindow.supervision.models import CaseLight, LightKind
from onewindow.supervision.rules import Rules
from onewindow.workdays.calendar import WorkCalendar
from onewindow.workdays.officehours import OfficeHours

BUNDLE_OPEN = tuple(
    s for s in ("accepted", "in_progress", "awaiting_applicant") if s in BundleCaseStatus.values
)
CASE_OPEN = tuple(sorted(OPEN_ACCEPTED))
CHUNK = 5000


@dataclass
class SyncCounts:
    created: int = 0
    resynced: int = 0
    closed: int = 0


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _distinct(a: str, b: str) -> str:
    op = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    return f"({a} {op} {b})"


def _epoch_s(column: str) -> str:
    """SQL for the epoch seconds of a datetime column (whole seconds; NULL stays NULL)."""
    if connection.vendor == "postgresql":
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"  # always run with params


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


CASE_COLUMNS = (
    "c.id, c.status, c.current_step_id, c.limit_unit, c.promised_limit, "
    "c.promised_due_at, c.legal_due_at, {p}, {l}, c.department_id, c.service_point_id, "
    "c.bundle_case_id, {m}"
)


def _case_rows(light_ids: bool, since: int | None) -> list[tuple[Any, ...]]:
    light, case = _q(CaseLight._meta.db_table), _q(Case._meta.db_table)
    transition = _q(CaseTransition._meta.db_table)
    moved = _epoch_s(
        f"COALESCE((SELECT MAX(t.at) FROM {transition} t WHERE t.case_id = c.id), c.accepted_at)"  # noqa: S608
    )
    # incremental: driven by the cases of the transitions after ``since`` (a range of the
    # transitions' primary key), joined to the cases, never a scan of every open case
    source = (
        f"{case} c"
        if since is None
        else f"(SELECT t2.case_id FROM {transition} t2 WHERE t2.id > %s) tc "  # noqa: S608
        f"CROSS JOIN {case} c"
    )
    touched = "" if since is None else " AND c.id = tc.case_id"
    extra: list[Any] = [] if since is None else [since]
    cols = CASE_COLUMNS.format(
        p=_epoch_s("c.promised_due_at"), l=_epoch_s("c.legal_due_at"), m=moved
    )
    if light_ids:  # active lights whose case changed
        changed = " OR ".join(
            [
                "c.status <> l.src_status",
                _distinct("c.current_step_id", "l.src_step_id"),
                _distinct("c.promised_due_at", "l.src_promised_due_at"),
                _distinct("c.legal_due_at", "l.src_legal_due_at"),
            ]
        )
        sql = (
            f"SELECT l.id, {cols} FROM {source} JOIN {light} l ON l.case_id = c.id "  # noqa: S608
            f"WHERE l.active AND ({changed}){touched}"
        )
        params: list[Any] = extra
    else:  # open accepted cases without a light
        sql = (
            f"SELECT NULL, {cols} FROM {source} WHERE c.status IN ({_placeholders(CASE_OPEN)}) "  # noqa: S608
            f"AND c.accepted_at IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {light} l WHERE l.case_id = c.id){touched}"
        )
        params = [*extra, *CASE_OPEN]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # a case with several new transitions comes once per transition (no DISTINCT: it
        # would make SQLite walk the transitions by case instead of the id range)
        return list({row[1]: row for row in cursor.fetchall()}.values())


def _bundle_rows(light_ids: bool, since: int | None) -> list[tuple[Any, ...]]:
    """Bundle cases are few and change without case transitions: always compared whole."""
    light, bundle = _q(CaseLight._meta.db_table), _q(BundleCase._meta.db_table)
    cols = (
        f"b.id, b.status, NULL, '{LimitUnit.WORKING_DAY}', b.promised_limit, b.promised_due_at, "
        f"NULL, {_epoch_s('b.promised_due_at')}, NULL, b.lead_department_id, NULL, NULL, "
        f"{_epoch_s('b.accepted_at')}"
    )
    if light_ids:
        changed = " OR ".join(
            [
                "b.status <> l.src_status",
                _distinct("b.promised_due_at", "l.src_promised_due_at"),
            ]
        )
        sql = (
            f"SELECT l.id, {cols} FROM {bundle} b CROSS JOIN {light} l "  # noqa: S608
            f"WHERE l.bundle_case_id = b.id AND l.active AND ({changed})"
        )
        params: list[Any] = []
    else:
        sql = (
            f"SELECT NULL, {cols} FROM {bundle} b WHERE b.status IN ({_placeholders(BUNDLE_OPEN)}) "  # noqa: S608
            "AND b.accepted_at IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {light} l WHERE l.bundle_case_id = b.id)"
        )
        params = list(BUNDLE_OPEN)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _i64(values: list[Any], default: int) -> np.ndarray:
    return np.array([default if v is None else int(v) for v in values], dtype=np.int64)


def _epoch_us(value: datetime | None) -> int | None:
    if value is None:
        return None
    return round(value.timestamp() * 1_000_000) if value.tzinfo else None


def _stopped(
    cal: WorkCalendar, case_ids: list[int], rows: list[tuple[Any, ...]]
) -> dict[int, tuple[int, int | None, int | None]]:
    """For cases whose clock is stopped: (paused_at µs, promised due s, legal due s) with
    the deadlines as they stood before the open suspension (scalar calendar, few rows)."""
    from onewindow.cases.deadlines import end_of_day

    if not case_ids:
        return {}
    out: dict[int, tuple[int, int | None, int | None]] = {}
    by_case: dict[int, list[Suspension]] = {}
    for s in Suspension.objects.filter(case_id__in=case_ids).order_by("started_at", "id"):
        by_case.setdefault(s.case_id, []).append(s)
    cases = {c.pk: c for c in Case.objects.filter(pk__in=case_ids).select_related("service_point")}
    wanted = {r[1]: r for r in rows}
    for pk in case_ids:
        spans = by_case.get(pk, [])
        open_spans = [s for s in spans if s.resumed_at is None]
        case = cases.get(pk)
        if not open_spans or case is None or case.accepted_at is None:
            continue
        paused = _epoch_us(open_spans[0].started_at)
        closed = [(s.started_at, s.resumed_at) for s in spans if s.resumed_at is not None]
        row = wanted[pk]
        promised_s, legal_s = row[8], row[9]
        if promised_s is None and case.promised_limit is not None and case.legal_limit:
            if case.limit_unit == LimitUnit.WORKING_HOUR:
                point = case.service_point
                office = (point.office_hours or None) if point is not None else None
                p_due = cal.deadline_hours(case.accepted_at, case.promised_limit, office, closed)
                l_due = cal.deadline_hours(case.accepted_at, case.legal_limit, office, closed)
                promised_s = int(p_due.due_at.timestamp()) if p_due.due_at else None
                legal_s = int(l_due.due_at.timestamp()) if l_due.due_at else None
            else:
                p_day = cal.deadline_days(case.accepted_at, case.promised_limit, closed)
                l_day = cal.deadline_days(case.accepted_at, case.legal_limit, closed)
                promised_s = int(end_of_day(p_day.due_date).timestamp()) if p_day.due_date else None
                legal_s = int(end_of_day(l_day.due_date).timestamp()) if l_day.due_date else None
        if paused is not None:
            out[pk] = (paused, promised_s, legal_s)
    return out


def _offices(points: set[int]) -> tuple[dict[int, int], dict[int, OfficeHours]]:
    """Office hours per service point id: (point → key, key → OfficeHours); key 0 is the
    default."""
    specs: dict[int, OfficeHours] = {0: OfficeHours.parse(None)}
    keys: dict[int, int] = {}
    seen: dict[OfficeHours, int] = {specs[0]: 0}
    for pk, hours in ServicePoint.objects.filter(pk__in=points).values_list("pk", "office_hours"):
        office = OfficeHours.parse(hours or None)
        if office not in seen:
            seen[office] = len(specs)
            specs[seen[office]] = office
        keys[pk] = seen[office]
    return keys, specs


def compute(
    cal: WorkCalendar, rules: Rules, rows: list[tuple[Any, ...]], *, now_us: int, bundles: bool
) -> list[dict[str, Any]]:
    """Thresholds and copies for ``rows`` (the query's columns), as column dicts."""
    if not rows:
        return []
    stopped_ids = [r[1] for r in rows if not bundles and r[2] in CLOCK_STOPPED]
    stopped = _stopped(cal, stopped_ids, rows)
    promised = []
    legal = []
    paused: list[int | None] = []
    for r in rows:
        s = stopped.get(r[1])
        if s is not None:
            paused.append(s[0])
            promised.append(s[1])
            legal.append(s[2])
        else:
            paused.append(None)
            promised.append(r[8])
            legal.append(r[9])
    has_due = np.array([p is not None for p in promised])
    due_s = _i64(promised, 0)
    legal_s = _i64(legal, 0)
    has_legal = np.array([v is not None for v in legal])
    limits = _i64([r[5] for r in rows], 0)
    hours = np.array([r[4] == LimitUnit.WORKING_HOUR for r in rows])
    yellow = np.full(len(rows), th.NEVER, dtype=np.int64)
    days_rows = has_due & ~hours
    if days_rows.any():
        yellow[days_rows] = th.yellow_days(
            cal,
            due_s[days_rows],
            limits[days_rows],
            rules.yellow_percent,
            rules.yellow_min_workdays,
        )
    hour_rows = has_due & hours
    if hour_rows.any():
        keys, specs = _offices({r[11] for r in rows if r[11] is not None})
        office_keys = np.array([keys.get(r[11], 0) for r in rows], dtype=np.int64)
        yellow[hour_rows] = th.yellow_hours(
            cal,
            due_s[hour_rows],
            limits[hour_rows],
            office_keys[hour_rows],
            specs,
            rules.yellow_percent,
            rules.yellow_min_hours,
        )
    red = np.where(has_due, due_s * th.US, th.NEVER)
    legal_us = np.where(has_legal, legal_s * th.US, th.NEVER)
    # Escalation counts from the later of the red instant and the last movement (the case's
    # latest transition; a bundle's acceptance), never from before acceptance.
    moved = _i64([r[13] for r in rows], now_us // th.US) * th.US
    base = np.where(has_due, np.maximum(red, moved), moved)
    esc1, esc2 = th.escalations(cal, base, rules.escalate_after_workdays)
    out = []
    for i, r in enumerate(rows):
        out.append(
            {
                "light_id": r[0],
                "subject": r[1],
                "status": r[2],
                "step": r[3],
                "unit": r[4],
                "limit": r[5],
                "src_promised": r[6],
                "src_legal": r[7],
                "department": r[10],
                "point": r[11],
                "bundle_case": r[12],
                "yellow_at": int(yellow[i]),
                "red_at": int(red[i]),
                "legal_at": int(legal_us[i]),
                "paused_at": paused[i],
                "escalate1_at": int(esc1[i]),
                "escalate2_at": int(esc2[i]),
                "moved_at": connection.ops.adapt_datetimefield_value(
                    datetime.fromtimestamp(int(moved[i]) // th.US, tz=UTC)
                ),
            }
        )
    return out


_INSERT_COLUMNS = (
    "kind",
    "case_id",
    "bundle_case_id",
    "department_id",
    "service_point_id",
    "active",
    "src_status",
    "src_step_id",
    "src_promised_due_at",
    "src_legal_due_at",
    "limit_unit",
    "promised_limit",
    "yellow_at",
    "red_at",
    "legal_at",
    "paused_at",
    "escalate1_at",
    "escalate2_at",
    "colour",
    "prev_colour",
    "escalation",
    "prev_escalation",
    "seq",
    "mark",
    "moved_at",
    "synced_at",
    "next_change_at",
)
_THRESHOLDS = ("yellow_at", "red_at", "legal_at", "paused_at", "escalate1_at", "escalate2_at")


def write(computed: list[dict[str, Any]], *, now: datetime, bundles: bool) -> SyncCounts:
    """Insert new lights, update changed ones, close those whose subject is no longer open
    (raw executemany in chunks: the first sweep over a large table creates every light)."""
    counts = SyncCounts()
    when = connection.ops.adapt_datetimefield_value(now)
    table = _q(CaseLight._meta.db_table)
    open_statuses = BUNDLE_OPEN if bundles else CASE_OPEN
    new, changed, closing = [], [], []
    for row in computed:
        if row["light_id"] is None:
            kind = (
                LightKind.BUNDLE
                if bundles
                else (LightKind.SUB_CASE if row["bundle_case"] else LightKind.CASE)
            )
            new.append(
                (
                    kind,
                    None if bundles else row["subject"],
                    row["subject"] if bundles else None,
                    row["department"],
                    row["point"],
                    True,
                    row["status"],
                    row["step"],
                    row["src_promised"],
                    row["src_legal"],
                    row["unit"],
                    row["limit"],
                    *(row[k] for k in _THRESHOLDS),
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    row["moved_at"],
                    when,
                    0,
                )
            )
        elif row["status"] not in open_statuses:
            closing.append((row["status"], row["step"], when, row["light_id"]))
        else:
            changed.append(
                (
                    row["status"],
                    row["step"],
                    row["src_promised"],
                    row["src_legal"],
                    row["unit"],
                    row["limit"],
                    *(row[k] for k in _THRESHOLDS),
                    row["moved_at"],
                    when,
                    row["light_id"],
                )
            )
    with connection.cursor() as cursor:
        columns = ", ".join(_q(c) for c in _INSERT_COLUMNS)
        marks = ", ".join(["%s"] * len(_INSERT_COLUMNS))
        insert = f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING"  # noqa: S608
        for start in range(0, len(new), CHUNK):
            cursor.executemany(insert, new[start : start + CHUNK])
        counts.created = len(new)
        sets = ", ".join(
            f"{c} = %s"
            for c in (
                "src_status",
                "src_step_id",
                "src_promised_due_at",
                "src_legal_due_at",
                "limit_unit",
                "promised_limit",
                *_THRESHOLDS,
                "moved_at",
                "synced_at",
            )
        )
        sets += ", next_change_at = 0"
        update = f"UPDATE {table} SET {sets} WHERE id = %s"  # noqa: S608
        for start in range(0, len(changed), CHUNK):
            cursor.executemany(update, changed[start : start + CHUNK])
        counts.resynced = len(changed)
        close = (
            f"UPDATE {table} SET active = FALSE, src_status = %s, src_step_id = %s, "  # noqa: S608
            "closed_at = %s WHERE id = %s"
        )
        if closing:
            cursor.executemany(close, closing)
        counts.closed = len(closing)
    return counts


def sync(cal: WorkCalendar, rules: Rules, *, now: datetime, since: int | None) -> SyncCounts:
    """Bring the lights in step with their cases and bundle cases (see the module
    docstring): every case (``since=None``), or the cases of the transitions after
    ``since``."""
    now_us = round(now.timestamp() * th.US)
    total = SyncCounts()
    for bundles, read in ((False, _case_rows), (True, _bundle_rows)):
        rows = read(True, since) + read(False, since)
        counts = write(
            compute(cal, rules, rows, now_us=now_us, bundles=bundles), now=now, bundles=bundles
        )
        total.created += counts.created
        total.resynced += counts.resynced
        total.closed += counts.closed
    return total
