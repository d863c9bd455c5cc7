"""Window services (visits, 一次一评) and their ratings under /api/v1/visits.

* ``GET /visits/`` — the applicant's own window services of the rating period (newest
  first, paginated with ``limit``/``offset`` like the other lists), each with its rating or
  ``may_rate`` and the end of its rating period.
* ``GET /visits/served-today`` — the window's rating device (窗口评价器): the visits the
  calling clerk served (recorded) today, newest first.
* ``POST /visits/{id}/rating`` — rate one visit. ``channel`` says who is rating:
  ``online`` (default) is the applicant's own account; ``window_device`` is the rating
  device of the clerk who served the visit, the same day (staff authentication: the clerk's
  session; the applicant touches the clerk's screen).

Errors as the case ratings (``/api/v1/ratings``): an invalid level or dimension 422 with
``fields`` (``level``, ``dimensions.<name>``); a bad rating without a reason 422
``bad_rating_needs_reason``; someone else's visit, an unknown one, another clerk's device or
a device rating on another day 404 ``visit_not_found``; the device without a window
capability 403; the period over 409 ``rating_period_over``; a second rating 409
``already_rated``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.security import django_auth

from onewindow.common import clock
from onewindow.ratings import selectors
from onewindow.ratings import services as svc
from onewindow.ratings.api import ERRORS, RateIn, RatingOut, rated, rating_out
from onewindow.ratings.states import Channel

router = Router(tags=["好差评与投诉"])


class VisitsQuery(Schema):
    limit: int = Field(20, ge=1, le=100, description="每页条数（1-100）")
    offset: int = Field(0, ge=0, description="跳过的条数")


class VisitCaseOut(Schema):
    number: str = Field(..., description="办件编号（或一件事办件编号）")
    name: str = Field(..., description="事项（或一件事）名称")


class VisitOut(Schema):
    id: int
    at: datetime = Field(..., description="服务时间")
    service_point: str = Field(..., description="服务网点")
    window: str | None = Field(None, description="服务窗口（未登记窗口时为空）")
    clerk: str = Field(..., description="窗口工作人员（姓名）")
    purpose: str = Field(..., description="事由")
    cases: list[VisitCaseOut] = Field(default_factory=list, description="涉及的办件")
    rating: RatingOut | None = Field(None, description="已作出的评价")
    rating_ends_at: datetime = Field(..., description="评价截止时间")
    may_rate: bool = Field(..., description="现在可以评价（未评价且在评价期内）")


class VisitPage(Schema):
    count: int = Field(..., description="评价期内的窗口服务总数")
    limit: int = Field(..., description="每页条数")
    offset: int = Field(..., description="跳过的条数")
    items: list[VisitOut]


class VisitRateIn(RateIn):
    channel: str = Field(
        Channel.ONLINE,
        description="online 申请人本人网上评价；window_device 窗口评价器"
        "（须以服务该次来访的窗口工作人员登录，限当天）",
    )


def visit_out(row: selectors.VisitRow) -> dict[str, Any]:
    v = row.visit
    return {
        "id": v.pk,
        "at": v.at,
        "service_point": v.service_point.name,
        "window": str(v.window) if v.window_id and v.window else None,
        "clerk": v.recorded_by.display_name or "窗口工作人员",
        "purpose": v.purpose,
        "cases": [{"number": n, "name": name} for n, name in row.cases],
        "rating": rating_out(row.rating) if row.rating else None,
        "rating_ends_at": row.rating_ends_at,
        "may_rate": row.may_rate,
    }


@router.get(
    "/",
    auth=django_auth,
    response={200: VisitPage},
    summary="我的窗口服务（评价期内）",
    description="当前账号所关联申请人在评价期内的窗口服务，最新的在前，含评价情况。",
)
def my_visits(request: HttpRequest, q: Query[VisitsQuery]) -> dict[str, Any]:
    now = clock.now()
    qs = selectors.my_visits(request.user, now=now)
    page = qs[q.offset : q.offset + q.limit]
    return {
        "count": qs.count(),
        "limit": q.limit,
        "offset": q.offset,
        "items": [visit_out(selectors.visit_row(v, now)) for v in page],
    }


@router.get(
    "/served-today",
    auth=django_auth,
    response={200: list[VisitOut]},
    summary="窗口评价器：本人今天服务的来访",
)
def served_today(request: HttpRequest) -> list[dict[str, Any]]:
    now = clock.now()
    visits = selectors.visits_served_today(request.user, now=now)[:200]
    return [visit_out(selectors.visit_row(v, now)) for v in visits]


@router.post(
    "/{pk}/rating",
    auth=django_auth,
    response={201: RatingOut, **ERRORS},
    summary="评价一次窗口服务（本人网上评价或窗口评价器）",
)
def rate_visit(request: HttpRequest, pk: int, payload: VisitRateIn) -> Status[dict[str, Any]]:
    # Any visit by id: who may rate it is the service's check (404 for everyone else).
    visit = selectors.visit_by_id(pk)
    return rated(svc.rate_visit, payload, actor=request.user, visit=visit, channel=payload.channel)
