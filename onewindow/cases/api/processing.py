"""Processing API: the department task inbox, decisions, special procedures, corrections,
withdrawal, conclusion and delivery.

Every endpoint needs a logged-in session. A case or task the caller may not see answers
404 (so numbers cannot be probed); a visible one the caller may not act on answers 403; a
transition the case's state does not allow answers 409 ``illegal_transition``.

Batch processing (批量办理, ``onewindow.cases.bulk``): ``POST /tasks/bulk-complete`` and
``POST /cases/bulk-transition`` answer 200 with one result per item (``ok``, ``code``,
``message``): an item the caller may not see is ``task_not_found`` / ``case_not_found`` (the
404 of the single endpoints), one they may see but not act on ``permission_denied`` /
``task_forbidden`` (403), a wrong state ``illegal_transition`` (409), a concurrent change
``conflict``. With ``all_or_nothing`` any failed item refuses the whole call: 409
``bulk_refused`` with the failed items in ``fields.items``, nothing written. A caller without
the capability anywhere gets 403; a malformed body 422.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from onewindow.cases import bulk
from onewindow.cases import inbox as inbox_selectors
from onewindow.cases.models import Case, Delivery, SuspensionKind, Task
from onewindow.cases.selectors import case_for, staff_departments
from onewindow.cases.services import delivery as delivery_svc
from onewindow.cases.services import processing as svc
from onewindow.cases.states import TRANSITIONS, CaseStatus
from onewindow.org.permissions import require_capability

router = Router(tags=["办件办理"])
# Batch processing: its own router, registered before the routers whose paths
# (/cases/{number}, /tasks/{task_id}) would otherwise take /cases/bulk-transition.
bulk_router = Router(tags=["批量办理"])


# ------------------------------------------------------------------------------ schemas


class TaskCaseOut(Schema):
    number: str = Field(..., description="办件编号")
    status: str = Field(..., description="办件状态")
    status_label: str
    item: str = Field(..., description="事项名称")
    applicant: str = Field(..., description="申请人")
    accepted_at: datetime | None
    promised_due_at: datetime | None = Field(None, description="承诺办结期限（中止期间为空）")
    legal_due_at: datetime | None = Field(None, description="法定办结期限（中止期间为空）")


class TaskOut(Schema):
    id: int
    status: str = Field(..., description="open 待认领 / claimed 办理中 / done / cancelled")
    status_label: str
    step: str = Field(..., description="环节名称")
    step_kind: str = Field(..., description="review 审查 / decide 决定")
    role: str = Field(..., description="办理岗位")
    department: str
    assignee: str | None = Field(None, description="认领人用户名")
    created_at: datetime
    claimed_at: datetime | None
    completed_at: datetime | None
    opinion: str
    case: TaskCaseOut


class DeliveryOut(Schema):
    method: str = Field(..., description="window 窗口领取 / express 快递送达 / electronic 电子送达")
    status: str = Field(..., description="pending 待送达 / dispatched 已寄出 / delivered 已送达")
    recipient: str
    carrier: str
    tracking_number: str
    dispatched_at: datetime | None
    delivered_at: datetime | None
    has_result_file: bool


class CaseProcessingOut(Schema):
    number: str
    status: str
    status_label: str
    current_step: str | None
    promised_due_at: datetime | None
    legal_due_at: datetime | None
    deadlines_provisional: bool
    suspended_workdays: int = Field(..., description="中止不计时的工作日数")
    decided_at: datetime | None
    decision_reason: str
    concluded_at: datetime | None
    delivered_at: datetime | None
    withdrawn_at: datetime | None
    delivery: DeliveryOut | None


class InboxQuery(Schema):
    status: Literal["open", "claimed", "done", "cancelled"] | None = Field(
        None, description="按任务状态筛选；默认为待认领和办理中"
    )


class OpinionIn(Schema):
    opinion: str = Field(..., max_length=2000, description="审查意见")


class DecideIn(Schema):
    outcome: Literal["approve", "refuse"] = Field(..., description="approve 准予 / refuse 不予")
    reason: str = Field("", max_length=2000, description="理由（不予许可时必填）")


class ConcludeIn(Schema):
    delivery_method: Literal["window", "express", "electronic"] | None = Field(
        None, description="送达方式；为空时按申请人的选择或事项的第一种送达方式"
    )


class DispatchIn(Schema):
    carrier: str = Field(..., max_length=32, description="快递公司")
    tracking_number: str = Field(..., max_length=64, description="运单号（8至30位字母或数字）")


class DeliverIn(Schema):
    recipient: str = Field("", max_length=64, description="签收人")


class SuspendIn(Schema):
    kind: Literal[
        "expert_review", "site_inspection", "public_notice", "hearing", "testing", "other"
    ] = Field(..., description="特别程序类型")
    reason: str = Field(..., max_length=2000, description="原因")
    expected_days: int | None = Field(None, description="预计所需工作日")


class ReturnIn(Schema):
    reasons: list[str] | str = Field(..., description="需补正的内容（一条或多条）")


class WithdrawIn(Schema):
    reason: str = Field("", max_length=2000, description="撤回理由")


BULK_MAX = 500  # items per batch request


class BulkCompleteIn(Schema):
    task_ids: list[int] = Field(
        ..., min_length=1, max_length=BULK_MAX, description="要完成的审查任务（最多500项）"
    )
    opinion: str = Field(..., max_length=2000, description="审查意见（适用于每一项）")
    all_or_nothing: bool = Field(False, description="为真时任何一项不能办理则全部不办理（409）")


class BulkTransitionIn(Schema):
    numbers: list[str] = Field(
        ..., min_length=1, max_length=BULK_MAX, description="办件编号（最多500项）"
    )
    transition: Literal["prereview"] = Field(
        ..., description="批量执行的操作：prereview 预审通过（其他操作须逐件办理）"
    )
    note: str = Field("", max_length=2000, description="说明（适用于每一项）")
    all_or_nothing: bool = Field(False, description="为真时任何一项不能办理则全部不办理（409）")


class BulkItemOut(Schema):
    id: int = Field(..., description="任务或办件的内部编号")
    number: str = Field(..., description="办件编号（未找到时为空）")
    ok: bool
    code: str = Field(
        ...,
        description="applied 已办理 / completed 已完成待会签 / advanced 已转下一环节，"
        "或不能办理的原因代码",
    )
    message: str
    status: str = Field(..., description="办件状态")


class BulkOut(Schema):
    succeeded: int
    failed: int
    items: list[BulkItemOut]


# ------------------------------------------------------------------------------- output


def task_out(task: Task) -> TaskOut:
    case = task.case
    return TaskOut(
        id=task.pk,
        status=task.status,
        status_label=str(task.get_status_display()),
        step=task.step.name,
        step_kind=task.step.kind,
        role=task.role,
        department=task.department.name,
        assignee=task.assignee.username if task.assignee else None,
        created_at=task.created_at,
        claimed_at=task.claimed_at,
        completed_at=task.completed_at,
        opinion=task.opinion,
        case=TaskCaseOut(
            number=case.number,
            status=case.status,
            status_label=str(CaseStatus(case.status).label),
            item=case.item_version.name,
            applicant=case.applicant.name,
            accepted_at=case.accepted_at,
            promised_due_at=case.promised_due_at,
            legal_due_at=case.legal_due_at,
        ),
    )


def case_out(case: Case) -> CaseProcessingOut:
    case = Case.objects.select_related("current_step").get(pk=case.pk)
    delivery = Delivery.objects.filter(case=case).first()
    return CaseProcessingOut(
        number=case.number,
        status=case.status,
        status_label=str(CaseStatus(case.status).label),
        current_step=case.current_step.name if case.current_step else None,
        promised_due_at=case.promised_due_at,
        legal_due_at=case.legal_due_at,
        deadlines_provisional=case.deadlines_provisional,
        suspended_workdays=case.suspended_workdays,
        decided_at=case.decided_at,
        decision_reason=case.decision_reason,
        concluded_at=case.concluded_at,
        delivered_at=case.delivered_at,
        withdrawn_at=case.withdrawn_at,
        delivery=None
        if delivery is None
        else DeliveryOut(
            method=delivery.method,
            status=delivery.status,
            recipient=delivery.recipient,
            carrier=delivery.carrier,
            tracking_number=delivery.tracking_number,
            dispatched_at=delivery.dispatched_at,
            delivered_at=delivery.delivered_at,
            has_result_file=bool(delivery.result_file),
        ),
    )


def _task(request: HttpRequest, task_id: int) -> Task:
    return inbox_selectors.task_for(request.user, task_id)


# -------------------------------------------------------------------------------- tasks


@router.get("/tasks", auth=django_auth, response=list[TaskOut], summary="我的待办任务")
def list_tasks(request: HttpRequest, query: Query[InboxQuery]) -> list[TaskOut]:
    """本人所在部门、所任岗位的待办任务及本人已认领的任务，按承诺办结期限由近及远排列。"""
    return [task_out(t) for t in inbox_selectors.inbox(request.user, status=query.status)]


@router.get("/tasks/{task_id}", auth=django_auth, response=TaskOut, summary="任务详情")
def get_task(request: HttpRequest, task_id: int) -> TaskOut:
    """不在本人办理范围内的任务返回 404。"""
    return task_out(_task(request, task_id))


@router.post("/tasks/{task_id}/claim", auth=django_auth, response=TaskOut, summary="认领任务")
def claim_task(request: HttpRequest, task_id: int) -> TaskOut:
    """认领本岗位的待认领任务；已被认领返回 409。"""
    task = svc.task_claim(actor=request.user, task=_task(request, task_id))
    return task_out(_task(request, task.pk))


@router.post("/tasks/{task_id}/release", auth=django_auth, response=TaskOut, summary="退回任务")
def release_task(request: HttpRequest, task_id: int) -> TaskOut:
    """将已认领的任务退回待认领：限认领人本人或本部门科室负责人。"""
    task = svc.task_release(actor=request.user, task=_task(request, task_id))
    return task_out(_task(request, task.pk))


@router.post(
    "/tasks/{task_id}/complete", auth=django_auth, response=TaskOut, summary="完成审查环节"
)
def complete_task(request: HttpRequest, task_id: int, payload: OpinionIn) -> TaskOut:
    """填写审查意见，完成审查环节并转入下一环节（最后一个审查环节之后进入决定环节）。
    决定环节的任务请使用“作出决定”。"""
    task = svc.task_complete(
        actor=request.user, task=_task(request, task_id), opinion=payload.opinion
    )
    return task_out(_task(request, task.pk))


# -------------------------------------------------------------------------------- cases


def _case(request: HttpRequest, number: str) -> Case:
    return case_for(request.user, number)


@router.post(
    "/cases/{number}/decide", auth=django_auth, response=CaseProcessingOut, summary="作出决定"
)
def decide(request: HttpRequest, number: str, payload: DecideIn) -> CaseProcessingOut:
    """准予或不予许可：限持有本部门审批决定权或该事项有效授权书的人员。不予许可须说明理由，
    并出具不予行政许可决定书（载明申请行政复议或提起行政诉讼的权利）。"""
    case = _case(request, number)
    svc.case_decide(actor=request.user, case=case, outcome=payload.outcome, reason=payload.reason)
    return case_out(case)


@router.post(
    "/cases/{number}/conclude", auth=django_auth, response=CaseProcessingOut, summary="办结"
)
def conclude(request: HttpRequest, number: str, payload: ConcludeIn) -> CaseProcessingOut:
    """已作出决定的办件办结，并按送达方式准备送达。"""
    case = _case(request, number)
    delivery_svc.case_conclude(
        actor=request.user, case=case, delivery_method=payload.delivery_method
    )
    return case_out(case)


@router.post(
    "/cases/{number}/dispatch", auth=django_auth, response=CaseProcessingOut, summary="快递寄出"
)
def dispatch(request: HttpRequest, number: str, payload: DispatchIn) -> CaseProcessingOut:
    """登记快递公司和运单号（8至30位字母或数字）。"""
    case = _case(request, number)
    delivery_svc.case_dispatch(
        actor=request.user,
        case=case,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
    )
    return case_out(case)


@router.post(
    "/cases/{number}/deliver", auth=django_auth, response=CaseProcessingOut, summary="确认送达"
)
def deliver(request: HttpRequest, number: str, payload: DeliverIn) -> CaseProcessingOut:
    """窗口领取已交付、快递已签收或电子结果已下载。"""
    case = _case(request, number)
    delivery_svc.case_deliver(actor=request.user, case=case, recipient=payload.recipient)
    return case_out(case)


@router.post(
    "/cases/{number}/suspend",
    auth=django_auth,
    response=CaseProcessingOut,
    summary="中止（特别程序）",
)
def suspend(request: HttpRequest, number: str, payload: SuspendIn) -> CaseProcessingOut:
    """进入听证、检验检测、专家评审、公示等特别程序：停止计时，并向申请人出具特别程序告知书。"""
    case = _case(request, number)
    svc.case_suspend(
        actor=request.user,
        case=case,
        kind=SuspensionKind(payload.kind),
        reason=payload.reason,
        expected_days=payload.expected_days,
    )
    return case_out(case)


@router.post(
    "/cases/{number}/resume", auth=django_auth, response=CaseProcessingOut, summary="恢复办理"
)
def resume(request: HttpRequest, number: str) -> CaseProcessingOut:
    """特别程序结束，恢复计时；中止期间的工作日不计入办理时限。"""
    case = _case(request, number)
    svc.case_resume(actor=request.user, case=case)
    return case_out(case)


@router.post(
    "/cases/{number}/return", auth=django_auth, response=CaseProcessingOut, summary="退回补正"
)
def return_for_correction(
    request: HttpRequest, number: str, payload: ReturnIn
) -> CaseProcessingOut:
    """已受理的办件退回申请人补正，补正期间停止计时。"""
    case = _case(request, number)
    svc.case_return_for_correction(actor=request.user, case=case, reasons=payload.reasons)
    return case_out(case)


@router.post(
    "/cases/{number}/correction-supplied",
    auth=django_auth,
    response=CaseProcessingOut,
    summary="已补正",
)
def correction_supplied(request: HttpRequest, number: str) -> CaseProcessingOut:
    """申请人（或窗口人员代其）提交补正后，办件回到原环节，恢复计时。"""
    case = _case(request, number)
    svc.case_correction_supplied(actor=request.user, case=case)
    return case_out(case)


@router.post(
    "/cases/{number}/withdraw", auth=django_auth, response=CaseProcessingOut, summary="撤回申请"
)
def withdraw(request: HttpRequest, number: str, payload: WithdrawIn) -> CaseProcessingOut:
    """申请人在作出决定前撤回本人的申请；未完成的任务随之取消。"""
    case = _case(request, number)
    svc.case_withdraw(actor=request.user, case=case, reason=payload.reason)
    return case_out(case)


# ------------------------------------------------------------------------------- batches


def bulk_out(items: list[bulk.BulkItem]) -> BulkOut:
    return BulkOut(
        succeeded=sum(1 for i in items if i.ok),
        failed=sum(1 for i in items if not i.ok),
        items=[
            BulkItemOut(
                id=i.id, number=i.number, ok=i.ok, code=i.code, message=i.message, status=i.status
            )
            for i in items
        ],
    )


@bulk_router.post(
    "/tasks/bulk-complete",
    auth=django_auth,
    response=BulkOut,
    summary="批量完成审查任务（批量办理、批量会签）",
)
def bulk_complete_tasks(request: HttpRequest, payload: BulkCompleteIn) -> BulkOut:
    """以同一审查意见完成多项审查任务（含并联会签任务）：每项分别检查岗位、状态与办件环节，
    逐项返回结果；办件最后一项会签完成时转入下一环节。本人看不到的任务返回 task_not_found。"""
    actor = request.user
    require_capability(actor, "case.review")
    ids = list(dict.fromkeys(payload.task_ids))
    visible = set(
        inbox_selectors.visible_tasks(actor).filter(pk__in=ids).values_list("pk", flat=True)
    )
    unseen = [pk for pk in ids if pk not in visible]
    if unseen and payload.all_or_nothing:
        raise bulk.BulkRefused(
            f"批量办理中有{len(unseen)}项不能办理，全部未办理",
            fields={
                "items": [
                    {"id": pk, "code": "task_not_found", "message": "未找到该任务"} for pk in unseen
                ]
            },
        )
    result = bulk.tasks_complete(
        actor=actor,
        tasks=[pk for pk in ids if pk in visible],
        opinion=payload.opinion,
        all_or_nothing=payload.all_or_nothing,
    )
    by_id = {i.id: i for i in result.items}
    items = [
        by_id.get(pk) or bulk.BulkItem(pk, "", False, "task_not_found", "未找到该任务")
        for pk in ids
    ]
    return bulk_out(items)


@bulk_router.post(
    "/cases/bulk-transition",
    auth=django_auth,
    response=BulkOut,
    summary="批量办理办件（批量预审通过）",
)
def bulk_transition(request: HttpRequest, payload: BulkTransitionIn) -> BulkOut:
    """对多个办件执行同一操作（目前为预审通过：其业务效果仅为状态变更）。每项分别检查状态
    与本人在该办件部门的权限，逐项返回结果；本人看不到的办件返回 case_not_found。
    作出决定、办结、送达等须出具文书或安排送达的操作须逐件办理。"""
    actor = request.user
    capability = TRANSITIONS[payload.transition].capability
    require_capability(actor, str(capability))
    numbers = list(dict.fromkeys(payload.numbers))
    found = dict(
        Case.objects.filter(
            number__in=numbers, department__in=staff_departments(actor).values("pk")
        )
        .exclude(status=CaseStatus.DRAFT)
        .values_list("number", "pk")
    )
    unseen = [n for n in numbers if n not in found]
    if unseen and payload.all_or_nothing:
        raise bulk.BulkRefused(
            f"批量办理中有{len(unseen)}项不能办理，全部未办理",
            fields={
                "items": [
                    {"number": n, "code": "case_not_found", "message": "未找到该办件"}
                    for n in unseen
                ]
            },
        )
    result = bulk.apply_transitions(
        cases=[found[n] for n in numbers if n in found],
        name=payload.transition,
        actor=actor,
        note=payload.note.strip(),
        all_or_nothing=payload.all_or_nothing,
    )
    by_id = {i.id: i for i in result.items}
    items = [
        by_id[found[n]]
        if n in found
        else bulk.BulkItem(0, n, False, "case_not_found", "未找到该办件")
        for n in numbers
    ]
    return bulk_out(items)
