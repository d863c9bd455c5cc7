"""Processing an accepted case: tasks, review, special procedures, correction, decision,
withdrawal (docs/cases.md, "Processing").

Every service: keyword-only arguments, the acting user explicit, ``now`` from the clock, one
``transaction.atomic`` with its audit event, status changes only through
``workflow.apply_transition``, and the applicant told after commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from onewindow.audit.services import record
from onewindow.cases import deadlines, steps, workflow
from onewindow.cases.inbox import may_work
from onewindow.cases.models import (
    Case,
    Notice,
    NoticeKind,
    Suspension,
    SuspensionKind,
    Task,
    TaskStatus,
)
from onewindow.cases.states import CaseStatus
from onewindow.cases.workflow import apply_transition, is_own_case
from onewindow.catalog.models import ItemKind, StepKind
from onewindow.common import clock
from onewindow.common.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.org.models import Role, RoleAssignment
from onewindow.org.permissions import has_capability
from onewindow.org.selectors import deciders_on_the_spot
from onewindow.workdays.calendar import SHANGHAI

UNFINISHED = (TaskStatus.OPEN, TaskStatus.CLAIMED)
OPINION_MAX = 2000
REASON_MAX = 2000
EXPECTED_DAYS_MAX = 365

# ----------------------------------------------------------------------------- helpers


def _invalid(field: str, message: str, code: str = "validation_failed") -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


def _text(field: str, value: str | None, *, label: str, maximum: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise _invalid(field, f"请填写{label}", code=f"{field}_required")
    if len(text) > maximum:
        raise _invalid(field, f"{label}不能超过{maximum}个字")
    return text


def _locked(case: Case) -> Case:
    """The case row again, locked for the rest of the transaction (a concurrent decision or
    claim waits, then sees the new status)."""
    # FOR UPDATE OF the case row only: the joined item version and applicant rows are
    # shared by many cases and must not be locked with it (PostgreSQL).
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("item_version", "applicant")
        .get(pk=case.pk)
    )


def illegal(case: Case, name: str) -> Conflict:
    """The same 409 that ``apply_transition`` gives for a transition from a wrong state."""
    return workflow.illegal(case.status, name)


def _sync(stale: Any, fresh: Any) -> None:
    """Let the caller's object see what the service saved."""
    if stale is not fresh:
        stale.__dict__.update({k: v for k, v in fresh.__dict__.items() if k != "_state"})


def local_day(at: datetime | None) -> str:
    if at is None:
        return "（中止计时，恢复后重新计算）"
    at = timezone.localtime(at, SHANGHAI)
    return f"{at.year}年{at.month}月{at.day}日"


def due_text(case: Case, at: datetime | None) -> str:
    if at is None:
        return local_day(None)
    if case.limit_unit == "working_hour":
        local = timezone.localtime(at, SHANGHAI)
        return f"{local_day(at)} {local:%H:%M}"
    return local_day(at)


def tell_applicant(case: Case, template: str, *, now: datetime, **extra: Any) -> None:
    """Queue a message to the applicant (outbox rows in this transaction; sent after
    commit). Context: centre, number, item and ``extra``."""
    from onewindow.cases.notices import notify_applicant

    notify_applicant(case, template=template, context=extra, now=now)


def _issue(case: Case, kind: str, *, actor: Any, content: dict[str, Any], now: datetime) -> Notice:
    from onewindow.cases.notices import issue_notice

    return issue_notice(case=case, kind=NoticeKind(kind), actor=actor, content=content, now=now)


def _recompute(case: Case) -> None:
    deadlines.compute_deadlines(case)
    case.save(
        update_fields=[
            "promised_due_at",
            "legal_due_at",
            "deadlines_provisional",
            "suspended_workdays",
        ]
    )


def _open_suspension(case: Case) -> Suspension | None:
    return case.suspensions.select_for_update().filter(resumed_at__isnull=True).first()


def _cancel_tasks(case: Case, *, now: datetime) -> int:
    return case.tasks.filter(status__in=UNFINISHED).update(
        status=TaskStatus.CANCELLED, completed_at=now
    )


def is_section_chief(actor: Any, department_id: int) -> bool:
    if getattr(actor, "is_superuser", False):
        return True
    return RoleAssignment.objects.filter(
        user=actor, role=Role.SECTION_CHIEF, department_id=department_id
    ).exists()


def may_decide(actor: Any, case: Case, *, at: datetime) -> tuple[bool, bool]:
    """``(allowed, by_letter)``: the actor holds case.decide for the case's department, or a
    valid authorisation letter covering the item on that day (by_letter)."""
    if has_capability(actor, "case.decide", department=case.department):
        return True, False
    pk = getattr(actor, "pk", None)
    if pk is None:
        return False, False
    day = timezone.localtime(at, SHANGHAI).date()
    if deciders_on_the_spot(case.item.code, day).filter(pk=pk).exists():
        return True, True
    return False, False


