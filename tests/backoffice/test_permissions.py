"""The back office's permission matrix: every screen for each named person — allowed (200),
forbidden (403, in Chinese), another department's object (404), anonymous (to the login)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.cases.models import Case
from onewindow.cases.services.acceptance import case_accept
from onewindow.org.models import User
from tests.backoffice.conftest import client_for, online_case

pytestmark = pytest.mark.django_db

# 李四 window clerk (centre-wide), 王五 approver 区市场监管局, 韩梅 approver + section chief
# 区卫生健康委, 周强 chief representative 区市场监管局, 赵六 supervisor, 张三 applicant.
PEOPLE = ["lisi", "wangwu", "hanmei", "zhouqiang", "zhaoliu", "zhangsan"]


@pytest.fixture
def hygiene_case(people: dict[str, User]) -> Case:
    """An accepted 公共场所卫生许可证核发 (区卫生健康委) case with its decide task open."""
    case = online_case("公共场所卫生许可证核发", people["zhangsan"])
    case_accept(actor=people["lisi"], case=case)
    return case


@pytest.fixture
def waiting_case(people: dict[str, User]) -> Case:
    return online_case("公共场所卫生许可证核发", people["zhangsan"])


def statuses(people: dict[str, User], url: str) -> dict[str, int]:
    return {name: client_for(people[name]).get(url).status_code for name in PEOPLE}


def test_home_is_for_staff_only(people: dict[str, User]) -> None:
    url = reverse("backoffice:home")
    assert statuses(people, url) == {
        "lisi": 200,
        "wangwu": 200,
        "hanmei": 200,
        "zhouqiang": 200,
        "zhaoliu": 200,
        "zhangsan": 403,
    }
    denied = client_for(people["zhangsan"]).get(url)
    assert "您没有使用该功能的权限" in denied.content.decode()
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("org:login"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("window", {"lisi": 200, "zhouqiang": 200, "wangwu": 403, "hanmei": 403}),
        ("acceptance", {"lisi": 200, "zhouqiang": 200, "wangwu": 403, "hanmei": 403}),
        ("results", {"lisi": 200, "zhouqiang": 200, "wangwu": 403, "hanmei": 403}),
        ("tasks", {"lisi": 403, "zhouqiang": 200, "wangwu": 200, "hanmei": 200}),
        ("cases", {"lisi": 200, "zhouqiang": 200, "wangwu": 200, "hanmei": 200}),
    ],
)
def test_screens_by_capability(
    people: dict[str, User], name: str, expected: dict[str, int]
) -> None:
    got = statuses(people, reverse(f"backoffice:{name}"))
    assert {k: got[k] for k in expected} == expected
    assert got["zhangsan"] == 403
    assert got["zhaoliu"] == (200 if name == "cases" else 403)


def test_menu_is_built_from_capabilities(people: dict[str, User]) -> None:
    def menu(username: str) -> list[str]:
        html = client_for(people[username]).get(reverse("backoffice:home")).content.decode()
        nav = html.split('class="bo-menu"', 1)[1].split("</nav>", 1)[0]
        labels = ["一窗受理", "受理队列", "我的任务", "办结出件", "办件查询"]
        return [label for label in labels if f">{label}</a>" in nav]

    assert menu("lisi") == ["一窗受理", "受理队列", "办结出件", "办件查询"]
    assert menu("hanmei") == ["我的任务", "办件查询"]
    assert menu("zhouqiang") == ["一窗受理", "受理队列", "我的任务", "办结出件", "办件查询"]
    assert menu("zhaoliu") == ["办件查询"]


def test_acceptance_page_matrix(people: dict[str, User], waiting_case: Case) -> None:
    url = reverse("backoffice:accept", args=[waiting_case.number])
    got = statuses(people, url)
    # 周强 accepts for 区市场监管局: the 区卫生健康委 case is not there (404). 王五 accepts
    # nowhere (the screen is closed); 韩梅 sees the case but does not accept; 赵六 reads
    # every case but accepts none.
    assert got == {
        "lisi": 200,
        "wangwu": 403,
        "hanmei": 403,
        "zhouqiang": 404,
        "zhaoliu": 403,
        "zhangsan": 403,
    }
    assert "您没有使用该功能的权限" in client_for(people["hanmei"]).get(url).content.decode()


def test_task_page_matrix(people: dict[str, User], hygiene_case: Case) -> None:
    task = hygiene_case.tasks.get()
    url = reverse("backoffice:task", args=[task.pk])
    got = statuses(people, url)
    assert got == {
        "lisi": 403,
        "wangwu": 404,
        "hanmei": 200,
        "zhouqiang": 404,
        "zhaoliu": 403,
        "zhangsan": 403,
    }
    # Acting on another department's task is the same 404.
    response = client_for(people["wangwu"]).post(url, {"action": "claim"})
    assert response.status_code == 404
    assert hygiene_case.tasks.get().status == "open"


def test_case_page_matrix_and_supervisor_read_only(
    people: dict[str, User], hygiene_case: Case
) -> None:
    url = reverse("backoffice:case", args=[hygiene_case.number])
    got = statuses(people, url)
    assert got == {
        "lisi": 200,
        "wangwu": 404,
        "hanmei": 200,
        "zhouqiang": 404,
        "zhaoliu": 200,
        "zhangsan": 403,
    }
    html = client_for(people["zhaoliu"]).get(url).content.decode()
    main = html.split('class="bo-main"', 1)[1]
    assert hygiene_case.number in main
    assert "<form" not in main
    # A supervisor's POST is refused by the service, in Chinese, and changes nothing.
    response = client_for(people["zhaoliu"]).post(url, {"action": "conclude"})
    assert response.status_code == 409
    assert "不能执行“办结”" in response.content.decode()


def test_files_follow_the_case_scope(people: dict[str, User], hygiene_case: Case) -> None:
    material = hygiene_case.materials.exclude(file="").first()
    notice = hygiene_case.notices.get()
    file_url = reverse("backoffice:material_file", args=[hygiene_case.number, material.pk])
    pdf_url = reverse("backoffice:notice_pdf", args=[hygiene_case.number, notice.pk])
    for url, content_type in ((file_url, "application/pdf"), (pdf_url, "application/pdf")):
        ok = client_for(people["hanmei"]).get(url)
        assert ok.status_code == 200
        assert ok["Content-Type"] == content_type
        assert b"".join(ok.streaming_content).startswith(b"%PDF")
        assert client_for(people["wangwu"]).get(url).status_code == 404
        assert client_for(people["zhangsan"]).get(url).status_code == 403


def test_login_sends_staff_to_the_back_office(people: dict[str, User], password: str) -> None:
    def landing(username: str) -> str:
        client = Client()
        response = client.post(reverse("org:login"), {"username": username, "password": password})
        return response["Location"]

    for username in ("lisi", "hanmei", "zhouqiang", "zhaoliu"):
        assert landing(username) == reverse("backoffice:home"), username
    assert landing("zhangsan") == reverse("portal:home")
