"""The one clock (DESIGN.md convention 4). Services take ``now`` from here so tests move time."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def localnow() -> datetime:
    return timezone.localtime(timezone.now())
