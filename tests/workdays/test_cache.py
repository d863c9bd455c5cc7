"""The per-process calendar cache and its cross-process version stamp."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from onewindow.workdays.selectors import calendar_stamp, get_calendar, load_calendar
from onewindow.workdays.services import calendar_year_load

pytestmark = pytest.mark.django_db


def load_2027(actor):
    return calendar_year_load(
        actor=actor,
        year=2027,
        holidays=[(date(2027, 1, 1), date(2027, 1, 3), "元旦")],
        makeup_days=[],
        source="测试",
    )


def test_the_database_calendar_is_the_seeded_package_calendar(cal):
    db_cal = load_calendar()
    assert (db_cal.first, db_cal.last) == (date(2004, 1, 1), date(2028, 12, 31))
    assert db_cal.confirmed_years == cal.confirmed_years
    starts = np.arange("2004-01-01", "2028-09-01", dtype="datetime64[D]")
    days = np.full(starts.size, 37)
    assert (db_cal.deadlines_days_vec(starts, days) == cal.deadlines_days_vec(starts, days)).all()


def test_loaded_once_then_served_from_memory(django_assert_num_queries, settings):
    settings.WORKDAYS_CACHE_CHECK_SECONDS = 30
    first = get_calendar()
    with django_assert_num_queries(0):
        assert get_calendar() is first


def test_an_unchanged_stamp_costs_one_small_query(django_assert_num_queries, settings):
    settings.WORKDAYS_CACHE_CHECK_SECONDS = 0
    first = get_calendar()
    with django_assert_num_queries(1):
        assert get_calendar() is first


def test_another_process_loading_a_year_is_noticed_through_the_stamp(
    zhouba, settings, django_capture_on_commit_callbacks
):
    settings.WORKDAYS_CACHE_CHECK_SECONDS = 3600
    stale = get_calendar()
    stamp = calendar_stamp()
    # Another process commits a load: this process's on_commit invalidation never runs.
    with django_capture_on_commit_callbacks(execute=False):
        load_2027(zhouba)
    assert calendar_stamp() != stamp
    assert get_calendar() is stale  # within the check interval the cached copy is served
    assert 2027 not in get_calendar().confirmed_years
    settings.WORKDAYS_CACHE_CHECK_SECONDS = 0  # the interval has passed
    fresh = get_calendar()
    assert fresh is not stale
    assert 2027 in fresh.confirmed_years
    assert not fresh.is_workday(date(2027, 1, 1))


def test_the_loading_process_sees_its_change_at_once(
    zhouba, settings, django_capture_on_commit_callbacks
):
    settings.WORKDAYS_CACHE_CHECK_SECONDS = 3600
    stale = get_calendar()
    with django_capture_on_commit_callbacks(execute=True):
        load_2027(zhouba)
    assert get_calendar() is not stale
    assert 2027 in get_calendar().confirmed_years