# ------------------------------------------------------------------------------- tasks


def _locked_task(task: Task) -> Task:
    return Task.objects.select_for_update(of=("self",)).select_related("step").get(pk=task.pk)


def task_claim(*, actor: Any, task: Task, now: datetime | None = None) -> Task:
    """Take an open task from the department's inbox."""
    now = now or clock.now()
    with transaction.atomic():
        fresh = _locked_task(task)
        if not may_work(actor, fresh):
            raise PermissionDenied("您不在该任务的办理岗位，不能认领", code="task_forbidden")
        if fresh.status != TaskStatus.OPEN:
            raise Conflict("该任务已被认领或已结束", code="task_not_open")
        fresh.status = TaskStatus.CLAIMED
        fresh.assignee = actor
        fresh.claimed_at = now
        fresh.save(update_fields=["status", "assignee", "claimed_at"])
        record(
            action="case.task_claimed",
            actor=actor,
            obj=fresh.case,
            at=now,
            summary=f"{fresh.case.number} 认领“{fresh.step.name}”",
            payload={"task": fresh.pk, "step": fresh.step.name},
        )
    _sync(task, fresh)
    return fresh


def task_release(*, actor: Any, task: Task, now: datetime | None = None) -> Task:
    """Put a claimed task back into the inbox: by its assignee or a section chief of the
    department."""
    now = now or clock.now()
    with transaction.atomic():
        fresh = _locked_task(task)
        if fresh.status != TaskStatus.CLAIMED:
            raise Conflict("该任务未被认领，无需退回", code="task_not_claimed")
        if fresh.assignee_id != actor.pk and not is_section_chief(actor, fresh.department_id):
            raise PermissionDenied(
                "只有认领人或本部门科室负责人可以退回该任务", code="task_forbidden"
            )
        previous = fresh.assignee_id
        fresh.status = TaskStatus.OPEN
        fresh.assignee = None
        fresh.claimed_at = None
        fresh.save(update_fields=["status", "assignee", "claimed_at"])
        record(
            action="case.task_released",
            actor=actor,
            obj=fresh.case,
            at=now,
            summary=f"{fresh.case.number} 退回任务“{fresh.step.name}”",
            payload={"task": fresh.pk, "previous_assignee": previous},
        )
    _sync(task, fresh)
    return fresh


def task_complete(*, actor: Any, task: Task, opinion: str, now: datetime | None = None) -> Task:
    """Finish a review task with the reviewer's opinion and hand the case on to the next
    step (a new task); after the last review step the case enters the decide step. A decide
    task is finished by ``case_decide``."""
    now = now or clock.now()
    opinion = _text("opinion", opinion, label="审查意见", maximum=OPINION_MAX, required=True)
    with transaction.atomic():
        fresh = _locked_task(task)
        case = _locked(fresh.case)
        if fresh.step.kind != StepKind.REVIEW:
            raise Conflict("决定环节的任务须通过“作出决定”完成", code="task_is_decision")
        if fresh.status == TaskStatus.OPEN:
            if not may_work(actor, fresh):
                raise PermissionDenied("您不在该任务的办理岗位", code="task_forbidden")
            fresh.assignee = actor
            fresh.claimed_at = now
        elif fresh.status == TaskStatus.CLAIMED:
            if fresh.assignee_id != actor.pk:
                raise PermissionDenied("该任务已由他人认领", code="task_claimed_by_other")
        else:
            raise Conflict("该任务已结束", code="task_not_open")
        if case.status != CaseStatus.IN_REVIEW or case.current_step_id != fresh.step_id:
            raise illegal(case, "advance")
        fresh.status = TaskStatus.DONE
        fresh.completed_at = now
        fresh.opinion = opinion
        fresh.save(update_fields=["status", "assignee", "claimed_at", "completed_at", "opinion"])
        following = steps.next_step(case)
        target = steps.state_for(following)
        apply_transition(
            case,
            "advance",
            actor=actor,
            target=target,
            step=following,
            note=opinion,
            now=now,
            payload={"task": fresh.pk, "from_step": fresh.step.name},
        )
        if following is not None:
            steps.open_task(case, following, now=now)
    _sync(task, fresh)
    _sync(fresh.case, case)
    return fresh


# ---------------------------------------------------------------------------- decision


