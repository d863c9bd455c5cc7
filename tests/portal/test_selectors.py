"""The published catalogue as the public sees it: search, filters, counts, versions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from onewindow.catalog import selectors
from onewindow.catalog.models import ItemMaterial, VersionStatus
from onewindow.common import clock
from onewindow.common.errors import NotFound, ValidationFailed
from tests.portal import factories as f

pytestmark = pytest.mark.django_db


def names(qs) -> list[str]:
    return [v.name for v in qs]


def test_ranking_exact_then_prefix_then_contained_then_keyword_only() -> None:
    f.make_item("餐饮服务食品安全检查", keywords="卫生许可 餐饮")
    f.make_item("公共场所卫生许可证核发")
    f.make_item("卫生许可证注销")
    f.make_item("卫生许可")
    assert names(selectors.search_items("卫生许可")) == [
        "卫生许可",
        "卫生许可证注销",
        "公共场所卫生许可证核发",
        "餐饮服务食品安全检查",
    ]


def test_within_a_rank_obtaining_comes_before_changing_renewing_cancelling() -> None:
    for suffix in ("注销", "变更", "延续", "核发"):
        f.make_item(f"公共场所卫生许可证{suffix}")
    assert names(selectors.search_items("公共场所卫生许可证")) == [
        "公共场所卫生许可证核发",
        "公共场所卫生许可证变更",
        "公共场所卫生许可证延续",
        "公共场所卫生许可证注销",
    ]


def test_every_term_must_match_name_keywords_or_department() -> None:
    market = f.department("SCJ", "区市场监管局")
    f.make_item("公共场所卫生许可证核发", keywords="理发 美容")
    f.make_item("生活饮用水卫生许可")
    f.make_item("食品经营许可证核发", dept=market)
    assert names(selectors.search_items("卫生  理发")) == ["公共场所卫生许可证核发"]
    assert names(selectors.search_items("市场监管 食品")) == ["食品经营许可证核发"]
    assert names(selectors.search_items("月球土地")) == []
    assert len(selectors.search_items("")) == 3
    assert len(selectors.search_items(None)) == 3


def test_filters_by_department_theme_level_kind_online_level_and_audience() -> None:
    market = f.department("SCJ", "区市场监管局")
    birth = f.theme("P01", "生育收养", "person")
    f.make_item("生育登记", themes=[birth], subject_type="natural", handling_level="town",
                kind="public_service", online_level="fully_online")  # fmt: skip
    f.make_item("食品经营许可证核发", dept=market, subject_type="legal")
    f.make_item("个体工商户登记", dept=market, subject_type="both", handling_level="village")
    assert names(selectors.search_items(department="SCJ")) == [
        "个体工商户登记",
        "食品经营许可证核发",
    ]
    assert names(selectors.search_items(theme="P01")) == ["生育登记"]
    assert names(selectors.search_items(level="village")) == ["个体工商户登记"]
    assert names(selectors.search_items(kind="public_service")) == ["生育登记"]
    assert names(selectors.search_items(online_level="fully_online")) == ["生育登记"]
    assert set(names(selectors.search_items(audience="person"))) == {"生育登记", "个体工商户登记"}
    assert set(names(selectors.search_items(audience="enterprise"))) == {
        "食品经营许可证核发",
        "个体工商户登记",
    }
    assert names(selectors.search_items("登记", department="SCJ", level="village")) == [
        "个体工商户登记"
    ]
    assert names(selectors.search_items(department="NOPE")) == []


def test_unknown_choice_values_are_refused() -> None:
    with pytest.raises(ValidationFailed) as exc:
        selectors.search_items("x", level="province", kind="tax")
    assert set(exc.value.fields) == {"level", "kind"}


def test_only_published_versions_are_visible() -> None:
    f.make_item("公共场所卫生许可证核发")
    draft = f.make_item("卫生许可证变更", status=VersionStatus.DRAFT)
    f.make_item("卫生许可证延续", status=VersionStatus.IN_REVIEW)
    assert names(selectors.search_items("卫生")) == ["公共场所卫生许可证核发"]
    with pytest.raises(NotFound, match="未找到该事项"):
        selectors.item_guide(draft.code)


def test_superseded_version_is_not_shown_and_guide_follows_the_new_one() -> None:
    item = f.make_item("公共场所卫生许可证核发", promised_limit=5)
    f.publish_new_version(item, clock.now(), name="公共场所卫生许可证新办", promised_limit=3)
    assert names(selectors.search_items("核发")) == []
    assert names(selectors.search_items("新办")) == ["公共场所卫生许可证新办"]
    guide = selectors.item_guide(item.code)
    assert (guide.number, guide.promised_limit) == (2, 3)
    # An abolished item (no current version) disappears.
    item.current_version = None
    item.save()
    assert names(selectors.search_items("卫生")) == []


def test_version_as_of_answers_what_the_guide_said_then() -> None:
    now = clock.now()
    item = f.make_item("公共场所卫生许可证核发", published_at=now - timedelta(days=30))
    f.publish_new_version(item, now - timedelta(days=10), promised_limit=2)
    assert selectors.version_as_of(item.code, now - timedelta(days=20)).number == 1
    assert selectors.version_as_of(item.code, now - timedelta(days=10)).number == 2
    assert selectors.version_as_of(item.code, now).promised_limit == 2
    with pytest.raises(NotFound):
        selectors.version_as_of(item.code, now - timedelta(days=31))
    with pytest.raises(NotFound):
        selectors.version_as_of("NO-SUCH-CODE", now)


def test_item_guide_prefetches_everything_in_a_fixed_number_of_queries(
    django_assert_num_queries,
) -> None:
    item = f.hygiene_licence()
    with django_assert_num_queries(6):
        guide = selectors.item_guide(item.code)
        materials = list(guide.materials.all())
        [m.material_type.name for m in materials]
        [s.name for s in guide.steps.all()]
        [x.field.label for x in guide.fields.all()]
        [p.address for p in guide.service_points.all()]
        [t.name for t in guide.themes.all()]
        assert guide.item.department.name == "区卫生健康委"
    assert [m.material_type.name for m in materials][:2] == ["公共场所卫生许可申请表", "营业执照"]


def test_counts_by_department_theme_and_level() -> None:
    market = f.department("SCJ", "区市场监管局")
    f.department("EMPTY", "区档案馆")
    opening = f.theme("E01", "企业开办", "enterprise")
    f.theme("P09", "身后事", "person")
    f.make_item("食品经营许可证核发", dept=market, themes=[opening])
    f.make_item("个体工商户登记", dept=market, themes=[opening], handling_level="town")
    old = f.make_item("旧事项", dept=market, themes=[opening])
    f.publish_new_version(old, clock.now())  # still one published version per item
    f.make_item("草稿事项", dept=market, themes=[opening], status=VersionStatus.DRAFT)
    depts = {d.code: d.item_count for d in selectors.departments_with_counts()}
    assert depts == {"SCJ": 3}
    every = {d.code: d.item_count for d in selectors.departments_with_counts(include_empty=True)}
    assert every["EMPTY"] == 0
    assert [(t.code, t.item_count) for t in selectors.themes_with_counts("enterprise")] == [
        ("E01", 3)
    ]
    assert [t.code for t in selectors.themes_with_counts("person", include_empty=True)] == ["P09"]
    levels = {lc.level: (lc.label, lc.count) for lc in selectors.level_counts()}
    assert levels == {
        "district": ("区级", 2),
        "town": ("镇街级", 1),
        "village": ("村（社区）级", 0),
    }


def test_catalogue_stats() -> None:
    f.make_item("甲", legal_limit=20, promised_limit=5, online_level="fully_online")  # 75%
    f.make_item("乙", legal_limit=20, promised_limit=1, is_instant=True, commitment_allowed=True)
    f.make_item("丙", legal_limit=10, promised_limit=10, limit_unit="working_hour",
                cross_province=True)  # fmt: skip
    with_material = f.make_item("丁", legal_limit=10, promised_limit=2)  # 80%
    ItemMaterial.objects.create(
        version=with_material.current_version, material_type=f.material_type("M1", "居民身份证")
    )
    optional_only = f.make_item("戊", legal_limit=0, promised_limit=0)
    ItemMaterial.objects.create(
        version=optional_only.current_version,
        material_type=f.material_type("M2", "委托书"),
        required=False,
    )
    f.make_item("草稿", status=VersionStatus.DRAFT, online_level="fully_online")
    stats = selectors.catalogue_stats()
    assert stats.items == 5
    assert stats.fully_online == 1
    assert stats.fully_online_share == pytest.approx(0.2)
    assert stats.instant == 1
    assert stats.commitment == 1
    assert stats.cross_province == 1
    assert stats.zero_material == 4  # all but 丁; 戊's only material is optional
    assert stats.average_reduction == pytest.approx((0.75 + 0.95 + 0 + 0.8) / 4)
    assert stats.total_reduction == pytest.approx(1 - (5 + 1 + 2) / (20 + 20 + 10))


def test_catalogue_stats_of_an_empty_catalogue() -> None:
    stats = selectors.catalogue_stats()
    assert (stats.items, stats.fully_online_share, stats.average_reduction) == (0, None, None)
