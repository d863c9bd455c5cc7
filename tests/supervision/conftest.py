"""Supervision fixtures: the demo district (module-scoped, rolled back), its named people,
and helpers to read a case's light. 赵六 (zhaoliu) is the centre's supervisor; 孙丽 (sunli)
the section chief and 周强 (zhouqiang) the chief representative of 区市场监管局; 韩梅
(hanmei) approver and section chief of 区卫生健康委; 冯静 (fengjing) its department
administrator; 吴敏 (wumin) the centre administrator."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.cases.models import Case
from onewindow.supervision.models import CaseLight
from tests.cases.conftest import hygiene_licence, people, zhangsan_applicant  # noqa: F401
from tests.cases.test_processing_support import media_root  # noqa: F401
from tests.demo.conftest import demo  # noqa: F401


def light_of(case: Case) -> CaseLight:
    return CaseLight.objects.get(case=case)


@pytest.fixture
def no_alerts(settings: Any) -> None:
    settings.SUPERVISION = {**settings.SUPERVISION, "ALERTS": "off"}
