"""Shared fixtures: the named people of DESIGN.md convention 7, and the working-day calendar
kept seeded across transactional tests."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest


@pytest.fixture
def password() -> str:
    return "Onewindow-2026"


@pytest.fixture
def centre(db: Any) -> Any:
    """The district government service centre (D01), without the demo."""
    from onewindow.org.services import service_point_upsert

    return service_point_upsert(
        actor=None,
        code="D01",
        name="示范区政务服务中心",
        level="district",
        office_hours=[["09:00", "12:00"], ["13:30", "17:00"]],
    )


@pytest.fixture
def zhouba(db: Any) -> Any:
    """周八, the centre's administrator (holds workdays.manage and the catalogue's rights)."""
    from onewindow.org.models import Role
    from onewindow.org.services import staff_create

    return staff_create(
        actor=None,
        username="zhouba",
        display_name="周八",
        password="Onewindow-2026",
        roles=[(Role.CENTRE_ADMIN, None, None)],
    )


def reseed_calendar() -> None:
    """Seed the working-day calendar again (with its data migration's own function) when it
    is empty, and drop the process cache. Transactional tests (live_server, browser journeys)
    flush every table after each test, the calendar its data migration seeded included."""
    from django.apps import apps as django_apps
    from django.db import connection

    from onewindow.workdays.models import CalendarYear
    from onewindow.workdays.selectors import invalidate_calendar

    if not CalendarYear.objects.exists():
        migration = importlib.import_module("onewindow.workdays.migrations.0002_seed_calendar")
        migration.seed(django_apps, SimpleNamespace(connection=connection))
    invalidate_calendar()


@pytest.fixture(autouse=True)
def _calendar_survives_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a transactional test's flush, seed the calendar again for the tests that follow
    (autouse fixtures are torn down after ``transactional_db``). Transactional by the
    ``transactional_db``/``live_server`` fixtures or by ``django_db(transaction=True)``."""
    yield
    marker = request.node.get_closest_marker("django_db")
    by_marker = marker is not None and bool(marker.kwargs.get("transaction"))
    if by_marker or "transactional_db" in request.fixturenames:
        blocker: Any = request.getfixturevalue("django_db_blocker")
        with blocker.unblock():
            reseed_calendar()
