"""The ratings API under /api/v1/ratings: rate (logged in, by SMS link, at a kiosk), my
ratings, rectification steps, complaints and their steps, and the rates. Window services
(visits) and their ratings are under /api/v1/visits (``api_visits``).

A case, rectification or complaint the caller may not see answers 404; a visible one the
caller may not act on 403; a step the state does not allow 409 ``illegal_transition``; a
second rating 409 ``already_rated``; an unconcluded case 409 ``case_not_concluded``; bad
input 422 with ``fields``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.security import django_auth

from onewindow.cases.selectors import case_for
from onewindow.common import clock
from onewindow.common.errors import NotFound, PermissionDenied
from onewindow.org.models import Department, Window
from onewindow.org.permissions import departments_for, is_centre_wide
from onewindow.ratings import rates, selectors
from onewindow.ratings import services as svc
from onewindow.ratings.models import Complaint, Rating, Rectification
from onewindow.ratings.services.common import Tracked
from onewindow.ratings.states import RECTIFICATION_UNFINISHED

router = Router(tags=["好差评与投诉"])


class ErrorOut(Schema):
    code: str = Field(..., description="错误代码，如 already_rated、case_not_concluded")
    message: str = Field(..., description="中文错误说明")
    fields: dict[str, Any] = Field(default_factory=dict)


ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


# ------------------------------------------------------------------------------ schemas


class RateIn(Schema):
    level: Any = Field(..., description="评价等级 1-5（5 非常满意 … 1 非常不满意）")
    dimensions: dict[str, Any] = Field(
        default_factory=dict,
        description="分项评价，各 1-5。网办：overall 整体满意度、efficiency 办事效率、"
        "guide_accuracy 办事指南精确度、convenience 办事便捷度、usability 平台操作性；"
        "现场：overall、service_efficiency 服务效率、service_level 服务水平、attitude 服务态度",
    )
    comment: str = Field("", description="评价内容（差评必填，最多500字）")


class KioskRateIn(RateIn):
    number: str = Field(..., description="办件编号")
    id_number: str = Field(..., description="申请人身份证号码或统一社会信用代码")


class RatingOut(Schema):
    id: int
    subject: str = Field(..., description="case 办件 / visit 窗口服务")
    case: str | None = Field(None, description="办件编号")
    visit: int | None = Field(None, description="窗口服务（到现场记录）编号")
    level: int
    level_label: str
    mode: str = Field(..., description="online 网办维度 / offline 现场维度")
    dimensions: dict[str, int]
    comment: str
    channel: str
    department: str | None
    rated_at: datetime
    rectification: int | None = Field(None, description="差评对应的整改编号")


class RectificationOut(Schema):
    id: int
    rating: RatingOut
    department: str | None
    status: str
    status_label: str
    opened_at: datetime
    due_at: datetime
    overdue: bool
    finding: str
    finding_reason: str
    action: str
    called_back_at: datetime | None
    callback_result: str
    appeal_reason: str
    review_note: str
    closed_at: datetime | None
    reopened: int


class RectifyIn(Schema):
    finding: str = Field(..., description="true 属实 / false 不属实")
    finding_reason: str = Field(..., description="核实情况")
    action: str = Field("", description="整改措施（属实时必填）")


class CallBackIn(Schema):
    result: str = Field(
        ...,
        description="satisfied 满意 / basic 基本满意 / dissatisfied 不满意 / "
        "unreachable 未接通 / declined 拒绝回访",
    )
    note: str = ""


class NoteIn(Schema):
    note: str = Field("", description="审核意见（退回时必填）")


class AppealIn(Schema):
    reason: str


class AppealDecisionIn(Schema):
    uphold: bool = Field(..., description="true 申诉成立（评价不计）/ false 不成立")
    note: str


class ComplaintIn(Schema):
    about: str = Field(..., description="case 办件 / department 部门 / window 窗口")
    content: str = Field(..., description="投诉内容")
    case: str | None = Field(None, description="办件编号（投诉办件时）")
    department: int | None = Field(None, description="部门编号（投诉部门时）")
    window: int | None = Field(None, description="窗口编号（投诉窗口时）")
    contact_phone: str = ""


class ComplaintOut(Schema):
    id: int
    number: str
    about: str
    case: str | None
    department: str | None
    window: str | None
    text: str
    status: str
    status_label: str
    submitted_at: datetime
    due_at: datetime
    response: str
    responded_at: datetime | None
    called_back_at: datetime | None
    callback_result: str
    closed_at: datetime | None


class RespondIn(Schema):
    response: str


class RatesQuery(Schema):
    start: date = Field(..., description="统计起始日期（含）")
    end: date = Field(..., description="统计截止日期（含）")


class RatesOut(Schema):
    department_id: int | None
    department: str
    concluded: int
    rated: int
    defaulted: int
    ratings: int
    satisfied: int
    bad: int
    rectifications: int
    rectified: int
    called_back: int
    overdue_rectifications: int
    complaints: int
    complaints_responded: int
    complaints_on_time: int
    overdue_complaints: int
    participation_rate: float | None
    satisfaction_rate: float | None
    rectification_rate: float | None
    callback_rate: float | None
    complaint_response_rate: float | None
    complaint_on_time_rate: float | None


class BoardOut(Schema):
    start: date
    end: date
    overall: RatesOut
    departments: list[RatesOut]


# ------------------------------------------------------------------------------ output


def rating_out(r: Rating) -> dict[str, Any]:
    rect = Rectification.objects.filter(rating=r).values_list("pk", flat=True).first()
    return {
        "id": r.pk,
        "subject": r.subject,
        "case": r.case.number if r.case_id and r.case else None,
        "visit": r.visit_id,
        "level": r.level,
        "level_label": str(r.get_level_display()),
        "mode": r.mode,
        "dimensions": r.dimensions,
        "comment": r.comment,
        "channel": r.channel,
        "department": r.department.name if r.department_id and r.department else None,
        "rated_at": r.rated_at,
        "rectification": rect,
    }


def rectification_out(r: Rectification) -> dict[str, Any]:
    return {
        "id": r.pk,
        "rating": rating_out(r.rating),
        "department": r.department.name if r.department_id and r.department else None,
        "status": r.status,
        "status_label": str(r.get_status_display()),
        "opened_at": r.opened_at,
        "due_at": r.due_at,
        "overdue": r.status in RECTIFICATION_UNFINISHED and r.due_at < clock.now(),
        "finding": r.finding,
        "finding_reason": r.finding_reason,
        "action": r.action,
        "called_back_at": r.called_back_at,
        "callback_result": r.callback_result,
        "appeal_reason": r.appeal_reason,
        "review_note": r.review_note,
        "closed_at": r.closed_at,
        "reopened": r.reopened,
    }


def complaint_out(c: Complaint) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "about": c.about,
        "case": c.case.number if c.case_id and c.case else None,
        "department": c.department.name if c.department_id and c.department else None,
        "window": str(c.window) if c.window_id and c.window else None,
        "text": c.text,
        "status": c.status,
        "status_label": str(c.get_status_display()),
        "submitted_at": c.submitted_at,
        "due_at": c.due_at,
        "response": c.response,
        "responded_at": c.responded_at,
        "called_back_at": c.called_back_at,
        "callback_result": c.callback_result,
        "closed_at": c.closed_at,
    }


# ------------------------------------------------------------------------------ rating


def rated(service: Callable[..., Rating], payload: RateIn, **kwargs: Any) -> Status[dict[str, Any]]:
    """Give one rating through ``service`` with the payload's level, dimensions and comment
    (201 and the rating; the service's errors as they are)."""
    rating = service(
        level=payload.level, dimensions=payload.dimensions, comment=payload.comment, **kwargs
    )
    return Status(201, rating_out(rating))


@router.post(
    "/cases/{number}",
    auth=django_auth,
    response={201: RatingOut, **ERRORS},
    summary="评价已办结的办件（本人）",
)
def rate_case(request: HttpRequest, number: str, payload: RateIn) -> Status[dict[str, Any]]:
    case = case_for(request.user, number)
    return rated(svc.rate_case, payload, actor=request.user, case=case)


@router.post("/link/{token}", response={201: RatingOut, **ERRORS}, summary="短信链接评价（免登录）")
def rate_by_link(request: HttpRequest, token: str, payload: RateIn) -> Status[dict[str, Any]]:
    return rated(svc.rate_case_by_link, payload, token=token)


@router.post(
    "/kiosk", response={201: RatingOut, **ERRORS}, summary="自助终端评价（办件编号＋证件号码）"
)
def rate_at_kiosk(request: HttpRequest, payload: KioskRateIn) -> Status[dict[str, Any]]:
    return rated(
        svc.rate_case_at_kiosk, payload, number=payload.number, id_number=payload.id_number
    )


@router.get("/mine", auth=django_auth, response={200: list[RatingOut]}, summary="我的评价")
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    return [rating_out(r) for r in selectors.my_ratings(request.user)[:500]]


# ------------------------------------------------------------------------------ rectification


@router.get(
    "/rectifications",
    auth=django_auth,
    response={200: list[RectificationOut]},
    summary="差评整改列表（逾期优先）",
)
def rectification_list(request: HttpRequest, status: str | None = None) -> list[dict[str, Any]]:
    qs = selectors.rectifications_for(request.user, status=status or None)[:500]
    return [rectification_out(r) for r in qs]


def _rect(request: HttpRequest, pk: int) -> Rectification:
    return selectors.rectification_for(request.user, pk)


def _stepped(request: HttpRequest, obj: Tracked, service: Callable[..., Any], **kwargs: Any) -> Any:
    """One step of a rectification or a complaint by the caller: the service updates ``obj``
    in place (whatever it returns); the answer is the object after the step."""
    if isinstance(obj, Rectification):
        service(actor=request.user, rectification=obj, **kwargs)
        return rectification_out(obj)
    service(actor=request.user, complaint=obj, **kwargs)
    return complaint_out(obj)


@router.get(
    "/rectifications/{pk}",
    auth=django_auth,
    response={200: RectificationOut, **ERRORS},
    summary="整改详情",
)
def rectification_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return rectification_out(_rect(request, pk))


@router.post(
    "/rectifications/{pk}/rectify",
    auth=django_auth,
    response={200: RectificationOut, **ERRORS},
    summary="核实并整改（责任部门）",
)
def rectify(request: HttpRequest, pk: int, payload: RectifyIn) -> dict[str, Any]:
    return _stepped(
        request,
        _rect(request, pk),
        svc.rectification_rectify,
        finding=payload.finding,
        finding_reason=payload.finding_reason,
        action=payload.action,
    )


@router.post(
    "/rectifications/{pk}/call-back",
    auth=django_auth,
    response={200: RectificationOut, **ERRORS},
    summary="记录回访",
)
def rectification_call_back(request: HttpRequest, pk: int, payload: CallBackIn) -> dict[str, Any]:
    r = _rect(request, pk)
    return _stepped(
        request, r, svc.rectification_call_back, result=payload.result, note=payload.note
    )


@router.post(
    "/rectifications/{pk}/close",
    auth=django_auth,
    response={200: RectificationOut, **ERRORS},
    summary="审核通过，办结（督查）",
)
def rectification_close(request: HttpRequest, pk: int, payload: NoteIn) -> dict[str, Any]:
    return _stepped(request, _rect(request, pk), svc.rectification_close, note=payload.note)


@router.post(
    "/rectifications/{pk}/reject",
    auth=django_auth,
    response={200: RectificationOut, **ERRORS},
    summary="审核不通过，退回重办（督查）",
)
def rectification_reject(request: HttpRequest, pk: int, payload: NoteIn) -> dict[str, Any]:
    return _stepped(request, _rect(request, pk), svc.rectification_reject, note=payload.note)


@router.post(
    "/rectifications/{pk}/appeal",
    auth=django_auth,
    response={200: RectificationOut, **ERRORS},
    summary="申诉误评、恶意差评（责任部门）",
)
def rectification_appeal(request: HttpRequest, pk: int, payload: AppealIn) -> dict[str, Any]:
    return _stepped(request, _rect(request, pk), svc.rectification_appeal, reason=payload.reason)


@router.post(
    "/rectifications/{pk}/appeal-decision",
    auth=django_auth,
    response={200: RectificationOut, **ERRORS},
    summary="申诉审核（督查）",
)
def rectification_appeal_decision(
    request: HttpRequest, pk: int, payload: AppealDecisionIn
) -> dict[str, Any]:
    r = _rect(request, pk)
    return _stepped(
        request, r, svc.rectification_decide_appeal, uphold=payload.uphold, note=payload.note
    )


# ------------------------------------------------------------------------------ complaints


@router.post(
    "/complaints", auth=django_auth, response={201: ComplaintOut, **ERRORS}, summary="我要投诉"
)
def complaint_submit(request: HttpRequest, payload: ComplaintIn) -> Status[dict[str, Any]]:
    case = case_for(request.user, payload.case) if payload.case else None
    department = window = None
    if payload.department is not None:
        department = Department.objects.filter(pk=payload.department, is_active=True).first()
        if department is None:
            raise NotFound("未找到该部门", code="department_not_found")
    if payload.window is not None:
        window = Window.objects.filter(pk=payload.window, is_active=True).first()
        if window is None:
            raise NotFound("未找到该窗口", code="window_not_found")
    c = svc.complaint_submit(
        actor=request.user,
        about=payload.about,
        content=payload.content,
        case=case,
        department=department,
        window=window,
        contact_phone=payload.contact_phone,
    )
    return Status(201, complaint_out(c))


@router.get(
    "/complaints/mine", auth=django_auth, response={200: list[ComplaintOut]}, summary="我的投诉"
)
def complaints_mine(request: HttpRequest) -> list[dict[str, Any]]:
    return [complaint_out(c) for c in selectors.my_complaints(request.user)[:500]]


@router.get(
    "/complaints",
    auth=django_auth,
    response={200: list[ComplaintOut]},
    summary="投诉处理列表（逾期优先）",
)
def complaint_list(request: HttpRequest, status: str | None = None) -> list[dict[str, Any]]:
    return [complaint_out(c) for c in selectors.complaints_for(request.user, status=status)[:500]]


def _complaint(request: HttpRequest, pk: int) -> Complaint:
    return selectors.complaint_for(request.user, pk)


@router.post(
    "/complaints/{pk}/respond",
    auth=django_auth,
    response={200: ComplaintOut, **ERRORS},
    summary="答复投诉（责任部门）",
)
def complaint_respond(request: HttpRequest, pk: int, payload: RespondIn) -> dict[str, Any]:
    c = _complaint(request, pk)
    return _stepped(request, c, svc.complaint_respond, response=payload.response)


@router.post(
    "/complaints/{pk}/call-back",
    auth=django_auth,
    response={200: ComplaintOut, **ERRORS},
    summary="记录回访",
)
def complaint_call_back(request: HttpRequest, pk: int, payload: CallBackIn) -> dict[str, Any]:
    c = _complaint(request, pk)
    return _stepped(request, c, svc.complaint_call_back, result=payload.result, note=payload.note)


@router.post(
    "/complaints/{pk}/close",
    auth=django_auth,
    response={200: ComplaintOut, **ERRORS},
    summary="审核通过，办结（督查）",
)
def complaint_close(request: HttpRequest, pk: int, payload: NoteIn) -> dict[str, Any]:
    return _stepped(request, _complaint(request, pk), svc.complaint_close, note=payload.note)


@router.post(
    "/complaints/{pk}/reject",
    auth=django_auth,
    response={200: ComplaintOut, **ERRORS},
    summary="审核不通过，退回重办（督查）",
)
def complaint_reject(request: HttpRequest, pk: int, payload: NoteIn) -> dict[str, Any]:
    return _stepped(request, _complaint(request, pk), svc.complaint_reject, note=payload.note)


# ------------------------------------------------------------------------------ rates


@router.get(
    "/rates", auth=django_auth, response={200: BoardOut, **ERRORS}, summary="好差评统计（按部门）"
)
def rates_board(request: HttpRequest, q: Query[RatesQuery]) -> dict[str, Any]:
    user = request.user
    centre = is_centre_wide(user, "supervision.view")
    if centre:
        depts = Department.objects.filter(is_active=True)
    else:
        depts = (
            departments_for(user, "supervision.view")
            | departments_for(user, "supervision.view_department")
        ).distinct()
        if not depts.exists():
            raise PermissionDenied("您没有查看好差评统计的权限", code="permission_denied")
    start, end = sorted((q.start, q.end))
    rows = rates.rates_by_department(start, end, departments=depts)
    total = rates.rates_overall(start, end, departments=None if centre else depts)
    return {
        "start": start,
        "end": end,
        "overall": total.as_dict(),
        "departments": [r.as_dict() for r in rows],
    }
