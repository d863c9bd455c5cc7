"""The department task inbox: reads of tasks, already scoped to the actor.

A staff member sees the unfinished tasks (open or claimed) of the roles they hold in each
department (``RoleAssignment.role == task.role`` in ``task.department``, or the role held
centre-wide), plus every task they claimed themselves. Anything else is simply not there:
``task_for`` answers NotFound (404), never 403, so task ids cannot be probed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet

from onewindow.cases.models import Task, TaskStatus
from onewindow.common.errors import NotFound, ValidationFailed
from onewindow.org.models import RoleAssignment

UNFINISHED = (TaskStatus.OPEN, TaskStatus.CLAIMED)


def _authenticated(actor: Any) -> bool:
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and getattr(actor, "is_active", False)
    )


def role_scope(actor: Any) -> Q:
    """A ``Task`` filter for the (role, department) pairs the actor holds; nothing matches
    when they hold none (a superuser matches every task)."""
    if not _authenticated(actor):
        return Q(pk__in=[])
    if actor.is_superuser:
        return Q()
    scope = Q(pk__in=[])
    pairs = RoleAssignment.objects.filter(user=actor).values_list("role", "department_id")
    for role, department_id in set(pairs):
        if department_id is None:
            scope |= Q(role=role)
        else:
            scope |= Q(role=role, department_id=department_id)
    return scope


def may_work(actor: Any, task: Task) -> bool:
    """True if ``actor`` holds the task's role in the task's department (or centre-wide)."""
    if not _authenticated(actor):
        return False
    if actor.is_superuser:
        return True
    return RoleAssignment.objects.filter(
        Q(department__isnull=True) | Q(department_id=task.department_id),
        user=actor,
        role=task.role,
    ).exists()


def _with_related(qs: QuerySet[Task]) -> QuerySet[Task]:
    return qs.select_related(
        "case",
        "case__item",
        "case__item_version",
        "case__applicant",
        "case__department",
        "step",
        "department",
        "assignee",
    )


def inbox(actor: Any, *, status: str | None = None) -> QuerySet[Task]:
    """The actor's inbox: unfinished tasks of their roles and departments plus the tasks
    they claimed, the most urgent (earliest promised deadline) first. ``status`` narrows to
    ``open``, ``claimed`` (or ``done`` / ``cancelled`` for the actor's own history)."""
    if not _authenticated(actor):
        return Task.objects.none()
    if status is not None and status not in TaskStatus.values:
        message = "任务状态不正确"
        raise ValidationFailed(message, fields={"status": [message]})
    mine = Q(assignee=actor)
    in_scope = role_scope(actor) & Q(status__in=UNFINISHED)
    qs = Task.objects.filter(in_scope | mine)
    qs = qs.filter(status=status) if status else qs.filter(status__in=UNFINISHED)
    return _with_related(qs).order_by(
        F("case__promised_due_at").asc(nulls_last=True),
        F("case__legal_due_at").asc(nulls_last=True),
        "created_at",
        "id",
    )


def visible_tasks(actor: Any) -> QuerySet[Task]:
    """Every task the actor may look at (any status): their roles' tasks and their own."""
    if not _authenticated(actor):
        return Task.objects.none()
    return _with_related(Task.objects.filter(role_scope(actor) | Q(assignee=actor)))


def task_for(actor: Any, task_id: int) -> Task:
    """The task ``task_id`` if the actor may see it; otherwise NotFound."""
    task = visible_tasks(actor).filter(pk=task_id).first()
    if task is None:
        raise NotFound("未找到该任务", code="task_not_found")
    return task
