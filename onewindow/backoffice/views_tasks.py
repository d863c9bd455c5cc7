"""The department task inbox and the task page: claim, release, complete a review with an
opinion, decide (approve / refuse with reasons), suspend / resume, return for correction.
The inbox also completes the ticked review tasks at once (批量办理, ``cases.bulk``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onewindow.backoffice.access import TASKS, staff_view
from onewindow.backoffice.context import case_context, done, fail, safe_next
from onewindow.backoffice.selectors import workdays_left
from onewindow.cases.bulk import tasks_complete
from onewindow.cases.inbox import inbox, may_work, task_for, visible_tasks
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
from onewindow.cases.steps import is_decision_task, task_kind
from onewindow.catalog.models import StepKind
from onewindow.common import clock
from onewindow.common.errors import DomainError, NotFound, ValidationFailed
from onewindow.org.permissions import has_capability

TEMPLATE = "backoffice/task.html"


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view(TASKS, current="backoffice:tasks")
def tasks(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _bulk_complete(request)
    status = request.GET.get("status") or None
    if status not in (None, TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.DONE):
        status = None
    now = clock.now()
    rows = [
        {
            "task": t,
            "promised_left": workdays_left(t.case.promised_due_at, now=now),
            "legal_left": workdays_left(t.case.legal_due_at, now=now),
            "eligible": _bulk_eligible(request.user, t),
        }
        for t in inbox(request.user, status=status)[:200]
    ]
    context = {"rows": rows, "status": status or "", "menu": request.backoffice_menu}  # type: ignore[attr-defined]
    context["bulk"] = any(r["eligible"] for r in rows)
    return render(request, "backoffice/tasks.html", context)


def _bulk_eligible(user: Any, t: Task) -> bool:
    """A review task the user may complete from the list (批量办理)."""
    if t.step.kind != StepKind.REVIEW:
        return False
    return t.status == TaskStatus.OPEN or (
        t.status == TaskStatus.CLAIMED and t.assignee_id == user.pk
    )


def _bulk_complete(request: HttpRequest) -> HttpResponse:
    """批量办理: the ticked review tasks completed with one opinion (``cases.bulk``); one
    message for the done ones, one per task that could not be done and why."""
    user = request.user
    ids = [int(v) for v in request.POST.getlist("task") if v.isdigit()]
    back = redirect(safe_next(request, reverse("backoffice:tasks")))
    if not ids:
        messages.error(request, _("请勾选要批量办理的任务"))
        return back
    visible = set(visible_tasks(user).filter(pk__in=ids).values_list("pk", flat=True))
    try:
        result = tasks_complete(
            actor=user,
            tasks=[pk for pk in ids if pk in visible],
            opinion=request.POST.get("opinion", ""),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return back
    if result.succeeded:
        advanced = sum(1 for i in result.succeeded if i.code == "advanced")
        done(
            request,
            _("已批量完成%(n)d项审查任务，其中%(a)d件转入下一环节")
            % {"n": len(result.succeeded), "a": advanced},
        )
    for item in result.failed:
        messages.error(request, f"{item.number}：{item.message}")
    unseen = len(set(ids) - visible)
    if unseen:
        messages.error(request, _("%(n)d项任务未找到") % {"n": unseen})
    return back


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
            # a decision task anchored on the accept step: not the accept step's description
            "step_description": task.step.description if task_kind(task) == task.step.kind else "",
            "may_claim": task.status == TaskStatus.OPEN and may_work(user, task),
            "may_release": task.status == TaskStatus.CLAIMED,
            "may_complete": current
            and task.step.kind == StepKind.REVIEW
            and case.status == CaseStatus.IN_REVIEW
            and (mine or (task.status == TaskStatus.OPEN and may_work(user, task))),
            "may_decide": unfinished
            and is_decision_task(task, case)
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
