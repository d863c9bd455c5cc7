"""The window-service screens: 我的窗口服务评价 and its rating form (Chinese errors next to
the fields, the period, someone else's visit → 404), and the window's rating device (窗口评价器)
with its permission matrix (the clerk who served; another clerk → the service's refusal;
no window role → 403; anonymous → login)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.common import clock
from onewindow.ratings.models import Rating, Rectification
from onewindow.ratings.services import rate_visit
from tests.ratings.conftest import concluded_case
from tests.ratings.test_visits import served

pytestmark = pytest.mark.django_db


def client_of(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_my_window_services_list_and_the_links(people: dict[str, Any]) -> None:
    now = clock.now()
    case = concluded_case(people, when=now - timedelta(hours=2))
    filed = served(
        people, when=now - timedelta(hours=1), case=case, window=None, purpose="窗口申请"
    )
    rated = served(people, when=now - timedelta(minutes=30), purpose="咨询医保")
    old = served(people, when=now - timedelta(days=30), purpose="上个月的咨询")
    rate_visit(actor=people["zhangsan"], visit=rated, level=2, comment="等太久", now=now)
    zs = client_of(people["zhangsan"])
    url = reverse("ratings:my_visits")
    assert f'href="{url}"' in zs.get(reverse("ratings:my_ratings")).content.decode()
    page = zs.get(url).content.decode()
    assert "我的窗口服务评价" in page
    assert f'href="{reverse("ratings:rate_visit", args=[filed.pk])}"' in page
    assert "去评价" in page
    assert case.number in page  # the case concerned, linked to its page
    assert reverse("portal:case_detail", args=[case.number]) in page
    assert "李四" in page  # the clerk's display name only
    assert "lisi" not in page
    assert "窗口申请" in page
    assert "咨询医保" in page
    assert "不满意" in page  # the rating given, not a button
    assert f'href="{reverse("ratings:rate_visit", args=[rated.pk])}"' not in page
    assert "待核实整改" in page  # its rectification's status
    assert "上个月的咨询" not in page  # outside the rating period
    assert old.pk
    # 钱七 sees none of it.
    assert "咨询医保" not in client_of(people["qianqi"]).get(url).content.decode()
    assert client_of(None).get(url).status_code == 302


def test_the_rating_form_and_its_chinese_errors(people: dict[str, Any]) -> None:
    visit = served(people, when=clock.now() - timedelta(minutes=10))
    zs = client_of(people["zhangsan"])
    url = reverse("ratings:rate_visit", args=[visit.pk])
    form = zs.get(url).content.decode()
    for label in ("非常满意", "基本满意", "非常不满意", "整体满意度", "服务效率", "服务水平"):
        assert label in form
    assert "服务态度" in form
    assert "办事指南精确度" not in form  # the online (一事一评) dimensions are not offered
    assert "李四" in form
    response = zs.post(url, {"level": ""})
    assert response.status_code == 422
    assert "评价等级应为1至5" in response.content.decode()
    response = zs.post(url, {"level": "1", "dim_attitude": "1", "comment": ""})
    assert response.status_code == 422
    body = response.content.decode()
    assert "请填写不满意的原因" in body
    assert 'value="1" checked' in body  # what was chosen is kept
    response = zs.post(url, {"level": "4", "dim_efficiency": "4"})  # a forged online dimension
    assert response.status_code == 422
    assert "没有这一评价维度" in response.content.decode()
    assert not Rating.objects.filter(visit=visit).exists()
    response = zs.post(url, {"level": "1", "dim_attitude": "2", "comment": "态度冷淡"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "感谢您的评价" in body
    assert "我们已将您的意见转交责任部门核实整改" in body
    assert reverse("ratings:my_visits") in body
    rating = Rating.objects.get(visit=visit)
    assert (rating.level, rating.channel, rating.dimensions) == (
        1,
        "online",
        {"overall": 1, "attitude": 2},
    )
    assert Rectification.objects.filter(rating=rating).exists()
    again = zs.post(url, {"level": "5"})  # the page shows the rating given; nothing changes
    assert "感谢您的评价" in again.content.decode()
    assert Rating.objects.filter(visit=visit).count() == 1


def test_the_rating_form_refuses_others_and_after_the_period(people: dict[str, Any]) -> None:
    visit = served(people, when=clock.now() - timedelta(minutes=10))
    url = reverse("ratings:rate_visit", args=[visit.pk])
    assert client_of(people["qianqi"]).get(url).status_code == 404
    assert client_of(people["qianqi"]).post(url, {"level": "5"}).status_code == 404
    assert client_of(people["lisi"]).get(url).status_code == 404  # the clerk: the device
    assert client_of(None).get(url).status_code == 302
    assert (
        client_of(people["zhangsan"]).get(reverse("ratings:rate_visit", args=[9**9])).status_code
        == 404
    )
    old = served(people, when=clock.now() - timedelta(days=30), purpose="上个月")
    old_url = reverse("ratings:rate_visit", args=[old.pk])
    page = client_of(people["zhangsan"]).get(old_url)
    assert page.status_code == 200
    assert "评价期已过" in page.content.decode()
    assert 'name="level"' not in page.content.decode()
    response = client_of(people["zhangsan"]).post(old_url, {"level": "5"})
    assert response.status_code == 409
    assert "评价期已过" in response.content.decode()
    assert not Rating.objects.filter(visit__in=[visit, old]).exists()


# ----------------------------------------------------------------------------- the device


def test_the_device_list_and_rating(people: dict[str, Any]) -> None:
    now = clock.now()
    earlier = served(people, when=now - timedelta(minutes=20), purpose="咨询早")
    later = served(people, user="qianqi", when=now - timedelta(minutes=5), purpose="咨询晚")
    yesterday = served(people, when=now - timedelta(days=1), purpose="昨天的咨询")
    lisi = client_of(people["lisi"])
    device = reverse("ratings:device")
    page = lisi.get(device).content.decode()
    assert "窗口评价器" in page
    assert f'href="{device}"' in page  # in the back-office menu
    assert page.index("咨询晚") < page.index("咨询早")  # newest first
    assert "昨天的咨询" not in page
    assert yesterday.pk
    rate_url = reverse("ratings:device_rate", args=[earlier.pk])
    assert f'href="{rate_url}"' in page
    form = lisi.get(rate_url).content.decode()
    assert "请您对本次窗口服务进行评价" in form
    assert "服务态度" in form
    response = lisi.post(rate_url, {"level": "2", "comment": ""})
    assert response.status_code == 422
    assert "请填写不满意的原因" in response.content.decode()
    response = lisi.post(rate_url, {"level": "2", "comment": "等候太久"}, follow=True)
    assert response.redirect_chain[-1][0] == device
    body = response.content.decode()
    assert "感谢您的评价" in body
    rating = Rating.objects.get(visit=earlier)
    assert (rating.channel, rating.rated_by, rating.level) == ("window_device", people["lisi"], 2)
    assert Rectification.objects.filter(rating=rating).exists()
    assert f'href="{rate_url}"' not in body  # rated: shown, no button
    assert "已评价" in lisi.get(rate_url).content.decode()
    again = lisi.post(rate_url, {"level": "5"})
    assert again.status_code == 409
    assert "您已评价过" in again.content.decode()
    assert later.pk


def test_the_device_permission_matrix(people: dict[str, Any]) -> None:
    visit = served(people, when=clock.now() - timedelta(minutes=3))
    device = reverse("ratings:device")
    rate_url = reverse("ratings:device_rate", args=[visit.pk])
    # Another clerk of the same service point: the list lacks it, the page says the
    # service's refusal, nothing is stored.
    zhouqiang = client_of(people["zhouqiang"])
    assert rate_url not in zhouqiang.get(device).content.decode()
    for response in (zhouqiang.get(rate_url), zhouqiang.post(rate_url, {"level": "5"})):
        assert response.status_code == 404
        assert "未找到该窗口服务记录" in response.content.decode()
    # No window role (a section chief, the applicant): 403; anonymous: the login page.
    for outsider in ("hanmei", "zhangsan"):
        assert client_of(people[outsider]).get(device).status_code == 403
        assert client_of(people[outsider]).post(rate_url, {"level": "5"}).status_code == 403
    assert client_of(None).get(rate_url).status_code == 302
    assert (
        client_of(people["lisi"]).get(reverse("ratings:device_rate", args=[9**9])).status_code
        == 404
    )
    # Another day's visit on the device: refused.
    old = served(people, when=clock.now() - timedelta(days=2), purpose="前天")
    response = client_of(people["lisi"]).get(reverse("ratings:device_rate", args=[old.pk]))
    assert response.status_code == 404
    assert not Rating.objects.filter(visit__in=[visit, old]).exists()
