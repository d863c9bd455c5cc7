"""Deadline arithmetic over the working-day calendar. Pure: no Django models, no database.

A ``WorkCalendar`` is built once from (date, is_workday) rows and the set of confirmed years
and precomputes, with numpy:

* ``_cum[i]``: how many working days lie in ``[first, first + i]`` (the *ordinal* of day i);
* ``_ord[k]``: the day offset of the (k+1)-th working day of the table (inverse of ``_cum``);
* ``_ucum[i]``: how many days of ``[first, first + i]`` lie in an unconfirmed year.

Then a deadline of N working days after acceptance on day i is the working day with ordinal
``_cum[i] + N``, i.e. ``_ord[_cum[i] + N - 1]``: O(1), and a plain gather for arrays.

Rules (docs/workdays.md):

* Counting starts the day after acceptance (Civil Code art. 201): the first counted day is
  the first working day after the acceptance date, whatever day acceptance fell on.
* Suspensions ``(start, end)``: the working days from the day of suspension up to the day
  before resumption are not counted; ``end=None`` means not yet resumed.
* Hour limits count the office hours of working days only, from the instant of acceptance.
* A result is provisional when any day from acceptance to the deadline lies in a year whose
  State Council schedule has not been confirmed. Days past the table are an error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from onewindow.common.errors import ValidationFailed
from onewindow.workdays.i18n import _
from onewindow.workdays.officehours import OfficeHours

SHANGHAI = ZoneInfo("Asia/Shanghai")
DateLike = date | datetime
Suspension = tuple[DateLike, DateLike | None]
_INF = np.iinfo(np.int64).max


def local_date(value: DateLike) -> date:
    """The calendar date of ``value`` in Asia/Shanghai (naive datetimes are taken as local)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(SHANGHAI)
        return value.date()
    return value


def local_datetime(value: DateLike) -> datetime:
    """An aware Asia/Shanghai datetime; a date means its midnight."""
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=SHANGHAI)
    if value.tzinfo is None:
        return value.replace(tzinfo=SHANGHAI)
    return value.astimezone(SHANGHAI)


@dataclass(frozen=True)
class Deadline:
    """A deadline in working days. ``due_date`` is None while an open suspension (not yet
    resumed) stops the clock; ``remaining_when_suspended`` then says how many working days
    were left when it stopped."""

    start_date: date
    days: int
    due_date: date | None
    provisional: bool
    excluded_workdays: int = 0
    suspended: bool = False
    remaining_when_suspended: int | None = None


@dataclass(frozen=True)
class HoursDeadline:
    """A deadline in office hours: ``due_at`` is an aware Asia/Shanghai datetime (None while
    an open suspension stops the clock)."""

    start: datetime
    hours: float
    due_at: datetime | None
    provisional: bool
    excluded_seconds: int = 0
    suspended: bool = False


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of half-open ordinal intervals ``(a, b]`` (b may be ``_INF``)."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _push(target: int, merged: list[tuple[int, int]]) -> tuple[int, int, int | None]:
    """Move ``target`` past every excluded interval that begins before it.

    Returns ``(target, excluded, stopped_at)``; ``stopped_at`` is the ordinal where an open
    interval stopped the clock (then ``target`` is meaningless)."""
    excluded = 0
    for a, b in merged:
        if a >= target:
            break
        if b == _INF:
            return target, excluded, a
        target += b - a
        excluded += b - a
    return target, excluded, None


