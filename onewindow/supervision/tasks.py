"""Periodic work of supervision through Django's tasks API (``manage.py db_worker``)."""

from __future__ import annotations

from django.tasks import task

from onewindow.supervision.alerts import lights_alert_pending
from onewindow.supervision.services import lights_sweep


@task(queue_name="sweeps")
def lights_sweep_task(full: bool = False) -> dict[str, object]:
    """The traffic-light sweep (every 5 minutes; ``full`` nightly; see docs/supervision.md)."""
    return lights_sweep(full=full).as_dict()


@task(queue_name="notifications")
def lights_alert_task(limit: int = 5000) -> int:
    """Alerts of new light events."""
    return lights_alert_pending(limit=limit)
