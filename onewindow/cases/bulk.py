"""Batch processing (批量办理): one action applied to many cases or tasks at once, set-based.

Staff use it to act on a selection of their inbox (bulk sign-off, bulk hand-on: completing
many review tasks with one opinion) and sweeps use it to move many cases along one
transition. The rules are those of the single-case path, shared with
``onewindow.cases.workflow`` (``transition_named``, ``resolve_target``, ``illegal``,
``check_performer``); only the way they are applied differs:

- **Legality per case**: the TRANSITIONS table decides for each case; a case whose state
  does not allow the transition is reported in the result (``illegal_transition``) and left
  untouched, never silently applied. The rest of the batch proceeds.
- **Authority once per batch**: the actor's capability is checked once per department of the
  batch (``has_capability``), not once per row; a case of a department where the actor lacks
  it is reported ``permission_denied`` and left untouched. For tasks, the actor's role in
  the task's department (``inbox.may_work``) is checked once per (role, department).
- **Optimistic concurrency**: the cases are read without locks and written with
  ``UPDATE ... WHERE id IN (...) AND status = <read status> AND current_step_id = <read
  step> RETURNING id``; a row changed underneath is reported ``conflict`` and the rest of the
  batch proceeds (``tasks_complete`` locks its cases instead: see there).
- **All or nothing, on request**: ``all_or_nothing=True`` runs the whole call in one
  transaction and refuses it (``BulkRefused``, HTTP 409, every failed item in ``fields``)
  if any item fails; nothing is written then.
- **One transaction per batch** of ``batch_size`` cases: the case rows (one UPDATE per
  distinct (status, step) of the batch), one ``CaseTransition`` row and one audit event per
  case (multi-row INSERTs, ``audit.record_many``: masked like ``record``), a bundle's status
  following its sub-cases (django-fsm's ``post_transition`` sent once per sub-case, as the
  transition method does on the single path: its receiver in ``models`` calls the bundle's
  ``follow_sub_case``; other cases need no signal), and the applicant's messages
  written to the notify outbox, which sends them after commit.

The single-case ``workflow.apply_transition`` stays the path for one case. Only actions
whose whole business effect is the transition (and, for tasks, the task rows) are offered to
users in bulk; decisions, conclusion and delivery produce documents and deliveries and go
through their services case by case (docs/cases.md, "Batch processing").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django_fsm.signals import post_transition

from onewindow.audit.rows import bulk_cursor, insert_rows
from onewindow.audit.services import Event, record_many
from onewindow.cases.models import Case, CaseTransition, TaskStatus
from onewindow.cases.states import Transition
from onewindow.cases.workflow import (
    check_performer,
    forbidden,
    illegal,
    resolve_target,
    transition_named,
)
from onewindow.catalog.models import ItemStep
from onewindow.common import clock
from onewindow.common.errors import Conflict
from onewindow.org.permissions import has_capability

BATCH_SIZE = 500
OPINION_MAX = 2000
UNFINISHED = (TaskStatus.OPEN, TaskStatus.CLAIMED)

APPLIED = "applied"  # apply_transitions: the case moved
COMPLETED = "completed"  # tasks_complete: the task is done, the case waits for the others
ADVANCED = "advanced"  # tasks_complete: the task is done and the case moved on


@dataclass(frozen=True)
class BulkItem:
    """The outcome for one case (``apply_transitions``) or one task (``tasks_complete``)."""

    id: int
    number: str  # the case number ("" when the case or task was not found)
    ok: bool
    code: str  # applied / completed / advanced, or the error code
    message: str  # Chinese
    status: str = ""  # the case's status afterwards (as read, for a failed item)


@dataclass
class BulkResult:
    items: list[BulkItem] = field(default_factory=list)

    @property
    def succeeded(self) -> list[BulkItem]:
        return [i for i in self.items if i.ok]

    @property
    def failed(self) -> list[BulkItem]:
        return [i for i in self.items if not i.ok]

    def codes(self) -> dict[int, str]:
        return {i.id: i.code for i in self.items}


class BulkRefused(Conflict):
    """``all_or_nothing``: an item failed, so nothing of the call was written."""

    code = "bulk_refused"


def _refused(failed: list[BulkItem]) -> BulkRefused:
    return BulkRefused(
        f"批量办理中有{len(failed)}项不能办理，全部未办理",
        fields={"items": [{"id": i.id, "code": i.code, "message": i.message} for i in failed]},
    )


def _fail(pk: int, number: str, error: Any, status: str = "") -> BulkItem:
    return BulkItem(pk, number, False, error.code, error.message, status)


def _ids(objs: Iterable[Any] | QuerySet[Any]) -> list[int]:
    if isinstance(objs, QuerySet):
        return list(objs.order_by("pk").values_list("pk", flat=True))
    seen: dict[int, None] = {}
    for obj in objs:
        seen[int(getattr(obj, "pk", obj))] = None
    return list(seen)


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    size = max(1, size)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _case_columns(values: dict[str, Any]) -> list[tuple[str, Any]]:
    """(column, adapted value) of the other case fields a batch sets."""
    connection = transaction.get_connection()
    out = []
    for name, value in values.items():
        if name in ("status", "current_step", "current_step_id", "id"):
            raise ValueError(f"{name} is set by the transition itself")
        f = Case._meta.get_field(name)
        if f.is_relation and value is not None:
            value = getattr(value, "pk", value)  # a related object or its id
        out.append((str(f.column), f.get_db_prep_save(value, connection)))  # type: ignore[union-attr]
    return out


@dataclass(frozen=True)
class _Row:
    pk: int
    number: str
    status: str
    step_id: int | None
    department_id: int
    bundle_case_id: int | None


_ROW_COLUMNS = ("id", "number", "status", "current_step", "department", "bundle_case")


def _update_cases(
    rows: list[_Row],
    *,
    target: str,
    step_id: int | None,
    keep_step: bool,
    columns: list[tuple[str, Any]],
) -> set[int]:
    """``UPDATE ... RETURNING id`` per distinct (status, step) read: the ids really moved
    (a row whose status or step changed since it was read is not among them)."""
    connection = transaction.get_connection()
    qn = connection.ops.quote_name
    table = qn(Case._meta.db_table)
    groups: dict[tuple[str, int | None], list[int]] = defaultdict(list)
    for r in rows:
        groups[(r.status, r.step_id)].append(r.pk)
    moved: set[int] = set()
    for (status, read_step), pks in groups.items():
        sets = [f"{qn('status')} = %s"]
        params: list[Any] = [target]
        if not keep_step:
            sets.append(f"{qn('current_step_id')} = %s")
            params.append(step_id)
        for column, value in columns:
            sets.append(f"{qn(column)} = %s")
            params.append(value)
        where, ids = in_ids(qn("id"), pks)
        where += f" AND {qn('status')} = %s"
        params += [*ids, status]
        if read_step is None:
            where += f" AND {qn('current_step_id')} IS NULL"
        else:
            where += f" AND {qn('current_step_id')} = %s"
            params.append(read_step)
        # quoted identifiers only; every value is a parameter
        sql = f"UPDATE {table} SET {', '.join(sets)} WHERE {where} RETURNING {qn('id')}"  # noqa: S608
        with bulk_cursor() as cursor:
            cursor.execute(sql, params)
            moved.update(int(r[0]) for r in cursor.fetchall())
    return moved


def _transition_batch(
    rows: list[_Row],
    t: Transition,
    *,
    actor: Any,
    target: str,
    step: ItemStep | None,
    now: datetime,
    note: str,
    payload: dict[str, Any] | None,
    per_case: dict[int, dict[str, Any]] | None = None,
    columns: list[tuple[str, Any]] | None = None,
) -> set[int]:
    """Write the transition for ``rows`` (already checked): the case rows, one
    ``CaseTransition`` and one audit event per case moved, the bundles following their
    sub-cases. Returns the ids moved; the others changed underneath."""
    moved = _update_cases(
        rows,
        target=target,
        step_id=step.pk if step is not None else None,
        keep_step=step is None,
        columns=columns or [],
    )
    if not moved:
        return moved
    ops = transaction.get_connection().ops
    at = ops.adapt_datetimefield_value(now)
    actor_id = getattr(actor, "pk", None)
    done = [r for r in rows if r.pk in moved]
    insert_rows(
        CaseTransition,
        ("case", "name", "from_status", "to_status", "step", "actor", "at", "note"),
        [
            (
                r.pk,
                t.name,
                r.status,
                target,
                step.pk if step is not None else r.step_id,
                actor_id,
                at,
                note,
            )
            for r in done
        ],
    )
    base = {"note": note, "bulk": True, **(payload or {})}
    record_many(
        (
            Event(
                action=f"case.{t.name}",
                actor_id=actor_id,
                object_type="cases.case",
                object_id=str(r.pk),
                summary=f"{r.number} {t.label}",
                payload={
                    "from": r.status,
                    "to": target,
                    **base,
                    **((per_case or {}).get(r.pk) or {}),
                },
            )
            for r in done
        ),
        at=now,
    )
    bundled = {r.pk: r for r in done if r.bundle_case_id is not None}
    if bundled:
        # What django-fsm does after a transition method: its only receiver
        # (``models._follow_sub_case``) keeps each bundle's status in step with its sub-cases.
        for case in Case.objects.filter(pk__in=list(bundled)).order_by("pk"):
            post_transition.send(
                sender=Case,
                instance=case,
                name=f"t_{t.name}",
                source=bundled[case.pk].status,
                target=target,
                method_args=(target,),
                method_kwargs={},
            )
    return moved


def _notify(pks: Sequence[int], template: str, context: dict[str, Any], now: datetime) -> None:
    """The applicants' messages, written to the outbox in the batch's transaction (sent
    after commit by the outbox)."""
    from onewindow.cases.notices import notify_applicant

    cases = Case.objects.filter(pk__in=list(pks)).select_related("applicant", "item_version")
    for case in cases.order_by("pk"):
        notify_applicant(case, template=template, context=context, now=now)


def _sync_objects(objs: Any, result: BulkResult) -> None:
    """Let the caller's ``Case`` objects see their new status (and step)."""
    if isinstance(objs, QuerySet):
        return
    moved = {i.id: i.status for i in result.items if i.ok}
    for obj in objs:
        if isinstance(obj, Case) and obj.pk in moved:
            obj.__dict__["status"] = moved[obj.pk]


