"""Org fixtures: two departments, a district centre and a town, and the named people."""

from __future__ import annotations

from datetime import date

import pytest

from onewindow.org.models import Role
from onewindow.org.services import (
    department_upsert,
    service_point_upsert,
    staff_create,
)

PASSWORD = "Onewindow-2026"
TODAY = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def market(db):
    return department_upsert(
        actor=None, code="SCJG", name="区市场监管局", uscc="91350100M000100Y43", order=1
    )


@pytest.fixture
def tax(db):
    return department_upsert(actor=None, code="SW", name="区税务局", order=2)


@pytest.fixture
def town(centre):
    return service_point_upsert(
        actor=None, code="T01", name="东城街道便民服务中心", level="town", parent=centre
    )


@pytest.fixture
def market_admin(market):
    """孙九, the market regulator's department administrator."""
    return staff_create(
        actor=None,
        username="sunjiu",
        display_name="孙九",
        password=PASSWORD,
        roles=[(Role.DEPARTMENT_ADMIN, market, None)],
    )


@pytest.fixture
def tax_admin(tax):
    """吴十, the tax bureau's department administrator."""
    return staff_create(
        actor=None,
        username="wushi",
        display_name="吴十",
        password=PASSWORD,
        roles=[(Role.DEPARTMENT_ADMIN, tax, None)],
    )


@pytest.fixture
def lisi(market, centre):
    """李四, window clerk at the district centre (market regulator)."""
    return staff_create(
        actor=None,
        username="lisi",
        display_name="李四",
        password=PASSWORD,
        roles=[(Role.WINDOW_CLERK, market, centre)],
    )


@pytest.fixture
def wangwu(market):
    """王五, chief representative of the market regulator in the hall."""
    return staff_create(
        actor=None,
        username="wangwu",
        display_name="王五",
        password=PASSWORD,
        roles=[(Role.CHIEF_REPRESENTATIVE, market, None)],
    )


@pytest.fixture
def tax_officer(tax):
    """郑十一, approver at the tax bureau."""
    return staff_create(
        actor=None,
        username="zhengshiyi",
        display_name="郑十一",
        password=PASSWORD,
        roles=[(Role.APPROVER, tax, None)],
    )


@pytest.fixture
def zhaoliu(db):
    """赵六, centre-wide supervisor."""
    return staff_create(
        actor=None,
        username="zhaoliu",
        display_name="赵六",
        password=PASSWORD,
        roles=[(Role.SUPERVISOR, None, None)],
    )
