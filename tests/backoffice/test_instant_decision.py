"""An instant item (即办件) accepted by a clerk who may not decide on the spot: the decision
waits in the section chiefs' inbox and is taken from the task page (it used to wait in no
inbox at all)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases.inbox import inbox
from onewindow.cases.models import Case, TaskStatus
from onewindow.cases.services.acceptance import case_accept
from onewindow.cases.states import CaseStatus
from onewindow.org.models import User
from tests.backoffice.conftest import client_for, online_case, reload

pytestmark = pytest.mark.django_db
INSTANT = "个体工商户设立登记"


def test_the_decision_of_an_instant_item_waits_in_the_chiefs_inbox(
    people: dict[str, User],
) -> None:
    case: Case = online_case(INSTANT, people["zhangsan"])
    assert case.item_version.is_instant
    case_accept(actor=people["lisi"], case=case)  # 李四 accepts; he cannot decide
    case = reload(case)
    assert case.status == CaseStatus.IN_DECISION
    task = case.tasks.get(status=TaskStatus.OPEN)
    assert task.role == "section_chief"
    assert task.department_id == case.department_id
    assert task in inbox(people["sunli"])  # 区市场监管局's section chief
    assert task not in inbox(people["wangwu"])  # an approver of the same department
    url = reverse("backoffice:task", args=[task.pk])
    page = client_for(people["sunli"]).get(url)
    assert page.status_code == 200
    assert 'value="decide"' in page.content.decode()
    done = client_for(people["sunli"]).post(
        url, {"action": "decide", "outcome": "approve", "reason": "符合登记条件"}
    )
    assert done.status_code == 302
    case = reload(case)
    assert case.status == CaseStatus.APPROVED
    assert case.decided_by == people["sunli"]
    assert case.tasks.get().status == TaskStatus.DONE
