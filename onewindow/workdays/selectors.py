"""Reads of the working-day calendar, and the per-process cached ``WorkCalendar``.

Cache design (docs/workdays.md, "The cache"):

* ``get_calendar()`` builds the calendar from the database once per process and keeps it.
* The load service calls ``invalidate_calendar()`` in ``transaction.on_commit``: the process
  that loaded a year sees it at once.
* Other processes (gunicorn workers, task workers) notice a change through a *version stamp*,
  ``(years, confirmed years, max(CalendarYear.loaded_at))``, a one-row aggregate read at most
  every ``WORKDAYS_CACHE_CHECK_SECONDS`` seconds (setting, default 30). The stamp is read
  before the days, so a load committing in between only causes one extra rebuild later.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min, Q

from onewindow.workdays.calendar import WorkCalendar
from onewindow.workdays.models import CalendarDay, CalendarYear, DayKind

DEFAULT_CHECK_SECONDS = 30.0
Stamp = tuple[int, int, str]


@dataclass
class _Cached:
    calendar: WorkCalendar
    stamp: Stamp
    checked_at: float


_lock = threading.Lock()
_cached: _Cached | None = None


def calendar_stamp() -> Stamp:
    """The version of the calendar in the database (cheap: one aggregate over ~25 rows)."""
    agg = CalendarYear.objects.aggregate(
        years=Count("year"),
        confirmed=Count("year", filter=Q(confirmed=True)),
        last=Max("loaded_at"),
    )
    last = agg["last"]
    return (agg["years"], agg["confirmed"], last.isoformat() if last else "")


def load_calendar() -> WorkCalendar:
    """Build a fresh ``WorkCalendar`` from the database (about 9,000 rows)."""
    rows = CalendarDay.objects.order_by("date").values_list("date", "is_workday")
    confirmed = CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True)
    return WorkCalendar.from_days(list(rows), list(confirmed))


def _check_seconds() -> float:
    return float(getattr(settings, "WORKDAYS_CACHE_CHECK_SECONDS", DEFAULT_CHECK_SECONDS))


def get_calendar() -> WorkCalendar:
    """The process-wide calendar, rebuilt when the version stamp in the database changes."""
    global _cached
    now = time.monotonic()
    cached = _cached
    if cached is not None and now - cached.checked_at < _check_seconds():
        return cached.calendar
    with _lock:
        cached = _cached
        if cached is not None and now - cached.checked_at < _check_seconds():
            return cached.calendar
        stamp = calendar_stamp()
        if cached is not None and cached.stamp == stamp:
            cached.checked_at = now
            return cached.calendar
        calendar = load_calendar()
        _cached = _Cached(calendar, stamp, now)
        return calendar


def invalidate_calendar() -> None:
    """Drop this process's cached calendar (the next ``get_calendar()`` rebuilds it)."""
    global _cached
    with _lock:
        _cached = None


def table_years() -> tuple[int, int] | None:
    """First and last year of the table, or None when it is empty."""
    agg = CalendarYear.objects.aggregate(lo=Min("year"), hi=Max("year"))
    if agg["lo"] is None:
        return None
    return int(agg["lo"]), int(agg["hi"])


def days_between(first: date, last: date) -> list[dict[str, Any]]:
    """The calendar days ``first..last`` with their year's confirmed flag (API, screens)."""
    confirmed = set(
        CalendarYear.objects.filter(
            year__gte=first.year, year__lte=last.year, confirmed=True
        ).values_list("year", flat=True)
    )
    labels = dict(DayKind.choices)
    return [
        {
            "date": day.date,
            "is_workday": day.is_workday,
            "kind": day.kind,
            "kind_label": str(labels.get(day.kind, day.kind)),
            "holiday_name": day.holiday_name,
            "confirmed": day.date.year in confirmed,
        }
        for day in CalendarDay.objects.filter(date__gte=first, date__lte=last).order_by("date")
    ]
