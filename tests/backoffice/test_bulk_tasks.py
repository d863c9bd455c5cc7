"""批量办理 on the back-office inbox: the ticked review tasks completed with one opinion
(``cases.bulk.tasks_complete``); who may (allowed / forbidden / another department's tasks
not found / anonymous to the login) and what each person sees."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.cases.models import Case, Task, TaskStatus
from onewindow.cases.states import CaseStatus
from onewindow.org.models import User
from tests.backoffice.conftest import client_for, reload
from tests.cases.test_bulk_transitions import CLINIC, in_processing

pytestmark = pytest.mark.django_db

URL = reverse("backoffice:tasks")


@pytest.fixture
def clinic_cases(people: dict[str, User]) -> list[Case]:
    """Two 医疗机构执业登记 cases (区卫生健康委) in review, a task each in 韩梅's inbox."""
    return in_processing(CLINIC, people, 2)


def task_ids(cases: list[Case]) -> list[int]:
    return [Task.objects.get(case=c, status=TaskStatus.OPEN).pk for c in cases]


def post(c: Client, ids: list[int], opinion: str = "材料齐全，同意") -> Any:
    return c.post(URL, {"task": [str(i) for i in ids], "opinion": opinion}, follow=True)


def shown(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_who_may_complete_tasks_in_bulk(people: dict[str, User], clinic_cases: list[Case]) -> None:
    ids = task_ids(clinic_cases)
    anonymous = Client().post(URL, {"task": ids, "opinion": "同意"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("org:login"))
    for name in ("zhangsan", "lisi"):  # an applicant, a window clerk: not a task holder
        r = client_for(people[name]).post(URL, {"task": ids, "opinion": "同意"})
        assert r.status_code == 403, name
        assert "您没有使用该功能的权限" in r.content.decode()
    # 王五 reviews for 区市场监管局: 区卫生健康委's tasks are not there for him
    r = post(client_for(people["wangwu"]), ids)
    assert r.status_code == 200
    assert shown(r) == ["2项任务未找到"]
    assert [reload(c).status for c in clinic_cases] == [CaseStatus.IN_REVIEW] * 2

    r = post(client_for(people["hanmei"]), ids)
    assert r.status_code == 200
    assert shown(r) == ["已批量完成2项审查任务，其中2件转入下一环节"]
    assert [reload(c).status for c in clinic_cases] == [CaseStatus.IN_DECISION] * 2
    done = Task.objects.filter(pk__in=ids)
    assert {(t.status, t.assignee_id, t.opinion) for t in done} == {
        ("done", people["hanmei"].pk, "材料齐全，同意")
    }
    again = post(client_for(people["hanmei"]), ids[:1])  # each refusal named with its case
    assert shown(again) == [f"{clinic_cases[0].number}：该任务已结束"]


def test_the_inbox_offers_its_review_tasks_for_batch_processing(
    people: dict[str, User], clinic_cases: list[Case]
) -> None:
    ids = task_ids(clinic_cases)
    page = client_for(people["hanmei"]).get(URL).content.decode()
    assert "批量办理" in page
    assert "批量完成审查" in page
    for pk in ids:
        assert f'name="task" value="{pk}"' in page
    other = client_for(people["wangwu"]).get(URL).content.decode()
    assert all(f'value="{pk}"' not in other for pk in ids)


def test_nothing_ticked_or_no_opinion_changes_nothing(
    people: dict[str, User], clinic_cases: list[Case]
) -> None:
    hanmei = client_for(people["hanmei"])
    assert shown(post(hanmei, [])) == ["请勾选要批量办理的任务"]
    assert shown(post(hanmei, task_ids(clinic_cases), opinion="  ")) == ["请填写审查意见"]
    assert [reload(c).status for c in clinic_cases] == [CaseStatus.IN_REVIEW] * 2
