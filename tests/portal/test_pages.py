"""The online hall's screens with Django's test client (no JavaScript)."""

from __future__ import annotations

import pytest

from onewindow.common import clock
from tests.portal import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def hygiene():
    return f.hygiene_licence()


def text(response) -> str:
    return response.content.decode()


def test_front_page_shows_search_figures_and_browse_lists(client, hygiene) -> None:
    f.make_item("生育登记", themes=[f.theme("P01", "生育收养", "person")], handling_level="town",
                is_instant=True)  # fmt: skip
    response = client.get("/")
    assert response.status_code == 200
    html = text(response)
    assert '<html lang="zh-hans">' in html
    assert 'name="q"' in html
    assert 'action="/items/"' in html
    assert "事项目录概况" in html
    assert "承诺时限比法定时限平均压缩" in html
    assert "<strong>50%</strong>" in html  # 1 of 2 items fully online
    assert "生育收养" in html
    assert "我要开理发店" in html
    assert "个人办事" in html
    assert "企业办事" in html
    assert "?department=WJW" in html
    assert "区卫生健康委" in html
    assert "?level=town" in html
    assert "村（社区）级" in html


def test_search_without_javascript(client, hygiene) -> None:
    f.make_item("食品经营许可证核发", dept=f.department("SCJ", "区市场监管局"))
    response = client.get("/items/", {"q": "公共场所卫生许可证"})
    assert response.status_code == 200
    html = text(response)
    assert "找到 1 个与“公共场所卫生许可证”相关的事项" in html
    assert f'href="/items/{hygiene.code}/"' in html
    assert "食品经营许可证核发" not in html
    assert "承诺时限 <strong>3</strong> 工作日" in html
    assert "全程网办" in html
    assert "告知承诺" in html
    assert "<!doctype html>" in html  # a full page, not a fragment


def test_htmx_request_gets_only_the_results_fragment(client, hygiene) -> None:
    response = client.get("/items/", {"q": "卫生"}, headers={"HX-Request": "true"})
    html = text(response)
    assert response.status_code == 200
    assert "<!doctype html>" not in html
    assert 'id="results"' in html
    assert "公共场所卫生许可证核发" in html
    assert 'hx-swap-oob="true"' in html


def test_no_results_message_with_hints(client, hygiene) -> None:
    html = text(client.get("/items/", {"q": "月球土地登记"}))
    assert "没有找到与“月球土地登记”相关的事项。" in html
    assert "12345" in html
    assert "找到 0 个" in html


def test_department_and_theme_views_are_the_filtered_results(client, hygiene) -> None:
    f.make_item("食品经营许可证核发", dept=f.department("SCJ", "区市场监管局"))
    html = text(client.get("/items/", {"department": "WJW"}))
    assert "<h1>区卫生健康委</h1>" in html
    assert "公共场所卫生许可证核发" in html
    assert "食品经营许可证核发" not in html
    html = text(client.get("/items/", {"theme": "E05"}))
    assert "我要开理发店" in html
    assert "公共场所卫生许可证核发" in html


def test_invalid_filter_is_reported_and_ignored(client, hygiene) -> None:
    response = client.get("/items/", {"q": "卫生", "level": "province"})
    assert response.status_code == 200
    html = text(response)
    assert "部分筛选条件无效" in html
    assert "公共场所卫生许可证核发" in html


def test_results_are_paginated(client) -> None:
    for i in range(25):
        f.make_item(f"测试事项{i:02d}")
    html = text(client.get("/items/", {"q": "测试"}))
    assert "第 1 / 2 页" in html
    assert "page=2" in html
    html = text(client.get("/items/", {"q": "测试", "page": 2}))
    assert html.count('class="result"') == 5


def test_guide_page_tells_everything_once(client, hygiene) -> None:
    response = client.get(f"/items/{hygiene.code}/")
    assert response.status_code == 200
    html = text(response)
    version = hygiene.current_version
    published = version.published_at.astimezone(clock.localnow().tzinfo)
    for expected in [
        "<h1>公共场所卫生许可证核发</h1>",
        hygiene.code,
        "行政许可",
        "区卫生健康委",
        "受理条件",
        "依法取得营业执照",
        "公共场所卫生许可申请表",
        "非核心要件（可容缺后补）",
        "免提交（电子证照调取）",
        "原件1份",
        "空白表格",
        "示例样表",
        "办理流程",
        "法定时限",
        "承诺时限",
        "85%",
        "不收费",
        "最多跑一次",
        "窗口领取、快递送达、电子送达",
        "示范区人民路100号政务服务中心一楼",
        "023-61234567",
        "09:00–12:00、13:30–17:00",
        "《公共场所卫生管理条例》第八条",
        "023-61230000",
        "监督投诉电话",
        f"本指南第1版，发布于{published.year}年{published.month}月{published.day}日",
        f"/items/{hygiene.code}/print/",
    ]:
        assert expected in html, expected


def test_instant_item_and_hour_limits_are_marked(client) -> None:
    item = f.make_item("不动产转移登记", is_instant=True, limit_unit="working_hour",
                       legal_limit=8, promised_limit=1, visits_required=0)  # fmt: skip
    html = text(client.get(f"/items/{item.code}/"))
    assert "即办件" in html
    assert "工作小时" in html
    assert "零跑动" in html
    assert "本事项无需提交申请材料（零材料）" in html


def test_print_version_has_no_navigation(client, hygiene) -> None:
    response = client.get(f"/items/{hygiene.code}/print/")
    assert response.status_code == 200
    html = text(response)
    assert "site-header" not in html
    assert "top-nav" not in html
    assert "公共场所卫生许可申请表" in html
    assert "本指南第1版" in html
    assert "@page" not in html  # print rules live in the stylesheet


def test_unknown_item_gets_the_friendly_chinese_404(client) -> None:
    response = client.get("/items/NO-SUCH-ITEM/")
    assert response.status_code == 404
    html = text(response)
    assert "抱歉，没有找到您要的页面" in html
    assert "未找到该事项" in html
    assert client.get("/items/NO-SUCH-ITEM/print/").status_code == 404


def test_superseded_guide_is_replaced_by_the_new_version(client) -> None:
    item = f.make_item("公共场所卫生许可证核发", promised_limit=5)
    f.publish_new_version(item, clock.now(), promised_limit=2)
    html = text(client.get(f"/items/{item.code}/"))
    assert "本指南第2版" in html
    assert '<span class="value">2</span>' in html


def test_language_switch_to_english(client, hygiene) -> None:
    html = text(client.get("/"))
    assert 'name="language" value="en"' in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/items/"})
    assert response.status_code == 302
    assert response["Location"] == "/items/"
    html = text(client.get("/items/", {"q": "卫生"}))
    assert '<html lang="en">' in html
    assert "<h1>Find a service</h1>" in html
    assert "1 service found for “卫生”" in html
    assert "Version 1 of this guide" in text(client.get(f"/items/{hygiene.code}/"))


def test_results_page_queries_do_not_grow(client, django_assert_max_num_queries) -> None:
    for i in range(20):
        f.make_item(f"测试事项{i}", themes=[f.theme()])
    with django_assert_max_num_queries(6):
        assert client.get("/items/", {"q": "测试"}).status_code == 200


def test_guide_page_queries_are_bounded(client, hygiene, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(7):
        assert client.get(f"/items/{hygiene.code}/").status_code == 200
