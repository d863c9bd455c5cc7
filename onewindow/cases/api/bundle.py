"""The bundle cases API (一件事一次办) under /api/v1/bundle-cases: one application that fans
out into sub-cases, one upload per material type, submit, one acceptance at one window,
the whole bundle with its sub-cases, withdrawal, and the statistics.

Session authentication (``ninja.security.django_auth``, CSRF on unsafe methods as for the
other case endpoints). A bundle case the caller may not see is 404
``bundle_case_not_found``, never 403. Each sub-case is a real case: read and processed
through /api/v1/cases/{number}.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Header, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from onewindow.bundles.selectors import published_version
from onewindow.cases import bundle_selectors as selectors
from onewindow.cases.api.submission import ERRORS
from onewindow.cases.models import (
    BundleCase,
    BundleCaseStatus,
    FindingResult,
    InspectionStatus,
    IssueResolution,
)
from onewindow.cases.selectors import applicant_by_pk
from onewindow.cases.services import bundle as services
from onewindow.cases.states import CaseStatus
from onewindow.catalog.models import DeliveryMethod
from onewindow.common.errors import NotFound
from onewindow.org.models import Applicant, ServicePoint

router = Router(tags=["一件事办件"])


class BundleCaseCreateIn(Schema):
    bundle: str = Field(..., max_length=32, description="一件事编码")
    applicant: int = Field(..., description="申请人编号（本人或本人所代表的单位）")
    business: int | None = Field(
        None, description="面向法人的事项的申请单位编号（申请人为自然人时，如张三理发店）"
    )
    answers: dict[str, Any] = Field(
        default_factory=dict, description="情形问题的回答（须全部回答）"
    )
    form_data: dict[str, Any] = Field(default_factory=dict, description="合并申请表（一表申请）")
    channel: str = Field(
        "online",
        description="申请渠道：online、kiosk；窗口人员：window、assisted（帮办）、proxy（代办）",
    )
    service_point: str | None = Field(None, max_length=32, description="受理网点编码（窗口申请）")
    on_behalf: bool = Field(False, description="代为申请")
    consent_note: str = Field("", max_length=255, description="申请人授权说明（帮办、代办）")


class WithdrawIn(Schema):
    reason: str = Field("", max_length=500, description="撤回理由")


class SubCaseOut(Schema):
    number: str
    item: str = Field(..., description="事项实施编码")
    item_name: str
    department: str
    lead: bool = Field(..., description="是否牵头部门的事项")
    status: str
    status_label: str
    current_step: str | None
    promised_due_at: datetime | None
    legal_due_at: datetime | None
    url: str


class IssueOut(Schema):
    sub_case: str
    item_name: str
    kind: str = Field(..., description="refused 不予许可 / stalled 超过承诺期限")
    essential: bool
    resolution: str = Field(..., description="open、dropped、continued、ended")
    resolution_label: str
    raised_at: datetime
    resolved_at: datetime | None
    note: str
    droppable: bool = Field(..., description="申请人现在可以放弃该事项")


class ChaseOut(Schema):
    sub_case: str
    message: str
    by: str
    at: datetime
    recipients: int


class FindingOut(Schema):
    department: str
    result: str
    result_label: str
    note: str
    at: datetime


class InspectionOut(Schema):
    id: int
    scheduled_at: datetime
    place: str
    status: str
    status_label: str
    departments: list[str]
    findings: list[FindingOut]
    visit_recorded: bool


class OutcomeOut(Schema):
    method: str
    method_label: str
    status: str
    sub_cases: list[str]
    carrier: str
    tracking_number: str
    issued_at: datetime
    dispatched_at: datetime | None
    delivered_at: datetime | None


class BundleCaseOut(Schema):
    number: str
    bundle: str
    name: str
    status: str
    status_label: str
    lead_department: str
    applicant: str
    answers: dict[str, Any]
    promised_limit: int | None = Field(..., description="一件事的承诺时限（工作日）")
    promised_due_at: datetime | None = Field(..., description="一件事的承诺办结期限")
    created_at: datetime
    submitted_at: datetime | None
    accepted_at: datetime | None
    withdrawn_at: datetime | None
    concluded_at: datetime | None
    delivered_at: datetime | None
    ended_at: datetime | None
    channel: str
    visits: int = Field(..., description="本一件事的到现场次数（窗口申请、联合踏勘，各计一次）")
    sub_cases: list[SubCaseOut]
    issues: list[IssueOut] = Field(..., description="未获许可或超期的事项及处理")
    chases: list[ChaseOut] = Field(..., description="牵头部门的督办记录（仅牵头部门可见）")
    inspections: list[InspectionOut]
    outcome: OutcomeOut | None = Field(..., description="统一出件")


class UploadOut(Schema):
    material_type: str
    name: str
    sha256: str
    sub_cases: list[str] = Field(..., description="收到该材料的子办件编号")


def _out(detail: selectors.BundleCaseDetail) -> dict[str, Any]:
    bc = detail.bundle_case
    return {
        "number": bc.number,
        "bundle": bc.bundle.code,
        "name": bc.bundle_version.name,
        "status": bc.status,
        "status_label": str(BundleCaseStatus(bc.status).label),
        "lead_department": bc.lead_department.name,
        "applicant": bc.applicant.name,
        "answers": bc.answers,
        "promised_limit": bc.promised_limit,
        "promised_due_at": bc.promised_due_at,
        "created_at": bc.created_at,
        "submitted_at": bc.submitted_at,
        "accepted_at": bc.accepted_at,
        "withdrawn_at": bc.withdrawn_at,
        "concluded_at": bc.concluded_at,
        "delivered_at": bc.delivered_at,
        "ended_at": bc.ended_at,
        "channel": bc.channel,
        "visits": bc.visits.count(),
        **_extras(detail),
        "sub_cases": [
            {
                "number": v.case.number,
                "item": v.case.item.code,
                "item_name": v.case.item_version.name,
                "department": v.case.department.name,
                "lead": v.lead,
                "status": v.case.status,
                "status_label": str(CaseStatus(v.case.status).label),
                "current_step": v.step_name or None,
                "promised_due_at": v.promised_due_at,
                "legal_due_at": v.legal_due_at,
                "url": f"/api/v1/cases/{v.case.number}",
            }
            for v in detail.sub_cases
        ],
    }


def _extras(detail: selectors.BundleCaseDetail) -> dict[str, Any]:
    droppable = {c.pk for c in detail.droppable()}
    outcome = detail.outcome
    return {
        "issues": [
            {
                "sub_case": i.case.number,
                "item_name": i.case.item_version.name,
                "kind": i.kind,
                "essential": i.essential,
                "resolution": i.resolution,
                "resolution_label": str(IssueResolution(i.resolution).label),
                "raised_at": i.raised_at,
                "resolved_at": i.resolved_at,
                "note": i.note,
                "droppable": i.case_id in droppable,
            }
            for i in detail.issues
        ],
        "chases": [
            {
                "sub_case": c.case.number,
                "message": c.message,
                "by": c.by.get_full_name() or c.by.get_username(),
                "at": c.at,
                "recipients": c.recipients,
            }
            for c in (detail.chases if detail.as_lead else [])
        ],
        "inspections": [
            {
                "id": x.pk,
                "scheduled_at": x.scheduled_at,
                "place": x.place,
                "status": x.status,
                "status_label": str(InspectionStatus(x.status).label),
                "departments": [d.name for d in x.departments.all()],
                "findings": [
                    {
                        "department": f.department.name,
                        "result": f.result,
                        "result_label": str(FindingResult(f.result).label),
                        "note": f.note,
                        "at": f.at,
                    }
                    for f in x.findings.all()
                ],
                "visit_recorded": x.visit_id is not None,
            }
            for x in detail.inspections
        ],
        "outcome": None
        if outcome is None
        else {
            "method": outcome.method,
            "method_label": str(DeliveryMethod(outcome.method).label),
            "status": outcome.status,
            "sub_cases": [c.number for c in outcome.cases.order_by("id")],
            "carrier": outcome.carrier,
            "tracking_number": outcome.tracking_number,
            "issued_at": outcome.issued_at,
            "dispatched_at": outcome.dispatched_at,
            "delivered_at": outcome.delivered_at,
        },
    }


def _detail(request: HttpRequest, number: str) -> dict[str, Any]:
    return _out(selectors.bundle_case_detail(request.user, number))


def _own(request: HttpRequest, number: str) -> BundleCase:
    """The bundle case for an action; the services check who may act."""
    return selectors.bundle_case_for(request.user, number)


def _service_point(code: str | None) -> ServicePoint | None:
    if not code:
        return None
    point = ServicePoint.objects.filter(code=code).first()
    if point is None:
        raise NotFound(
            "未找到该受理网点", code="service_point_not_found", fields={"service_point": [code]}
        )
    return point


def _applicant(pk: int | None, field: str) -> Applicant | None:
    return None if pk is None else applicant_by_pk(pk, field=field)


@router.post(
    "/bundle-cases",
    auth=django_auth,
    response={201: BundleCaseOut, **ERRORS},
    summary="申请一件事（一表申请）",
)
def create_bundle_case(
    request: HttpRequest,
    payload: BundleCaseCreateIn,
    idempotency_key: str = Header(
        "", alias="Idempotency-Key", description="幂等键（建议使用 UUID），防止重复创建"
    ),
) -> Status[dict[str, Any]]:
    """回答情形问题、填写合并申请表，按回答生成各事项的子办件（草稿）。同一 Idempotency-Key
    重复请求返回同一件；该键用于其他一件事或申请人时返回 409（idempotency_key_reused）。"""
    applicant = applicant_by_pk(payload.applicant)
    bc = services.bundle_case_create(
        actor=request.user,
        bundle_version=published_version(payload.bundle),
        applicant=applicant,
        business=_applicant(payload.business, "business"),
        answers=payload.answers,
        form_data=payload.form_data,
        channel=payload.channel,
        service_point=_service_point(payload.service_point),
        on_behalf=payload.on_behalf,
        consent_note=payload.consent_note,
        idempotency_key=idempotency_key,
    )
    return Status(201, _detail(request, bc.number))


@router.get(
    "/bundle-cases/{number}",
    auth=django_auth,
    response={200: BundleCaseOut, **ERRORS},
    summary="一件事办件详情",
)
def get_bundle_case(request: HttpRequest, number: str) -> dict[str, Any]:
    """整件及全部子办件（部门、状态、当前环节、承诺与法定期限）：申请人与牵头部门可见。"""
    return _detail(request, number)


@router.post(
    "/bundle-cases/{number}/materials/{material_type_code}",
    auth=django_auth,
    response={200: UploadOut, **ERRORS},
    summary="上传一件事材料（一次上传）",
)
def upload_bundle_material(
    request: HttpRequest, number: str, material_type_code: str, file: File[UploadedFile]
) -> dict[str, Any]:
    """同一类材料只上传一次，存入每个需要它的子办件（multipart，字段名 file）。"""
    stored = services.bundle_material_upload(
        actor=request.user,
        bundle_case=_own(request, number),
        material_type_code=material_type_code,
        uploaded_file=file,
    )
    return {
        "material_type": material_type_code,
        "name": stored[0].material_type.name,
        "sha256": stored[0].sha256,
        "sub_cases": [m.case.number for m in stored],
    }


@router.post(
    "/bundle-cases/{number}/submit",
    auth=django_auth,
    response={200: BundleCaseOut, **ERRORS},
    summary="提交一件事",
)
def submit_bundle_case(request: HttpRequest, number: str) -> dict[str, Any]:
    """全部子办件一并提交；任何一件不能提交则都不提交。"""
    services.bundle_case_submit(actor=request.user, bundle_case=_own(request, number))
    return _detail(request, number)


@router.post(
    "/bundle-cases/{number}/accept",
    auth=django_auth,
    response={200: BundleCaseOut, **ERRORS},
    summary="一窗受理",
)
def accept_bundle_case(request: HttpRequest, number: str) -> dict[str, Any]:
    """窗口人员一次受理全部子办件，并联推送至各部门；开始计算一件事的承诺期限。"""
    services.bundle_case_accept(actor=request.user, bundle_case=_own(request, number))
    return _detail(request, number)


@router.post(
    "/bundle-cases/{number}/withdraw",
    auth=django_auth,
    response={200: BundleCaseOut, **ERRORS},
    summary="撤回一件事",
)
def withdraw_bundle_case(request: HttpRequest, number: str, payload: WithdrawIn) -> dict[str, Any]:
    """撤回全部尚未作出决定的子办件。"""
    services.bundle_case_withdraw(
        actor=request.user, bundle_case=_own(request, number), reason=payload.reason
    )
    return _detail(request, number)


def _mount() -> None:
    """The running of a bundle (partial refusal, chasing, inspection, one output) lives in
    ``bundle_running`` under the same paths."""
    from onewindow.cases.api.bundle_running import router as running

    router.add_router("", running)


_mount()
