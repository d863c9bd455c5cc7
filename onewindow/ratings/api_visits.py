"""Window services (visits, 一次一评) and their ratings under /api/v1/visits.

* ``GET /visits/`` — the applicant's own window services of the rating period (newest
  first, paginated with ``limit``/``offset`` like the other lists), each with its rating or
  ``may_rate`` and the end of its rating period.
* ``GET /visits/served-today`` — the window's rating device (窗口评价器): the visits the
  calling clerk served (recorded) today, newest first.
* ``POST /visits`` (or ``/visits/``) — the clerk records a window service that is not a case (a
  consultation, a pick-up, help with the online hall: 登记窗口服务) so that it counts as a
  visit and can be rated: the applicant by ``applicant`` (id) or ``id_number`` (resident ID
  or USCC, check characters verified; like the window filing of a case, an unknown person is
  not created here), the ``service_point`` code, the ``window`` number there, the
  ``purpose`` (at most 64 characters) and optionally a ``case`` number of that applicant.
  201 and the visit. No window role anywhere 403; the service point not the clerk's 403
  (``record_visit``); an unknown applicant / service point / window / case 404
  (``applicant_not_found``, ``service_point_not_found``, ``window_not_found``,
  ``case_not_found``); a bad ID number, a purpose too long or missing, a case of another
  applicant 422 with ``fields``.
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

from onewindow.backoffice.bundle_forms import identifier_error
from onewindow.backoffice.visit_forms import SERVING_CAPABILITIES
from onewindow.cases.selectors import applicant_by_pk, visible_cases
from onewindow.cases.services.submission import record_visit
from onewindow.common import clock
from onewindow.common.errors import NotFound, PermissionDenied, ValidationFailed
from onewindow.org.models import Applicant, ServicePoint, Window
from onewindow.org.permissions import capabilities_of
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


class VisitIn(Schema):
    applicant: int | None = Field(None, description="申请人 id（与 id_number 二选一）")
    id_number: str | None = Field(
        None, description="申请人身份证号码或统一社会信用代码（按校验码核验）"
    )
    service_point: str = Field(..., description="服务网点编码")
    window: str | None = Field(None, description="该网点的窗口号（可不填）")
    purpose: str = Field(..., description="服务事由（如 咨询、取件、帮办指导，最多64字）")
    case: str | None = Field(None, description="涉及的办件编号（该申请人的办件，可不填）")


def _applicant(payload: VisitIn) -> Applicant:
    if payload.applicant is not None:
        return applicant_by_pk(payload.applicant)
    value = (payload.id_number or "").strip().upper()
    if not value:
        msg = "请填写申请人身份证号码或统一社会信用代码"
        raise ValidationFailed(msg, code="applicant_required", fields={"id_number": [msg]})
    error = identifier_error(value)
    if error:
        raise ValidationFailed(error, code="invalid_id_number", fields={"id_number": [error]})
    found = (
        Applicant.objects.filter(resident_id=value) | Applicant.objects.filter(uscc=value)
    ).order_by("kind", "pk")
    applicant = found.first()
    if applicant is None:
        raise NotFound("未找到该申请人", code="applicant_not_found", fields={"id_number": [value]})
    return applicant


def _place(payload: VisitIn) -> tuple[ServicePoint, Window | None]:
    point = ServicePoint.objects.filter(code=payload.service_point.strip()).first()
    if point is None:
        raise NotFound("未找到该服务网点", code="service_point_not_found")
    if not payload.window:
        return point, None
    window = Window.objects.filter(service_point=point, number=payload.window.strip()).first()
    if window is None:
        raise NotFound("该网点没有这个窗口", code="window_not_found")
    return point, window


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


@router.post("", auth=django_auth, response={201: VisitOut, **ERRORS}, include_in_schema=False)
@router.post(
    "/",
    auth=django_auth,
    response={201: VisitOut, **ERRORS},
    summary="登记窗口服务（咨询、取件、帮办指导等，计入跑动并可评价）",
)
def record_service(request: HttpRequest, payload: VisitIn) -> Status[dict[str, Any]]:
    if not capabilities_of(request.user) & set(SERVING_CAPABILITIES):
        raise PermissionDenied("您没有登记窗口服务的权限")
    applicant = _applicant(payload)
    point, window = _place(payload)
    case = None
    if payload.case:
        case = visible_cases(request.user).filter(number=payload.case.strip()).first()
        if case is None:
            raise NotFound("未找到该办件", code="case_not_found", fields={"case": [payload.case]})
    visit = record_visit(
        actor=request.user,
        applicant=applicant,
        service_point=point,
        window=window,
        case=case,
        purpose=payload.purpose,
    )
    return Status(201, visit_out(selectors.visit_row(selectors.visit_by_id(visit.pk))))


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
