"""``/api/v1/workdays/``: deadlines and the calendar's days.

Parameters are read as text and checked here so that every error is a 422 with a Chinese
message and the offending field: ``{"code", "message", "fields"}``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from onewindow.common.errors import ValidationFailed
from onewindow.org.models import ServicePoint
from onewindow.workdays.calendar import local_datetime
from onewindow.workdays.selectors import days_between, get_calendar

router = Router(tags=["工作日历"])

MAX_DAYS = 1000  # about four years of working days: anything larger is a typo
MAX_HOURS = 2000
MAX_RANGE_DAYS = 400


def _fail(field: str, message: str, code: str = "validation_failed") -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


def _parse_instant(field: str, raw: str | None) -> datetime:
    if raw is None or not raw.strip():
        raise _fail(field, _("请提供开始时间（ISO 8601，例如 2026-03-02T10:00:00+08:00）"))
    text = raw.strip()
    if "T" not in text:
        text = text.replace(" ", "T", 1)
    # An unencoded "+08:00" in a query string arrives as " 08:00".
    text = text.replace(" ", "+")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise _fail(field, _("时间格式不正确：%(value)s") % {"value": raw}) from None
    return local_datetime(value)


def _parse_date(field: str, raw: str | None) -> date:
    if raw is None or not raw.strip():
        raise _fail(field, _("请提供日期（YYYY-MM-DD）"))
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise _fail(field, _("日期格式不正确：%(value)s") % {"value": raw}) from None


def _parse_number(field: str, raw: str, *, integer: bool, maximum: int) -> int | float:
    try:
        value: int | float = int(raw) if integer else float(raw)
    except ValueError:
        kind = _("整数") if integer else _("数字")
        raise _fail(field, _("须为%(kind)s：%(value)s") % {"kind": kind, "value": raw}) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise _fail(field, _("须为有限的数字"))
    if value < 0 or (not integer and value == 0):
        raise _fail(field, _("期限须大于零") if not integer else _("期限不能为负数"))
    if value > maximum:
        raise _fail(field, _("期限过大（最多 %(max)s）") % {"max": maximum})
    return value


def _office_hours(code: str | None) -> list[list[str]] | None:
    if code is None or not code.strip():
        return None
    point = ServicePoint.objects.filter(code=code.strip(), is_active=True).first()
    if point is None:
        raise _fail("service_point", _("服务网点 %(code)s 不存在") % {"code": code})
    return point.office_hours or None


@router.get("/deadline", summary="计算办理期限")
def deadline(
    request: HttpRequest,
    start: str | None = None,
    days: str | None = None,
    hours: str | None = None,
    service_point: str | None = None,
) -> dict[str, Any]:
    """Deadline of a limit in working days (``days``) or office hours (``hours``) for an
    application accepted at ``start``. Counting starts the working day after acceptance;
    ``provisional`` is true when the result reaches a year whose schedule is unconfirmed."""
    moment = _parse_instant("start", start)
    has_days = days is not None and days.strip() != ""
    has_hours = hours is not None and hours.strip() != ""
    if has_days == has_hours:
        message = _("请在 days（工作日）与 hours（工作小时）中二选一")
        raise ValidationFailed(message, fields={"days": [message], "hours": [message]})
    calendar = get_calendar()
    if has_days and days is not None:
        limit = int(_parse_number("days", days, integer=True, maximum=MAX_DAYS))
        result = calendar.deadline_days(moment, limit)
        return {
            "start": moment.isoformat(),
            "limit": limit,
            "unit": "workdays",
            "deadline": result.due_date.isoformat() if result.due_date else None,
            "provisional": result.provisional,
        }
    assert hours is not None
    amount = _parse_number("hours", hours, integer=False, maximum=MAX_HOURS)
    office = _office_hours(service_point)
    hourly = calendar.deadline_hours(moment, amount, office)
    return {
        "start": moment.isoformat(),
        "limit": int(amount) if float(amount).is_integer() else amount,
        "unit": "hours",
        "deadline": hourly.due_at.isoformat() if hourly.due_at else None,
        "provisional": hourly.provisional,
    }


@router.get("/days", summary="查询日历日")
def list_days(
    request: HttpRequest,
    from_: str | None = Query(None, alias="from"),
    to: str | None = None,
) -> dict[str, Any]:
    """The days ``from``..``to`` (at most 400 days), each with whether it is a working day,
    its kind (workday / weekend / holiday / makeup), holiday name and confirmed flag."""
    first = _parse_date("from", from_)
    last = _parse_date("to", to)
    if last < first:
        raise _fail("to", _("结束日期不能早于开始日期"))
    if last - first > timedelta(days=MAX_RANGE_DAYS - 1):
        raise _fail("to", _("查询范围最多 %(n)s 天") % {"n": MAX_RANGE_DAYS})
    calendar = get_calendar()
    for field, value in (("from", first), ("to", last)):
        calendar.index(value, field=field)
    rows = days_between(first, last)
    for row in rows:
        row["date"] = row["date"].isoformat()
    return {"from": first.isoformat(), "to": last.isoformat(), "days": rows}
