"""Writing audit events. Call ``record`` inside the service's ``transaction.atomic`` block."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import models, transaction

from onewindow.audit.models import AuditEvent
from onewindow.common import clock

_ID18 = re.compile(r"\b(\d{6})\d{8}(\d{3}[\dXx])\b")
_PHONE = re.compile(r"\b(1\d{2})\d{4}(\d{4})\b")
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
