"""The screens: the 评价 button and the rating form (Chinese errors), the SMS-link and
kiosk pages, complaints; the staff screens with their permission matrix (allowed,
forbidden, another department's object → 404) and the board."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.cases.models import Case
from onewindow.org.models import Department
from onewindow.ratings.models import Complaint, Rating, Rectification
from onewindow.ratings.services import complaint_submit, link_token, rate_case
from tests.ratings.conftest import at, concluded_case, decided_case

pytestmark = pytest.mark.django_db


def client_of(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def case(people: dict[str, Any]) -> Case:
    # Concluded "now" (the real clock), so that the rating period is open.
    from onewindow.common import clock

    return concluded_case(people, when=clock.now())


@pytest.fixture
def rect(case: Case, people: dict[str, Any]) -> Rectification:
    rating = rate_case(actor=people["zhangsan"], case=case, level=1, comment="太慢")
    return Rectification.objects.get(rating=rating)


@pytest.fixture
def complaint(people: dict[str, Any]) -> Complaint:
    health = Department.objects.get(code="WSJKW")
    return complaint_submit(
        actor=people["zhangsan"], about="department", content="电话打不通", department=health
    )


def test_the_rate_button_and_form(case: Case, people: dict[str, Any]) -> None:
    zs = client_of(people["zhangsan"])
    page = zs.get(reverse("portal:case_detail", args=[case.number])).content.decode()
    url = reverse("ratings:rate", args=[case.number])
    assert f'href="{url}"' in page
    assert ">去评价</a>" in page
    form = zs.get(url).content.decode()
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意", "办事效率", "平台操作性"):
        assert label in form
    # A bad rating without a reason: the Chinese message next to the comment, nothing stored.
    response = zs.post(url, {"level": "2", "comment": ""})
    assert response.status_code == 422
    assert "请填写不满意的原因" in response.content.decode()
    response = zs.post(url, {"level": "9"})
    assert response.status_code == 422
    assert "评价等级应为1至5" in response.content.decode()
    assert not Rating.objects.filter(case=case).exists()
    response = zs.post(url, {"level": "4", "dim_efficiency": "5", "comment": "不错"})
    assert response.status_code == 200
    assert "感谢您的评价" in response.content.decode()
    assert Rating.objects.get(case=case).dimensions == {"overall": 4, "efficiency": 5}
    assert "满意" in zs.get(url).content.decode()  # shows the rating given


def test_rate_page_is_the_applicants_only(people: dict[str, Any]) -> None:
    decided = decided_case(people, when=at(2026, 3, 2))
    concluded = concluded_case(people, when=at(2026, 3, 2))
    url = reverse("ratings:rate", args=[concluded.number])
    assert client_of(people["qianqi"]).get(url).status_code == 404
    assert client_of(people["hanmei"]).get(url).status_code == 404  # staff see cases, not rate
    assert client_of(None).get(url).status_code == 302
    page = client_of(people["zhangsan"]).get(reverse("ratings:rate", args=[decided.number]))
    assert "当前不能评价" in page.content.decode()
    detail = client_of(people["zhangsan"]).get(reverse("portal:case_detail", args=[decided.number]))
    assert reverse("ratings:rate", args=[decided.number]) not in detail.content.decode()


def test_the_sms_link_and_the_kiosk(case: Case, people: dict[str, Any]) -> None:
    anonymous = client_of(None)
    url = reverse("ratings:link", args=[link_token(case)])
    page = anonymous.get(url).content.decode()
    assert case.number in page
    assert "服务效率" not in page
    assert anonymous.get(url[:-3] + "xx/").status_code == 404
    assert anonymous.post(url, {"level": "5"}).status_code == 200
    assert Rating.objects.get(case=case).channel == "sms"

    other = concluded_case(people, when=case.concluded_at)
    kiosk = reverse("ratings:kiosk")
    response = anonymous.post(kiosk, {"number": other.number, "id_number": "X", "level": "5"})
    assert response.status_code == 404
    assert "未找到该办件" in response.content.decode()
    response = anonymous.post(
        kiosk,
        {"number": other.number, "id_number": other.applicant.resident_id, "level": "4"},
    )
    assert response.status_code == 200
    assert other.applicant.resident_id not in response.content.decode()
    assert Rating.objects.get(case=other).channel == "kiosk"


def test_complaint_screens(people: dict[str, Any], complaint: Complaint) -> None:
    zs = client_of(people["zhangsan"])
    response = zs.post(reverse("ratings:complaint_new"), {"about": "department", "content": ""})
    assert response.status_code == 422
    assert "请填写投诉内容" in response.content.decode()
    health = Department.objects.get(code="WSJKW")
    response = zs.post(
        reverse("ratings:complaint_new"),
        {"about": "department", "department": str(health.pk), "content": "办事指南与实际不符"},
    )
    assert response.status_code == 302
    new = Complaint.objects.exclude(pk=complaint.pk).get(applicant__users=people["zhangsan"])
    assert response["Location"] == reverse("ratings:my_complaint", args=[new.pk])
    assert new.number in zs.get(reverse("ratings:my_complaints")).content.decode()
    url = reverse("ratings:my_complaint", args=[new.pk])
    assert client_of(people["qianqi"]).get(url).status_code == 404
    assert client_of(people["lisi"]).get(reverse("ratings:complaint_new")).status_code == 404


STAFF_LISTS = ["ratings:rectifications", "ratings:complaints"]


@pytest.mark.parametrize("name", STAFF_LISTS)
def test_staff_lists_permission_matrix(
    name: str, people: dict[str, Any], rect: Rectification, complaint: Complaint
) -> None:
    url = reverse(name)
    for allowed in ("hanmei", "fengjing", "zhaoliu", "sunli"):
        assert client_of(people[allowed]).get(url).status_code == 200, allowed
    for forbidden in ("lisi", "wangwu", "zhangsan"):
        assert client_of(people[forbidden]).get(url).status_code == 403, forbidden
    assert client_of(None).get(url).status_code == 302
    # Scoped: 孙丽 (区市场监管局) does not see 区卫生健康委's.
    other = client_of(people["sunli"]).get(url).content.decode()
    assert "太慢" not in other
    assert complaint.number not in other
    own = client_of(people["hanmei"]).get(url).content.decode()
    assert "太慢" in own or complaint.number in own


def test_rectification_page_matrix_and_steps(rect: Rectification, people: dict[str, Any]) -> None:
    url = reverse("ratings:rectification", args=[rect.pk])
    assert client_of(people["sunli"]).get(url).status_code == 404  # another department
    assert client_of(people["lisi"]).get(url).status_code == 403
    assert client_of(people["zhaoliu"]).get(url).status_code == 200
    hanmei = client_of(people["hanmei"])
    page = hanmei.get(url).content.decode()
    assert "提交整改" in page
    assert "审核通过" not in page
    response = hanmei.post(url, {"action": "rectify", "finding": "true", "finding_reason": "属实"})
    assert response.status_code == 422
    assert "请填写整改措施" in response.content.decode()
    response = hanmei.post(url, {"action": "close"})  # not the department's step
    assert response.status_code == 409
    response = hanmei.post(
        url,
        {
            "action": "rectify",
            "finding": "true",
            "finding_reason": "属实",
            "rectify_action": "培训",
        },
    )
    assert response.status_code == 302
    hanmei.post(url, {"action": "call_back", "result": "satisfied", "note": "满意"})
    response = client_of(people["sunli"]).post(url, {"action": "close"})
    assert response.status_code == 404
    response = client_of(people["zhaoliu"]).post(url, {"action": "close", "review_note": "好"})
    assert response.status_code == 302
    assert Rectification.objects.get(pk=rect.pk).status == "closed"


def test_complaint_page_matrix(complaint: Complaint, people: dict[str, Any]) -> None:
    url = reverse("ratings:complaint", args=[complaint.pk])
    assert client_of(people["sunli"]).get(url).status_code == 404
    assert client_of(people["zhangsan"]).get(url).status_code == 403
    hanmei = client_of(people["hanmei"])
    assert hanmei.post(url, {"action": "respond", "response": ""}).status_code == 422
    assert hanmei.post(url, {"action": "respond", "response": "已答复"}).status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).status == "responded"


def test_board(rect: Rectification, people: dict[str, Any]) -> None:
    url = reverse("ratings:board")
    page = client_of(people["zhaoliu"]).get(url).content.decode()
    assert "区卫生健康委" in page
    assert "100.00%" not in page.split("区卫生健康委")[0]
    assert "0.00%" in page  # one bad rating: satisfaction 0.00%
    own = client_of(people["hanmei"]).get(url).content.decode()
    assert "区卫生健康委" in own
    assert "区市场监管局" not in own
    assert client_of(people["lisi"]).get(url).status_code == 403
    assert client_of(people["zhangsan"]).get(url).status_code == 403
    bad = client_of(people["zhaoliu"]).get(url + "?start=nonsense")
    assert bad.status_code == 200


def test_admin_is_read_only_for_supervisors(rect: Rectification, people: dict[str, Any]) -> None:
    url = reverse("admin:ratings_rectification_changelist")
    assert client_of(people["zhaoliu"]).get(url).status_code == 200
    assert client_of(people["hanmei"]).get(url).status_code in (302, 403)
    change = reverse("admin:ratings_rectification_change", args=[rect.pk])
    response = client_of(people["zhaoliu"]).post(change, {"status": "closed"})
    assert response.status_code == 403
    assert Rectification.objects.get(pk=rect.pk).status == "open"
    rejections = reverse("admin:ratings_rejection_changelist")  # the rounds sent back
    assert client_of(people["zhaoliu"]).get(rejections).status_code == 200
    assert client_of(people["hanmei"]).get(rejections).status_code in (302, 403)
