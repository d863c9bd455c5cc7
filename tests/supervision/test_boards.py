"""The boards, the API and the colour badge: the permission matrix (allowed, forbidden,
another department → 404) and what they show."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from onewindow.cases.models import Case, Task
from onewindow.cases.services.processing import task_claim
from onewindow.org.models import Department, User
from onewindow.supervision.services import lights_sweep
from tests.cases.conftest import published
from tests.cases.test_processing_support import accepted_case, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "no_alerts")]

HALL = "/backoffice/supervision/"
DEPT = "/backoffice/supervision/department/"
API = "/api/v1/supervision/"


@pytest.fixture
def reds(people: dict[str, Any], hygiene_licence: Any) -> dict[str, Case]:
    """Red on 2026-03-06: a 营业执照设立登记 case of 区市场监管局 (claimed by its holder)
    and a 公共场所卫生许可证核发 case of 区卫生健康委."""
    scjg = accepted_case(
        published("营业执照设立登记"), people["zhangsan"], people["lisi"], when=at(2026, 3, 2, 9)
    )
    task = Task.objects.get(case=scjg, status="open")
    holder = people["wangwu"] if task.role == "approver" else people["sunli"]
    task_claim(actor=holder, task=task, now=at(2026, 3, 2, 10))
    wsjk = accepted_case(hygiene_licence, people["qianqi"], people["lisi"], when=at(2026, 3, 2, 9))
    lights_sweep(now=at(2026, 3, 6, 10))
    return {"SCJGJ": scjg, "WSJKW": wsjk, "holder": holder}


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("username", "hall", "dept"),
    [
        (None, 302, 302),  # anonymous: to the login page
        ("zhangsan", 403, 403),  # an applicant
        ("lisi", 403, 403),  # a window clerk: no supervision capability
        ("wangwu", 403, 403),  # an approver
        ("zhaoliu", 200, 403),  # the centre's supervisor: the hall's board
        ("sunli", 403, 200),  # a section chief: the department's board
        ("zhouqiang", 403, 200),  # a chief representative
        ("wumin", 200, 403),  # the centre administrator
    ],
)
def test_who_may_open_the_boards(
    username: str | None, hall: int, dept: int, people: dict[str, Any], reds: dict[str, Any]
) -> None:
    client = client_for(User.objects.get(username=username) if username else None)
    assert client.get(HALL).status_code == hall
    assert client.get(DEPT).status_code == dept


def test_the_hall_board_counts_every_department_and_lists_the_reds(
    people: dict[str, Any], reds: dict[str, Any]
) -> None:
    with time_machine.travel(at(2026, 3, 6, 11), tick=False):
        page = client_for(people["zhaoliu"]).get(HALL)
    html = page.content.decode()
    assert "区市场监管局" in html
    assert "区卫生健康委" in html
    assert reds["SCJGJ"].number in html
    assert reds["WSJKW"].number in html
    holder = reds["holder"]
    assert str(holder) in html
    assert "4 个工作日" in html  # claimed Monday 03-02, now Friday 03-06
    # the menu offers it
    assert 'href="/backoffice/supervision/"' in html


def test_filters_by_department_and_colour(people: dict[str, Any], reds: dict[str, Any]) -> None:
    wsjk = Department.objects.get(code="WSJKW")
    client = client_for(people["zhaoliu"])
    html = client.get(HALL, {"department": wsjk.pk}).content.decode()
    assert reds["WSJKW"].number in html
    assert reds["SCJGJ"].number not in html
    html = client.get(HALL, {"colour": 0}).content.decode()
    assert reds["WSJKW"].number not in html


def test_a_department_sees_only_its_own_and_another_department_is_404(
    people: dict[str, Any], reds: dict[str, Any]
) -> None:
    client = client_for(people["sunli"])  # section chief of 区市场监管局
    html = client.get(DEPT).content.decode()
    assert reds["SCJGJ"].number in html
    assert reds["WSJKW"].number not in html
    wsjk = Department.objects.get(code="WSJKW")
    assert client.get(DEPT, {"department": wsjk.pk}).status_code == 404
    api = client.get(API + "red-list", {"scope": "department", "department": wsjk.pk})
    assert api.status_code == 404
    assert api.json()["code"] == "department_not_found"


def test_the_api_counts_and_red_list(people: dict[str, Any], reds: dict[str, Any]) -> None:
    client = client_for(people["zhaoliu"])
    counts = client.get(API + "lights").json()
    assert counts["red"] + counts["legal"] >= 2  # 营业执照: 3 legal days, past them
    assert counts["total"] == sum(counts[k] for k in ("green", "yellow", "red", "legal"))
    by_dept = {d["department"]: d for d in counts["departments"]}
    assert by_dept["区市场监管局"]["red"] + by_dept["区市场监管局"]["legal"] >= 1
    with time_machine.travel(at(2026, 3, 6, 11), tick=False):
        rows = {r["number"]: r for r in client.get(API + "red-list").json()}
    row = rows[reds["SCJGJ"].number]
    assert row["colour"] >= 2
    assert row["holding_workdays"] == 4
    assert row["promised_due_at"].startswith("2026-03-03T")
    # a section chief asking for the hall: 403; with scope=department: their own only
    chief = client_for(people["sunli"])
    denied = chief.get(API + "lights")
    assert denied.status_code == 403
    assert denied.json()["code"] == "permission_denied"
    own = chief.get(API + "red-list", {"scope": "department"}).json()
    assert {r["number"] for r in own} == {reds["SCJGJ"].number}
    assert client_for(None).get(API + "lights").status_code == 401


def test_the_badge_on_case_screens(people: dict[str, Any], reds: dict[str, Any]) -> None:
    number = reds["SCJGJ"].number
    staff = client_for(people["zhaoliu"])
    assert 'class="light-badge light-' in staff.get(f"/backoffice/cases/{number}/").content.decode()
    assert "light-badge" in staff.get("/backoffice/cases/", {"q": number}).content.decode()
    applicant = client_for(people["zhangsan"])
    assert "light-badge" in applicant.get("/my/cases/").content.decode()
    assert "light-badge" in applicant.get(f"/my/cases/{number}/").content.decode()
