"""Permission matrix of the ranking screens and API: public pages open to everyone (results
only once published), management for the centre (吴敏, 赵六), forbidden to 李四; a department's
follow-ups for its own section chief, another department's → 404."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.ranking import services as svc
from onewindow.ranking.models import FollowUp
from tests.ranking.conftest import NOW, make_round, office


def client_of(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.mark.parametrize(
    ("status", "vote", "results"),
    [("draft", 404, 404), ("open", 200, 404), ("closed", 404, 404), ("published", 404, 200)],
)
def test_public_pages_by_round_status(people, departments, status, vote, results):
    r = make_round(people, departments, status=status)
    anonymous = client_of()
    assert anonymous.get("/ranking/").status_code == 200
    assert anonymous.get(f"/ranking/{r.pk}/vote/").status_code == vote
    assert anonymous.get(f"/ranking/{r.pk}/results/").status_code == results
    assert anonymous.get(f"/api/v1/ranking/rounds/{r.pk}/results").status_code == results
    detail = anonymous.get(f"/api/v1/ranking/rounds/{r.pk}")
    assert detail.status_code == (200 if status in ("open", "published") else 404)


MANAGE_PAGES = ["/ranking/manage/", "/ranking/manage/new/", "/ranking/manage/{pk}/"]


@pytest.mark.parametrize("url", MANAGE_PAGES)
def test_manage_pages(people, departments, url):
    r = make_round(people, departments, status="closed")
    url = url.format(pk=r.pk)
    anonymous = client_of().get(url)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    for name in ("lisi", "sunli", "zhangsan"):
        assert client_of(people[name]).get(url).status_code == 403, name
    for name in ("wumin", "zhaoliu"):
        assert client_of(people[name]).get(url).status_code == 200, name


def test_manage_actions_forbidden_to_others_and_allowed_to_the_centre(people, departments):
    r = make_round(people, departments, status="draft")
    url = f"/ranking/manage/{r.pk}/open/"
    assert client_of(people["lisi"]).post(url).status_code == 403
    r.refresh_from_db()
    assert r.status == "draft"
    response = client_of(people["wumin"]).post(url)
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == "open"
    # an illegal step shows the Chinese message with 409
    again = client_of(people["wumin"]).post(url)
    assert again.status_code == 409
    assert "不能开始评议" in again.content.decode()


def test_api_management_matrix(people, departments):
    r = make_round(people, departments, status="draft")
    for name, code in (("lisi", 404), ("sunli", 404), ("wumin", 200)):
        resp = client_of(people[name]).post(f"/api/v1/ranking/manage/rounds/{r.pk}/open")
        assert resp.status_code == code, name
    assert client_of(people["lisi"]).get("/api/v1/ranking/manage/rounds").status_code == 403
    listed = client_of(people["zhaoliu"]).get("/api/v1/ranking/manage/rounds").json()
    assert [x["status"] for x in listed] == ["open"]
    assert client_of().get("/api/v1/ranking/manage/rounds").status_code == 401


def test_follow_ups_are_scoped_to_the_department(people, departments):
    r = make_round(people, departments, status="closed")
    reg = office(r, "SCJG", "登记注册科")
    f = svc.follow_up_create(
        round=r, office=reg, kind="rectification", actor=people["wumin"], now=NOW
    )
    # 孙丽 (区市场监管局) sees and answers it; 韩梅 (区卫生健康委) gets 404; 李四 403
    assert "登记注册科" in client_of(people["sunli"]).get("/ranking/follow-ups/").content.decode()
    assert (
        "登记注册科" not in client_of(people["hanmei"]).get("/ranking/follow-ups/").content.decode()
    )
    assert client_of(people["lisi"]).get("/ranking/follow-ups/").status_code == 403
    url = f"/ranking/follow-ups/{f.pk}/respond/"
    assert client_of(people["hanmei"]).post(url, {"text": "x"}).status_code == 404
    api = f"/api/v1/ranking/follow-ups/{f.pk}/respond"
    other = client_of(people["hanmei"]).post(api, {"text": "x"}, content_type="application/json")
    assert other.status_code == 404
    assert client_of(people["sunli"]).post(url, {"text": "已整改"}).status_code == 302
    # closing is the centre's: 孙丽 is refused, 赵六 closes
    assert (
        client_of(people["sunli"])
        .post(f"/ranking/follow-ups/{f.pk}/close/", {"text": "办结"})
        .status_code
        == 403
    )
    closed = client_of(people["zhaoliu"]).post(
        f"/api/v1/ranking/follow-ups/{f.pk}/close",
        {"text": "复查合格"},
        content_type="application/json",
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert FollowUp.objects.get().status == "closed"
