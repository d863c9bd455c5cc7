"""Suspensions (中止/特别程序): the working days from the day of suspension up to the day
before resumption are not counted (Art. 45)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from onewindow.common.errors import ValidationFailed
from onewindow.workdays.calendar import SHANGHAI

ACCEPTED = date(2024, 3, 1)  # Friday; 10 working days end on Friday 3/15 without suspension


def test_the_rule_day_of_suspension_excluded_day_of_resumption_counted(cal):
    # Expert review from Wednesday 3/6, resumed Friday 3/8: 3/6 and 3/7 are not counted.
    result = cal.deadline_days(ACCEPTED, 10, [(date(2024, 3, 6), date(2024, 3, 8))])
    assert result.excluded_workdays == 2
    assert result.due_date == date(2024, 3, 19)
    suspensions = [(date(2024, 3, 6), date(2024, 3, 8))]
    assert cal.workdays_elapsed(ACCEPTED, result.due_date, suspensions) == 10
    assert cal.workdays_elapsed(ACCEPTED, result.due_date) == 12


def test_instants_are_taken_by_their_beijing_date(cal):
    suspended = datetime(2024, 3, 6, 16, 0, tzinfo=SHANGHAI)
    resumed = datetime(2024, 3, 8, 9, 0, tzinfo=SHANGHAI)
    assert cal.deadline_days(ACCEPTED, 10, [(suspended, resumed)]).due_date == date(2024, 3, 19)


def test_resumed_the_same_day_excludes_nothing(cal):
    result = cal.deadline_days(ACCEPTED, 10, [(date(2024, 3, 6), date(2024, 3, 6))])
    assert (result.due_date, result.excluded_workdays) == (date(2024, 3, 15), 0)


def test_a_suspension_after_the_deadline_changes_nothing(cal):
    result = cal.deadline_days(ACCEPTED, 10, [(date(2024, 3, 18), date(2024, 3, 25))])
    assert (result.due_date, result.excluded_workdays) == (date(2024, 3, 15), 0)


def test_days_before_acceptance_are_never_excluded(cal):
    result = cal.deadline_days(ACCEPTED, 10, [(date(2024, 2, 26), date(2024, 3, 5))])
    assert result.excluded_workdays == 1  # only Monday 3/4
    assert result.due_date == date(2024, 3, 18)


def test_overlapping_and_unsorted_suspensions_are_merged(cal):
    messy = [(date(2024, 3, 11), date(2024, 3, 13)), (date(2024, 3, 6), date(2024, 3, 12))]
    single = [(date(2024, 3, 6), date(2024, 3, 13))]
    a = cal.deadline_days(ACCEPTED, 10, messy)
    b = cal.deadline_days(ACCEPTED, 10, single)
    assert a == b
    assert a.excluded_workdays == 5  # 3/6, 3/7, 3/8, 3/11, 3/12
    assert a.due_date == date(2024, 3, 22)
    adjacent = [(date(2024, 3, 8), date(2024, 3, 12)), (date(2024, 3, 6), date(2024, 3, 8))]
    assert cal.deadline_days(ACCEPTED, 10, adjacent).excluded_workdays == 4


def test_a_pushed_deadline_meets_a_later_suspension(cal):
    # The first suspension moves the deadline to 3/19, past the start of the second (3/18).
    result = cal.deadline_days(
        ACCEPTED,
        10,
        [(date(2024, 3, 18), date(2024, 3, 20)), (date(2024, 3, 6), date(2024, 3, 8))],
    )
    assert result.excluded_workdays == 4
    assert result.due_date == date(2024, 3, 21)


def test_an_open_suspension_stops_the_clock(cal):
    result = cal.deadline_days(ACCEPTED, 10, [(date(2024, 3, 6), None)])
    assert result.suspended
    assert result.due_date is None
    assert result.remaining_when_suspended == 8  # 3/4 and 3/5 were used
    assert cal.workdays_elapsed(ACCEPTED, date(2024, 3, 29), [(date(2024, 3, 6), None)]) == 2
    both = cal.deadline_days(
        ACCEPTED, 10, [(date(2024, 3, 18), None), (date(2024, 3, 6), date(2024, 3, 8))]
    )
    assert both.suspended
    assert both.remaining_when_suspended == 2
    assert both.excluded_workdays == 2


def test_an_open_suspension_after_the_deadline_does_not_stop_it(cal):
    result = cal.deadline_days(ACCEPTED, 10, [(date(2024, 3, 18), None)])
    assert not result.suspended
    assert result.due_date == date(2024, 3, 15)


def test_a_suspension_across_a_makeup_working_day(cal):
    # 2024-02-04 (Sunday) was worked before the Spring Festival: suspending Saturday 2/3
    # until Monday 2/5 removes exactly that one working day.
    plain = cal.deadline_days(date(2024, 2, 1), 5)
    assert plain.due_date == date(2024, 2, 7)
    suspended = cal.deadline_days(date(2024, 2, 1), 5, [(date(2024, 2, 3), date(2024, 2, 5))])
    assert suspended.excluded_workdays == 1
    assert suspended.due_date == date(2024, 2, 8)
    # Across the holiday itself nothing is excluded, but the makeup Sunday 2/18 is.
    assert cal.deadline_days(date(2024, 2, 8), 3).due_date == date(2024, 2, 19)
    holiday_only = cal.deadline_days(date(2024, 2, 8), 3, [(date(2024, 2, 10), date(2024, 2, 18))])
    assert (holiday_only.due_date, holiday_only.excluded_workdays) == (date(2024, 2, 19), 0)
    with_makeup = cal.deadline_days(date(2024, 2, 8), 3, [(date(2024, 2, 10), date(2024, 2, 19))])
    assert (with_makeup.due_date, with_makeup.excluded_workdays) == (date(2024, 2, 20), 1)


def test_resumption_before_suspension_is_refused_in_chinese(cal):
    with pytest.raises(ValidationFailed) as exc:
        cal.deadline_days(ACCEPTED, 10, [(date(2024, 3, 8), date(2024, 3, 6))])
    assert exc.value.code == "invalid_suspension"
    assert exc.value.status == 422
    assert "恢复计时的时间早于中止的时间" in exc.value.message
    assert "suspensions[0]" in exc.value.fields
    same_day = (
        datetime(2024, 3, 6, 15, tzinfo=SHANGHAI),
        datetime(2024, 3, 6, 10, tzinfo=SHANGHAI),
    )
    with pytest.raises(ValidationFailed, match="第 2 个中止期间"):
        cal.deadline_days(ACCEPTED, 10, [(date(2024, 3, 6), date(2024, 3, 7)), same_day])
    with pytest.raises(ValidationFailed, match="超出工作日历范围"):
        cal.deadline_days(ACCEPTED, 10, [(date(2024, 3, 6), date(2031, 1, 1))])
