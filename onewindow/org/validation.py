"""Pure checks shared by the org services and the forms that front them.

Nothing here touches the database: each function returns a cleaned value or records a
Chinese message in an ``Errors`` collector, so a form can show every problem at once and a
service can refuse before it writes anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from onewindow.common.errors import ValidationFailed
from onewindow.common.identifiers import resident_id_error, uscc_error

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Landlines and hotlines: "023-12345678", "(023) 1234 5678", "12345".
PHONE_RE = re.compile(r"^[0-9()+\- ]{5,32}$")
HHMM_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")


class Errors:
    """Collects field errors; ``raise_if_any`` raises one ``ValidationFailed`` with all of
    them (the message is the first error, so a caller that shows only it is still clear)."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self, code: str = "validation_failed") -> None:
        if self.fields:
            first = next(iter(self.fields.values()))
            raise ValidationFailed(first, code=code, fields=dict(self.fields))


def text(value: Any, *, field: str, label: str, errors: Errors, required: bool, max_length: int):
    """Strip a text value; record "请填写…" / "…过长" problems."""
    v = ("" if value is None else str(value)).strip()
    if required and not v:
        errors.add(field, _("请填写%(label)s") % {"label": label})
    elif len(v) > max_length:
        errors.add(field, _("%(label)s不能超过%(n)d个字符") % {"label": label, "n": max_length})
    return v


def code(value: Any, *, field: str, label: str, errors: Errors) -> str:
    v = ("" if value is None else str(value)).strip()
    if not v:
        errors.add(field, _("请填写%(label)s") % {"label": label})
    elif not CODE_RE.match(v):
        errors.add(
            field,
            _("%(label)s只能包含字母、数字、下划线、点和连字符，最长32位") % {"label": label},
        )
    return v


def mobile(value: Any, *, field: str, errors: Errors, required: bool = False) -> str:
    """An 11-digit mainland mobile number (1[3-9]xxxxxxxxx)."""
    v = re.sub(r"[\s-]", "", "" if value is None else str(value))
    if v.startswith("+86"):
        v = v[3:]
    if not v:
        if required:
            errors.add(field, _("请填写手机号码"))
        return ""
    if not MOBILE_RE.match(v):
        errors.add(field, _("手机号码应为11位中国大陆手机号"))
    return v


def phone(value: Any, *, field: str, errors: Errors) -> str:
    """A contact number: landline or mobile, loosely checked."""
    v = ("" if value is None else str(value)).strip()
    if v and not PHONE_RE.match(v):
        errors.add(field, _("电话号码格式不正确"))
    return v


def resident_id(value: Any, *, field: str, errors: Errors, required: bool) -> str:
    v = ("" if value is None else str(value)).strip().upper()
    if not v:
        if required:
            errors.add(field, _("请填写居民身份证号码"))
        return ""
    problem = resident_id_error(v)
    if problem:
        errors.add(field, problem)
    return v


def uscc(value: Any, *, field: str, errors: Errors, required: bool) -> str:
    v = ("" if value is None else str(value)).strip().upper()
    if not v:
        if required:
            errors.add(field, _("请填写统一社会信用代码"))
        return ""
    problem = uscc_error(v)
    if problem:
        errors.add(field, problem)
    return v


def a_date(value: Any, *, field: str, label: str, errors: Errors, required: bool) -> date | None:
    """A ``date`` (or an ISO ``YYYY-MM-DD`` string). Datetimes are refused: a letter's
    validity is counted in whole days."""
    if value in (None, ""):
        if required:
            errors.add(field, _("请填写%(label)s") % {"label": label})
        return None
    if isinstance(value, datetime):
        errors.add(field, _("%(label)s应为日期，不含时间") % {"label": label})
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(field, _("%(label)s格式应为YYYY-MM-DD") % {"label": label})
        return None


def office_hours(value: Any, *, field: str, errors: Errors) -> list[list[str]]:
    """``[["09:00","12:00"],["13:30","17:00"]]``: HH:MM pairs, each start before its end,
    in order and not overlapping. ``None`` means none given."""
    if value is None or value == []:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        errors.add(field, _('办公时间应为时段列表，如 [["09:00","12:00"]]'))
        return []
    cleaned: list[list[str]] = []
    previous_end = ""
    for index, period in enumerate(value, start=1):
        pair = list(period) if isinstance(period, list | tuple) else None
        if pair is None or len(pair) != 2:
            errors.add(field, _("第%(n)d个办公时段应为开始和结束两个时间") % {"n": index})
            return []
        start, end = (str(p).strip() for p in pair)
        for t in (start, end):
            if not HHMM_RE.match(t):
                errors.add(
                    field,
                    _("第%(n)d个办公时段的时间“%(t)s”格式应为HH:MM") % {"n": index, "t": t},
                )
                return []
        if start >= end:
            errors.add(field, _("第%(n)d个办公时段的开始时间应早于结束时间") % {"n": index})
            return []
        if previous_end and start < previous_end:
            errors.add(field, _("第%(n)d个办公时段与上一时段重叠或顺序颠倒") % {"n": index})
            return []
        previous_end = end
        cleaned.append([start, end])
    return cleaned


def item_codes(value: Any, *, field: str, errors: Errors) -> list[str]:
    """Distinct, stripped item codes in the order given; at least one."""
    if isinstance(value, str):
        value = value.split()
    codes: list[str] = []
    for raw in value or ():
        c = str(raw).strip()
        if not c:
            continue
        if len(c) > 80:
            errors.add(field, _("事项编码“%(c)s”超过80个字符") % {"c": c[:20] + "…"})
            return []
        if c not in codes:
            codes.append(c)
    if not codes:
        errors.add(field, _("请至少列出一个授权事项"))
    return codes
