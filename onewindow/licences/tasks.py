"""Background work of the licences (``manage.py db_worker``)."""

from __future__ import annotations

from django.tasks import task

from onewindow.licences.services import permits_record_expiry


@task(queue_name="sweeps")
def record_expiry_task() -> int:
    """Record ``permit.expired`` for permits whose validity ended (daily)."""
    return permits_record_expiry()