def apply_transitions(
    *,
    cases: Sequence[Case | int] | QuerySet[Case],
    name: str,
    actor: Any,
    target: str | None = None,
    now: datetime | None = None,
    payload: dict[str, Any] | None = None,
    note: str = "",
    step: ItemStep | None = None,
    values: dict[str, Any] | None = None,
    system: bool = False,
    all_or_nothing: bool = False,
    notify: str | None = None,
    notify_context: dict[str, Any] | None = None,
    batch_size: int = BATCH_SIZE,
) -> BulkResult:
    """Move many cases along transition ``name`` to ``target`` (default: the transition's
    only target), ``batch_size`` cases per transaction. ``step``: the step the cases enter
    (``None``: unchanged); ``values``: other case fields set on every moved case (e.g.
    ``{"accepted_at": now}``); ``system=True``: an automatic transition (sweeps; only those
    the table allows without a capability). ``notify``: a notify template sent to each moved
    case's applicant after commit. One item per distinct case, in the given order:
    ``applied``, or ``illegal_transition`` / ``permission_denied`` / ``conflict`` /
    ``case_not_found`` with the reason (see the module's docstring)."""
    t = transition_named(name)
    target = resolve_target(t, target)
    check_performer(t, system=system)
    if not system and t.capability is None:
        raise ValueError(f"{name} is the applicant's own action, not a batch action")
    now = now or clock.now()
    ids = _ids(cases)
    result = BulkResult()
    outer: AbstractContextManager[Any] = transaction.atomic() if all_or_nothing else nullcontext()
    with outer:
        columns = _case_columns(values or {})
        for chunk in _chunks(ids, batch_size):
            with transaction.atomic():
                items = _transition_chunk(
                    chunk,
                    t,
                    actor=actor,
                    target=target,
                    step=step,
                    now=now,
                    note=note,
                    payload=payload,
                    columns=columns,
                    system=system,
                    notify=notify,
                    notify_context=notify_context or {},
                )
                result.items += items
                if all_or_nothing and any(not i.ok for i in items):
                    raise _refused([i for i in items if not i.ok])
    _sync_objects(cases, result)
    return result


