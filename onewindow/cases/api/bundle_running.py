"""Running a bundle case through the API (/api/v1/bundle-cases/{number}/...): 容缺 and the
one-time notice at bundle level, partial refusal (drop, end), chasing, the joint site
inspection, the one output and early delivery. Each endpoint calls one service; the
response is the whole bundle (``BundleCaseOut``) unless said otherwise. A bundle the caller
may not see is 404 ``bundle_case_not_found``; the lead's actions are 403 ``lead_only`` for
the applicant's side.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from onewindow.cases import bundle_selectors as selectors
from onewindow.cases.api.bundle import BundleCaseOut, _detail, _own
from onewindow.cases.api.submission import ERRORS
from onewindow.cases.models import BundleCase, Case, JointInspection
from onewindow.cases.services import (
    bundle_acceptance,
    bundle_inspection,
    bundle_outcome,
    bundle_refusal,
)
from onewindow.common.errors import NotFound
from onewindow.org.models import Department

router = Router(tags=["一件事办件"])
R = {200: BundleCaseOut, **ERRORS}


class MissingIn(Schema):
    material_type: str = Field(..., max_length=32, description="材料类型编码")
    due_date: date = Field(..., description="补交期限（工作日）")


class AcceptWithMissingIn(Schema):
    missing: list[MissingIn]


class ProblemIn(Schema):
    material_type: str | None = Field(None, max_length=32, description="材料类型编码；空：申请表")
    reason: str = Field(..., max_length=2000)


class CorrectionIn(Schema):
    problems: list[ProblemIn]


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)


class ChaseIn(Schema):
    message: str = Field(..., max_length=500, description="督办内容")


class InspectionIn(Schema):
    at: datetime = Field(..., description="踏勘时间（ISO 8601）")
    place: str = Field(..., max_length=255)
    departments: list[str] = Field(..., description="参加部门编码")


class FindingIn(Schema):
    result: str = Field(..., description="pass 符合要求 / rectify 限期整改 / fail 不符合要求")
    note: str = Field("", max_length=500)
    department: str | None = Field(None, description="代表的部门编码（兼任多个部门时）")


class OutcomeIn(Schema):
    delivery_method: str = Field(
        ..., description="window 窗口领取 / express 快递 / electronic 电子送达"
    )


class DispatchIn(Schema):
    carrier: str = Field(..., max_length=32)
    tracking_number: str = Field(..., max_length=30)


class DeliverIn(Schema):
    recipient: str = Field("", max_length=64)


class EarlyIn(Schema):
    method: str = Field(..., description="window 窗口领取 / electronic 电子送达")


def _sub_case(bundle_case: BundleCase, case_number: str) -> Case:
    case = Case.objects.filter(number=case_number, bundle_case=bundle_case).first()
    if case is None:
        raise NotFound("该办件不属于本一件事", code="sub_case_not_found")
    return case


def _inspection(number: str, pk: int) -> JointInspection:
    found = (
        JointInspection.objects.filter(pk=pk, bundle_case__number=number)
        .select_related("bundle_case")
        .first()
    )
    if found is None:
        raise NotFound("未找到该联合踏勘", code="inspection_not_found")
    return found


def _departments(codes: list[str]) -> list[Department]:
    found = {d.code: d for d in Department.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise NotFound("未找到部门", code="department_not_found", fields={"departments": unknown})
    return [found[c] for c in codes]


def _run(
    request: HttpRequest,
    number: str,
    service: Callable[..., Any],
    case_number: str | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """One action on the caller's bundle case ``number``: ``service`` is called with the
    caller as actor, the bundle case, its sub-case ``case_number`` (as ``case``) when given,
    and ``kwargs``; the answer is the whole bundle after it."""
    bundle_case = _own(request, number)
    if case_number is not None:
        kwargs["case"] = _sub_case(bundle_case, case_number)
    service(actor=request.user, bundle_case=bundle_case, **kwargs)
    return _detail(request, number)


@router.post(
    "/bundle-cases/{number}/accept-with-missing",
    auth=django_auth,
    response=R,
    summary="一件事容缺受理",
)
def accept_with_missing(request: HttpRequest, number: str, payload: AcceptWithMissingIn) -> Any:
    """列出容缺的材料类型及补交期限；有关子办件容缺受理，其余正常受理。"""
    return _run(
        request,
        number,
        bundle_acceptance.bundle_case_accept_with_missing,
        missing=[(m.material_type, m.due_date) for m in payload.missing],
    )


@router.post(
    "/bundle-cases/{number}/request-correction",
    auth=django_auth,
    response=R,
    summary="一件事一次性告知",
)
def request_correction(request: HttpRequest, number: str, payload: CorrectionIn) -> Any:
    """一次列出全部需补正的材料（按材料类型）；申请人收到一条消息。"""
    return _run(
        request,
        number,
        bundle_acceptance.bundle_case_request_correction,
        problems=[{"material_type": p.material_type, "reason": p.reason} for p in payload.problems],
    )


@router.post(
    "/bundle-cases/{number}/resubmit",
    auth=django_auth,
    response=R,
    summary="补齐材料后重新提交一件事",
)
def resubmit(request: HttpRequest, number: str) -> Any:
    return _run(request, number, bundle_acceptance.bundle_case_resubmit)


@router.post(
    "/bundle-cases/{number}/sub-cases/{case_number}/drop",
    auth=django_auth,
    response=R,
    summary="放弃未获许可或超期的可选事项",
)
def drop_member(request: HttpRequest, number: str, case_number: str, payload: ReasonIn) -> Any:
    """申请人放弃可选事项，其余事项继续办理。"""
    return _run(
        request, number, bundle_refusal.bundle_member_drop, case_number, reason=payload.reason
    )


@router.post(
    "/bundle-cases/{number}/end", auth=django_auth, response=R, summary="终止一件事（牵头部门）"
)
def end_bundle_case(request: HttpRequest, number: str, payload: ReasonIn) -> Any:
    return _run(request, number, bundle_refusal.bundle_case_end, reason=payload.reason)


@router.post(
    "/bundle-cases/{number}/sub-cases/{case_number}/chase",
    auth=django_auth,
    response=R,
    summary="督办配合部门（牵头部门）",
)
def chase(request: HttpRequest, number: str, case_number: str, payload: ChaseIn) -> Any:
    return _run(request, number, bundle_refusal.bundle_chase, case_number, message=payload.message)


@router.post(
    "/bundle-cases/{number}/inspections",
    auth=django_auth,
    response=R,
    summary="安排联合踏勘（牵头部门）",
)
def schedule_inspection(request: HttpRequest, number: str, payload: InspectionIn) -> Any:
    return _run(
        request,
        number,
        bundle_inspection.bundle_inspection_schedule,
        at=payload.at,
        place=payload.place,
        departments=_departments(payload.departments),
    )


@router.post(
    "/bundle-cases/{number}/inspections/{inspection_id}/findings",
    auth=django_auth,
    response={201: dict[str, Any], **ERRORS},
    summary="记录本部门踏勘意见",
)
def record_finding(
    request: HttpRequest, number: str, inspection_id: int, payload: FindingIn
) -> Any:
    """参加踏勘的部门各自记录本部门意见（配合部门看不到整件，只按踏勘编号记录）。"""
    dept = _departments([payload.department])[0] if payload.department else None
    finding = bundle_inspection.bundle_inspection_record_finding(
        actor=request.user,
        inspection=_inspection(number, inspection_id),
        result=payload.result,
        note=payload.note,
        department=dept,
    )
    return Status(201, {"department": finding.department.name, "result": finding.result})


@router.post(
    "/bundle-cases/{number}/inspections/{inspection_id}/complete",
    auth=django_auth,
    response=R,
    summary="完成联合踏勘（计一次到现场）",
)
def complete_inspection(request: HttpRequest, number: str, inspection_id: int) -> Any:
    _own(request, number)
    bundle_inspection.bundle_inspection_complete(
        actor=request.user, inspection=_inspection(number, inspection_id)
    )
    return _detail(request, number)


@router.post(
    "/bundle-cases/{number}/outcome", auth=django_auth, response=R, summary="统一出件（牵头部门）"
)
def issue_outcome(request: HttpRequest, number: str, payload: OutcomeIn) -> Any:
    return _run(
        request,
        number,
        bundle_outcome.bundle_outcome_issue,
        delivery_method=payload.delivery_method,
    )


@router.post(
    "/bundle-cases/{number}/outcome/dispatch",
    auth=django_auth,
    response=R,
    summary="统一出件寄出（快递）",
)
def dispatch_outcome(request: HttpRequest, number: str, payload: DispatchIn) -> Any:
    return _run(
        request,
        number,
        bundle_outcome.bundle_case_dispatch,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
    )


@router.post(
    "/bundle-cases/{number}/outcome/deliver", auth=django_auth, response=R, summary="统一出件送达"
)
def deliver_outcome(request: HttpRequest, number: str, payload: DeliverIn) -> Any:
    return _run(request, number, bundle_outcome.bundle_case_deliver, recipient=payload.recipient)


@router.post(
    "/bundle-cases/{number}/sub-cases/{case_number}/early-delivery",
    auth=django_auth,
    response=R,
    summary="先行出件（牵头部门）",
)
def early_delivery(request: HttpRequest, number: str, case_number: str, payload: EarlyIn) -> Any:
    return _run(
        request, number, bundle_outcome.bundle_early_delivery, case_number, method=payload.method
    )


@router.get(
    "/bundle-cases/{number}/measured",
    auth=django_auth,
    summary="一件事实测数据",
    response={200: dict[str, Any] | None, **ERRORS},
)
def measured(request: HttpRequest, number: str) -> Any:
    """已办结办件的实测跑动、工作日、上传材料数，及各事项单独办理的对比；无数据时为 null。"""
    bc = _own(request, number)
    return selectors.measured_figures_for(bc.bundle_version)
