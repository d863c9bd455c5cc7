"""Background sending through Django's tasks API (``manage.py db_worker``)."""

from __future__ import annotations

from django.tasks import task

from onewindow.notify.services import send_pending


@task(queue_name="notifications")
def send_pending_task(limit: int = 100) -> int:
    """Send due outbox rows (new ones and retries whose time has come)."""
    return send_pending(limit=limit)
