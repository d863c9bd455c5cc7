"""The supervision rules, from ``settings.SUPERVISION`` (each key optional), checked when
loaded: a wrong value stops the start-up (``SupervisionConfig.ready``) with an
``ImproperlyConfigured`` that says what is wrong and what is allowed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The kinds of alert (docs/supervision.md, "Alerts") and the notify channels they may use.
ALERT_KINDS = ("yellow", "red", "legal", "escalation")
CHANNELS = ("in_app", "sms", "email")
ALERT_MODES = ("inline", "task", "off")

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
    # The channels of each kind of alert (a kind left out keeps its default; [] sends
    # nothing for that kind). "a,b" strings are accepted too (environment variables).
    "ALERT_CHANNELS": {
        "yellow": ("in_app",),
        "red": ("in_app", "sms"),
        "legal": ("in_app", "sms", "email"),
        "escalation": ("in_app", "sms"),
    },
    # SMS alerts written in these local hours ("from", "until"; may wrap midnight) wait in
    # the outbox until "until". None: SMS at any hour.
    "SMS_QUIET_HOURS": ("22:00", "07:00"),
}


@dataclass(frozen=True)
class Rules:
    yellow_percent: int
    yellow_min_workdays: int
    yellow_min_hours: int
    escalate_after_workdays: int
    alerts: str
    alert_channels: Mapping[str, tuple[str, ...]]
    sms_quiet_hours: tuple[time, time] | None


def _bad(key: str, message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"SUPERVISION[{key!r}]: {message}")


def _integer(conf: dict[str, Any], key: str) -> int:
    try:
        value = int(conf[key])
    except (TypeError, ValueError):
        raise _bad(key, f"{conf[key]!r} is not a whole number") from None
    if value < 0:
        raise _bad(key, f"{value} is negative")
    return value


def _channels(value: Any) -> dict[str, tuple[str, ...]]:
    key = "ALERT_CHANNELS"
    if not isinstance(value, Mapping):
        raise _bad(key, f"expected a mapping of alert kind to channels, got {value!r}")
    result = {k: tuple(v) for k, v in DEFAULTS[key].items()}
    for kind, given in value.items():
        if kind not in ALERT_KINDS:
            raise _bad(key, f"unknown alert kind {kind!r} (kinds: {', '.join(ALERT_KINDS)})")
        names = given.split(",") if isinstance(given, str) else given
        if not isinstance(names, list | tuple):
            raise _bad(key, f"{kind}: expected a list of channels, got {given!r}")
        chosen: list[str] = []
        for name in names:
            name = str(name).strip()
            if not name:
                continue
            if name not in CHANNELS:
                raise _bad(
                    key, f"{kind}: unknown channel {name!r} (channels: {', '.join(CHANNELS)})"
                )
            if name not in chosen:
                chosen.append(name)
        result[kind] = tuple(chosen)
    return result


_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _quiet_hours(value: Any) -> tuple[time, time] | None:
    key = "SMS_QUIET_HOURS"
    if value is None or value == "":
        return None
    parts = value.split("-") if isinstance(value, str) else value
    if not isinstance(parts, list | tuple) or len(parts) != 2:
        raise _bad(key, f'expected ("22:00", "07:00") or None, got {value!r}')
    bounds = []
    for part in parts:
        match = _HHMM.match(str(part).strip())
        if match is None:
            raise _bad(key, f"{part!r} is not a time HH:MM")
        bounds.append(time(int(match[1]), int(match[2])))
    if bounds[0] == bounds[1]:
        raise _bad(key, "the quiet hours start and end at the same time")
    return bounds[0], bounds[1]


def rules() -> Rules:
    given = getattr(settings, "SUPERVISION", {}) or {}
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise ImproperlyConfigured(
            f"SUPERVISION: unknown setting(s) {', '.join(unknown)} (known: {', '.join(DEFAULTS)})"
        )
    conf = {**DEFAULTS, **given}
    alerts = str(conf["ALERTS"])
    if alerts not in ALERT_MODES:
        raise _bad("ALERTS", f"{alerts!r} (one of {', '.join(ALERT_MODES)})")
    return Rules(
        yellow_percent=_integer(conf, "YELLOW_PERCENT"),
        yellow_min_workdays=_integer(conf, "YELLOW_MIN_WORKDAYS"),
        yellow_min_hours=_integer(conf, "YELLOW_MIN_HOURS"),
        escalate_after_workdays=_integer(conf, "ESCALATE_AFTER_WORKDAYS"),
        alerts=alerts,
        alert_channels=_channels(conf["ALERT_CHANNELS"]),
        sms_quiet_hours=_quiet_hours(conf["SMS_QUIET_HOURS"]),
    )