def _column(model: Any, name: str) -> str:
    return str(model._meta.get_field(name).column)


def in_ids(column: str, ids: Sequence[int | str]) -> tuple[str, list[Any]]:
    """``column IN (...)`` and its parameters: on PostgreSQL ``= ANY(%s)`` with one array
    parameter (psycopg parses a statement's placeholders in Python: thousands of them cost
    more than the statement), elsewhere one placeholder per value."""
    if transaction.get_connection().vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _read(chunk: Sequence[int], *, lock: bool = False) -> dict[int, _Row]:
    """The batch's case rows (one plain SELECT; ``lock``: ``FOR UPDATE`` on PostgreSQL,
    where it takes the rows' locks -- SQLite's write transaction is exclusive anyway)."""
    if not chunk:
        return {}
    connection = transaction.get_connection()
    qn = connection.ops.quote_name
    columns = ", ".join(qn(_column(Case, n)) for n in _ROW_COLUMNS)
    # quoted identifiers only; the ids are parameters
    where, params = in_ids(qn("id"), chunk)
    sql = f"SELECT {columns} FROM {qn(Case._meta.db_table)} WHERE {where}"  # noqa: S608
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with bulk_cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: _Row(*row) for row in cursor.fetchall()}


def _transition_chunk(
    chunk: list[int],
    t: Transition,
    *,
    actor: Any,
    target: str,
    step: ItemStep | None,
    now: datetime,
    note: str,
    payload: dict[str, Any] | None,
    columns: list[tuple[str, Any]],
    system: bool,
    notify: str | None,
    notify_context: dict[str, Any],
) -> list[BulkItem]:
    found = _read(chunk)
    allowed: dict[int, bool] = {}
    if not system:
        for dept in {r.department_id for r in found.values()}:
            allowed[dept] = has_capability(actor, str(t.capability), department=dept)
    legal: list[_Row] = []
    failures: dict[int, BulkItem] = {}
    for pk in chunk:
        row = found.get(pk)
        if row is None:
            failures[pk] = BulkItem(pk, "", False, "case_not_found", "未找到该办件")
        elif row.status not in t.sources:
            failures[pk] = _fail(pk, row.number, illegal(row.status, t.name), row.status)
        elif not system and not allowed[row.department_id]:
            failures[pk] = _fail(pk, row.number, forbidden(t), row.status)
        else:
            legal.append(row)
    moved = _transition_batch(
        legal,
        t,
        actor=None if system else actor,
        target=target,
        step=step,
        now=now,
        note=note,
        payload=payload,
        columns=columns,
    )
    if notify and moved:
        _notify(sorted(moved), notify, notify_context, now)
    items = []
    for pk in chunk:
        if pk in failures:
            items.append(failures[pk])
            continue
        row = found[pk]
        if pk in moved:
            items.append(BulkItem(pk, row.number, True, APPLIED, str(t.label), target))
        else:
            items.append(
                BulkItem(pk, row.number, False, "conflict", "办件已被他人同时处理，请刷新后重试")
            )
    return items


# The task side (bulk sign-off and hand-on) lives in its own module; import it from here.
from onewindow.cases.bulk_tasks import open_tasks, tasks_complete  # noqa: E402

__all__ = ["BulkItem", "BulkRefused", "BulkResult", "apply_transitions", "open_tasks"]
__all__ += ["tasks_complete"]
