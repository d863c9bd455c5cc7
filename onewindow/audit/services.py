"""Writing audit events. Call ``record`` (one event) or ``record_many`` (a batch service's
events, set-based) inside the service's ``transaction.atomic`` block."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models, transaction

from onewindow.audit.models import AuditEvent
from onewindow.audit.rows import insert_rows
from onewindow.common import clock

_ID18 = re.compile(r"\b(\d{6})\d{8}(\d{3}[\dXx])\b")
_PHONE = re.compile(r"\b(1\d{2})\d{4}(\d{4})\b")
_DIGITS11 = re.compile(r"\d{11}")
SENSITIVE_KEYS = {"resident_id", "id_number", "phone", "password"}


def mask(value: Any) -> Any:
    """Mask personal data (resident IDs, mobile numbers, passwords) inside a payload."""
    if isinstance(value, dict):
        return {
            k: ("***" if k == "password" else mask(v)) if k in SENSITIVE_KEYS else mask(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask(v) for v in value]
    if isinstance(value, str):
        if _DIGITS11.search(value) is None:  # both patterns need 11 digits in a row
            return value
        return _PHONE.sub(r"\1****\2", _ID18.sub(r"\1********\2", value))
    return value


def record(
    *,
    action: str,
    actor: Any,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    summary: str = "",
    payload: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Write one audit event. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside transaction.atomic")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditEvent.objects.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        at=at or clock.now(),
        object_type=object_type,
        object_id=object_id,
        summary=summary[:255],
        payload=mask(payload or {}),
    )


@dataclass(frozen=True)
class Event:
    """One audit event for ``record_many`` (the actor and the object given by their ids)."""

    action: str
    actor_id: int | None
    object_type: str
    object_id: str
    summary: str = ""
    payload: dict[str, Any] | None = None
    at: datetime | None = None


def record_many(events: Iterable[Event], *, at: datetime | None = None) -> int:
    """Write many audit events at once (batch services): the same rules as ``record`` --
    inside the caller's transaction, personal data in payloads masked, summaries cut to 255
    characters -- in one statement per batch (``audit.rows.insert_rows``) instead of one
    per event. ``at`` is the time of events that carry none. Returns the number written."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record_many must be called inside transaction.atomic")
    default_at = at or clock.now()
    ops = connection.ops
    adapted: dict[datetime, Any] = {}

    def when(value: datetime | None) -> Any:
        value = value or default_at
        if value not in adapted:
            adapted[value] = ops.adapt_datetimefield_value(value)
        return adapted[value]

    rows = [
        (
            e.action,
            e.actor_id,
            when(e.at),
            e.object_type,
            e.object_id,
            e.summary[:255],
            ops.adapt_json_value(mask(e.payload or {}), None),
        )
        for e in events
    ]
    if not rows:
        return 0
    names = ("action", "actor", "at", "object_type", "object_id", "summary", "payload")
    return insert_rows(AuditEvent, names, rows)
