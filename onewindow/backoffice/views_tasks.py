"""The department task inbox and the task page: claim, release, complete a review with an
opinion, decide (approve / refuse with reasons), suspend / resume, return for correction."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from onewindow.backoffice.access import TASKS, staff_view
from onewindow.backoffice.context import case_context, done, fail
from onewindow.backoffice.selectors import workdays_left
from onewindow.cases.inbox import inbox, may_work, task_for
from onewindow.cases.models import SuspensionKind, Task, TaskStatus
from onewindow.cases.services.processing import (
    case_decide,
    case_resume,
    case_return_for_correction,
    case_suspend,
    may_decide,
    task_claim,
    task_complete,
    task_release,
)
from onewindow.cases.states import CaseStatus
from onewindow.catalog.models import StepKind
from onewindow.common import clock
from onewindow.common.errors import DomainError, NotFound, ValidationFailed
from onewindow.org.permissions import has_capability

TEMPLATE = "backoffice/task.html"


@require_safe
@staff_view(TASKS, current="backoffice:tasks")
def tasks(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in (None, TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.DONE):
        status = None
    now = clock.now()
    rows = [
        {
            "task": t,
            "promised_left": workdays_left(t.case.promised_due_at, now=now),
            "legal_left": workdays_left(t.case.legal_due_at, now=now),
        }
        for t in inbox(request.user, status=status)[:200]
    ]
    context = {"rows": rows, "status": status or "", "menu": request.backoffice_menu}  # type: ignore[attr-defined]
    return render(request, "backoffice/tasks.html", context)


def _task_or_404(user: Any, task_id: int) -> Task:
    try:
        return task_for(user, task_id)
    except NotFound as error:
        raise Http404(error.message) from error


def _context(request: HttpRequest, task: Task) -> dict[str, Any]:
    user = request.user
    case = task.case
    ctx = case_context(case, user)
    unfinished = task.status in (TaskStatus.OPEN, TaskStatus.CLAIMED)
    mine = task.status == TaskStatus.CLAIMED and task.assignee_id == user.pk
    current = unfinished and case.current_step_id == task.step_id
    review = has_capability(user, "case.review", department=case.department)
    ctx.update(
        {
            "task": task,
            "may_claim": task.status == TaskStatus.OPEN and may_work(user, task),
            "may_release": task.status == TaskStatus.CLAIMED,
            "may_complete": current
            and task.step.kind == StepKind.REVIEW
            and case.status == CaseStatus.IN_REVIEW
            and (mine or (task.status == TaskStatus.OPEN and may_work(user, task))),
            "may_decide": current
            and task.step.kind == StepKind.DECIDE
            and case.status == CaseStatus.IN_DECISION
            and may_decide(user, case, at=clock.now())[0],
            "may_suspend": review and case.status in (CaseStatus.IN_REVIEW, CaseStatus.IN_DECISION),
            "may_resume": review and case.status == CaseStatus.SUSPENDED,
            "suspension_kinds": [
                (k, label) for k, label in SuspensionKind.choices if k != SuspensionKind.CORRECTION
            ],
            "post": request.POST if request.method == "POST" else {},
            "menu": request.backoffice_menu,  # type: ignore[attr-defined]
        }
    )
    return ctx


@require_http_methods(["GET", "POST"])
@staff_view(TASKS, current="backoffice:tasks")
def task(request: HttpRequest, task_id: int) -> HttpResponse:
    item = _task_or_404(request.user, task_id)
    if request.method == "GET":
        return render(request, TEMPLATE, _context(request, item))
    try:
        message = _act(request, item, request.POST.get("action", ""))
    except DomainError as error:
        fresh = _task_or_404(request.user, task_id)
        return fail(request, TEMPLATE, _context(request, fresh), error)
    done(request, message)
    return redirect("backoffice:task", task_id=item.pk)


def _expected_days(raw: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationFailed(
            _("预计所需工作日应为整数"), fields={"expected_days": [_("预计所需工作日应为整数")]}
        )
    return int(raw)


def _act(request: HttpRequest, item: Task, action: str) -> str:
    user, post, case = request.user, request.POST, item.case
    if action == "claim":
        task_claim(actor=user, task=item)
        return _("已认领该任务")
    if action == "release":
        task_release(actor=user, task=item)
        return _("已退回任务池")
    if action == "complete":
        task_complete(actor=user, task=item, opinion=post.get("opinion", ""))
        return _("审查意见已提交，办件已转下一环节")
    if action == "decide":
        outcome = post.get("outcome", "")
        notice = case_decide(actor=user, case=case, outcome=outcome, reason=post.get("reason", ""))
        return _("已作出决定，%(title)s %(number)s 已出具") % {
            "title": notice.get_kind_display(),
            "number": notice.number,
        }
    if action == "suspend":
        case_suspend(
            actor=user,
            case=case,
            kind=post.get("kind", ""),
            reason=post.get("reason", ""),
            expected_days=_expected_days(post.get("expected_days", "")),
        )
        return _("已中止办理（特别程序），特别程序告知书已出具")
    if action == "resume":
        case_resume(actor=user, case=case)
        return _("已恢复办理，办理期限已重新计算")
    if action == "return":
        case_return_for_correction(actor=user, case=case, reasons=post.get("reasons", ""))
        return _("已退回申请人补正，补正期间不计时")
    raise ValidationFailed(_("请选择要执行的操作"), code="action_required")
