"""The licences API under /api/v1/licences.

- ``GET /licences/industry/{token}``: public (no login): the industry licence, each
  component permit and the current states; nothing personal beyond the holder's name and
  USCC (a resident ID is masked).
- ``GET /licences/mine``: the caller's industry licences and permits (session).
- ``POST /licences/permits/{number}/revoke`` and ``/cancel``: staff with ``licence.revoke``
  in the issuing department; another department's permit is 404 ``permit_not_found``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.security import django_auth

from onewindow.cases.api.submission import ERRORS
from onewindow.licences import selectors, services
from onewindow.licences.qr import public_url
from onewindow.licences.selectors import LicenceView, PermitView

router = Router(tags=["证照"])


class PermitOut(Schema):
    number: str
    name: str
    item: str = Field(..., description="事项实施编码")
    department: str = Field(..., description="发证部门")
    issued_at: datetime
    valid_from: date
    valid_until: date | None = Field(..., description="有效期至（null：长期有效）")
    state: str = Field(..., description="valid / expired / revoked / cancelled")
    state_label: str
    ended_at: datetime | None = Field(..., description="撤销或注销时间")
    reason: str = Field(..., description="撤销或注销原因")


class MyPermitOut(PermitOut):
    holder: str


class EventOut(Schema):
    kind: str
    label: str
    at: datetime
    permit: str


class IndustryLicenceOut(Schema):
    number: str
    name: str
    holder: str = Field(..., description="持证主体名称")
    holder_id_label: str
    holder_id: str = Field(..., description="统一社会信用代码；自然人的身份证号码已脱敏")
    department: str = Field(..., description="发证部门（牵头部门）")
    issued_at: datetime
    state: str = Field(..., description="valid / partly_invalid / invalid")
    state_label: str
    url: str = Field(..., description="公开查验页（二维码的内容）")
    components: list[PermitOut]
    events: list[EventOut]


class MineOut(Schema):
    industry_licences: list[IndustryLicenceOut]
    permits: list[MyPermitOut]


class ReasonIn(Schema):
    reason: str = Field(..., max_length=500, description="撤销或注销原因")


def permit_out(view: PermitView) -> dict[str, Any]:
    return {
        "number": view.number,
        "name": view.name,
        "item": view.item_code,
        "department": view.department,
        "issued_at": view.issued_at,
        "valid_from": view.valid_from,
        "valid_until": view.valid_until,
        "state": view.state,
        "state_label": view.state_label,
        "ended_at": view.ended_at,
        "reason": view.reason,
    }


def licence_out(view: LicenceView) -> dict[str, Any]:
    return {
        "number": view.number,
        "name": view.name,
        "holder": view.holder_name,
        "holder_id_label": view.holder_id_label,
        "holder_id": view.holder_id,
        "department": view.department,
        "issued_at": view.issued_at,
        "state": view.state,
        "state_label": view.state_label,
        "url": public_url(view.licence),
        "components": [permit_out(c) for c in view.components],
        "events": [
            {"kind": e.kind, "label": e.label, "at": e.at, "permit": e.permit_number}
            for e in view.events
        ],
    }


@router.get(
    "/industry/{token}",
    auth=None,
    response={200: IndustryLicenceOut, **ERRORS},
    summary="行业综合许可证查验（公开）",
)
def industry_licence(request: HttpRequest, token: str) -> dict[str, Any]:
    return licence_out(selectors.licence_view(selectors.licence_by_token(token)))


@router.get("/mine", auth=django_auth, response={200: MineOut, **ERRORS}, summary="我的证照")
def mine(request: HttpRequest) -> dict[str, Any]:
    on = selectors.today()
    return {
        "industry_licences": [
            licence_out(selectors.licence_view(x, on)) for x in selectors.licences_of(request.user)
        ],
        "permits": [
            {**permit_out(selectors.permit_view(p, on)), "holder": p.holder.name}
            for p in selectors.permits_of(request.user)
        ],
    }


@router.post(
    "/permits/{number}/revoke",
    auth=django_auth,
    response={200: PermitOut, **ERRORS},
    summary="撤销证照（发证部门）",
)
def revoke(request: HttpRequest, number: str, payload: ReasonIn) -> dict[str, Any]:
    permit = selectors.permit_for_staff(request.user, number)
    permit = services.permit_revoke(actor=request.user, permit=permit, reason=payload.reason)
    return permit_out(selectors.permit_view(permit))


@router.post(
    "/permits/{number}/cancel",
    auth=django_auth,
    response={200: PermitOut, **ERRORS},
    summary="注销证照（发证部门）",
)
def cancel(request: HttpRequest, number: str, payload: ReasonIn) -> dict[str, Any]:
    permit = selectors.permit_for_staff(request.user, number)
    permit = services.permit_cancel(actor=request.user, permit=permit, reason=payload.reason)
    return permit_out(selectors.permit_view(permit))
