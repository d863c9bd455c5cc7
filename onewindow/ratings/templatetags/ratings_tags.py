"""Template filters of the ratings screens."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """0.9567 → 95.67%; None (nothing to divide) → —."""
    if value is None:
        return "—"
    return f"{value * 100:.2f}%"