def case_decide(
    *, actor: Any, case: Case, outcome: str, reason: str = "", now: datetime | None = None
) -> Notice:
    """Decide the case (准予 / 不予): by someone holding case.decide for its department or a
    valid authorisation letter for the item. A refusal states its reasons and the
    applicant's remedies (不予行政许可决定书). Returns the decision notice."""
    now = now or clock.now()
    if outcome not in ("approve", "refuse"):
        raise _invalid("outcome", "决定结果应为 approve（准予）或 refuse（不予）")
    reason = _text(
        "reason",
        reason,
        label="不予许可的理由" if outcome == "refuse" else "决定理由",
        maximum=REASON_MAX,
        required=outcome == "refuse",
    )
    with transaction.atomic():
        fresh = _locked(case)
        if fresh.status != CaseStatus.IN_DECISION:
            raise illegal(fresh, outcome)
        allowed, by_letter = may_decide(actor, fresh, at=now)
        if not allowed:
            raise PermissionDenied("您没有该事项的审批决定权", code="decision_forbidden")
        target = CaseStatus.APPROVED if outcome == "approve" else CaseStatus.REFUSED
        fresh.decided_at = now
        fresh.decided_by = actor
        fresh.decision_reason = reason
        apply_transition(
            fresh,
            outcome,
            actor=actor,
            target=target,
            note=reason,
            now=now,
            authorised=by_letter,
            payload={"by_letter": by_letter},
        )
        fresh.tasks.filter(status__in=UNFINISHED).update(
            status=TaskStatus.DONE, assignee=actor, completed_at=now, opinion=reason
        )
        version = fresh.item_version
        licensing = version.kind == ItemKind.LICENSING
        if outcome == "approve":
            content: dict[str, Any] = {
                "decision": reason,
                "basis": version.legal_basis,
                "result": version.result_name or version.name,
            }
            if not licensing:
                content.update(title="准予办理决定书", conclusion=True)
            notice = _issue(fresh, NoticeKind.APPROVAL, actor=actor, content=content, now=now)
        else:
            content = {"reasons": reason, "basis": version.legal_basis}
            if not licensing:
                content["title"] = "不予办理决定书"
            notice = _issue(fresh, NoticeKind.REFUSAL, actor=actor, content=content, now=now)
    _sync(case, fresh)
    return notice


# ------------------------------------------------------------------ special procedures


def _validate_expected_days(expected_days: int | None) -> int | None:
    if expected_days is None:
        return None
    if isinstance(expected_days, bool) or not isinstance(expected_days, int):
        raise _invalid("expected_days", "预计所需工作日应为整数")
    if not 1 <= expected_days <= EXPECTED_DAYS_MAX:
        raise _invalid("expected_days", f"预计所需工作日应在1至{EXPECTED_DAYS_MAX}之间")
    return expected_days


def _stop_clock(
    *,
    actor: Any,
    case: Case,
    transition: str,
    target: str,
    kind: str,
    reason: str,
    expected_days: int | None,
    now: datetime,
) -> tuple[Case, Suspension]:
    fresh = _locked(case)
    before = fresh.status
    apply_transition(
        fresh,
        transition,
        actor=actor,
        target=target,
        note=reason,
        now=now,
        payload={"kind": kind, "expected_days": expected_days},
    )
    suspension = Suspension.objects.create(
        case=fresh,
        kind=kind,
        reason=reason,
        expected_days=expected_days,
        started_at=now,
        started_by=actor,
        resume_status=before,
    )
    _recompute(fresh)
    return fresh, suspension


def _restart_clock(*, actor: Any, case: Case, transition: str, now: datetime) -> Case:
    fresh = _locked(case)
    suspension = _open_suspension(fresh)
    source = CaseStatus.SUSPENDED if transition == "resume" else CaseStatus.RETURNED
    if fresh.status != source or suspension is None:
        raise illegal(fresh, transition)
    if suspension.started_at > now:
        raise _invalid("now", "恢复时间早于中止开始时间", code="invalid_suspension")
    apply_transition(
        fresh,
        transition,
        actor=actor,
        target=suspension.resume_status,
        now=now,
        payload={"suspension": suspension.pk, "kind": suspension.kind},
    )
    suspension.resumed_at = now
    suspension.resumed_by = actor
    suspension.save(update_fields=["resumed_at", "resumed_by"])
    _recompute(fresh)
    return fresh


def case_suspend(
    *,
    actor: Any,
    case: Case,
    kind: str,
    reason: str,
    expected_days: int | None = None,
    now: datetime | None = None,
) -> Suspension:
    """Stop the clock for a special procedure (行政许可法 art. 45: hearing, tendering,
    auction, testing, expert review...) and tell the applicant in writing (特别程序告知书)."""
    now = now or clock.now()
    if kind not in SuspensionKind.values or kind == SuspensionKind.CORRECTION:
        raise _invalid("kind", "特别程序类型不正确（退回补正请使用“退回补正”）")
    reason = _text("reason", reason, label="中止原因", maximum=REASON_MAX, required=True)
    expected_days = _validate_expected_days(expected_days)
    with transaction.atomic():
        fresh, suspension = _stop_clock(
            actor=actor,
            case=case,
            transition="suspend",
            target=CaseStatus.SUSPENDED,
            kind=kind,
            reason=reason,
            expected_days=expected_days,
            now=now,
        )
        _issue(
            fresh,
            NoticeKind.SUSPENSION,
            actor=actor,
            content={
                "suspension_kind": str(SuspensionKind(kind).label),
                "kind": kind,
                "reason": reason,
                "expected_days": expected_days,
            },
            now=now,
        )
    _sync(case, fresh)
    return suspension


