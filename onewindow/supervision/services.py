"""The traffic-light sweep: ``lights_sweep(*, now=None, full=False) -> SweepResult``.

One transaction (so a sweep that dies half-way leaves every colour as it was and the next
sweep does the whole work; on PostgreSQL an advisory lock makes a second sweep running at
the same time wait and then find nothing to do; SQLite's write transactions are exclusive):

1. sync the thresholds (``onewindow.supervision.sync``): the cases of the case transitions
   since the last sweeps (``SweepState``), or every case with ``full=True``;
2. one ``UPDATE`` decides the colour and escalation level, in SQL, of every active light
   whose ``next_change_at`` has come (an index range: a light is looked at only when one of
   its thresholds passes or its case changed), by comparing the evaluation instant (now, or
   the pause instant of a stopped clock) with the stored thresholds;
3. each of those changes is recorded as a ``LightEvent`` (unique ``(light, seq)``, ``ON
   CONFLICT DO NOTHING``): on PostgreSQL in the same statement (``WITH upd AS (UPDATE ...
   RETURNING ...) INSERT ... SELECT FROM upd``); on SQLite, which cannot, the UPDATE gives
   the changed lights this step's ``mark`` and one ``INSERT ... SELECT`` reads them back
   through the partial index ``light_mark`` (PostgreSQL never sets ``mark``, so the index
   stays empty there and costs the UPDATE nothing);
4. if anything changed: a ``SweepRun`` row, an audit event and the ``lights_changed`` signal;
   after commit, the alerts (``onewindow.supervision.alerts``).

A second sweep with nothing changed writes nothing.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.dispatch import Signal

from onewindow.audit.services import record
from onewindow.cases.models import CaseTransition
from onewindow.common import clock
from onewindow.supervision import thresholds as th
from onewindow.supervision.models import CaseLight, LightEvent, SweepRun, SweepState
from onewindow.supervision.rules import rules
from onewindow.supervision.sync import SyncCounts, sync
from onewindow.workdays.selectors import get_calendar

# Sent inside the sweep's transaction when lights changed (for layers above: reports).
lights_changed = Signal()  # sender=SweepRun, run=..., now=...

ADVISORY_KEY = 72_617_001  # pg_advisory_xact_lock key of the sweep


@dataclass(frozen=True)
class SweepResult:
    now: datetime
    created: int
    resynced: int
    closed: int
    changed: int  # lights whose colour or escalation level changed
    events: int
    run_id: int | None
    sync_s: float
    sweep_s: float

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["now"] = self.now.isoformat()
        return data


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _colour_sql() -> str:
    """The colour of a light at its evaluation instant ``e`` (``%(e)s`` placeholders)."""
    e = "COALESCE(paused_at, %s)"
    return (
        f"CASE WHEN {e} > legal_at THEN 3 WHEN {e} > red_at THEN 2 "
        f"WHEN {e} >= yellow_at THEN 1 ELSE 0 END"
    )


def _level_sql(colour: str) -> str:
    """The escalation level a light has reached (0 unless red, running and overdue)."""
    return (
        f"CASE WHEN paused_at IS NULL AND ({colour}) >= 2 THEN "
        "(CASE WHEN %s > escalate2_at THEN 2 WHEN %s > escalate1_at THEN 1 ELSE 0 END) "
        "ELSE 0 END"
    )


def _greatest(a: str, b: str) -> str:
    return f"GREATEST({a}, {b})" if connection.vendor == "postgresql" else f"MAX({a}, {b})"


def active() -> str:
    """The condition of the partial index ``light_next`` as each database wrote it (SQLite
    uses a partial index only when the query repeats its condition literally)."""
    return "active" if connection.vendor == "postgresql" else "active = 1"


def _least(parts: list[str]) -> str:
    fn = "LEAST" if connection.vendor == "postgresql" else "MIN"
    return f"{fn}({', '.join(parts)})"


def _decide_sql(*, now: datetime, mark: int | None) -> tuple[str, list[Any]]:
    """The UPDATE of step 2 over the active lights whose next change has come (index
    ``light_next``). Those whose colour or escalation level changed get one more ``seq``
    (and ``mark``, unless it is None)."""
    now_us = round(now.timestamp() * th.US)
    never = int(th.NEVER)
    colour = _colour_sql()
    level = _level_sql(colour)
    colour_params = [now_us] * 3
    level_params = [*colour_params, now_us, now_us]
    changed = f"(colour <> ({colour}) OR escalation < ({level}))"
    changed_params = [*colour_params, *level_params]
    nxt = (
        f"CASE WHEN paused_at IS NOT NULL THEN {never} ELSE "
        + _least(
            [
                f"CASE WHEN %s < yellow_at THEN yellow_at ELSE {never} END",
                f"CASE WHEN %s <= red_at THEN red_at + 1 ELSE {never} END",
                f"CASE WHEN %s <= legal_at THEN legal_at + 1 ELSE {never} END",
                f"CASE WHEN %s <= escalate1_at THEN escalate1_at + 1 ELSE {never} END",
                f"CASE WHEN %s <= escalate2_at THEN escalate2_at + 1 ELSE {never} END",
            ]
        )
        + " END"
    )
    table = _q(CaseLight._meta.db_table)
    sql = (
        f"UPDATE {table} SET prev_colour = colour, prev_escalation = escalation, "  # noqa: S608
        f"colour = {colour}, escalation = {_greatest('escalation', level)}, "
        f"colour_since = CASE WHEN colour <> ({colour}) THEN %s ELSE colour_since END, "
        f"seq = seq + CASE WHEN {changed} THEN 1 ELSE 0 END, "
        + ("" if mark is None else f"mark = CASE WHEN {changed} THEN %s ELSE mark END, ")
        + f"next_change_at = {nxt} "
        f"WHERE {active()} AND next_change_at <= %s"
    )
    params: list[Any] = [
        *colour_params,
        *level_params,
        *colour_params,
        connection.ops.adapt_datetimefield_value(now),
        *changed_params,
        *([] if mark is None else [*changed_params, mark]),
        *([now_us] * 5),
        now_us,
    ]
    return sql, params


_EVENT_COLUMNS = (
    "light_id, seq, kind, from_colour, to_colour, from_level, level, at, department_id, "
    "case_id, bundle_case_id, recipients"
)
_EVENT_VALUES = (
    "id, seq, CASE WHEN colour <> prev_colour THEN 'colour' ELSE 'escalation' END, "
    "prev_colour, colour, prev_escalation, escalation, %s, department_id, case_id, "
    "bundle_case_id, 0"
)


def decide_and_record(*, now: datetime) -> int:
    """Steps 2 and 3; returns how many events were recorded."""
    at = connection.ops.adapt_datetimefield_value(now)
    light, event = _q(CaseLight._meta.db_table), _q(LightEvent._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            update, params = _decide_sql(now=now, mark=None)
            cursor.execute(
                f"WITH upd AS ({update} RETURNING id, seq, colour, prev_colour, escalation, "  # noqa: S608
                "prev_escalation, department_id, case_id, bundle_case_id) "
                f"INSERT INTO {event} ({_EVENT_COLUMNS}) SELECT {_EVENT_VALUES} FROM upd "
                "WHERE colour <> prev_colour OR escalation <> prev_escalation "
                "ON CONFLICT DO NOTHING",
                [*params, at],
            )
            return max(cursor.rowcount, 0)
        mark = _next_mark()
        update, params = _decide_sql(now=now, mark=mark)
        cursor.execute(update, params)
        # ``mark > 0`` repeats the partial index's condition (SQLite uses it only then)
        cursor.execute(
            f"INSERT INTO {event} ({_EVENT_COLUMNS}) SELECT {_EVENT_VALUES} FROM {light} "  # noqa: S608
            "WHERE mark = %s AND mark > 0 ON CONFLICT DO NOTHING",
            [at, mark],
        )
        return max(cursor.rowcount, 0)


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_KEY])


def _next_mark() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(mark) FROM {_q(CaseLight._meta.db_table)} WHERE mark > 0")  # noqa: S608
        (top,) = cursor.fetchone()
    return int(top or 0) + 1


def _top_transition() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {_q(CaseTransition._meta.db_table)}")  # noqa: S608
        (top,) = cursor.fetchone()
    return int(top or 0)


def lights_sweep(
    *, now: datetime | None = None, alerts: bool = True, full: bool = False
) -> SweepResult:
    """Sync the lights and decide their colours at ``now`` (see the module docstring).
    ``full`` compares every light with its case (nightly; also after a calendar load);
    otherwise only the cases of new transitions. ``alerts=False`` leaves the new events'
    alerts for a later ``lights_alert_pending``."""
    now = now or clock.now()
    conf = rules()
    cal = get_calendar()
    with transaction.atomic():
        _lock()
        started = time.perf_counter()
        state = SweepState.objects.select_for_update().filter(key="lights").first()
        if state is None:
            state = SweepState.objects.create(key="lights")
        top = _top_transition()
        full = full or state.full_pending
        counts: SyncCounts = sync(cal, conf, now=now, since=None if full else state.lagged)
        if full:
            state.full_pending = False
            state.lagged = state.watermark = top  # every light was just compared
            state.save()
        elif top > state.watermark:
            state.lagged, state.watermark = state.watermark, top
            state.save(update_fields=["lagged", "watermark"])
        sync_s = time.perf_counter() - started
        started = time.perf_counter()
        events = decide_and_record(now=now)
        changed = events
        sweep_s = time.perf_counter() - started
        run_id = None
        if changed or counts.created or counts.resynced or counts.closed:
            run = SweepRun.objects.create(
                started_at=clock.now(),
                now=now,
                finished_at=clock.now(),
                created=counts.created,
                resynced=counts.resynced,
                closed=counts.closed,
                changed=changed,
                events=events,
            )
            run_id = run.pk
            record(
                action="supervision.swept",
                actor=None,
                obj=run,
                at=now,
                summary=f"红黄绿扫描：{changed} 个办件变色或升级督办",
                payload={**asdict(counts), "changed": changed, "events": events},
            )
            lights_changed.send(sender=SweepRun, run=run, now=now)
        if events and alerts:
            transaction.on_commit(lambda: _after_commit(now))
    return SweepResult(
        now=now,
        created=counts.created,
        resynced=counts.resynced,
        closed=counts.closed,
        changed=changed,
        events=events,
        run_id=run_id,
        sync_s=sync_s,
        sweep_s=sweep_s,
    )


def _after_commit(now: datetime) -> None:
    from onewindow.supervision import alerts

    alerts.dispatch(now=now)
