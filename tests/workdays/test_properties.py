"""Properties of the deadline arithmetic (hypothesis), checked against naive day-by-day and
minute-by-minute walks over chinese_calendar.is_workday (an independent oracle)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.workdays.calendar import SHANGHAI
from onewindow.workdays.seed import package_calendar

CAL = package_calendar()
starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2028, 8, 31))
limits = st.integers(min_value=1, max_value=60)
suspension = st.tuples(
    st.integers(min_value=-5, max_value=90), st.one_of(st.none(), st.integers(0, 30))
)


def oracle_workday(day: date) -> bool:
    if day.year <= 2026:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5  # provisional years: plain Monday-Friday


def naive_deadline(start: date, days: int, excluded: set[date] = frozenset()) -> date:
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if oracle_workday(day) and day not in excluded:
            left -= 1
    return day


def as_intervals(start: date, raw: list[tuple[int, int | None]]):
    """Offsets → (suspended, resumed) dates; ``None`` length = not yet resumed."""
    return [
        (start + timedelta(days=a), None if n is None else start + timedelta(days=a + n))
        for a, n in raw
    ]


def suspended_days(intervals, until: date) -> set[date]:
    out: set[date] = set()
    for s, e in intervals:
        day = s
        while day < (e or until + timedelta(days=1)) and day <= until:
            out.add(day)
            day += timedelta(days=1)
    return out


@given(starts, limits)
def test_deadline_is_the_naive_nth_working_day_after_acceptance(start, days):
    result = CAL.deadline_days(start, days)
    assert result.due_date == naive_deadline(start, days)
    assert CAL.is_workday(result.due_date)
    assert CAL.workdays_elapsed(start, result.due_date) == days
    assert CAL.workdays_remaining(start, result.due_date) == days
    assert result.provisional == (result.due_date.year >= 2027)


@given(starts, limits, limits)
def test_monotone_in_days(start, a, b):
    lo, hi = sorted((a, b))
    d_lo, d_hi = CAL.deadline_days(start, lo).due_date, CAL.deadline_days(start, hi).due_date
    assert d_lo <= d_hi
    assert (d_lo < d_hi) == (lo < hi)


@given(st.lists(st.tuples(starts, st.integers(0, 60)), min_size=1, max_size=50))
def test_vectorised_equals_scalar(pairs):
    start = np.array([s for s, _ in pairs], dtype="datetime64[D]")
    days = np.array([d for _, d in pairs])
    vec = CAL.deadlines_days_vec(start, days)
    scalar = [CAL.deadline_days(s, d) for s, d in pairs]
    assert [v.item() for v in vec] == [r.due_date for r in scalar]
    assert CAL.provisional_vec(start, vec).tolist() == [r.provisional for r in scalar]


@settings(max_examples=150)
@given(starts, limits, st.lists(suspension, max_size=4))
def test_suspensions_are_removed_exactly(start, days, raw):
    intervals = as_intervals(start, raw)
    result = CAL.deadline_days(start, days, intervals)
    horizon = naive_deadline(start, days + 200)
    closed = [(s, e) for s, e in intervals if e is not None]
    open_starts = [s for s, e in intervals if e is None]
    due_closed = naive_deadline(start, days, suspended_days(closed, horizon))
    # An open (not yet resumed) suspension stops the clock iff it began by that deadline.
    assert result.suspended == any(s <= due_closed for s in open_starts)
    if result.suspended:
        stopped = min(open_starts)
        used = CAL.workdays_elapsed(start, stopped - timedelta(days=1), closed)
        assert result.due_date is None
        assert result.remaining_when_suspended == days - used
        return
    assert result.due_date == due_closed
    plain = CAL.deadline_days(start, days + result.excluded_workdays).due_date
    assert result.due_date == plain  # suspension adds exactly the excluded working days
    assert CAL.workdays_elapsed(start, result.due_date, intervals) == days
    assert CAL.workdays_elapsed(start, result.due_date) == days + result.excluded_workdays
    excluded = suspended_days(intervals, horizon)
    assert result.excluded_workdays == sum(
        1 for d in excluded if start < d <= result.due_date and oracle_workday(d)
    )


OFFICE = [(9 * 60, 12 * 60), (13 * 60 + 30, 17 * 60)]


def naive_hours(start: datetime, minutes: int) -> datetime:
    t = start.replace(second=0, microsecond=0)
    while True:
        m = t.hour * 60 + t.minute
        if oracle_workday(t.date()) and any(a <= m < b for a, b in OFFICE):
            minutes -= 1
            if minutes == 0:
                return t + timedelta(minutes=1)
        t += timedelta(minutes=1)


@settings(max_examples=60, deadline=None)
@given(
    st.datetimes(min_value=datetime(2021, 1, 1), max_value=datetime(2028, 11, 30)),
    st.integers(min_value=1, max_value=16 * 60),
)
def test_hours_match_a_minute_by_minute_walk(start, minutes):
    start = start.replace(second=0, microsecond=0, tzinfo=SHANGHAI)
    result = CAL.deadline_hours(start, minutes / 60)
    assert result.due_at == naive_hours(start, minutes)
    assert result.due_at is not None
    assert CAL.is_workday(result.due_at)
