"""Office hours of a service point, as seconds after midnight (pure: no Django models).

The input is the ``ServicePoint.office_hours`` JSON shape: ``[["09:00", "12:00"],
["13:30", "17:00"]]``, intervals in order, not overlapping. Only these hours of working days
count toward an hour limit (see ``WorkCalendar.deadline_hours``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import time

from onewindow.common.errors import ValidationFailed
from onewindow.workdays.i18n import _

DEFAULT_OFFICE_HOURS: tuple[tuple[str, str], ...] = (("09:00", "12:00"), ("13:30", "17:00"))

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$|^24:00$")


def _seconds(text: object) -> int | None:
    if not isinstance(text, str):
        return None
    match = _HHMM.match(text.strip())
    if not match:
        return None
    if text.strip() == "24:00":
        return 86400
    return int(match.group(1)) * 3600 + int(match.group(2)) * 60


@dataclass(frozen=True)
class OfficeHours:
    """Office intervals of one day, ``[(start_s, end_s), ...]`` in seconds after midnight."""

    intervals: tuple[tuple[int, int], ...]

    @classmethod
    def parse(cls, spec: Iterable[Sequence[str]] | None) -> OfficeHours:
        """Validate and convert ``[["09:00", "12:00"], ...]``; empty or None → the default."""
        raw = list(spec) if spec else list(DEFAULT_OFFICE_HOURS)
        intervals: list[tuple[int, int]] = []
        for pos, pair in enumerate(raw):
            if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
                raise _bad(pos, _("每段办公时间应为“开始,结束”两个时刻"))
            start, end = _seconds(pair[0]), _seconds(pair[1])
            if start is None or end is None:
                raise _bad(pos, _("办公时间须为 HH:MM 格式，例如 09:00"))
            if start >= end:
                raise _bad(pos, _("办公时间的开始须早于结束"))
            if intervals and start < intervals[-1][1]:
                raise _bad(pos, _("办公时间段须按时间先后排列且不得重叠"))
            intervals.append((start, end))
        return cls(tuple(intervals))

    @property
    def seconds_per_day(self) -> int:
        return sum(end - start for start, end in self.intervals)

    def elapsed(self, second_of_day: int) -> int:
        """Office seconds of a working day that have passed at ``second_of_day``."""
        return sum(min(max(second_of_day - start, 0), end - start) for start, end in self.intervals)

    def time_at(self, offset: int) -> time:
        """The earliest clock time at which ``offset`` (1..seconds_per_day) office seconds
        of the day have passed; an offset ending a morning session gives its close (12:00),
        not the afternoon opening."""
        done = 0
        for start, end in self.intervals:
            if offset <= done + (end - start):
                second = start + (offset - done)
                if second >= 86400:
                    return time(23, 59, 59, 999999)
                return time(second // 3600, second % 3600 // 60, second % 60)
            done += end - start
        raise ValueError(f"offset {offset} beyond the office day")

    def as_json(self) -> list[list[str]]:
        def fmt(s: int) -> str:
            return f"{s // 3600:02d}:{s % 3600 // 60:02d}"

        return [[fmt(a), fmt(b)] for a, b in self.intervals]


def _bad(pos: int, message: str) -> ValidationFailed:
    return ValidationFailed(
        _("办公时间设置不正确：%(detail)s") % {"detail": message},
        code="invalid_office_hours",
        fields={"office_hours": [f"{pos + 1}: {message}"]},
    )
