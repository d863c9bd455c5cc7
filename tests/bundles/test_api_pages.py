"""The bundles API and the hall's bundle pages, on the demo district."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from onewindow.bundles import selectors

pytestmark = pytest.mark.django_db
API = "/api/v1/bundles"


def post(client: Client, url: str, body: dict) -> object:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_list_gives_every_published_bundle_with_its_reduction_and_the_aggregate(demo, client):
    r = client.get(API)
    assert r.status_code == 200
    data = r.json()
    assert data["count"] == 8
    barber = next(b for b in data["items"] if b["name"] == "我要开理发店")
    assert barber["lead_department"]["code"] == "WSJKW"
    assert barber["items_count"] == 6
    assert barber["departments_count"] == 5
    guide = selectors.bundle_guide(barber["code"])
    assert barber["reduction"] == guide.reduction.as_dict()
    totals = data["aggregate"]["totals"]
    assert data["aggregate"]["bundles"] == 8
    assert totals["visits_after"] == sum(b["reduction"]["visits_after"] for b in data["items"])
    assert data["aggregate"]["averages"]["days_after"] == round(totals["days_after"] / 8, 1)


def test_list_filters_by_keyword_and_audience(demo, client):
    names = [b["name"] for b in client.get(API, {"q": "理发"}).json()["items"]]
    assert names == ["我要开理发店"]
    assert client.get(API, {"audience": "enterprise"}).json()["count"] == 8
    r = client.get(API, {"audience": "aliens"})
    assert r.status_code == 422
    assert r.json()["code"] == "validation_failed"


def test_guide_has_members_questions_merged_materials_and_fields(demo, client):
    data = client.get(f"{API}/B01").json()
    assert data["name"] == "我要开理发店"
    assert {q["code"] for q in data["questions"]} == {"sign", "staff"}
    assert data["questions"][0]["choices"] == ["yes", "no"]
    roles = {m["name"]: m["role"] for m in data["all_members"]}
    assert roles["公共场所卫生许可证核发"] == "lead"
    assert roles["个体工商户设立登记"] == "cooperating"
    sfz = next(m for m in data["materials"] if m["name"] == "居民身份证")
    assert sfz["shared"]
    assert len(sfz["used_by"]) >= 2
    codes = [f["code"] for f in data["fields"]]
    assert len(codes) == len(set(codes))  # each field asked once
    phone = next(f for f in data["fields"] if f["code"] == "phone")
    assert phone["shared"]
    assert phone["required"]
    assert data["measured"] is None  # filled in by bundle cases; never faked
    assert data["promised_limit"] == 5
    assert data["reduction"]["forms_after"] == 1


def test_unknown_bundle_is_a_structured_404(demo, client):
    r = client.get(f"{API}/NOPE")
    assert r.status_code == 404
    assert r.json() == {
        "code": "not_found",
        "message": "未找到该套餐",
        "fields": {"code": ["NOPE"]},
    }
    assert post(client, f"{API}/NOPE/applicable", {"answers": {}}).status_code == 404


def test_applicable_gives_exactly_the_items_for_the_answers(demo, client):
    url = f"{API}/B01/applicable"
    both = post(client, url, {"answers": {"sign": "yes", "staff": True}}).json()
    neither = post(client, url, {"answers": {"sign": "no", "staff": "否"}}).json()
    names = {m["name"] for m in both["members"]}
    assert "户外广告设施设置备案" in names
    assert "单位参保登记（社会保险登记）" in names
    fewer = {m["name"] for m in neither["members"]}
    assert names - fewer == {"户外广告设施设置备案", "单位参保登记（社会保险登记）"}
    assert neither["answers"] == {"sign": "no", "staff": "no"}
    assert "sign_location" in {f["code"] for f in both["fields"]}
    assert "sign_location" not in {f["code"] for f in neither["fields"]}
    assert neither["reduction"]["materials_before"] < both["reduction"]["materials_before"]


def test_applicable_refuses_unknown_questions_bad_and_missing_answers(demo, client):
    url = f"{API}/B04/applicable"
    r = post(client, url, {"answers": {"sign": "maybe", "alcohol": "yes"}})
    assert r.status_code == 422
    body = r.json()
    assert body["message"] == "情形问题的回答不符合要求，请按提示修改"
    assert body["fields"]["answers.alcohol"] == ["没有这个问题"]
    assert "可选：是、否" in body["fields"]["answers.sign"][0]
    assert body["fields"]["answers.kitchen"] == ["请回答：经营项目"]


def test_bundles_page_lists_each_bundle_with_its_reduction_line(demo, client):
    r = client.get("/bundles/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "我要开理发店" in html
    assert "牵头部门：区卫生健康委" in html
    red = selectors.bundle_guide("B01").reduction
    line = f"跑动 {red.visits_before}→{red.visits_after} 次 · 材料 {red.materials_before}→"
    assert line in html
    assert "个工作日" in html
    assert 'href="/bundles/"' in client.get("/").content.decode()  # the header link


def test_guide_page_answers_change_the_items(demo, client):
    all_items = client.get("/bundles/B01/").content.decode()
    assert "户外广告设施设置备案" in all_items
    assert "包含的6个事项" in all_items
    assert "共用" in all_items
    page = client.get("/bundles/B01/", {"sign": "no", "staff": "yes"}).content.decode()
    assert "您需要办理的5个事项" in page
    assert "根据您的回答无需办理：户外广告设施设置备案" in page
    bad = client.get("/bundles/B01/", {"sign": "perhaps"})
    assert bad.status_code == 200
    assert "回答“perhaps”无效" in bad.content.decode()
    assert client.get("/bundles/NOPE/").status_code == 404
