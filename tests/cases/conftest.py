"""Cases fixtures: the demo district (loaded once per module through the services, rolled
back at the end), its named people and a few real items.

People: 张三 (zhangsan, applicant), 钱七 (qianqi, another applicant), 李四 (lisi, window clerk
at the district centre), 王五 (wangwu, approver of 区市场监管局), 孙丽 (sunli, section chief of
区市场监管局), 周强 (zhouqiang, chief representative of 区市场监管局 holding the authorisation
letter), 韩梅 (hanmei, approver and section chief of 区卫生健康委), 赵六 (zhaoliu, supervisor),
陈晨 (chenchen, pre-reviewer).
"""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.catalog.models import ItemVersion
from onewindow.org.models import Applicant, User
from tests.demo.conftest import demo  # noqa: F401  (module-scoped demo district)


@pytest.fixture
def people(demo: Any, db: Any) -> dict[str, User]:  # noqa: F811
    names = ["zhangsan", "qianqi", "lisi", "wangwu", "sunli", "zhouqiang", "hanmei"]
    names += ["zhaoliu", "chenchen", "shunda", "admin"]
    return {u.username: u for u in User.objects.filter(username__in=names)}


@pytest.fixture
def zhangsan_applicant(people: dict[str, User]) -> Applicant:
    return Applicant.objects.get(users=people["zhangsan"], kind="natural")


def published(name: str) -> ItemVersion:
    """The published version of the demo item called ``name``."""
    return ItemVersion.objects.select_related("item", "item__department").get(
        name=name, status="published"
    )


@pytest.fixture
def hygiene_licence(demo: Any, db: Any) -> ItemVersion:  # noqa: F811
    """公共场所卫生许可证核发 (区卫生健康委): accept → decide → conclude in the demo, core and
    non-core materials, 20 legal / 3 promised working days."""
    return published("公共场所卫生许可证核发")
