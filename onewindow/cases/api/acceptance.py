"""Acceptance API: pre-review, the acceptance decision with its outcomes, notice PDFs, and
the caller's in-app notifications.

Staff endpoints need a logged-in session; the case must be visible to the caller (else
404, so numbers cannot be probed) and the transition's capability held (else 403).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import FileResponse, HttpRequest
from ninja import Field, Router, Schema
from ninja.security import django_auth

from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.notices import notice_pdf_for
from onewindow.cases.selectors import case_for
from onewindow.cases.services import acceptance as svc
from onewindow.common.errors import NotFound, ValidationFailed
from onewindow.notify.models import Notification
from onewindow.notify.services import inbox_for, mark_read

router = Router(tags=["办件受理"])


class PrereviewIn(Schema):
    note: str = Field("", max_length=2000, description="预审意见")


class MissingIn(Schema):
    material_id: int = Field(..., description="办件材料 ID")
    due_date: date = Field(..., description="补交期限（工作日，三个月内）")


class ProblemIn(Schema):
    material_id: int | None = Field(None, description="办件材料 ID；为空表示其他问题")
    reason: str = Field(..., max_length=2000, description="需补正的内容及原因")


class AcceptIn(Schema):
    outcome: Literal["accept", "accept_with_missing", "request_correction", "refuse", "instant"]
    missing: list[MissingIn] = Field(default_factory=list, max_length=100)
    problems: list[ProblemIn] = Field(default_factory=list, max_length=100)
    reasons: str = Field("", max_length=2000)
    competent_authority: str = Field("", max_length=200)


class NoticeOut(Schema):
    id: int
    kind: str
    title: str
    number: str
    issued_at: datetime
    sha256: str
    pdf_url: str


class CaseAcceptanceOut(Schema):
    number: str
    status: str
    status_label: str
    accepted_at: datetime | None
    promised_due_at: datetime | None
    legal_due_at: datetime | None
    deadlines_provisional: bool
    notices: list[NoticeOut]


class NotificationOut(Schema):
    id: int
    template: str
    subject: str
    body: str
    created_at: datetime
    read_at: datetime | None
    object_type: str
    object_id: str


def _out(case: Case) -> CaseAcceptanceOut:
    case = Case.objects.get(pk=case.pk)  # as stored (the status field is protected)
    notices = [
        NoticeOut(
            id=n.pk,
            kind=n.kind,
            title=str(n.content.get("title") or n.get_kind_display()),
            number=n.number,
            issued_at=n.issued_at,
            sha256=n.sha256,
            pdf_url=f"/api/v1/cases/{case.number}/notices/{n.pk}/pdf",
        )
        for n in case.notices.order_by("issued_at", "id")
    ]
    return CaseAcceptanceOut(
        number=case.number,
        status=case.status,
        status_label=str(case.get_status_display()),
        accepted_at=case.accepted_at,
        promised_due_at=case.promised_due_at,
        legal_due_at=case.legal_due_at,
        deadlines_provisional=case.deadlines_provisional,
        notices=notices,
    )


def _material(case: Case, material_id: int | None, field: str) -> CaseMaterial | None:
    if material_id is None:
        return None
    m = CaseMaterial.objects.filter(case=case, pk=material_id).first()
    if m is None:
        msg = "材料不属于该办件"
        raise ValidationFailed(msg, code="material_not_in_case", fields={field: [msg]})
    return m


@router.post(
    "/cases/{number}/prereview",
    auth=django_auth,
    response=CaseAcceptanceOut,
    summary="预审通过",
)
def prereview(request: HttpRequest, number: str, payload: PrereviewIn) -> CaseAcceptanceOut:
    case = case_for(request.user, number)
    svc.case_prereview(actor=request.user, case=case, note=payload.note)
    return _out(case)


@router.post(
    "/cases/{number}/accept",
    auth=django_auth,
    response=CaseAcceptanceOut,
    summary="受理决定（受理、容缺受理、一次性告知、不予受理、即办件当场办结）",
)
def accept(request: HttpRequest, number: str, payload: AcceptIn) -> CaseAcceptanceOut:
    actor = request.user
    case = case_for(actor, number)
    if payload.outcome == "accept":
        svc.case_accept(actor=actor, case=case)
    elif payload.outcome == "accept_with_missing":
        missing = []
        for i, row in enumerate(payload.missing):
            m = _material(case, row.material_id, f"missing.{i}.material_id")
            assert m is not None
            missing.append((m, row.due_date))
        svc.case_accept_with_missing(actor=actor, case=case, missing=missing)
    elif payload.outcome == "request_correction":
        problems: list[svc.Problem] = [
            {
                "material": _material(case, p.material_id, f"problems.{i}.material_id"),
                "reason": p.reason,
            }
            for i, p in enumerate(payload.problems)
        ]
        svc.case_request_correction(actor=actor, case=case, problems=problems)
    elif payload.outcome == "refuse":
        svc.case_refuse_acceptance(
            actor=actor,
            case=case,
            reasons=payload.reasons,
            competent_authority=payload.competent_authority,
        )
    else:
        svc.case_accept_instant(actor=actor, case=case)
    return _out(case)


@router.get(
    "/cases/{number}/notices/{notice_id}/pdf",
    auth=django_auth,
    summary="下载文书 PDF",
    response={200: None},
)
def notice_pdf(request: HttpRequest, number: str, notice_id: int) -> FileResponse:
    notice = notice_pdf_for(request.user, number, notice_id)
    try:
        handle = notice.pdf.open("rb")
    except FileNotFoundError:
        raise NotFound("文书文件不存在", code="notice_file_missing") from None
    filename = f"{notice.get_kind_display()}-{notice.case.number}.pdf"
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/pdf"
    )


@router.get(
    "/notifications",
    auth=django_auth,
    response=list[NotificationOut],
    summary="我的站内消息（未读在前）",
)
def notifications(request: HttpRequest, limit: int = 50) -> list[Notification]:
    return list(inbox_for(request.user)[: max(1, min(limit, 200))])


@router.post(
    "/notifications/{notification_id}/read",
    auth=django_auth,
    response=NotificationOut,
    summary="标记站内消息已读",
)
def notification_read(request: HttpRequest, notification_id: int) -> Notification:
    row = inbox_for(request.user).filter(pk=notification_id).first()
    if row is None:
        raise NotFound("未找到该消息", code="notification_not_found")
    mark_read(actor=request.user, notification=row)
    return row
