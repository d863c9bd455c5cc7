"""Ratings fixtures: the demo district (module-scoped, rolled back), its named people, and
concluded cases built quickly: submitted and moved to a decision directly through
``apply_transition`` (the cases tests cover those steps), then concluded through the real
``case_conclude`` so that ``case_concluded`` fires as in production.

People: 张三 (zhangsan, applicant), 钱七 (qianqi, another applicant), 李四 (lisi, window
clerk), 王五 (wangwu, approver of 区市场监管局), 韩梅 (hanmei, section chief of 区卫生健康委:
handles its rectifications), 孙丽 (sunli, section chief of 区市场监管局: another department),
冯静 (fengjing, department admin of 区卫生健康委), 赵六 (zhaoliu, supervisor: closes).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import override_settings

from onewindow.cases.models import Case
from onewindow.cases.services.delivery import case_conclude
from onewindow.cases.states import CaseStatus
from onewindow.cases.workflow import apply_transition
from onewindow.org.models import Applicant, User
from tests.cases.conftest import published
from tests.cases.test_processing_support import submitted_case
from tests.demo.conftest import demo  # noqa: F401  (module-scoped demo district)

SH = ZoneInfo("Asia/Shanghai")
HYGIENE = "公共场所卫生许可证核发"  # 区卫生健康委 (WSJKW)
MARKET = "食品经营许可证核发"  # 区市场监管局


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def people(demo: Any, db: Any) -> dict[str, User]:  # noqa: F811
    names = ["zhangsan", "qianqi", "lisi", "wangwu", "hanmei", "sunli", "fengjing", "zhaoliu"]
    names += ["zhouqiang", "wumin", "admin"]
    return {u.username: u for u in User.objects.filter(username__in=names)}


@pytest.fixture(autouse=True)
def _files(tmp_path: Path) -> Iterator[None]:
    with override_settings(MEDIA_ROOT=tmp_path / "media", NOTIFY_OUTBOX_DIR=tmp_path / "outbox"):
        yield


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def decided_case(
    people: dict[str, User], *, when: datetime, item: str = HYGIENE, user: str = "zhangsan"
) -> Case:
    """A case of ``user``'s natural-person applicant, accepted and approved at ``when``."""
    version = published(item)
    applicant = Applicant.objects.get(users=people[user], kind="natural")
    case = submitted_case(version, people[user], when=when, applicant=applicant)
    admin = people["admin"]
    with transaction.atomic():
        case.accepted_at, case.accepted_by = when, people["lisi"]
        apply_transition(case, "accept", actor=admin, target=CaseStatus.IN_DECISION, now=when)
        case.decided_at, case.decided_by = when, people["hanmei"]
        apply_transition(case, "approve", actor=admin, target=CaseStatus.APPROVED, now=when)
    return reload(case)


def concluded_case(
    people: dict[str, User], *, when: datetime, item: str = HYGIENE, user: str = "zhangsan"
) -> Case:
    case = decided_case(people, when=when, item=item, user=user)
    case_conclude(actor=people["admin"], case=case, delivery_method="window", now=when)
    return reload(case)
