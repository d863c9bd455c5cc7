"""Workdays fixtures: the seeded calendar without a database, and the people who load
schedules (周八 the centre administrator may; 李四 the window clerk may not)."""

from __future__ import annotations

import pytest

from onewindow.workdays.calendar import WorkCalendar
from onewindow.workdays.seed import package_calendar

PASSWORD = "Onewindow-2026"


@pytest.fixture(scope="session")
def cal() -> WorkCalendar:
    """The calendar the migration seeds (2004-2026 confirmed, 2027-2028 provisional)."""
    return package_calendar()


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """A test that loads a year must not leave its calendar cached for the next test
    (the database is rolled back, the process cache is not)."""
    from onewindow.workdays.selectors import invalidate_calendar

    invalidate_calendar()
    yield
    invalidate_calendar()


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def town(db):
    """A town centre with longer hours and a short lunch."""
    from onewindow.org.services import service_point_upsert

    return service_point_upsert(
        actor=None,
        code="T01",
        name="东城街道便民服务中心",
        level="town",
        office_hours=[["08:30", "12:00"], ["13:00", "17:30"]],
    )


@pytest.fixture
def lisi(db, centre):
    """李四, window clerk at the district centre (no workdays.manage)."""
    from onewindow.org.models import Role
    from onewindow.org.services import department_upsert, staff_create

    market = department_upsert(actor=None, code="SCJG", name="区市场监管局", order=1)
    return staff_create(
        actor=None,
        username="lisi",
        display_name="李四",
        password=PASSWORD,
        roles=[(Role.WINDOW_CLERK, market, centre)],
    )
