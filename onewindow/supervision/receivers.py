"""Signals supervision listens to: a loaded calendar year changes every threshold, so every
active light is marked for a resync and the next sweep compares them all (a full sweep)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.dispatch import receiver

from onewindow.supervision.models import CaseLight, SweepState
from onewindow.workdays.signals import calendar_changed


@receiver(calendar_changed, dispatch_uid="supervision.calendar_changed")
def resync_on_calendar(sender: Any, **kwargs: Any) -> None:
    # An empty copied status differs from every case's: the next sweep recomputes them all.
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(CaseLight._meta.db_table)
        cursor.execute(f"UPDATE {table} SET src_status = '' WHERE active")  # noqa: S608
    SweepState.objects.update_or_create(key="lights", defaults={"full_pending": True})
