"""Writes of the working-day calendar: loading a year's State Council schedule."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.common import clock
from onewindow.common.errors import ValidationFailed
from onewindow.org.permissions import require_capability
from onewindow.workdays.models import CalendarDay, CalendarYear, DayKind
from onewindow.workdays.seed import DayRow, plain_row, year_dates
from onewindow.workdays.selectors import invalidate_calendar, table_years
from onewindow.workdays.signals import calendar_changed

logger = logging.getLogger(__name__)

HolidayRange = tuple[date, date, str]
NEW_YEAR = "元旦"
# A New Year holiday may start in the last week of the previous December (the 2019 and 2023
# notices did: 2018-12-30 and 2022-12-31); such days belong to the later year's schedule.
EARLY_NEW_YEAR_FROM = (12, 25)


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return None
    return value if isinstance(value, date) else None


def _in_scope(day: date, year: int) -> bool:
    if day.year == year:
        return True
    return day.year == year - 1 and (day.month, day.day) >= EARLY_NEW_YEAR_FROM


def _validate(
    year: Any, holidays: Sequence[Any], makeup_days: Sequence[Any], source: Any
) -> tuple[list[HolidayRange], list[date], str]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    span = table_years()
    if isinstance(year, bool) or not isinstance(year, int):
        add("year", _("年份须为整数"))
        raise ValidationFailed(_("年度放假安排有误，未作任何修改"), fields=errors)
    if span is not None and not span[0] <= year <= span[1] + 1:
        add(
            "year",
            _("年份须在 %(lo)s 至 %(hi)s 之间（日历须连续）") % {"lo": span[0], "hi": span[1] + 1},
        )
    # Nothing before the table's first year can be touched.
    first_day = (
        date(year - 1, *EARLY_NEW_YEAR_FROM)
        if span is not None and year > span[0]
        else date(year, 1, 1)
    )

    text = source.strip() if isinstance(source, str) else ""
    if not text:
        add("source", _("请填写依据（例如国务院办公厅通知的文号）"))
    elif len(text) > 255:
        add("source", _("依据不能超过 255 个字"))

    ranges: list[HolidayRange] = []
    if not holidays:
        add("holidays", _("至少需要一个放假期间"))
    for pos, item in enumerate(holidays):
        field = f"holidays[{pos}]"
        try:
            raw_from, raw_to, raw_name = item
        except (TypeError, ValueError):
            add(field, _("每个放假期间须包含开始日期、结束日期和名称"))
            continue
        start, end = _as_date(raw_from), _as_date(raw_to)
        name = raw_name.strip() if isinstance(raw_name, str) else ""
        if start is None or end is None:
            add(field, _("日期格式不正确"))
            continue
        if start > end:
            add(field, _("放假开始日期 %(a)s 晚于结束日期 %(b)s") % {"a": start, "b": end})
            continue
        if not (_in_scope(start, year) and _in_scope(end, year)) or start < first_day:
            add(field, _("放假日期须在 %(year)s 年内") % {"year": year})
            continue
        if start.year < year and name != NEW_YEAR:
            add(field, _("只有元旦假期可以从上一年 12 月下旬开始"))
            continue
        if not name:
            add(field, _("请填写节日名称"))
            continue
        if len(name) > 32:
            add(field, _("节日名称不能超过 32 个字"))
            continue
        for other_from, other_to, other_name in ranges:
            if start <= other_to and other_from <= end:
                add(field, _("与“%(name)s”的放假期间重叠") % {"name": other_name})
                break
        else:
            ranges.append((start, end, name))

    days: list[date] = []
    for pos, raw in enumerate(makeup_days):
        field = f"makeup_days[{pos}]"
        day = _as_date(raw)
        if day is None:
            add(field, _("日期格式不正确"))
        elif not _in_scope(day, year) or day < first_day:
            add(field, _("调休上班日须在 %(year)s 年内") % {"year": year})
        elif day.weekday() < 5:
            add(field, _("%(day)s 不是周六或周日，不能作为调休上班日") % {"day": day})
        elif day in days:
            add(field, _("%(day)s 重复") % {"day": day})
        elif any(a <= day <= b for a, b, _n in ranges):
            add(field, _("%(day)s 位于放假期间内") % {"day": day})
        else:
            days.append(day)
    if errors:
        raise ValidationFailed(_("年度放假安排有误，未作任何修改"), fields=errors)
    return sorted(ranges), sorted(days), text


def _nearest_name(day: date, ranges: list[HolidayRange]) -> str:
    def distance(r: HolidayRange) -> int:
        return min(abs((day - r[0]).days), abs((day - r[1]).days))

    return min(ranges, key=distance)[2] if ranges else ""


def _schedule_rows(
    year: int, ranges: list[HolidayRange], makeup: list[date], existing: dict[date, DayRow]
) -> list[DayRow]:
    """The new rows for ``year`` (and any early-New-Year days of the previous December)."""
    rows: dict[date, DayRow] = {}
    for day in year_dates(year):
        old = existing.get(day)
        # Late-December New Year days written by next year's schedule stay as they are.
        if (
            old is not None
            and old.holiday_name == NEW_YEAR
            and old.kind in (DayKind.HOLIDAY, DayKind.MAKEUP)
            and (day.month, day.day) >= EARLY_NEW_YEAR_FROM
        ):
            rows[day] = old
        else:
            rows[day] = plain_row(day)
    for start, end, name in ranges:
        day = start
        while day <= end:
            rows[day] = DayRow(day, False, DayKind.HOLIDAY, name)
            day += timedelta(days=1)
    for day in makeup:
        rows[day] = DayRow(day, True, DayKind.MAKEUP, _nearest_name(day, ranges))
    return [rows[d] for d in sorted(rows)]


def calendar_year_load(
    *,
    actor: Any,
    year: int,
    holidays: Sequence[HolidayRange],
    makeup_days: Sequence[date],
    source: str,
) -> CalendarYear:
    """Load a year's official schedule (holiday ranges and makeup working days).

    Rewrites every day of ``year`` (plain Monday-Friday weeks plus the schedule), marks the
    year confirmed, audits ``workdays.year_loaded`` and, after commit, drops the cached
    calendar and sends ``calendar_changed``. ``actor`` needs ``workdays.manage``; None means
    the system (the management command). Invalid input raises ``ValidationFailed`` with every
    error and changes nothing.
    """
    if actor is not None:
        require_capability(actor, "workdays.manage")
    ranges, makeup, text = _validate(year, holidays, makeup_days, source)
    with transaction.atomic():
        year_obj = CalendarYear.objects.select_for_update().filter(year=year).first()
        was_confirmed = bool(year_obj and year_obj.confirmed)
        lo = min([date(year, 1, 1), *(r[0] for r in ranges), *makeup])
        hi = date(year, 12, 31)
        existing = {
            d.date: DayRow(d.date, d.is_workday, d.kind, d.holiday_name)
            for d in CalendarDay.objects.filter(date__gte=lo, date__lte=hi)
        }
        rows = _schedule_rows(year, ranges, makeup, existing)
        changed = [
            r.date
            for r in rows
            if r.date not in existing or existing[r.date].is_workday != r.is_workday
        ]
        CalendarDay.objects.filter(date__in=[r.date for r in rows if r.date.year < year]).delete()
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(
            [
                CalendarDay(
                    date=r.date, is_workday=r.is_workday, kind=r.kind, holiday_name=r.holiday_name
                )
                for r in rows
            ]
        )
        now = clock.now()
        if year_obj is None:
            year_obj = CalendarYear(year=year)
        year_obj.confirmed = True
        year_obj.source = text
        year_obj.loaded_at = now
        year_obj.save()
        years = sorted({year, *(d.year for d in changed)})
        record(
            action="workdays.year_loaded",
            actor=actor,
            obj=year_obj,
            summary=_("载入 %(year)s 年放假安排") % {"year": year},
            payload={
                "year": year,
                "source": text,
                "was_confirmed": was_confirmed,
                "holidays": [
                    {"name": n, "from": a.isoformat(), "to": b.isoformat()} for a, b, n in ranges
                ],
                "makeup_days": [d.isoformat() for d in makeup],
                "workdays": sum(1 for r in rows if r.is_workday and r.date.year == year),
                "changed_dates": [d.isoformat() for d in changed],
            },
            at=now,
        )
        transaction.on_commit(lambda: _announce(years, changed))
    return year_obj


def _announce(years: list[int], changed: list[date]) -> None:
    invalidate_calendar()
    for receiver, result in calendar_changed.send_robust(
        sender=CalendarYear, years=years, changed_dates=changed
    ):
        if isinstance(result, Exception):
            logger.error("calendar_changed receiver %r failed", receiver, exc_info=result)
