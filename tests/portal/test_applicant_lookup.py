"""The anonymous lookup (case number + ID together) and the in-app messages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.demo.data.org import BARBER_USCC
from onewindow.notify.models import Notification
from onewindow.org.models import User
from tests.cases import conftest as cases_fixtures
from tests.portal.applicant_support import (
    a_draft,
    a_submitted,
    an_accepted,
    client_for,
    media,  # noqa: F401  (autouse: files under a temporary MEDIA_ROOT)
)

pytestmark = pytest.mark.django_db

# The demo district and its people (tests/cases/conftest.py), shared by reference.
demo = cases_fixtures.demo
hygiene_licence = cases_fixtures.hygiene_licence
people = cases_fixtures.people
LOOKUP = "/cases/lookup/"


def test_lookup_url_and_empty_form(client: Client, demo: Any) -> None:
    assert reverse("portal:case_lookup") == LOOKUP
    page = client.get(LOOKUP).content.decode()
    assert "办件进度查询" in page
    assert "办件编号" in page
    assert "统一社会信用代码" in page


def test_lookup_needs_both_the_number_and_the_id(client: Client, people, hygiene_licence) -> None:
    case = an_accepted(people, hygiene_licence)
    only_number = client.post(LOOKUP, {"number": case.number})
    assert "请填写申请人的身份证号码或统一社会信用代码" in only_number.content.decode()
    only_id = client.post(LOOKUP, {"id_number": BARBER_USCC})
    assert "请填写办件编号" in only_id.content.decode()
    for number, ident in [
        (case.number, "500102199203080248"),  # 钱七's ID
        (case.number, "500102198506150130"),  # 张三 himself, not the applicant (his shop)
        (case.number[:-1] + "9", BARBER_USCC),
    ]:
        response = client.post(LOOKUP, {"number": number, "id_number": ident})
        assert response.status_code == 404
        page = response.content.decode()
        assert "未找到该办件" in page
        assert hygiene_licence.name not in page
    found = client.post(LOOKUP, {"number": f" {case.number} ", "id_number": BARBER_USCC.lower()})
    page = found.content.decode()
    assert found.status_code == 200
    assert hygiene_licence.name in page
    assert case.get_status_display() in page
    assert case.current_step.name in page
    assert "承诺办结期限" in page
    for private in ("张三理发店", "13900000001", "示范区城东大道96号", BARBER_USCC):
        assert private not in page  # status, item, step, deadlines — nothing personal


def test_drafts_are_never_found(client: Client, people, hygiene_licence) -> None:
    case = a_draft(people, hygiene_licence)
    response = client.post(LOOKUP, {"number": case.number, "id_number": BARBER_USCC})
    assert response.status_code == 404


def test_messages_unread_first_and_mark_read(people: dict[str, User], hygiene_licence) -> None:
    case = a_submitted(people, hygiene_licence)
    zhangsan = client_for(people["zhangsan"])
    rows = Notification.objects.filter(recipient=people["zhangsan"], channel="in_app")
    assert rows.exists()
    home = zhangsan.get("/").content.decode()
    assert "我的办件" in home
    assert 'class="nav-count"' in home
    page = zhangsan.get(reverse("portal:notifications")).content.decode()
    assert "消息" in page
    assert "未读" in page
    assert case.number in page
    assert reverse("portal:case_detail", args=[case.number]) in page
    row = rows.first()
    assert row is not None
    # 钱七 cannot mark 张三's message
    qianqi = client_for(people["qianqi"])
    url = reverse("portal:notification_read", args=[row.pk])
    assert qianqi.post(url).status_code == 404
    assert qianqi.get(reverse("portal:notifications")).content.decode().count(case.number) == 0
    row.refresh_from_db()
    assert row.read_at is None
    assert zhangsan.post(url).status_code == 302
    row.refresh_from_db()
    assert row.read_at is not None
    zhangsan.post(reverse("portal:notifications_read_all"))
    assert not rows.filter(read_at__isnull=True).exists()
    page = zhangsan.get(reverse("portal:notifications")).content.decode()
    assert "全部标为已读</button>" not in page
    assert 'class="nav-count"' not in page


def test_staff_without_applicants_get_no_applicant_links(people: dict[str, User], demo) -> None:
    page = client_for(people["lisi"]).get("/").content.decode()
    assert reverse("portal:my_cases") not in page
