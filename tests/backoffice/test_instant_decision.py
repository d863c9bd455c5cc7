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
from onewindow.cases.steps import task_kind, task_name
from onewindow.catalog.models import StepKind
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
    html = page.content.decode()
    assert 'value="decide"' in html
    assert "任务：决定" in html
    assert "任务：受理" not in html
    assert f"<title>决定 {case.number}" in html
    assert "<li>决定 · " in html  # the case's task list on the same page
    home = client_for(people["sunli"]).get(reverse("backoffice:home")).content.decode()
    assert f"{case.number} {INSTANT} · 决定" in home
    listed = client_for(people["sunli"]).get(reverse("backoffice:tasks")).content.decode()
    row = listed[listed.index(case.number) :]
    row = row[: row.index("</tr>")]
    assert "<td>决定</td>" in row
    assert "受理" not in row
    done = client_for(people["sunli"]).post(
        url, {"action": "decide", "outcome": "approve", "reason": "符合登记条件"}
    )
    assert done.status_code == 302
    case = reload(case)
    assert case.status == CaseStatus.APPROVED
    assert case.decided_by == people["sunli"]
    assert case.tasks.get().status == TaskStatus.DONE
    # once done it still reads as the decision it was
    assert "任务：决定" in client_for(people["sunli"]).get(url).content.decode()


def test_a_task_is_named_by_its_step_unless_it_is_a_decision_on_the_accept_step(
    people: dict[str, User],
) -> None:
    review_case = online_case("公共场所卫生许可证核发", people["zhangsan"])
    case_accept(actor=people["lisi"], case=review_case)
    review = reload(review_case).tasks.get(status=TaskStatus.OPEN)
    assert task_kind(review) == review.step.kind
    assert task_name(review) == review.step.name
    instant = online_case(INSTANT, people["zhangsan"])
    case_accept(actor=people["lisi"], case=instant)
    decision = reload(instant).tasks.get(status=TaskStatus.OPEN)
    assert decision.step.kind == StepKind.ACCEPT
    assert (task_kind(decision), task_name(decision)) == (StepKind.DECIDE, "决定")
