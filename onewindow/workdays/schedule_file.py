"""The schedule file of ``workdays_load_year`` (JSON; format in docs/workdays.md) and the
line format of the admin form, both turned into the load service's arguments."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from onewindow.common.errors import ValidationFailed
from onewindow.workdays.i18n import _


@dataclass(frozen=True)
class Schedule:
    year: int
    source: str
    holidays: list[tuple[date, date, str]]
    makeup_days: list[date]


def _date(value: Any, field: str, errors: dict[str, list[str]]) -> date | None:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    errors.setdefault(field, []).append(_("日期格式不正确：%(value)s") % {"value": value})
    return None


def parse_schedule(data: Any) -> Schedule:
    """Check the JSON shape (types and dates); the load service checks the rules."""
    errors: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        raise ValidationFailed(_("放假安排文件须为一个 JSON 对象"), fields={"_": ["object"]})
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int):
        errors.setdefault("year", []).append(_("year 须为整数年份"))
    source = data.get("source")
    if not isinstance(source, str):
        errors.setdefault("source", []).append(_("source 须为文本（通知文号）"))
    holidays: list[tuple[date, date, str]] = []
    raw_holidays = data.get("holidays")
    if not isinstance(raw_holidays, list):
        errors.setdefault("holidays", []).append(_("holidays 须为列表"))
        raw_holidays = []
    for pos, item in enumerate(raw_holidays):
        field = f"holidays[{pos}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            errors.setdefault(field, []).append(_("须为 {name, from, to} 对象"))
            continue
        start = _date(item.get("from"), field, errors)
        end = _date(item.get("to", item.get("from")), field, errors)
        if start and end:
            holidays.append((start, end, item["name"]))
    makeup: list[date] = []
    raw_makeup = data.get("makeup_days", [])
    if not isinstance(raw_makeup, list):
        errors.setdefault("makeup_days", []).append(_("makeup_days 须为日期列表"))
        raw_makeup = []
    for pos, raw in enumerate(raw_makeup):
        day = _date(raw, f"makeup_days[{pos}]", errors)
        if day:
            makeup.append(day)
    if errors or not isinstance(year, int) or not isinstance(source, str):
        raise ValidationFailed(_("放假安排文件格式不正确"), fields=errors)
    return Schedule(year, source, holidays, makeup)


def read_schedule_file(path: str | Path) -> Schedule:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationFailed(
            _("无法读取文件 %(path)s：%(err)s") % {"path": path, "err": exc.strerror},
            fields={"file": [str(path)]},
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            _("文件不是合法的 JSON：第 %(line)s 行第 %(col)s 列")
            % {"line": exc.lineno, "col": exc.colno},
            fields={"file": [exc.msg]},
        ) from None
    return parse_schedule(data)


_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_SPLIT = re.compile(r"[\s,，、;；~～]+|至|到")


def _loose_date(token: str) -> date:
    year, month, day = (int(part) for part in token.split("-"))
    return date(year, month, day)


def parse_holiday_lines(text: str) -> tuple[list[tuple[date, date, str]], list[str]]:
    """Admin form lines ``春节 2027-02-05 2027-02-12`` (or ``元旦 2027-01-01`` for one day).

    Returns the ranges and a list of Chinese error messages (with line numbers)."""
    ranges: list[tuple[date, date, str]] = []
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = [t for t in _SPLIT.split(line.strip()) if t]
        if not tokens:
            continue
        names = [t for t in tokens if not _DATE.match(t)]
        try:
            dates = [_loose_date(t) for t in tokens if _DATE.match(t)]
        except ValueError:
            errors.append(_("第 %(n)s 行：日期不存在") % {"n": number})
            continue
        if len(names) != 1 or len(dates) not in (1, 2):
            errors.append(
                _("第 %(n)s 行：应为“名称 开始日期 [结束日期]”，例如“春节 2027-02-05 2027-02-12”")
                % {"n": number}
            )
            continue
        ranges.append((dates[0], dates[-1], names[0]))
    return ranges, errors


def parse_date_list(text: str) -> tuple[list[date], list[str]]:
    """Dates separated by newlines, spaces or commas."""
    days: list[date] = []
    errors: list[str] = []
    for token in (t for t in _SPLIT.split(text.strip()) if t):
        try:
            if not _DATE.match(token):
                raise ValueError(token)
            days.append(_loose_date(token))
        except ValueError:
            errors.append(_("“%(value)s”不是日期（YYYY-MM-DD）") % {"value": token})
    return days, errors
