"""Display helpers of the back-office templates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def workdays_text(left: int | None) -> str:
    """Colour-neutral remaining time: 剩余N个工作日 / 今天到期 / 已超过N个工作日."""
    if left is None:
        return "—"
    if left > 0:
        return _("剩余%(n)d个工作日") % {"n": left}
    if left == 0:
        return _("今天到期")
    return _("已超过%(n)d个工作日") % {"n": -left}


@register.filter
def cn_date(value: date | datetime | None) -> str:
    """2026年11月29日 (local date)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def cn_datetime(value: datetime | None) -> str:
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """mapping[key] in a template ("" when missing)."""
    try:
        return mapping.get(str(key), "") if hasattr(mapping, "get") else ""
    except (TypeError, AttributeError):
        return ""


@register.filter
def getlist(post: Any, key: str) -> list[str]:
    return post.getlist(key) if hasattr(post, "getlist") else []


@register.filter
def as_str(value: Any) -> str:
    return str(value)


@register.filter
def status_label(value: str) -> str:
    from onewindow.cases.states import CaseStatus

    try:
        return str(CaseStatus(value).label)
    except ValueError:
        return value


@register.filter
def transition_label(name: str) -> str:
    from onewindow.cases.states import TRANSITIONS

    t = TRANSITIONS.get(name)
    return t.label if t else name


@register.filter
def task_label(task: Any) -> str:
    """A task's name: its step's, or 决定 for a decision task waiting on the accept step of
    an instant item (``cases.steps.task_name``)."""
    from onewindow.cases.steps import task_name

    return task_name(task)
