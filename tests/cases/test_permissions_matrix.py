"""Who may see and do what with a case of 区卫生健康委 (allowed, forbidden → 403, another
department's or another applicant's case → 404), through selectors, services and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.cases.inbox import inbox, task_for
from onewindow.cases.models import Case
from onewindow.cases.selectors import case_by_number_and_id, case_for, visible_cases
from onewindow.cases.services.processing import case_decide, case_suspend, task_claim
from onewindow.catalog.models import ItemVersion
from onewindow.common.errors import NotFound, PermissionDenied
from tests.cases.test_processing_support import accepted_case, at, media_root  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def case(hygiene_licence: ItemVersion, people: dict[str, Any]) -> Case:
    return accepted_case(hygiene_licence, people["zhangsan"], people["lisi"], when=at(2026, 3, 2))


def api(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(c: Client, url: str, body: dict | None = None) -> Any:
    return c.post(url, body or {}, content_type="application/json")


# (username, may see the case, may see its decide task)
SEE = [
    ("zhangsan", True, False),  # the applicant
    ("qianqi", False, False),  # another applicant
    ("lisi", True, False),  # window clerk, every department
    ("wangwu", False, False),  # approver of 区市场监管局
    ("sunli", False, False),  # section chief of 区市场监管局
    ("hanmei", True, True),  # approver + section chief of 区卫生健康委
    ("zhaoliu", True, False),  # supervisor: sees everything, acts on nothing
]


@pytest.mark.parametrize(("username", "sees_case", "sees_task"), SEE)
def test_who_sees_the_case_and_its_task(
    case: Case, people: dict[str, Any], username: str, sees_case: bool, sees_task: bool
) -> None:
    user = people[username]
    task = case.tasks.get()
    assert visible_cases(user).filter(pk=case.pk).exists() is sees_case
    assert inbox(user).filter(pk=task.pk).exists() is sees_task
    if sees_task:
        assert task_for(user, task.pk) == task
    else:
        with pytest.raises(NotFound):
            task_for(user, task.pk)
    if not sees_case:
        with pytest.raises(NotFound):
            case_for(user, case.number)
    c = api(user)
    claim = post(c, f"/api/v1/tasks/{task.pk}/claim")
    decide = post(c, f"/api/v1/cases/{case.number}/decide", {"outcome": "approve"})
    if username == "hanmei":
        assert claim.status_code == 200
        assert decide.status_code == 200
    elif sees_case:
        assert decide.status_code == 403, decide.json()
        assert decide.json()["code"] in ("decision_forbidden", "permission_denied")
        assert claim.status_code == 404
    else:
        assert decide.status_code == 404
        assert decide.json()["code"] == "case_not_found"
        assert claim.status_code == 404


def test_an_approver_of_another_department_cannot_act(case: Case, people: dict[str, Any]) -> None:
    wangwu = people["wangwu"]
    with pytest.raises(PermissionDenied):
        task_claim(actor=wangwu, task=case.tasks.get())
    with pytest.raises(PermissionDenied):
        case_decide(actor=wangwu, case=case, outcome="approve")
    with pytest.raises(PermissionDenied):
        case_suspend(actor=wangwu, case=case, kind="hearing", reason="听证")
    r = post(
        api(wangwu), f"/api/v1/cases/{case.number}/suspend", {"kind": "hearing", "reason": "听证"}
    )
    assert r.status_code == 404


def test_the_supervisor_sees_but_does_not_act(case: Case, people: dict[str, Any]) -> None:
    zhaoliu = api(people["zhaoliu"])
    for url, body in [
        ("suspend", {"kind": "hearing", "reason": "听证"}),
        ("return", {"reasons": "补正"}),
        ("withdraw", {}),
        ("decide", {"outcome": "refuse", "reason": "不符合"}),
    ]:
        r = post(zhaoliu, f"/api/v1/cases/{case.number}/{url}", body)
        assert r.status_code == 403, (url, r.json())
    assert zhaoliu.get("/api/v1/tasks").json() == []


def test_applicants_see_only_their_own_cases(case: Case, people: dict[str, Any]) -> None:
    qianqi = api(people["qianqi"])
    r = post(qianqi, f"/api/v1/cases/{case.number}/withdraw")
    assert r.status_code == 404
    r = post(qianqi, f"/api/v1/cases/{case.number}/correction-supplied")
    assert r.status_code == 404
    assert case_for(people["zhangsan"], case.number) == case


def test_a_window_clerk_cannot_decide_over_http(case: Case, people: dict[str, Any]) -> None:
    r = post(api(people["lisi"]), f"/api/v1/cases/{case.number}/decide", {"outcome": "approve"})
    assert r.status_code == 403


def test_anonymous_lookup_needs_number_and_id_together(case: Case) -> None:
    resident_id = case.applicant.resident_id
    assert case_by_number_and_id(case.number, resident_id) == case
    for number, id_number in [
        (case.number, ""),
        ("", resident_id),
        (case.number, "110101199003074514"),
        ("P20990101000001", resident_id),
    ]:
        with pytest.raises(NotFound):
            case_by_number_and_id(number, id_number)


def test_the_admin_is_read_only_and_scoped(case: Case, people: dict[str, Any]) -> None:
    change = f"/admin/cases/case/{case.pk}/change/"
    hanmei = api(people["hanmei"])
    r = hanmei.get("/admin/cases/case/")
    assert r.status_code == 200
    assert case.number in r.content.decode()
    r = hanmei.get(change)
    assert r.status_code == 200
    assert "保存" not in r.content.decode()  # read-only: no save button
    assert hanmei.post(change, {}).status_code == 403
    assert hanmei.get(f"/admin/cases/task/?q={case.number}").status_code == 200
    # 王五 works for 区市场监管局: the case is not there.
    wangwu = api(people["wangwu"])
    assert case.number not in wangwu.get("/admin/cases/case/").content.decode()
    assert wangwu.get(change).status_code == 404
    # An applicant has no back office at all.
    assert api(people["zhangsan"]).get("/admin/cases/case/").status_code == 302
