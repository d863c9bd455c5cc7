"""Helpers shared by the org services."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from onewindow.common.errors import PermissionDenied
from onewindow.org.models import Department, ServicePoint
from onewindow.org.permissions import has_capability, is_centre_wide


def check_actor(
    actor: Any,
    capability: str,
    *,
    department: Department | None = None,
    service_point: ServicePoint | None = None,
    centre_wide: bool = False,
) -> None:
    """``actor=None`` is the system itself (management commands, the demo loader, data
    migrations): trusted code, audited with an empty actor. Any other actor, including an
    anonymous request user, must hold ``capability`` in the given scope."""
    if actor is None:
        return
    allowed = (
        is_centre_wide(actor, capability)
        if centre_wide
        else has_capability(actor, capability, department=department, service_point=service_point)
    )
    if not allowed:
        raise PermissionDenied(_("您没有执行此操作的权限"), fields={"capability": capability})


def apply_changes(obj: models.Model, values: dict[str, Any]) -> dict[str, Any]:
    """Set ``values`` on ``obj``; return ``{field: [old, new]}`` for those that changed."""
    changed: dict[str, Any] = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            changed[field] = [_plain(old), _plain(new)]
            setattr(obj, field, new)
    return changed


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    return value
