"""Hour limits: only office hours of working days count, from the instant of acceptance."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from onewindow.common.errors import ValidationFailed
from onewindow.workdays.calendar import SHANGHAI

TOWN_HOURS = [["08:30", "12:00"], ["13:00", "17:30"]]


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=SHANGHAI)


FRI = date(2024, 3, 1)
MON = date(2024, 3, 4)


def due(cal, start, hours, office=None, suspensions=()):
    return cal.deadline_hours(start, hours, office, suspensions).due_at


def test_one_hour_from_half_past_eleven_ends_after_lunch(cal):
    result = cal.deadline_hours(at(FRI, 11, 30), 1)
    assert result.due_at == at(FRI, 14, 0)
    assert result.due_at.utcoffset() == timedelta(hours=8)
    assert not result.provisional


def test_one_hour_from_half_past_four_ends_next_working_morning(cal):
    assert due(cal, at(FRI, 16, 30), 1) == at(MON, 9, 30)
    assert due(cal, at(FRI, 16, 30), 0.5) == at(FRI, 17, 0)  # ends at closing, not Monday


def test_a_session_that_ends_exactly_gives_its_closing_time(cal):
    assert due(cal, at(FRI, 9, 0), 3) == at(FRI, 12, 0)


def test_outside_office_hours_counting_starts_at_the_next_opening(cal):
    assert due(cal, at(FRI, 7, 0), 1) == at(FRI, 10, 0)
    assert due(cal, at(FRI, 12, 30), 1) == at(FRI, 14, 30)
    assert due(cal, at(FRI, 18, 0), 1) == at(MON, 10, 0)
    assert due(cal, at(date(2024, 3, 2), 10, 0), 1) == at(MON, 10, 0)


def test_hours_across_the_spring_festival_resume_on_the_makeup_sunday(cal):
    assert due(cal, at(date(2024, 2, 9), 16, 30), 1) == at(date(2024, 2, 18), 9, 30)


def test_several_office_days(cal):
    # 6.5 office hours a day: 13 hours are two full days, 13.5 spill into the third.
    assert due(cal, at(FRI, 9, 0), 13) == at(MON, 17, 0)
    assert due(cal, at(FRI, 9, 0), 13.5) == at(date(2024, 3, 5), 9, 30)


def test_any_timezone_in_beijing_time_out(cal):
    result = due(cal, datetime(2024, 3, 1, 3, 30, tzinfo=UTC), 1)  # 11:30 in Beijing
    assert result == at(FRI, 14, 0)
    assert result.tzinfo == SHANGHAI
    assert due(cal, datetime(2024, 3, 1, 11, 30), 1) == at(FRI, 14, 0)  # naive = Beijing


def test_a_service_points_own_office_hours(cal):
    assert due(cal, at(FRI, 11, 30), 1, TOWN_HOURS) == at(FRI, 13, 30)
    assert due(cal, at(FRI, 17, 0), 1, TOWN_HOURS) == at(MON, 9, 0)


def test_suspended_office_time_is_not_counted(cal):
    # 8 hours from Friday 09:00 end Monday 10:30; suspended 10:00-14:00 (2.5 office hours).
    assert due(cal, at(FRI, 9, 0), 8) == at(MON, 10, 30)
    result = cal.deadline_hours(at(FRI, 9, 0), 8, None, [(at(FRI, 10, 0), at(FRI, 14, 0))])
    assert result.excluded_seconds == 9000
    assert result.due_at == at(MON, 14, 30)
    opened = cal.deadline_hours(at(FRI, 9, 0), 8, None, [(at(FRI, 10, 0), None)])
    assert opened.suspended
    assert opened.due_at is None
    with pytest.raises(ValidationFailed, match="恢复计时的时间早于中止的时间"):
        cal.deadline_hours(at(FRI, 9, 0), 8, None, [(at(FRI, 14, 0), at(FRI, 10, 0))])


def test_hours_into_an_unconfirmed_year_are_provisional(cal):
    result = cal.deadline_hours(at(date(2026, 12, 31), 16, 0), 2)
    assert result.due_at == at(date(2027, 1, 1), 10, 0)
    assert result.provisional


@pytest.mark.parametrize(
    ("office", "fragment"),
    [
        ([["12:00", "09:00"]], "开始须早于结束"),
        ([["09:00", "12:00"], ["11:00", "17:00"]], "不得重叠"),
        ([["9点", "12:00"]], "HH:MM"),
        ([["09:00"]], "两个时刻"),
    ],
)
def test_bad_office_hours_are_refused_in_chinese(cal, office, fragment):
    with pytest.raises(ValidationFailed, match=fragment) as exc:
        cal.deadline_hours(at(FRI, 9, 0), 1, office)
    assert exc.value.code == "invalid_office_hours"


@pytest.mark.parametrize("hours", [0, -1, 0.0001, float("nan"), float("inf")])
def test_a_limit_must_be_positive(cal, hours):
    with pytest.raises(ValidationFailed, match="大于零"):
        cal.deadline_hours(at(FRI, 9, 0), hours)


def test_hours_past_the_table_are_an_error(cal):
    with pytest.raises(ValidationFailed, match="以后年度"):
        cal.deadline_hours(at(date(2028, 12, 29), 16, 0), 2)
