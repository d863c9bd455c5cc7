"""Calendar rows from the ``chinese_calendar`` package and plain Monday-Friday years (pure).

Used by the seeding migration, by the load service (a year is rebuilt from its plain weeks
plus the schedule) and by benchmarks and tests that need a calendar without a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import NamedTuple

import chinese_calendar
from chinese_calendar.constants import Holiday
from chinese_calendar.constants import holidays as CC_HOLIDAYS
from chinese_calendar.constants import workdays as CC_MAKEUP

from onewindow.workdays.calendar import WorkCalendar

# Years the package holds (1.11.0: 2004-2026), and the provisional years seeded after them.
PACKAGE_FIRST_YEAR = min(CC_HOLIDAYS).year
PACKAGE_LAST_YEAR = max(CC_HOLIDAYS).year
PROVISIONAL_YEARS = (2027, 2028)
PACKAGE_SOURCE = f"chinese-calendar {chinese_calendar.__version__}（国务院办公厅历年放假安排通知）"
PROVISIONAL_SOURCE = "未公布：暂按周一至周五工作推定（临时）"

_CHINESE_NAME = {h.value: h.chinese for h in Holiday}


class DayRow(NamedTuple):
    date: date
    is_workday: bool
    kind: str  # workday / weekend / holiday / makeup (DayKind values)
    holiday_name: str


def year_dates(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


def plain_row(day: date) -> DayRow:
    if day.weekday() < 5:
        return DayRow(day, True, "workday", "")
    return DayRow(day, False, "weekend", "")


def plain_year(year: int) -> list[DayRow]:
    """A year before its schedule is known: Monday to Friday are working days."""
    return [plain_row(day) for day in year_dates(year)]


def package_year(year: int) -> list[DayRow]:
    """A year as ``chinese_calendar`` knows it, with the Chinese holiday names."""
    if not PACKAGE_FIRST_YEAR <= year <= PACKAGE_LAST_YEAR:
        raise ValueError(f"chinese_calendar has no data for {year}")
    rows = []
    for day in year_dates(year):
        if day in CC_MAKEUP:
            rows.append(DayRow(day, True, "makeup", _CHINESE_NAME.get(CC_MAKEUP[day], "")))
        elif day in CC_HOLIDAYS:
            rows.append(DayRow(day, False, "holiday", _CHINESE_NAME.get(CC_HOLIDAYS[day], "")))
        else:
            rows.append(plain_row(day))
    return rows


def seed_rows(
    years: Iterable[int] | None = None,
) -> tuple[list[DayRow], dict[int, bool]]:
    """Every day of the seeded table and ``{year: confirmed}``: the package's years
    confirmed, then ``PROVISIONAL_YEARS`` as plain unconfirmed years."""
    wanted = (
        list(years)
        if years is not None
        else [
            *range(PACKAGE_FIRST_YEAR, PACKAGE_LAST_YEAR + 1),
            *PROVISIONAL_YEARS,
        ]
    )
    rows: list[DayRow] = []
    confirmed: dict[int, bool] = {}
    for year in wanted:
        in_package = PACKAGE_FIRST_YEAR <= year <= PACKAGE_LAST_YEAR
        rows.extend(package_year(year) if in_package else plain_year(year))
        confirmed[year] = in_package
    return rows, confirmed


def package_calendar() -> WorkCalendar:
    """The seeded calendar built straight from the package (no database): what the
    migration writes, for benchmarks and pure tests."""
    rows, confirmed = seed_rows()
    return WorkCalendar.from_days(
        ((r.date, r.is_workday) for r in rows), [y for y, ok in confirmed.items() if ok]
    )
