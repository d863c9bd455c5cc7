"""The ratings API (/api/v1/ratings): rating, duplicates, invalid levels, unconcluded and
other people's cases as structured errors; rectification and complaint steps; the rates;
the endpoints in OpenAPI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from onewindow.cases.models import Case
from onewindow.common import clock
from onewindow.org.models import Department
from onewindow.ratings.services import link_token
from tests.ratings.conftest import concluded_case, decided_case

pytestmark = pytest.mark.django_db
BASE = "/api/v1/ratings"


def api(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(BASE + url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def case(people: dict[str, Any]) -> Case:
    return concluded_case(people, when=clock.now())


def test_rate_and_the_structured_errors(case: Case, people: dict[str, Any]) -> None:
    zs = api(people["zhangsan"])
    for level in (0, 6, "abc"):
        r = post(zs, f"/cases/{case.number}", {"level": level})
        assert r.status_code == 422
        assert r.json()["code"] in ("invalid_level", "validation_failed")
        assert "level" in r.json()["fields"]
    r = post(zs, f"/cases/{case.number}", {"level": 4, "dimensions": {"attitude": 5}})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_dimensions")
    assert "dimensions.attitude" in r.json()["fields"]
    r = post(api(people["qianqi"]), f"/cases/{case.number}", {"level": 5})
    assert (r.status_code, r.json()["code"]) == (404, "case_not_found")
    r = post(api(None), f"/cases/{case.number}", {"level": 5})
    assert r.status_code == 401
    r = post(zs, f"/cases/{case.number}", {"level": 1, "comment": "办理太慢"})
    assert r.status_code == 201
    body = r.json()
    assert (body["level"], body["level_label"], body["case"]) == (1, "非常不满意", case.number)
    assert body["rectification"] is not None
    r = post(zs, f"/cases/{case.number}", {"level": 5})
    assert r.status_code == 409
    assert r.json() == {
        "code": "already_rated",
        "message": "您已评价过，每次服务只能评价一次",
        "fields": {},
    }
    mine = zs.get(BASE + "/mine").json()  # with the demo's rated window services
    assert [m["case"] for m in mine if m["subject"] == "case"] == [case.number]


def test_unconcluded_link_and_kiosk(people: dict[str, Any]) -> None:
    decided = decided_case(people, when=clock.now())
    r = post(api(people["zhangsan"]), f"/cases/{decided.number}", {"level": 5})
    assert (r.status_code, r.json()["code"]) == (409, "case_not_concluded")
    case = concluded_case(people, when=clock.now())
    r = post(api(None), f"/link/{link_token(case)}x", {"level": 5})
    assert (r.status_code, r.json()["code"]) == (404, "link_invalid")
    r = post(api(None), "/kiosk", {"number": case.number, "id_number": "1", "level": 5})
    assert r.status_code == 404
    body = {"number": case.number, "id_number": case.applicant.resident_id, "level": 3}
    r = post(api(None), "/kiosk", body)
    assert (r.status_code, r.json()["channel"]) == (201, "kiosk")


def test_rectification_and_complaint_steps(case: Case, people: dict[str, Any]) -> None:
    rect_id = post(
        api(people["zhangsan"]), f"/cases/{case.number}", {"level": 2, "comment": "不清楚"}
    ).json()["rectification"]
    hanmei, zhaoliu, sunli = (api(people[n]) for n in ("hanmei", "zhaoliu", "sunli"))
    assert sunli.get(f"{BASE}/rectifications/{rect_id}").status_code == 404
    assert rect_id in [r["id"] for r in hanmei.get(BASE + "/rectifications").json()]
    assert rect_id not in [r["id"] for r in sunli.get(BASE + "/rectifications").json()]
    r = post(zhaoliu, f"/rectifications/{rect_id}/close", {})
    assert (r.status_code, r.json()["code"]) == (409, "illegal_transition")
    r = post(hanmei, f"/rectifications/{rect_id}/rectify", {"finding": "x", "finding_reason": ""})
    assert r.status_code == 422
    r = post(
        hanmei,
        f"/rectifications/{rect_id}/rectify",
        {"finding": "false", "finding_reason": "指南已写明，已向申请人解释"},
    )
    assert r.json()["status"] == "rectified"
    r = post(hanmei, f"/rectifications/{rect_id}/call-back", {"result": "basic"})
    assert r.json()["status"] == "called_back"
    r = post(hanmei, f"/rectifications/{rect_id}/close", {})
    assert r.status_code == 403
    r = post(zhaoliu, f"/rectifications/{rect_id}/close", {"note": "同意"})
    assert (r.status_code, r.json()["status"]) == (200, "closed")

    health = Department.objects.get(code="WSJKW")
    r = post(
        api(people["zhangsan"]),
        "/complaints",
        {"about": "department", "department": health.pk, "content": "窗口午休无人"},
    )
    assert r.status_code == 201
    cid = r.json()["id"]
    r = post(
        api(people["zhangsan"]),
        "/complaints",
        {"about": "department", "department": 99999, "content": "x"},
    )
    assert r.status_code == 404
    r = post(hanmei, f"/complaints/{cid}/respond", {"response": "已安排轮岗"})
    assert r.json()["status"] == "responded"
    assert [c["id"] for c in api(people["zhangsan"]).get(BASE + "/complaints/mine").json()] == [cid]


def test_rates_endpoint(case: Case, people: dict[str, Any]) -> None:
    today = clock.localnow().date().isoformat()
    url = BASE + f"/rates?start={today}&end={today}"
    before = api(people["zhaoliu"]).get(url).json()["overall"]  # the demo's ratings of today
    post(api(people["zhangsan"]), f"/cases/{case.number}", {"level": 5})
    r = api(people["zhaoliu"]).get(url)
    assert r.status_code == 200
    data = r.json()
    after = data["overall"]
    assert (after["ratings"], after["satisfied"]) == (
        before["ratings"] + 1,
        before["satisfied"] + 1,
    )
    assert after["satisfaction_rate"] == round(after["satisfied"] / after["ratings"], 4)
    health = next(d for d in data["departments"] if d["department"] == "区卫生健康委")
    assert (health["concluded"], health["rated"], health["participation_rate"]) == (1, 1, 1.0)
    own = api(people["hanmei"]).get(BASE + f"/rates?start={today}&end={today}").json()
    assert [d["department"] for d in own["departments"]] == ["区卫生健康委"]
    assert api(people["lisi"]).get(BASE + f"/rates?start={today}&end={today}").status_code == 403
    bad = api(people["zhaoliu"]).get(BASE + "/rates?start=2026-13-01&end=2026-01-01")
    assert bad.status_code == 422


def test_openapi_lists_the_ratings_endpoints(db: Any) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for p in (
        "/api/v1/ratings/cases/{number}",
        "/api/v1/ratings/link/{token}",
        "/api/v1/ratings/kiosk",
        "/api/v1/ratings/mine",
        "/api/v1/ratings/rectifications/{pk}/rectify",
        "/api/v1/ratings/rectifications/{pk}/call-back",
        "/api/v1/ratings/rectifications/{pk}/close",
        "/api/v1/ratings/complaints",
        "/api/v1/ratings/rates",
    ):
        assert p in paths, p
