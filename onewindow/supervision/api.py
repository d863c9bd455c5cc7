"""Traffic-light API: ``GET /api/v1/supervision/lights`` (counts by colour, per department)
and ``GET /api/v1/supervision/red-list`` (the red cases, who holds each and since when).

Both need a logged-in session with ``supervision.view`` (the hall) or, with
``scope=department``, ``supervision.view_department``; otherwise 403 ``permission_denied``.
Filters: ``department`` (id; outside the caller's scope: 404 ``department_not_found``),
``colour`` (0 green, 1 yellow, 2 red, 3 past the legal deadline), ``service_point`` (id).
Instants are ISO 8601."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from onewindow.common import clock
from onewindow.supervision.models import Colour
from onewindow.supervision.selectors import DEPARTMENT, HALL, Filters, colour_counts, red_list

router = Router(tags=["红黄绿督查"])


class LightQuery(Schema):
    scope: Literal["hall", "department"] = Field(
        "hall", description="hall 全厅 / department 本部门"
    )
    department: int | None = Field(None, description="部门 id")
    colour: Literal[0, 1, 2, 3] | None = Field(
        None, description="0 绿 / 1 黄 / 2 红 / 3 超法定时限"
    )
    service_point: int | None = Field(None, description="受理网点 id")


class DepartmentLightsOut(Schema):
    department_id: int
    department: str
    green: int
    yellow: int
    red: int
    legal: int = Field(..., description="超过法定时限")
    total: int


class LightsOut(Schema):
    at: datetime
    green: int
    yellow: int
    red: int
    legal: int
    total: int
    departments: list[DepartmentLightsOut]


class RedOut(Schema):
    number: str = Field(..., description="办件编号（一件事为一件事办件编号）")
    kind: str = Field(..., description="case 办件 / sub_case 一件事子办件 / bundle 一件事")
    title: str
    department: str
    colour: int
    colour_label: str
    promised_due_at: datetime | None
    legal_due_at: datetime | None
    paused: bool = Field(..., description="中止计时中")
    holder: str = Field(..., description="当前经办人（空：无在办任务）")
    holding_since: datetime | None
    holding_workdays: int | None


def _args(q: LightQuery) -> tuple[str, Filters]:
    capability = DEPARTMENT if q.scope == "department" else HALL
    return capability, Filters(
        department=q.department, colour=q.colour, service_point=q.service_point
    )


@router.get("/lights", response=LightsOut, auth=django_auth, summary="按颜色统计在办件")
def lights(request: HttpRequest, q: Query[LightQuery]) -> LightsOut:
    capability, filters = _args(q)
    departments, totals = colour_counts(request.user, capability, filters)
    return LightsOut(
        at=clock.now(),
        green=totals[Colour.GREEN],
        yellow=totals[Colour.YELLOW],
        red=totals[Colour.RED],
        legal=totals[Colour.LEGAL],
        total=sum(totals.values()),
        departments=[
            DepartmentLightsOut(
                department_id=d.department_id,
                department=d.name,
                green=d.green,
                yellow=d.yellow,
                red=d.red,
                legal=d.legal,
                total=d.total,
            )
            for d in departments
        ],
    )


@router.get("/red-list", response=list[RedOut], auth=django_auth, summary="红灯清单")
def red(request: HttpRequest, q: Query[LightQuery]) -> list[RedOut]:
    capability, filters = _args(q)
    rows = red_list(request.user, capability, filters, now=clock.now())
    return [
        RedOut(
            number=r.number,
            kind=r.light.kind,
            title=r.title,
            department=r.department,
            colour=r.colour,
            colour_label=str(r.colour_label),
            promised_due_at=r.light.src_promised_due_at,
            legal_due_at=r.light.src_legal_due_at,
            paused=r.paused,
            holder=r.holder,
            holding_since=r.holding_since,
            holding_workdays=r.holding_workdays,
        )
        for r in rows
    ]
