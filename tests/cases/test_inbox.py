"""The task inbox: scoped by role and department, the most urgent first, claimed tasks
follow their assignee, no N+1 queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.cases.inbox import inbox, task_for
from onewindow.cases.services.processing import task_claim, task_release
from onewindow.catalog.models import ItemVersion
from onewindow.common.errors import NotFound, PermissionDenied, ValidationFailed
from onewindow.org.models import Role, RoleAssignment, User
from tests.cases.conftest import published
from tests.cases.test_processing_support import accepted_case, at, media_root  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def approver_colleague(version: ItemVersion) -> User:
    """刘洋: an approver (only) of the item's department."""
    user = User.objects.create_user("liuyang", password="Onewindow-2026x", first_name="刘洋")
    RoleAssignment.objects.create(user=user, role=Role.APPROVER, department=version.item.department)
    return user


def test_most_urgent_first_and_scoped_by_role(
    hygiene_licence: ItemVersion, people: dict[str, Any]
) -> None:
    zhangsan, lisi, hanmei = people["zhangsan"], people["lisi"], people["hanmei"]
    clinic = published("医疗机构执业登记")  # 8 working days, review by an approver
    later = accepted_case(hygiene_licence, zhangsan, lisi, when=at(2026, 3, 9))
    sooner = accepted_case(hygiene_licence, zhangsan, lisi, when=at(2026, 3, 2))
    review = accepted_case(clinic, zhangsan, lisi, when=at(2026, 3, 2))
    mine = [t for t in inbox(hanmei) if t.case_id in {later.pk, sooner.pk, review.pk}]
    # 03-02 + 3 working days → 03-05; 03-09 + 3 → 03-12; 03-02 + 8 → 03-12 (then by age).
    assert [t.case_id for t in mine] == [sooner.pk, later.pk, review.pk]
    assert [t.role for t in mine] == ["section_chief", "section_chief", "approver"]

    # An approver-only colleague of 区卫生健康委 sees the review task, not the decisions.
    colleague = approver_colleague(hygiene_licence)
    theirs = {t.case_id for t in inbox(colleague)}
    assert review.pk in theirs
    assert not {sooner.pk, later.pk} & theirs


def test_a_claimed_task_follows_its_assignee(
    hygiene_licence: ItemVersion, people: dict[str, Any]
) -> None:
    hanmei = people["hanmei"]
    case = accepted_case(
        published("医疗机构执业登记"), people["zhangsan"], people["lisi"], when=at(2026, 3, 2)
    )
    task = case.tasks.get()
    colleague = approver_colleague(hygiene_licence)
    task_claim(actor=colleague, task=task)
    assert [t.pk for t in inbox(colleague, status="claimed")] == [task.pk]
    assert task.pk in {t.pk for t in inbox(hanmei)}  # still visible to the department
    assert task.pk not in {t.pk for t in inbox(hanmei, status="open")}
    with pytest.raises(PermissionDenied):  # neither the assignee nor a chief
        task_release(actor=people["lisi"], task=task)
    task_release(actor=hanmei, task=task)  # 韩梅 is the section chief
    assert task.pk in {t.pk for t in inbox(colleague, status="open")}
    with pytest.raises(ValidationFailed):
        list(inbox(hanmei, status="finished"))


def test_other_departments_tasks_are_not_found(
    hygiene_licence: ItemVersion, people: dict[str, Any]
) -> None:
    case = accepted_case(hygiene_licence, people["zhangsan"], people["lisi"], when=at(2026, 3, 2))
    task = case.tasks.get()
    for username in ["wangwu", "sunli", "zhouqiang", "lisi", "zhaoliu", "zhangsan"]:
        assert task.pk not in {t.pk for t in inbox(people[username])}
        with pytest.raises(NotFound):
            task_for(people[username], task.pk)
    assert list(inbox(None)) == []


def test_the_inbox_has_no_n_plus_one(hygiene_licence: ItemVersion, people: dict[str, Any]) -> None:
    for day in (2, 3, 4):
        accepted_case(hygiene_licence, people["zhangsan"], people["lisi"], when=at(2026, 3, day))
    with CaptureQueriesContext(connection) as few:
        rows = list(inbox(people["hanmei"]))
        _ = [(t.case.applicant.name, t.case.item_version.name, t.step.name) for t in rows]
    for day in (5, 6, 9, 10):
        accepted_case(hygiene_licence, people["zhangsan"], people["lisi"], when=at(2026, 3, day))
    with CaptureQueriesContext(connection) as more:
        rows = list(inbox(people["hanmei"]))
        _ = [(t.case.applicant.name, t.case.item_version.name, t.step.name) for t in rows]
    assert len(rows) >= 7
    assert len(more.captured_queries) == len(few.captured_queries)