def case_resume(*, actor: Any, case: Case, now: datetime | None = None) -> Case:
    """End the special procedure: the case returns to its step and the clock resumes
    exactly (the working days it stood still are added to both deadlines)."""
    now = now or clock.now()
    with transaction.atomic():
        fresh = _restart_clock(actor=actor, case=case, transition="resume", now=now)
        tell_applicant(
            fresh, "case.resumed", now=now, promised_due=due_text(fresh, fresh.promised_due_at)
        )
    _sync(case, fresh)
    return fresh


def case_return_for_correction(
    *, actor: Any, case: Case, reasons: str | list[str], now: datetime | None = None
) -> Suspension:
    """Return an accepted case to the applicant for correction; the clock stops until the
    correction is supplied."""
    now = now or clock.now()
    if isinstance(reasons, list | tuple):
        reasons = "；".join(str(r).strip() for r in reasons if str(r).strip())
    text = _text("reasons", reasons, label="退回补正的原因", maximum=REASON_MAX, required=True)
    with transaction.atomic():
        fresh, suspension = _stop_clock(
            actor=actor,
            case=case,
            transition="return_for_correction",
            target=CaseStatus.RETURNED,
            kind=SuspensionKind.CORRECTION,
            reason=text,
            expected_days=None,
            now=now,
        )
        tell_applicant(fresh, "case.returned", now=now, reasons=text)
    _sync(case, fresh)
    return suspension


def case_correction_supplied(*, actor: Any, case: Case, now: datetime | None = None) -> Case:
    """The applicant (or a clerk for them) has supplied the correction: the case returns
    to its step and the clock resumes."""
    now = now or clock.now()
    with transaction.atomic():
        fresh = _restart_clock(actor=actor, case=case, transition="correction_supplied", now=now)
        tell_applicant(
            fresh, "case.resumed", now=now, promised_due=due_text(fresh, fresh.promised_due_at)
        )
    _sync(case, fresh)
    return fresh


# ---------------------------------------------------------------------------- withdrawal


def case_withdraw(*, actor: Any, case: Case, reason: str = "", now: datetime | None = None) -> Case:
    """The applicant withdraws their own application before the decision: open tasks are
    cancelled, an open suspension is closed."""
    now = now or clock.now()
    reason = _text("reason", reason, label="撤回理由", maximum=REASON_MAX, required=False)
    with transaction.atomic():
        fresh = _locked(case)
        if not is_own_case(actor, fresh):
            raise PermissionDenied("只有申请人本人可以撤回申请", code="withdraw_forbidden")
        was_draft = fresh.status == CaseStatus.DRAFT
        cancelled = _cancel_tasks(fresh, now=now)
        suspension = _open_suspension(fresh)
        if suspension is not None:
            suspension.resumed_at = now
            suspension.resumed_by = actor
            suspension.save(update_fields=["resumed_at", "resumed_by"])
        fresh.withdrawn_at = now
        apply_transition(
            fresh,
            "withdraw",
            actor=actor,
            target=CaseStatus.WITHDRAWN,
            note=reason,
            now=now,
            payload={"cancelled_tasks": cancelled, "closed_suspension": suspension is not None},
        )
        if not was_draft:
            tell_applicant(fresh, "case.withdrawn", now=now)
    _sync(case, fresh)
    return fresh


def _register_templates() -> None:
    """The notification templates the processing services need beyond notify's own."""
    from django.utils.translation import gettext_lazy as _

    from onewindow.notify.templates import REGISTRY, register

    if "case.returned" not in REGISTRY:
        register(
            "case.returned",
            _("【{centre}】办件退回补正"),
            _("您申请的“{item}”（办件编号{number}）需补正：{reasons}。补正期间不计入办理时限。"),
        )
    if "case.withdrawn" not in REGISTRY:
        register(
            "case.withdrawn",
            _("【{centre}】申请已撤回"),
            _("您申请的“{item}”（办件编号{number}）已撤回。"),
        )
    if "case.dispatched" not in REGISTRY:
        register(
            "case.dispatched",
            _("【{centre}】办理结果已寄出"),
            _(
                "您申请的“{item}”（办件编号{number}）的办理结果已由{carrier}寄出，运单号{tracking}。"
            ),
        )


_register_templates()
