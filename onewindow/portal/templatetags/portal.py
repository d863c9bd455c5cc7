"""Small display helpers for the hall's templates."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from onewindow.catalog.models import DeliveryMethod, LimitUnit

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """0.771 → "77%"; None → ""."""
    if value is None:
        return ""
    return f"{round(value * 100)}%"


@register.filter
def limit_unit(version: Any) -> str:
    """The unit word of an item's limits: 工作日 or 工作小时."""
    return str(LimitUnit(version.limit_unit).label) if version.limit_unit else ""


@register.filter
def office_hours(spans: Any) -> str:
    """[["09:00", "12:00"], ["13:30", "17:00"]] → "09:00–12:00、13:30–17:00"."""
    parts = [f"{s[0]}–{s[1]}" for s in spans or [] if len(s) == 2]
    return "、".join(parts)


@register.filter
def delivery_labels(methods: Any) -> str:
    labels = dict(DeliveryMethod.choices)
    return "、".join(str(labels.get(m, m)) for m in methods or [])


@register.filter
def visits_label(visits: int) -> str:
    if visits == 0:
        return _("零跑动（0次）")
    if visits == 1:
        return _("最多跑一次（1次）")
    return _("%(n)s次") % {"n": visits}
