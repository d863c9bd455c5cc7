"""Deadlines in working days: counting starts the working day after acceptance."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest

from onewindow.common.errors import ValidationFailed
from onewindow.workdays.calendar import SHANGHAI, WorkCalendar


def due(cal, start, days):
    return cal.deadline_days(start, days).due_date


def test_counting_starts_the_working_day_after_acceptance(cal):
    # Accepted Friday 2024-03-01: Monday 3/4 is day 1; Art. 42's 20 days end on Friday 3/29.
    accepted = datetime(2024, 3, 1, 10, 0, tzinfo=SHANGHAI)
    assert due(cal, accepted, 1) == date(2024, 3, 4)
    assert due(cal, accepted, 5) == date(2024, 3, 8)
    assert due(cal, accepted, 10) == date(2024, 3, 15)
    assert due(cal, accepted, 20) == date(2024, 3, 29)


def test_acceptance_on_a_non_working_day_counts_from_the_next_working_day(cal):
    assert due(cal, date(2024, 3, 2), 1) == date(2024, 3, 4)  # a Saturday
    assert due(cal, date(2024, 3, 3), 5) == date(2024, 3, 8)  # a Sunday
    assert due(cal, date(2024, 2, 12), 1) == date(2024, 2, 18)  # Spring Festival → makeup Sun


def test_acceptance_on_the_eve_of_the_spring_festival(cal):
    # 2024: 除夕 (Fri 2/9) was still a working day; 2/10-2/17 off; Sunday 2/18 worked.
    assert due(cal, date(2024, 2, 9), 1) == date(2024, 2, 18)
    assert due(cal, date(2024, 2, 9), 2) == date(2024, 2, 19)
    assert cal.workdays_elapsed(date(2024, 2, 9), date(2024, 2, 19)) == 2
    # 2025: 除夕 (Tue 1/28) was already a holiday; accepted Monday 1/27 → Wednesday 2/5.
    assert due(cal, date(2025, 1, 27), 1) == date(2025, 2, 5)
    # Accepted on the makeup Sunday 1/26, five days end on the makeup Saturday 2/8.
    assert due(cal, date(2025, 1, 26), 1) == date(2025, 1, 27)
    assert due(cal, date(2025, 1, 26), 5) == date(2025, 2, 8)


def test_national_day_week_and_its_makeup_saturday(cal):
    assert due(cal, date(2024, 9, 30), 1) == date(2024, 10, 8)
    assert due(cal, date(2024, 9, 30), 5) == date(2024, 10, 12)  # Saturday, worked


def test_the_acceptance_date_is_taken_in_beijing_time(cal):
    late_evening = datetime(2024, 3, 1, 15, 59, tzinfo=UTC)  # 23:59 in Beijing, Friday
    just_after_midnight = datetime(2024, 3, 3, 16, 0, tzinfo=UTC)  # Monday 00:00 in Beijing
    assert cal.deadline_days(late_evening, 1).start_date == date(2024, 3, 1)
    assert due(cal, late_evening, 1) == date(2024, 3, 4)
    assert due(cal, just_after_midnight, 1) == date(2024, 3, 5)
    assert due(cal, datetime(2024, 3, 1, 23, 59), 1) == date(2024, 3, 4)  # naive = Beijing


def test_zero_days_is_the_day_of_acceptance(cal):
    result = cal.deadline_days(date(2024, 3, 2), 0)
    assert result.due_date == date(2024, 3, 2)
    assert not result.provisional


def test_deadlines_reaching_an_unconfirmed_year_are_provisional(cal):
    assert due(cal, date(2026, 12, 21), 8) == date(2026, 12, 31)
    assert not cal.deadline_days(date(2026, 12, 21), 8).provisional
    ninth = cal.deadline_days(date(2026, 12, 21), 9)
    assert ninth.due_date == date(2027, 1, 1)  # a plain Friday until 2027's notice is loaded
    assert ninth.provisional
    assert cal.deadline_days(date(2027, 3, 1), 1).provisional
    assert not cal.deadline_days(date(2026, 11, 2), 20).provisional
    assert cal.confirmed_years == frozenset(range(2004, 2027))


def test_dates_past_the_table_are_an_error_not_a_wrong_answer(cal):
    with pytest.raises(ValidationFailed) as exc:
        cal.deadline_days(date(2029, 1, 2), 1)
    assert exc.value.code == "calendar_out_of_range"
    assert exc.value.status == 422
    assert "超出工作日历范围" in exc.value.message
    assert "start" in exc.value.fields
    with pytest.raises(ValidationFailed, match="以后年度的放假安排") as exc:
        cal.deadline_days(date(2028, 12, 1), 60)
    assert exc.value.fields.keys() == {"days"}
    with pytest.raises(ValidationFailed, match="超出工作日历范围"):
        cal.deadline_days(date(2003, 12, 31), 1)
    with pytest.raises(ValidationFailed, match="超出工作日历范围"):
        cal.workdays_elapsed(date(2024, 1, 1), date(2030, 1, 1))
    assert due(cal, date(2028, 12, 28), 1) == date(2028, 12, 29)  # last working day: fine


def test_invalid_limits_are_refused_in_chinese(cal):
    with pytest.raises(ValidationFailed, match="不能为负数") as exc:
        cal.deadline_days(date(2024, 3, 1), -1)
    assert exc.value.code == "invalid_limit"
    with pytest.raises(ValidationFailed, match="整数"):
        cal.deadline_days(date(2024, 3, 1), 2.5)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed, match="整数"):
        cal.deadline_days(date(2024, 3, 1), True)  # type: ignore[arg-type]


def test_workdays_elapsed(cal):
    assert cal.workdays_elapsed(date(2024, 3, 1), date(2024, 3, 4)) == 1
    assert cal.workdays_elapsed(date(2024, 3, 2), date(2024, 3, 4)) == 1
    assert cal.workdays_elapsed(date(2024, 3, 1), date(2024, 3, 29)) == 20
    assert cal.workdays_elapsed(datetime(2024, 3, 1, 9), datetime(2024, 3, 1, 17)) == 0
    assert cal.workdays_elapsed(date(2024, 3, 8), date(2024, 3, 1)) == 0
    assert cal.workdays_elapsed(date(2024, 2, 9), date(2024, 2, 17)) == 0  # all holiday


def test_workdays_remaining_is_signed(cal):
    assert cal.workdays_remaining(date(2024, 3, 1), date(2024, 3, 4)) == 1
    assert cal.workdays_remaining(date(2024, 3, 4), date(2024, 3, 4)) == 0  # due today
    assert cal.workdays_remaining(date(2024, 3, 6), date(2024, 3, 4)) == -2  # overdue by 2
    assert cal.workdays_remaining(date(2024, 2, 9), date(2024, 2, 19)) == 2


def test_vectorised_form_matches_the_scalar_form_on_known_cases(cal):
    starts = np.array(["2024-02-09", "2025-01-26", "2024-03-02", "2026-12-21"], "datetime64[D]")
    days = np.array([1, 5, 0, 9])
    got = cal.deadlines_days_vec(starts, days)
    assert got.dtype == np.dtype("datetime64[D]")
    assert [d.item() for d in got] == [
        date(2024, 2, 18),
        date(2025, 2, 8),
        date(2024, 3, 2),
        date(2027, 1, 1),
    ]
    assert cal.provisional_vec(starts, got).tolist() == [False, False, False, True]
    instants = np.array(["2024-02-09T23:59:59"], "datetime64[s]")  # truncated to the day
    assert cal.deadlines_days_vec(instants, [1])[0].item() == date(2024, 2, 18)


def test_vectorised_form_refuses_bad_input(cal):
    with pytest.raises(ValidationFailed, match="超出工作日历范围"):
        cal.deadlines_days_vec(np.array(["2030-01-01"], "datetime64[D]"), [1])
    with pytest.raises(ValidationFailed, match="以后年度"):
        cal.deadlines_days_vec(np.array(["2028-12-01"], "datetime64[D]"), [60])
    with pytest.raises(ValidationFailed, match="不能为负数"):
        cal.deadlines_days_vec(np.array(["2024-01-02"], "datetime64[D]"), [-1])


def test_a_calendar_must_be_contiguous():
    with pytest.raises(ValueError, match="gap"):
        WorkCalendar.from_days([(date(2024, 1, 1), True), (date(2024, 1, 3), True)], [2024])
    with pytest.raises(ValueError, match="empty"):
        WorkCalendar.from_days([], [])
