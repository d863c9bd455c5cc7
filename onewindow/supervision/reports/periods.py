"""Report periods: a day (2026-11-29), an ISO week (2026-W48), a month (2026-11) or a quarter
(2026-Q4), as local dates ``[start, end]`` and aware bounds ``[lo, hi)`` (Asia/Shanghai)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from onewindow.common.errors import ValidationFailed
from onewindow.workdays.calendar import SHANGHAI

KINDS = ("day", "week", "month", "quarter")
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # included

    @property
    def key(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def label(self) -> str:
        if self.kind == "day":
            return cn(self.start)
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}年第{week}周（{cn(self.start)}—{cn(self.end)}）"
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.year}年{QUARTER_NAMES[(self.start.month - 1) // 3 + 1]}"

    @property
    def lo(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=SHANGHAI)

    @property
    def hi(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=SHANGHAI)

    def previous(self) -> Period:
        return containing(self.kind, self.start - timedelta(days=1))

    def next(self) -> Period:
        return containing(self.kind, self.end + timedelta(days=1))

    def months(self) -> list[Period]:
        """The months of a quarter (or the month itself)."""
        out, p = [], containing("month", self.start)
        while p.start <= self.end:
            out.append(p)
            p = p.next()
        return out


def containing(kind: str, day: date) -> Period:
    if kind == "day":
        return Period("day", day, day)
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return Period("week", start, start + timedelta(days=6))
    if kind == "month":
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return Period("month", start, following - timedelta(days=1))
    if kind == "quarter":
        first_month = (day.month - 1) // 3 * 3 + 1
        start = date(day.year, first_month, 1)
        following = (start + timedelta(days=92)).replace(day=1)
        return Period("quarter", start, following - timedelta(days=1))
    raise ValidationFailed("报告周期类型不正确", code="invalid_period", fields={"kind": [kind]})


def last_complete(kind: str, today: date) -> Period:
    """The latest period of ``kind`` that has ended before ``today``."""
    return containing(kind, today).previous()


_PATTERNS = {
    "day": re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
    "week": re.compile(r"^(\d{4})-W(\d{2})$"),
    "month": re.compile(r"^(\d{4})-(\d{2})$"),
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
}
_EXAMPLES = {"day": "2026-11-29", "week": "2026-W48", "month": "2026-11", "quarter": "2026-Q4"}


def parse(kind: str, value: str) -> Period:
    """``value`` in the form of ``kind`` (see _EXAMPLES); ValidationFailed otherwise."""
    if kind not in KINDS:
        raise ValidationFailed("报告周期类型不正确", code="invalid_period", fields={"kind": [kind]})
    match = _PATTERNS[kind].match((value or "").strip())
    message = f"报告周期格式不正确，应为 {_EXAMPLES[kind]}"
    if not match:
        raise ValidationFailed(message, code="invalid_period", fields={"period": [message]})
    try:
        numbers = [int(g) for g in match.groups()]
        if kind == "day":
            return containing("day", date(*numbers))
        if kind == "week":
            return containing("week", date.fromisocalendar(numbers[0], numbers[1], 1))
        if kind == "month":
            return containing("month", date(numbers[0], numbers[1], 1))
        return containing("quarter", date(numbers[0], numbers[1] * 3 - 2, 1))
    except ValueError:
        raise ValidationFailed(
            message, code="invalid_period", fields={"period": [message]}
        ) from None
