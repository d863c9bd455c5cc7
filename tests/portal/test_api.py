"""GET /api/v1/items and /api/v1/items/{code}: the published catalogue as JSON."""

from __future__ import annotations

import pytest

from onewindow.common import clock
from tests.portal import factories as f

pytestmark = pytest.mark.django_db


def test_list_searches_filters_and_paginates(client) -> None:
    hygiene = f.hygiene_licence()
    for i in range(3):
        f.make_item(f"卫生许可证变更{i}", handling_level="town")
    body = client.get("/api/v1/items", {"q": "公共场所卫生许可证"}).json()
    assert body["count"] == 1
    first = body["items"][0]
    assert first["code"] == hygiene.code
    assert first["name"] == "公共场所卫生许可证核发"
    assert first["department"] == {"code": "WJW", "name": "区卫生健康委", "phone": "023-61230001"}
    assert (first["legal_limit"], first["promised_limit"], first["limit_unit"]) == (
        20,
        3,
        "working_day",
    )
    assert first["online_level_label"] == "全程网办"
    assert first["zero_material"] is False
    assert first["url"].endswith(f"/items/{hygiene.code}/")

    page = client.get("/api/v1/items", {"q": "卫生", "level": "town", "limit": 2, "offset": 2})
    assert page.status_code == 200
    data = page.json()
    assert (data["count"], data["limit"], data["offset"], len(data["items"])) == (3, 2, 2, 1)


def test_detail_is_the_complete_guide(client) -> None:
    item = f.hygiene_licence()
    response = client.get(f"/api/v1/items/{item.code}")
    assert response.status_code == 200
    guide = response.json()
    assert guide["version"] == 1
    assert guide["published_at"].startswith(str(item.current_version.published_at.year))
    assert guide["reduction_ratio"] == pytest.approx(0.85)
    assert guide["fee_basis"] == "不收费"
    assert guide["conditions"].startswith("1. 依法取得营业执照")
    assert guide["delivery_methods_labels"] == ["窗口领取", "快递送达", "电子送达"]
    assert [s["name"] for s in guide["steps"]] == ["受理", "审查", "决定", "办结"]
    form, licence, _id, layout = guide["materials"]
    assert form["template_url"].startswith("http://testserver/media/catalog/templates/")
    assert form["sample_url"].startswith("http://testserver/media/catalog/samples/")
    assert licence["source"] == "elicence"
    assert licence["template_url"] is None
    assert layout["core"] is False
    area = next(x for x in guide["fields"] if x["code"] == "business_area")
    assert area["type"] == "decimal"
    assert area["constraints"] == {"min": 10, "max": 100000}  # the item's rule tightens the base
    assert area["unit"] == "m²"
    (point,) = guide["service_points"]
    assert point["address"] == "示范区人民路100号政务服务中心一楼"
    assert point["office_hours"] == [["09:00", "12:00"], ["13:30", "17:00"]]
    assert [t["code"] for t in guide["themes"]] == ["E01", "E05"]


def test_detail_shows_the_current_version_only(client) -> None:
    item = f.make_item("公共场所卫生许可证核发")
    f.publish_new_version(item, clock.now(), promised_limit=2)
    guide = client.get(f"/api/v1/items/{item.code}").json()
    assert (guide["version"], guide["promised_limit"]) == (2, 2)


def test_unknown_code_is_404_with_chinese_message(client) -> None:
    response = client.get("/api/v1/items/000000-NOPE")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "未找到该事项", "fields": {}}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"level": "province"}, "level"),
        ({"online_level": "maybe"}, "online_level"),
        ({"q": "长" * 101}, "q"),
    ],
)
def test_bad_parameters_are_422_structured(client, params, field) -> None:
    response = client.get("/api/v1/items", params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["message"]
    assert field in body["fields"]


def test_openapi_lists_both_paths_with_chinese_descriptions(client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    listing = schema["paths"]["/api/v1/items"]["get"]
    detail = schema["paths"]["/api/v1/items/{code}"]["get"]
    assert listing["summary"] == "检索已发布事项"
    assert "关键词" in listing["description"]
    assert detail["summary"] == "事项办事指南"
    params = {p["name"]: p for p in listing["parameters"]}
    assert {"q", "department", "theme", "level", "kind", "online_level", "audience"} <= set(params)
    assert params["limit"]["schema"]["maximum"] == 100
    assert "404" in detail["responses"]
    assert client.get("/api/v1/docs").status_code == 200


def test_list_queries_do_not_grow_with_results(client, django_assert_max_num_queries) -> None:
    for i in range(30):
        f.make_item(f"测试事项{i}")
    with django_assert_max_num_queries(3):
        body = client.get("/api/v1/items", {"limit": 100}).json()
    assert body["count"] == 30


def test_detail_queries_are_bounded(client, django_assert_max_num_queries) -> None:
    item = f.hygiene_licence()
    with django_assert_max_num_queries(7):
        assert client.get(f"/api/v1/items/{item.code}").status_code == 200
