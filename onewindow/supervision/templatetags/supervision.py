"""``{% load supervision %}``: ``{% case_light case %}`` renders the case's colour badge
(nothing before acceptance); ``{% preload_case_lights cases %}`` once before a list loop
reads every light of the list in one query."""

from __future__ import annotations

from typing import Any

from django import template

from onewindow.supervision.models import Colour
from onewindow.supervision.selectors import light_for, preload_lights

register = template.Library()

CSS = {0: "light-green", 1: "light-yellow", 2: "light-red", 3: "light-legal"}


@register.inclusion_tag("supervision/_badge.html")
def case_light(case: Any) -> dict[str, Any]:
    light = light_for(case) if case is not None and getattr(case, "pk", None) else None
    if light is None or not light.active:
        return {"light": None}
    return {
        "light": light,
        "label": Colour(light.colour).label,
        "css": CSS[light.colour],
        "paused": light.paused,
    }


@register.simple_tag
def preload_case_lights(cases: Any) -> str:
    preload_lights(list(cases))
    return ""
