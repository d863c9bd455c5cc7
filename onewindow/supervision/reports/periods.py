"""Report periods: a day (2026-11-29), an ISO week (2026-W48), a month (2026-11), a quarter
(2026-Q4) or a year (2026), as local dates ``[start, end]`` and aware bounds ``[lo, hi)``
(Asia/Shanghai). A period not yet over is cut at the present (``upto``): ``hi`` is then that
instant and the label says "截至…"."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from onewindow.common.errors import ValidationFailed
from onewindow.workdays.calendar import SHANGHAI

KINDS = ("day", "week", "month", "quarter", "year")
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # included
    until: datetime | None = None  # set by ``upto`` when the period is not over yet

    @property
    def key(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "year":
            return f"{self.start.year}"
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def name(self) -> str:
        """The period's name, without "截至…" (navigation links)."""
        if self.kind == "day":
            return cn(self.start)
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}年第{week}周（{cn(self.start)}—{cn(self.end)}）"
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "year":
            return f"{self.start.year}年度"
        return f"{self.start.year}年{QUARTER_NAMES[(self.start.month - 1) // 3 + 1]}"

    @property
    def cut(self) -> str:
        """ "截至<date>" when the period is not over, else ""."""
        if self.until is None:
            return ""
        return f"截至{cn(timezone.localtime(self.until, SHANGHAI).date())}"

    @property
    def label(self) -> str:
        """The name, and "截至<date>" when the period is not over."""
        return f"{self.name}（{self.cut}）" if self.cut else self.name

    @property
    def complete(self) -> bool:
        return self.until is None

    @property
    def lo(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=SHANGHAI)

    @property
    def hi(self) -> datetime:
        """The first instant after the period (the present for a period not over)."""
        full = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=SHANGHAI)
        return full if self.until is None else min(self.until, full)

    @property
    def as_of(self) -> datetime:
        """The last instant of the period: the states the report reads (``ratings.rates``)."""
        return self.hi - timedelta(microseconds=1)

    def upto(self, now: datetime) -> Period:
        """The period cut at ``now`` if it is not over by then (itself otherwise)."""
        full = replace(self, until=None)
        return full if now >= full.hi else replace(self, until=now)

    def started(self, today: date) -> bool:
        return self.start <= today

    def previous(self) -> Period:
        return containing(self.kind, self.start - timedelta(days=1))

    def next(self) -> Period:
        return containing(self.kind, self.end + timedelta(days=1))

    def months(self) -> list[Period]:
        """The months of a quarter or a year (or the month itself) that have begun by the
        period's end, each cut like the period."""
        out, p = [], containing("month", self.start)
        while p.start <= self.end and p.lo < self.hi:
            out.append(p.upto(self.until) if self.until is not None else p)
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
    if kind == "year":
        return Period("year", date(day.year, 1, 1), date(day.year, 12, 31))
    raise ValidationFailed("报告周期类型不正确", code="invalid_period", fields={"kind": [kind]})


def last_complete(kind: str, today: date) -> Period:
    """The latest period of ``kind`` that has ended before ``today``."""
    return containing(kind, today).previous()


_PATTERNS = {
    "day": re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
    "week": re.compile(r"^(\d{4})-W(\d{2})$"),
    "month": re.compile(r"^(\d{4})-(\d{2})$"),
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
    "year": re.compile(r"^(\d{4})$"),
}
_EXAMPLES = {
    "day": "2026-11-29",
    "week": "2026-W48",
    "month": "2026-11",
    "quarter": "2026-Q4",
    "year": "2026",
}


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
        if kind == "year":
            return containing("year", date(numbers[0], 1, 1))
        return containing("quarter", date(numbers[0], numbers[1] * 3 - 2, 1))
    except ValueError:
        raise ValidationFailed(
            message, code="invalid_period", fields={"period": [message]}
        ) from None