class WorkCalendar:
    """The working-day table with its ordinal index. Immutable; share it freely."""

    def __init__(
        self,
        first: date,
        workday: Sequence[bool] | npt.NDArray[np.bool_],
        confirmed_years: Iterable[int],
    ) -> None:
        work = np.asarray(workday, dtype=bool)
        if work.ndim != 1 or work.size == 0:
            raise ValueError("a calendar needs at least one day")
        self.first = first
        self.last = first + timedelta(days=int(work.size) - 1)
        self.confirmed_years = frozenset(int(y) for y in confirmed_years)
        self._first64 = np.datetime64(first, "D")
        self._work = work
        self._cum = np.cumsum(work, dtype=np.int64)
        self._ord = np.flatnonzero(work).astype(np.int64)
        self.total_workdays = int(self._ord.size)
        years = (self._first64 + np.arange(work.size)).astype("datetime64[Y]").astype(
            np.int64
        ) + 1970
        unconfirmed = ~np.isin(years, np.fromiter(self.confirmed_years, np.int64))
        self._ucum = np.cumsum(unconfirmed, dtype=np.int64)

    @classmethod
    def from_days(
        cls, rows: Iterable[tuple[date, bool]], confirmed_years: Iterable[int]
    ) -> WorkCalendar:
        """Build from ``(date, is_workday)`` rows, which must cover consecutive dates."""
        ordered = sorted(rows)
        if not ordered:
            raise ValueError("empty calendar")
        first = ordered[0][0]
        for offset, (day, _work) in enumerate(ordered):
            if day != first + timedelta(days=offset):
                raise ValueError(f"calendar has a gap or duplicate at {day}")
        return cls(first, [work for _day, work in ordered], confirmed_years)

    # ----------------------------------------------------------------- lookups
    def index(self, value: DateLike, *, field: str = "date") -> int:
        """Offset of ``value``'s local date in the table; out of the table → 422."""
        day = local_date(value)
        if not self.first <= day <= self.last:
            raise self._out_of_range(day, field)
        return (day - self.first).days

    def _out_of_range(self, day: date | str, field: str) -> ValidationFailed:
        message = _("日期 %(day)s 超出工作日历范围（%(first)s 至 %(last)s）") % {
            "day": day,
            "first": self.first,
            "last": self.last,
        }
        return ValidationFailed(message, code="calendar_out_of_range", fields={field: [message]})

    def _past_end(self, field: str) -> ValidationFailed:
        message = _("期限超出工作日历范围（止于 %(last)s），请先载入以后年度的放假安排") % {
            "last": self.last
        }
        return ValidationFailed(message, code="calendar_out_of_range", fields={field: [message]})

    def is_workday(self, value: DateLike) -> bool:
        return bool(self._work[self.index(value)])

    def is_confirmed(self, value: DateLike) -> bool:
        return local_date(value).year in self.confirmed_years

    def _provisional(self, i: int, j: int) -> bool:
        """Any day of the offsets ``[i, j]`` in an unconfirmed year?"""
        before = int(self._ucum[i - 1]) if i > 0 else 0
        return int(self._ucum[j]) - before > 0

    def _date(self, offset: int) -> date:
        return self.first + timedelta(days=int(offset))

    def _before(self, i: int) -> int:
        """Working days strictly before offset ``i``."""
        return int(self._cum[i - 1]) if i > 0 else 0

    # ----------------------------------------------------------------- suspensions
    def _day_intervals(self, suspensions: Iterable[Suspension], base: int) -> list[tuple[int, int]]:
        """Suspensions as merged ordinal intervals ``(a, b]`` clipped to after ``base``."""
        out: list[tuple[int, int]] = []
        for pos, (start, end) in enumerate(suspensions):
            if start is None:
                raise _bad_suspension(pos, _("中止缺少开始日期"))
            a = self._before(self.index(start, field=f"suspensions[{pos}]"))
            if end is None:
                b = _INF
            else:
                if local_datetime(end) < local_datetime(start):
                    raise _bad_suspension(pos, _("恢复计时的时间早于中止的时间"))
                b = self._before(self.index(end, field=f"suspensions[{pos}]"))
            a = max(a, base)
            if b > a:
                out.append((a, b))
        return _merge(out)

    # ----------------------------------------------------------------- days
    def deadline_days(
        self, start: DateLike, days: int, suspensions: Iterable[Suspension] = ()
    ) -> Deadline:
        """The deadline of a ``days``-working-day limit for an application accepted at
        ``start``. ``days=0`` (an instant item) is due on the day of acceptance."""
        days = _check_days(days)
        i = self.index(start, field="start")
        start_date = self._date(i)
        if days == 0:
            return Deadline(start_date, 0, start_date, self._provisional(i, i))
        base = int(self._cum[i])
        target, excluded, stopped = _push(base + days, self._day_intervals(suspensions, base))
        if stopped is not None:
            last_used = int(self._ord[stopped - 1]) if stopped > base else i
            return Deadline(
                start_date,
                days,
                None,
                self._provisional(i, last_used),
                excluded,
                suspended=True,
                remaining_when_suspended=base + days + excluded - stopped,
            )
        if target > self.total_workdays:
            raise self._past_end("days")
        j = int(self._ord[target - 1])
        return Deadline(start_date, days, self._date(j), self._provisional(i, j), excluded)

    def workdays_elapsed(
        self, start: DateLike, end: DateLike, suspensions: Iterable[Suspension] = ()
    ) -> int:
        """Working days counted from the day after ``start`` up to and including ``end``'s
        date, suspended days excluded; 0 when ``end`` is not after ``start``."""
        i = self.index(start, field="start")
        j = self.index(end, field="end")
        if j <= i:
            return 0
        base, top = int(self._cum[i]), int(self._cum[j])
        excluded = sum(max(0, min(b, top) - a) for a, b in self._day_intervals(suspensions, base))
        return top - base - excluded

    def workdays_remaining(self, now: DateLike, due: DateLike) -> int:
        """Working days left after ``now``'s date up to and including ``due``: 0 means due
        today, negative means overdue by that many working days."""
        i = self.index(now, field="now")
        j = self.index(due, field="due")
        return int(self._cum[j]) - int(self._cum[i])

    # ----------------------------------------------------------------- hours
    def _pos(self, value: DateLike, office: OfficeHours, field: str) -> int:
        """Office seconds of the table elapsed at instant ``value``."""
        moment = local_datetime(value)
        i = self.index(moment, field=field)
        per_day = office.seconds_per_day
        if self._work[i]:
            second = moment.hour * 3600 + moment.minute * 60 + moment.second
            return self._before(i) * per_day + office.elapsed(second)
        return int(self._cum[i]) * per_day

    def deadline_hours(
        self,
        start: DateLike,
        hours: float,
        office_hours: Iterable[Sequence[str]] | None = None,
        suspensions: Iterable[Suspension] = (),
    ) -> HoursDeadline:
        """The instant an ``hours`` limit runs out, counting only office hours of working days
        from ``start`` on (1 hour from 11:30 → 14:00 with a 12:00-13:30 lunch break)."""
        limit = _check_hours(hours)
        office = OfficeHours.parse(office_hours)
        per_day = office.seconds_per_day
        moment = local_datetime(start)
        base = self._pos(moment, office, "start")
        intervals: list[tuple[int, int]] = []
        for pos, (s, e) in enumerate(suspensions):
            a = self._pos(s, office, f"suspensions[{pos}]")
            if e is None:
                b = _INF
            else:
                if local_datetime(e) < local_datetime(s):
                    raise _bad_suspension(pos, _("恢复计时的时间早于中止的时间"))
                b = self._pos(e, office, f"suspensions[{pos}]")
            a = max(a, base)
            if b > a:
                intervals.append((a, b))
        target, excluded, stopped = _push(base + limit, _merge(intervals))
        i = self.index(moment)
        if stopped is not None:
            return HoursDeadline(moment, hours, None, self._provisional(i, i), excluded, True)
        k = (target - 1) // per_day
        if k >= self.total_workdays:
            raise self._past_end("hours")
        j = int(self._ord[k])
        clock = office.time_at(target - k * per_day)
        due = datetime.combine(self._date(j), clock, tzinfo=SHANGHAI)
        return HoursDeadline(moment, hours, due, self._provisional(i, j), excluded)

    # ----------------------------------------------------------------- arrays
    def _offsets(self, dates: npt.ArrayLike, field: str) -> npt.NDArray[np.int64]:
        arr = np.asarray(dates).astype("datetime64[D]")
        offsets = (arr - self._first64).astype(np.int64)
        bad = (offsets < 0) | (offsets >= self._work.size)
        if bad.any():
            raise self._out_of_range(str(arr[np.argmax(bad)]), field)
        return offsets

    def deadlines_days_vec(
        self, start_dates: npt.ArrayLike, days: npt.ArrayLike
    ) -> npt.NDArray[np.datetime64]:
        """``deadline_days`` (without suspensions) for arrays of acceptance dates
        (``datetime64[D]``, or finer units truncated to the day: pass local wall times) and
        limits; identical results, one gather per array."""
        offsets = self._offsets(start_dates, "start")
        limits = np.asarray(days, dtype=np.int64)
        if limits.size and (limits < 0).any():
            raise _negative_days()
        target = self._cum[offsets] + limits
        if target.size and target.max() > self.total_workdays:
            raise self._past_end("days")
        due = self._ord[np.maximum(target - 1, 0)]
        due = np.where(limits == 0, offsets, due)
        return self._first64 + due

    def provisional_vec(
        self, start_dates: npt.ArrayLike, due_dates: npt.ArrayLike
    ) -> npt.NDArray[np.bool_]:
        """Element-wise: does ``[start, due]`` touch an unconfirmed year?"""
        i = self._offsets(start_dates, "start")
        j = self._offsets(due_dates, "due")
        before = np.where(i > 0, self._ucum[np.maximum(i - 1, 0)], 0)
        return np.asarray(self._ucum[j] - before > 0)


def _check_days(days: int) -> int:
    if isinstance(days, bool) or not isinstance(days, int | np.integer):
        raise ValidationFailed(
            _("期限天数须为整数"), code="invalid_limit", fields={"days": [_("须为整数")]}
        )
    if days < 0:
        raise _negative_days()
    return int(days)


def _negative_days() -> ValidationFailed:
    message = _("期限天数不能为负数")
    return ValidationFailed(message, code="invalid_limit", fields={"days": [message]})


def _check_hours(hours: float) -> int:
    value = float(hours)
    seconds = round(value * 3600) if math.isfinite(value) else 0
    if not seconds > 0:
        message = _("期限小时数须大于零")
        raise ValidationFailed(message, code="invalid_limit", fields={"hours": [message]})
    return seconds


def _bad_suspension(pos: int, detail: str) -> ValidationFailed:
    message = _("第 %(n)s 个中止期间不正确：%(detail)s") % {"n": pos + 1, "detail": detail}
    return ValidationFailed(
        message, code="invalid_suspension", fields={f"suspensions[{pos}]": [detail]}
    )
