"""Steps of a case: where it goes after acceptance and who holds each step's task.

The item version's steps run in order (受理 → 审查… → 决定 → 办结). After acceptance the case
enters the first step after the accept step; a review step maps to the IN_REVIEW state, a
decide step to IN_DECISION. Each entered step opens one task in the item department's inbox
for the step's role (default: approver for review, section chief for decide).
``cases.bulk.open_tasks`` does the same for many cases at once (batch processing).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from onewindow.cases.models import Case, Task, TaskStatus
from onewindow.cases.states import CaseStatus
from onewindow.catalog.models import ItemStep, StepKind
from onewindow.org.models import Role

DEFAULT_ROLE = {
    StepKind.REVIEW: Role.APPROVER,
    StepKind.DECIDE: Role.SECTION_CHIEF,
}


def processing_steps(case: Case) -> list[ItemStep]:
    """The review and decide steps of the case's version, in order."""
    return [
        s
        for s in case.item_version.steps.order_by("order")
        if s.kind in (StepKind.REVIEW, StepKind.DECIDE)
    ]


def state_for(step: ItemStep | None) -> str:
    """The case status while ``step`` is current (None: straight to decision)."""
    if step is None or step.kind == StepKind.DECIDE:
        return CaseStatus.IN_DECISION
    return CaseStatus.IN_REVIEW


def first_step(case: Case) -> ItemStep | None:
    steps = processing_steps(case)
    return steps[0] if steps else None


def next_step(case: Case) -> ItemStep | None:
    """The step after the current one (None when the current one is the last)."""
    steps = processing_steps(case)
    if case.current_step_id is None:
        return steps[0] if steps else None
    ids = [s.pk for s in steps]
    try:
        pos = ids.index(case.current_step_id)
    except ValueError:
        return None
    return steps[pos + 1] if pos + 1 < len(steps) else None


def open_task(case: Case, step: ItemStep, *, now: datetime, role: str | None = None) -> Task:
    """Open the task of ``step`` in the department's inbox (closing any other open task);
    ``role``: another inbox than the step's own (a decision task on the accept step)."""
    case.tasks.filter(status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED]).exclude(step=step).update(
        status=TaskStatus.CANCELLED, completed_at=now
    )
    return Task.objects.create(
        case=case,
        step=step,
        department=case.department,
        role=role or role_for(step),
        created_at=now,
    )


def decision_anchor(case: Case) -> ItemStep | None:
    """For a version without review or decide steps (an instant item, decided at
    acceptance): its accept step, on which a decision task is opened when whoever accepted
    could not decide on the spot (``is_decision_task``). None if it has no accept step."""
    return case.item_version.steps.filter(kind=StepKind.ACCEPT).order_by("order").first()


def is_decision_task(task: Task, case: Case) -> bool:
    """True if ``task`` is where ``case``'s decision is taken now: the task of its current
    decide step, or the decision task of a version without one (``decision_anchor``)."""
    if case.status != CaseStatus.IN_DECISION:
        return False
    if case.current_step_id is not None:
        return task.step_id == case.current_step_id and task.step.kind == StepKind.DECIDE
    return task.step.kind == StepKind.ACCEPT and task_kind(task) == StepKind.DECIDE


def task_kind(task: Task) -> str:
    """What ``task`` is for: its step's kind, except a decision task anchored on the accept
    step (``decision_anchor``: it sits in the section chiefs' inbox), which is a decide."""
    if task.step.kind == StepKind.ACCEPT and task.role == DEFAULT_ROLE[StepKind.DECIDE]:
        return StepKind.DECIDE
    return str(task.step.kind)


def task_name(task: Task) -> str:
    """The task's name on screens: its step's name, or 决定 for a decision task anchored on
    the accept step (whose own name, 受理, would say the wrong thing)."""
    if task_kind(task) != task.step.kind:
        return str(StepKind(task_kind(task)).label)
    return task.step.name


def role_for(step: ItemStep) -> str:
    """The role whose inbox holds the step's tasks."""
    return step.role or DEFAULT_ROLE.get(StepKind(step.kind), Role.APPROVER)


def steps_by_version(version_ids: Iterable[int]) -> dict[int, list[ItemStep]]:
    """The review and decide steps of each version, in order (one query for them all)."""
    found: dict[int, list[ItemStep]] = {v: [] for v in version_ids}
    rows = ItemStep.objects.filter(
        version_id__in=list(found), kind__in=[StepKind.REVIEW, StepKind.DECIDE]
    ).order_by("version_id", "order")
    for step in rows:
        found[step.version_id].append(step)
    return found


def following(ordered: list[ItemStep], current_step_id: int | None) -> ItemStep | None:
    """The step after ``current_step_id`` in ``ordered`` (``next_step`` for many cases)."""
    if current_step_id is None:
        return ordered[0] if ordered else None
    ids = [s.pk for s in ordered]
    if current_step_id not in ids:
        return None
    pos = ids.index(current_step_id)
    return ordered[pos + 1] if pos + 1 < len(ordered) else None
