"""The calendar against the official State Council schedules of 2021-2026."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from onewindow.workdays.models import CalendarDay, CalendarYear
from onewindow.workdays.seed import PACKAGE_LAST_YEAR, package_year, plain_year
from tests.workdays.official import SCHEDULES, WORKDAYS_PER_YEAR


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.mark.parametrize("year", sorted(SCHEDULES))
def test_every_official_holiday_is_a_day_off_and_every_makeup_day_is_worked(cal, year):
    schedule = SCHEDULES[year]
    for name, first, last in schedule["holidays"]:
        for day in _days(first, last):
            assert not cal.is_workday(day), f"{year} {name} {day}"
        # The working days around a holiday are those of the notice, not of the package only.
    for day in schedule["makeup"]:
        assert day.weekday() >= 5, f"{day} is not a weekend day"
        assert cal.is_workday(day), f"{year} makeup {day}"


@pytest.mark.parametrize("year", sorted(SCHEDULES))
def test_the_rest_of_the_year_is_plain_monday_to_friday(cal, year):
    off = {d for _n, a, b in SCHEDULES[year]["holidays"] for d in _days(a, b)}
    makeup = set(SCHEDULES[year]["makeup"])
    for day in _days(date(year, 1, 1), date(year, 12, 31)):
        if day in off or day in makeup:
            continue
        if (year, day.month, day.day) in {(2023, 12, 30), (2023, 12, 31)}:
            continue  # weekend days the package labels as 2024's 元旦: off either way
        assert cal.is_workday(day) == (day.weekday() < 5), day


@pytest.mark.parametrize(("year", "expected"), sorted(WORKDAYS_PER_YEAR.items()))
def test_working_days_per_year(cal, year, expected):
    assert cal.workdays_elapsed(date(year - 1, 12, 31), date(year, 12, 31)) == expected


def test_spring_festival_2024_as_the_notice_says(cal):
    # 国办发明电〔2023〕7号: 2月10日至17日放假调休，共8天；2月4日（星期日）、2月18日（星期日）上班。
    assert [cal.is_workday(date(2024, 2, d)) for d in range(3, 20)] == [
        False,  # 3 Sat
        True,  # 4 Sun, makeup
        True,
        True,
        True,
        True,
        True,  # 5-9 Mon-Fri (9th: 除夕, a working day in 2024)
        *[False] * 8,  # 10-17
        True,  # 18 Sun, makeup
        True,  # 19 Mon
    ]


def test_package_and_hard_coded_facts_agree_with_chinese_calendar_itself(cal):
    for year in sorted(SCHEDULES):
        for day in _days(date(year, 1, 1), date(year, 12, 31)):
            assert cal.is_workday(day) == chinese_calendar.is_workday(day), day


@pytest.mark.django_db
def test_the_seeded_table_matches_the_package_and_flags_years():
    years = dict(CalendarYear.objects.values_list("year", "confirmed"))
    assert years == {y: y <= PACKAGE_LAST_YEAR for y in range(2004, 2029)}
    assert PACKAGE_LAST_YEAR == 2026
    assert CalendarDay.objects.count() == (date(2029, 1, 1) - date(2004, 1, 1)).days
    for year, expected in WORKDAYS_PER_YEAR.items():
        assert CalendarDay.objects.filter(date__year=year, is_workday=True).count() == expected
    rows = {
        d.date: (d.is_workday, d.kind, d.holiday_name)
        for d in CalendarDay.objects.filter(date__year__in=[2024, 2027])
    }
    for row in package_year(2024) + plain_year(2027):
        assert rows[row.date] == (row.is_workday, row.kind, row.holiday_name)
    assert rows[date(2024, 2, 12)] == (False, "holiday", "春节")
    assert rows[date(2024, 2, 18)] == (True, "makeup", "春节")
    assert rows[date(2024, 2, 24)] == (False, "weekend", "")
    assert rows[date(2027, 1, 1)] == (True, "workday", "")  # unknown yet: a plain Friday


@pytest.mark.django_db
def test_seeding_is_bulk_and_fast(django_assert_max_num_queries):
    """The test database is built with the seed on every run: it must stay cheap."""
    import importlib
    import time
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    seed = importlib.import_module("onewindow.workdays.migrations.0002_seed_calendar").seed
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    started = time.perf_counter()
    with django_assert_max_num_queries(20):
        seed(apps, SimpleNamespace(connection=connection))
    assert time.perf_counter() - started < 2.0
    assert CalendarDay.objects.count() == 9132
    assert CalendarYear.objects.filter(confirmed=True).count() == 23
