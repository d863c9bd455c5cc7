"""The supervision rules, from ``settings.SUPERVISION`` (each key optional)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Yellow when at most this share of the promised limit is left ...
    "YELLOW_PERCENT": 20,
    # ... or at most this many working days (day limits) / working hours (hour limits),
    # whichever comes first.
    "YELLOW_MIN_WORKDAYS": 1,
    "YELLOW_MIN_HOURS": 1,
    # Escalate a red light when nothing moved for this many working days (level 1), and
    # again after twice as many (level 2).
    "ESCALATE_AFTER_WORKDAYS": 3,
    # After commit, alerts are sent "inline" (the default), by the task worker ("task") or
    # left for `supervision_sweep --alerts-only` ("off").
    "ALERTS": "inline",
}


@dataclass(frozen=True)
class Rules:
    yellow_percent: int
    yellow_min_workdays: int
    yellow_min_hours: int
    escalate_after_workdays: int
    alerts: str


def rules() -> Rules:
    conf = {**DEFAULTS, **getattr(settings, "SUPERVISION", {})}
    return Rules(
        yellow_percent=int(conf["YELLOW_PERCENT"]),
        yellow_min_workdays=int(conf["YELLOW_MIN_WORKDAYS"]),
        yellow_min_hours=int(conf["YELLOW_MIN_HOURS"]),
        escalate_after_workdays=int(conf["ESCALATE_AFTER_WORKDAYS"]),
        alerts=str(conf["ALERTS"]),
    )
