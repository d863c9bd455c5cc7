"""Batch processing of tasks (批量办理): many review tasks completed with one opinion, the
parallel sign-off's join, and tasks opened for many cases at once. The rules and the result
types are those of ``onewindow.cases.bulk`` (see its docstring); ``bulk`` re-exports
``tasks_complete`` and ``open_tasks``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from onewindow.audit.rows import bulk_cursor
from onewindow.audit.services import Event, record_many
from onewindow.cases import steps as case_steps
from onewindow.cases.bulk import (
    ADVANCED,
    BATCH_SIZE,
    COMPLETED,
    OPINION_MAX,
    UNFINISHED,
    BulkItem,
    BulkResult,
    _chunks,
    _column,
    _ids,
    _read,
    _refused,
    _Row,
    _transition_batch,
    in_ids,
    insert_rows,
)
from onewindow.cases.inbox import may_work
from onewindow.cases.models import Case, Task, TaskStatus
from onewindow.cases.states import CaseStatus
from onewindow.cases.workflow import illegal, transition_named
from onewindow.catalog.models import ItemStep, StepKind
from onewindow.common import clock
from onewindow.common.errors import Conflict, ValidationFailed


def open_tasks(
    case_ids: Sequence[int],
    step: ItemStep,
    *,
    now: datetime,
    departments: dict[int, int] | Sequence[int],
    cancel_others: bool = True,
) -> int:
    """Open the tasks of ``step`` for many cases at once (``steps.open_task`` set-based):
    one task per case in its department (``departments``: case id → department id), or --
    a parallel sign-off (并联会签) -- one task per case in each of the listed department
    ids. ``cancel_others``: cancel the cases' unfinished tasks of other steps first, as
    ``open_task`` does. Returns the number of tasks opened; runs in the caller's
    transaction (one UPDATE and multi-row INSERTs)."""
    ids = list(case_ids)
    if not ids:
        return 0
    if cancel_others:
        _cancel_other_steps(ids, step, now=now)
    role = case_steps.role_for(step)
    if isinstance(departments, dict):
        pairs = [(c, departments[c]) for c in ids]
    else:
        pairs = [(c, d) for c in ids for d in departments]
    at = transaction.get_connection().ops.adapt_datetimefield_value(now)
    status = TaskStatus.OPEN.value
    insert_rows(
        Task,
        ("case", "step", "department", "role", "status", "created_at", "opinion"),
        [(c, step.pk, d, role, status, at, "") for c, d in pairs],
    )
    return len(pairs)


def _opinion(opinion: str | None) -> str:
    text = (opinion or "").strip()
    if not text:
        message = "请填写审查意见"
        raise ValidationFailed(message, code="opinion_required", fields={"opinion": [message]})
    if len(text) > OPINION_MAX:
        message = f"审查意见不能超过{OPINION_MAX}个字"
        raise ValidationFailed(message, fields={"opinion": [message]})
    return text


@dataclass(frozen=True)
class _TaskRow:
    pk: int
    case_id: int
    step_id: int
    step_kind: str
    step_name: str
    department_id: int
    role: str
    status: str
    assignee_id: int | None


def _read_tasks(chunk: Sequence[int]) -> dict[int, _TaskRow]:
    """The tasks with their step's kind and name (one plain SELECT, no lock: the task rows
    are written optimistically)."""
    connection = transaction.get_connection()
    qn = connection.ops.quote_name
    names = ("id", "case", "step", "department", "role", "status", "assignee")
    task = {n: qn(_column(Task, n)) for n in names}
    columns = ", ".join(f"t.{task[n]}" for n in ("id", "case", "step"))
    columns += f", s.{qn('kind')}, s.{qn('name')}, "
    columns += ", ".join(f"t.{task[n]}" for n in ("department", "role", "status", "assignee"))
    where, params = in_ids(f"t.{task['id']}", chunk)
    sql = (
        f"SELECT {columns} FROM {qn(Task._meta.db_table)} t "  # noqa: S608
        f"JOIN {qn(ItemStep._meta.db_table)} s ON s.{qn('id')} = t.{task['step']} "
        f"WHERE {where}"
    )
    with bulk_cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: _TaskRow(*row) for row in cursor.fetchall()}


def tasks_complete(
    *,
    actor: Any,
    tasks: Sequence[Task | int] | QuerySet[Task],
    opinion: str,
    now: datetime | None = None,
    all_or_nothing: bool = False,
    batch_size: int = BATCH_SIZE,
) -> BulkResult:
    """Complete many review tasks with one opinion (批量办理: bulk sign-off, bulk hand-on):
    ``task_complete`` for many tasks, and a join for parallel sign-offs (并联会签). Each task
    is checked as on the single path: a review task (decide tasks are finished by the
    decision), open and in a role the actor holds in its department, or claimed by the
    actor; its case in review at the task's step. A case moves on to its next step (a new
    task in its department's inbox) when its step has no unfinished task left, i.e. at the
    last of its sign-off tasks -- on the authority of that task. One item per task:
    ``completed`` (the case waits for its other tasks), ``advanced`` (the case moved on), or
    the reason it was not done.

    Per batch, one transaction: the batch's case rows are locked first (``FOR UPDATE OF``
    the case; a concurrent single-case service waits), so their state is what the batch
    validated; the task rows are written optimistically (``UPDATE ... WHERE status IN
    (open, claimed by the actor) RETURNING id``): a task done or claimed by someone else
    meanwhile is reported ``conflict``. Audit: ``case.advance`` for a case moved on (as on
    the single path) and ``case.task_completed`` for a completion the case waits behind."""
    opinion = _opinion(opinion)
    now = now or clock.now()
    ids = _ids(tasks)
    result = BulkResult()
    outer: AbstractContextManager[Any] = transaction.atomic() if all_or_nothing else nullcontext()
    with outer:
        for chunk in _chunks(ids, batch_size):
            with transaction.atomic():
                items = _complete_chunk(chunk, actor=actor, opinion=opinion, now=now)
                result.items += items
                if all_or_nothing and any(not i.ok for i in items):
                    raise _refused([i for i in items if not i.ok])
    return result


def _complete_chunk(chunk: list[int], *, actor: Any, opinion: str, now: datetime) -> list[BulkItem]:
    tasks = _read_tasks(chunk)
    cases = _read(sorted({t.case_id for t in tasks.values()}), lock=True)
    actor_id = getattr(actor, "pk", None)
    works: dict[tuple[str, int], bool] = {}
    for t in tasks.values():
        if t.status == TaskStatus.OPEN and (t.role, t.department_id) not in works:
            probe = Task(role=t.role, department_id=t.department_id)
            works[(t.role, t.department_id)] = may_work(actor, probe)
    failures: dict[int, BulkItem] = {}
    valid: list[_TaskRow] = []
    for pk in chunk:
        task = tasks.get(pk)
        if task is None:
            failures[pk] = BulkItem(pk, "", False, "task_not_found", "未找到该任务")
            continue
        case = cases[task.case_id]
        code, message = "", ""
        if task.step_kind != StepKind.REVIEW:
            code, message = "task_is_decision", "决定环节的任务须通过“作出决定”完成"
        elif task.status == TaskStatus.OPEN and not works[(task.role, task.department_id)]:
            code, message = "task_forbidden", "您不在该任务的办理岗位"
        elif task.status == TaskStatus.CLAIMED and task.assignee_id != actor_id:
            code, message = "task_claimed_by_other", "该任务已由他人认领"
        elif task.status not in UNFINISHED:
            code, message = "task_not_open", "该任务已结束"
        elif case.status != CaseStatus.IN_REVIEW or case.step_id != task.step_id:
            error = illegal(case.status, "advance")
            code, message = error.code, error.message
        if code:
            failures[pk] = BulkItem(pk, case.number, False, code, message, case.status)
        else:
            valid.append(task)
    done = _finish_tasks([t.pk for t in valid], actor_id=actor_id, opinion=opinion, now=now)
    finished = [t for t in valid if t.pk in done]
    advanced = _join(finished, actor=actor, opinion=opinion, now=now, cases=cases)
    waiting = [t for t in finished if t.case_id not in advanced]
    if waiting:
        record_many(
            (
                Event(
                    action="case.task_completed",
                    actor_id=actor_id,
                    object_type="cases.case",
                    object_id=str(t.case_id),
                    summary=f"{cases[t.case_id].number} 完成“{t.step_name}”",
                    payload={"task": t.pk, "step": t.step_name, "opinion": opinion, "bulk": True},
                )
                for t in waiting
            ),
            at=now,
        )
    items = []
    for pk in chunk:
        if pk in failures:
            items.append(failures[pk])
            continue
        task = tasks[pk]
        number = cases[task.case_id].number
        if pk not in done:
            items.append(
                BulkItem(pk, number, False, "conflict", "该任务已被他人同时处理，请刷新后重试")
            )
        elif task.case_id in advanced:
            status = advanced[task.case_id]
            items.append(BulkItem(pk, number, True, ADVANCED, "已完成，转入下一环节", status))
        else:
            items.append(
                BulkItem(pk, number, True, COMPLETED, "已完成，待其他会签任务完成", "in_review")
            )
    return items


def _finish_tasks(pks: list[int], *, actor_id: int | None, opinion: str, now: datetime) -> set[int]:
    """Mark the tasks done, if still open or claimed by the actor: the ids really done."""
    if not pks:
        return set()
    connection = transaction.get_connection()
    qn = connection.ops.quote_name
    at = connection.ops.adapt_datetimefield_value(now)
    status, assignee, claimed = qn("status"), qn("assignee_id"), qn("claimed_at")
    where, ids = in_ids(qn("id"), pks)
    # quoted identifiers only; every value is a parameter
    sql = (
        f"UPDATE {qn(Task._meta.db_table)} SET {status} = %s, {assignee} = %s, "  # noqa: S608
        f"{claimed} = COALESCE({claimed}, %s), {qn('completed_at')} = %s, {qn('opinion')} = %s "
        f"WHERE {where} "
        f"AND ({status} = %s OR ({status} = %s AND {assignee} = %s)) RETURNING {qn('id')}"
    )
    params = [TaskStatus.DONE.value, actor_id, at, at, opinion, *ids]
    params += [TaskStatus.OPEN.value, TaskStatus.CLAIMED.value, actor_id]
    with bulk_cursor() as cursor:
        cursor.execute(sql, params)
        return {int(r[0]) for r in cursor.fetchall()}


def _join(
    finished: list[_TaskRow],
    *,
    actor: Any,
    opinion: str,
    now: datetime,
    cases: dict[int, _Row],
) -> dict[int, str]:
    """Move on the cases whose current step has no unfinished task left: case id → the
    status it entered."""
    touched = sorted({t.case_id for t in finished})
    if not touched:
        return {}
    waiting = _waiting(touched)
    ready = [cases[pk] for pk in touched if pk not in waiting]
    if not ready:
        return {}
    versions = _versions([r.pk for r in ready])
    ordered = case_steps.steps_by_version(set(versions.values()))
    task_of = {t.case_id: t for t in finished}
    groups: dict[int | None, list[_Row]] = defaultdict(list)
    following: dict[int | None, ItemStep | None] = {}
    for row in ready:
        nxt = case_steps.following(ordered[versions[row.pk]], row.step_id)
        key = nxt.pk if nxt is not None else None
        groups[key].append(row)
        following[key] = nxt
    t = transition_named("advance")
    advanced: dict[int, str] = {}
    for key, rows in groups.items():
        step = following[key]
        target = case_steps.state_for(step)
        moved = _transition_batch(
            rows,
            t,
            actor=actor,
            target=target,
            step=step,
            now=now,
            note=opinion,
            payload=None,
            per_case={
                r.pk: {"task": task_of[r.pk].pk, "from_step": task_of[r.pk].step_name} for r in rows
            },
        )
        if len(moved) != len(rows):  # the rows are locked: only a bug gets here
            raise Conflict("办件已被他人同时处理，请刷新后重试", code="conflict")
        if step is not None:
            open_tasks(
                sorted(moved),
                step,
                now=now,
                departments={r.pk: r.department_id for r in rows},
            )
        advanced.update(dict.fromkeys(moved, target))
    return advanced


# The batch's reads and writes of many ids, as plain statements through ``bulk_cursor`` (on
# PostgreSQL one array parameter each, not one placeholder per id quoted into the text).


def _cancel_other_steps(ids: list[int], step: ItemStep, *, now: datetime) -> None:
    """What ``steps.open_task`` does per case: cancel unfinished tasks of other steps."""
    connection = transaction.get_connection()
    qn = connection.ops.quote_name
    where, params = in_ids(qn("case_id"), ids)
    statuses, status_params = in_ids(qn("status"), [str(s) for s in UNFINISHED])
    sql = (
        f"UPDATE {qn(Task._meta.db_table)} SET {qn('status')} = %s, "  # noqa: S608
        f"{qn('completed_at')} = %s WHERE {where} AND {statuses} AND {qn('step_id')} <> %s"
    )
    at = connection.ops.adapt_datetimefield_value(now)
    with bulk_cursor() as cursor:
        cursor.execute(sql, [str(TaskStatus.CANCELLED), at, *params, *status_params, step.pk])


def _waiting(case_ids: list[int]) -> set[int]:
    """The cases that still have an unfinished task in their current step."""
    connection = transaction.get_connection()
    qn = connection.ops.quote_name
    where, params = in_ids("t.case_id", case_ids)
    statuses, status_params = in_ids("t.status", [str(s) for s in UNFINISHED])
    sql = (
        f"SELECT t.case_id FROM {qn(Task._meta.db_table)} t "  # noqa: S608
        f"JOIN {qn(Case._meta.db_table)} c ON c.id = t.case_id "
        f"WHERE {where} AND {statuses} AND t.step_id = c.current_step_id"
    )
    with bulk_cursor() as cursor:
        cursor.execute(sql, [*params, *status_params])
        return {int(r[0]) for r in cursor.fetchall()}


def _versions(case_ids: list[int]) -> dict[int, int]:
    """Case id → its item version id."""
    connection = transaction.get_connection()
    qn = connection.ops.quote_name
    where, params = in_ids(qn("id"), case_ids)
    sql = f"SELECT id, item_version_id FROM {qn(Case._meta.db_table)} WHERE {where}"  # noqa: S608
    with bulk_cursor() as cursor:
        cursor.execute(sql, params)
        return {int(pk): int(v) for pk, v in cursor.fetchall()}
