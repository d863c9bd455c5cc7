"""Ranking fixtures: two departments, the named people and a round in any state.

People: 吴敏 (wumin, centre administrator), 赵六 (zhaoliu, supervisor), 李四 (lisi, window
clerk), 孙丽 (sunli, section chief of 区市场监管局), 韩梅 (hanmei, section chief of
区卫生健康委). Voters are resident ID numbers with valid check digits (``voter(n)``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from onewindow.common.identifiers import resident_id_check_char
from onewindow.org.models import Department, RoleAssignment, User
from onewindow.ranking import services as svc
from onewindow.ranking.models import EvaluationRound, RoundOffice
from onewindow.workdays.calendar import SHANGHAI

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


def voter(n: int) -> str:
    """A valid resident ID number, different for every ``n``."""
    first17 = f"5001021990{(n // 28) % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}"
    return first17 + resident_id_check_char(first17)


@pytest.fixture
def departments(db: Any) -> dict[str, Department]:
    market = Department.objects.create(code="SCJG", name="区市场监管局", order=1)
    health = Department.objects.create(code="WSJK", name="区卫生健康委", order=2)
    tax = Department.objects.create(code="SW", name="区税务局", order=3)
    return {"market": market, "health": health, "tax": tax}


def _user(username: str, name: str, role: str, department: Department | None) -> User:
    user = User.objects.create(username=username, display_name=name)
    RoleAssignment.objects.create(user=user, role=role, department=department)
    return user


@pytest.fixture
def people(departments: dict[str, Department]) -> dict[str, User]:
    return {
        "wumin": _user("wumin", "吴敏", "centre_admin", None),
        "zhaoliu": _user("zhaoliu", "赵六", "supervisor", None),
        "lisi": _user("lisi", "李四", "window_clerk", None),
        "sunli": _user("sunli", "孙丽", "section_chief", departments["market"]),
        "hanmei": _user("hanmei", "韩梅", "section_chief", departments["health"]),
        "zhangsan": User.objects.create(username="zhangsan", display_name="张三"),
    }


def make_round(
    people: dict[str, User], departments: dict[str, Department], *, status: str = "draft"
) -> EvaluationRound:
    r = svc.round_create(
        actor=people["wumin"],
        title="2026年第四季度最难办事科室群众评",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 12, 31),
        offices=[
            (departments["market"], "登记注册科"),
            (departments["market"], "食品经营许可科"),
            (departments["health"], ""),
            (departments["tax"], "办税服务厅"),
        ],
        exposed_count=2,
        talk_count=1,
        now=NOW,
    )
    steps = ["open", "close", "publish"]
    target = {"draft": 0, "open": 1, "closed": 2, "published": 3}[status]
    for action in steps[:target]:
        getattr(svc, f"round_{action}")(round=r, actor=people["wumin"], now=NOW)
    return r


def office(r: EvaluationRound, department_code: str, section: str = "") -> RoundOffice:
    return RoundOffice.objects.get(round=r, department__code=department_code, section=section)


@pytest.fixture
def open_round(people: dict[str, User], departments: dict[str, Department]) -> EvaluationRound:
    return make_round(people, departments, status="open")
