"""The light's thresholds for whole arrays of cases, with the working-day calendar's ordinal
index (numpy, no database, no Python loop per case).

Instants are integers: seconds (inputs) or microseconds (outputs) since the Unix epoch.
Local time is Beijing time, UTC+8 all year (no daylight saving since 1991).

Rules (docs/supervision.md):

* day limits: with ``L`` the promised limit and ``D`` the due date, ``R = max(L × p // 100,
  min_days)``; the light is yellow once at most ``R`` working days are left, counting the
  working days from today to ``D``. So ``yellow_at`` is the midnight after the working day
  whose ordinal is ``ordinal(D) − R`` (or "always" when there is none).
* hour limits: ``T = max(L × 3600 × p // 100, min_hours × 3600)`` office seconds; yellow
  once at most ``T`` office seconds are left: ``yellow_at`` is the earliest instant whose
  office position is ``position(due) − T``.
* escalation level k: nothing moved for ``k × N`` working days after max(red, last move):
  after the end of that working day.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

from onewindow.workdays.calendar import WorkCalendar
from onewindow.workdays.officehours import OfficeHours

LOCAL_OFFSET_S = 8 * 3600
DAY_S = 86400
US = 1_000_000
# An instant that never comes (far below the int64 limit, so "NEVER + 1" is still safe in SQL).
NEVER = np.int64(4_000_000_000_000_000_000)
ALWAYS = np.int64(0)  # the epoch: already past
_EPOCH = date(1970, 1, 1)

I64 = npt.NDArray[np.int64]


def _first_days(cal: WorkCalendar) -> int:
    return (cal.first - _EPOCH).days


def local_day_offsets(cal: WorkCalendar, seconds: I64) -> I64:
    """Calendar offsets (index into the table) of the local dates of epoch ``seconds``."""
    days = (seconds + LOCAL_OFFSET_S) // DAY_S
    return np.asarray(days - _first_days(cal), dtype=np.int64)


def _midnight_us(cal: WorkCalendar, offsets: I64) -> I64:
    """Local midnight (epoch µs) of calendar offsets."""
    return np.asarray(((offsets + _first_days(cal)) * DAY_S - LOCAL_OFFSET_S) * US, np.int64)


def _end_of_day_us(cal: WorkCalendar, offsets: I64) -> I64:
    """23:59:59 local (epoch µs) of calendar offsets, like cases' day deadlines."""
    return np.asarray(_midnight_us(cal, offsets) + (DAY_S - 1) * US, np.int64)


def _in_table(cal: WorkCalendar, offsets: I64) -> npt.NDArray[np.bool_]:
    return np.asarray((offsets >= 0) & (offsets < cal._work.size))


def yellow_days(cal: WorkCalendar, due_s: I64, limits: I64, percent: int, min_days: int) -> I64:
    """``yellow_at`` (epoch µs) of day limits due on the local dates of ``due_s``."""
    cum, ordinals = cal._cum, cal._ord
    off = local_day_offsets(cal, due_s)
    ok = _in_table(cal, off)
    safe = np.where(ok, off, 0)
    keep = np.maximum(limits * percent // 100, min_days)
    k = cum[safe] - keep  # ordinal of the last working day that is still green
    has = ok & (k >= 1)
    day = ordinals[np.where(has, k - 1, 0)]
    out = _midnight_us(cal, day + 1)
    return np.asarray(np.where(has, out, np.where(ok, ALWAYS, NEVER)), dtype=np.int64)


class _Office:
    """Office positions ("office seconds since the table began") for one OfficeHours."""

    def __init__(self, cal: WorkCalendar, office: OfficeHours) -> None:
        self.cal = cal
        self.per_day = office.seconds_per_day
        self.starts = np.array([s for s, _e in office.intervals], dtype=np.int64)
        self.ends = np.array([e for _s, e in office.intervals], dtype=np.int64)
        lengths = self.ends - self.starts
        self.before = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        self.lengths = lengths

    def position(self, seconds: I64) -> I64:
        """Office seconds elapsed at epoch ``seconds`` (whole seconds)."""
        cal = self.cal
        off = local_day_offsets(cal, seconds)
        off = np.clip(off, 0, cal._work.size - 1)
        second = (seconds + LOCAL_OFFSET_S) % DAY_S
        elapsed = np.clip(second[:, None] - self.starts[None, :], 0, self.lengths[None, :]).sum(
            axis=1
        )
        cum = cal._cum
        work = cal._work
        before = np.where(off > 0, cum[np.maximum(off - 1, 0)], 0)
        return np.asarray(
            np.where(work[off], before * self.per_day + elapsed, cum[off] * self.per_day),
            dtype=np.int64,
        )

    def instant_us(self, positions: I64) -> I64:
        """The earliest instant (epoch µs) at which the office position reaches
        ``positions`` (≤ 0: always; past the table: never)."""
        cal = self.cal
        p = positions
        k = (p - 1) // self.per_day
        ok = (p > 0) & (k < cal.total_workdays)
        k = np.where(ok, k, 0)
        day = cal._ord[k]
        offset = p - k * self.per_day  # 1..per_day
        # the session in which the offset falls: the first whose end reaches it
        session = np.argmax(offset[:, None] <= (self.before + self.lengths)[None, :], axis=1)
        second = self.starts[session] + (offset - self.before[session])
        out = _midnight_us(cal, day) + second * US
        return np.asarray(np.where(ok, out, np.where(p <= 0, ALWAYS, NEVER)), dtype=np.int64)


def yellow_hours(
    cal: WorkCalendar,
    due_s: I64,
    limits: I64,
    office_keys: npt.NDArray[np.int64],
    offices: dict[int, OfficeHours],
    percent: int,
    min_hours: int,
) -> I64:
    """``yellow_at`` (epoch µs) of hour limits due at ``due_s``; ``office_keys`` index
    ``offices`` (each row's office hours)."""
    out = np.full(due_s.shape, NEVER, dtype=np.int64)
    keep = np.maximum(limits * 3600 * percent // 100, min_hours * 3600)
    for key, office in offices.items():
        rows = office_keys == key
        if not rows.any():
            continue
        o = _Office(cal, office)
        out[rows] = o.instant_us(o.position(due_s[rows]) - keep[rows])
    return out


def escalations(cal: WorkCalendar, base_us: I64, workdays: int) -> tuple[I64, I64]:
    """The instants after which a red light escalates to level 1 and 2: the end of the
    ``N``-th and ``2N``-th working day after the local date of ``base_us``."""
    cum, ordinals = cal._cum, cal._ord
    off = local_day_offsets(cal, base_us // US)
    ok = _in_table(cal, off)
    safe = np.where(ok, off, 0)
    result = []
    for k in (workdays, 2 * workdays):
        target = cum[safe] + k
        fine = ok & (target <= cal.total_workdays) & (target >= 1)
        day = ordinals[np.where(fine, target - 1, 0)]
        result.append(np.where(fine, _end_of_day_us(cal, day), NEVER).astype(np.int64))
    return result[0], result[1]
