"""The decision table, the merge (by hand and with hypothesis) and the reduction figures."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.bundles import selectors
from onewindow.bundles.decision import QuestionSpec, RuleSpec, decide, normalise_answers
from onewindow.bundles.merge import (
    FieldAsk,
    MaterialAsk,
    aggregate,
    condition_lines,
    merge_conditions,
    merge_fields,
    merge_materials,
)
from onewindow.bundles.services import bundle_create, bundle_publish
from onewindow.common.errors import ValidationFailed
from tests.bundles.conftest import bundle_data

# --- the decision table of the test bundle (a restaurant that sells alcohol needs one more
# permit; a shop with an outdoor sign needs the sign filing)

OPEN, HYGIENE, SIGN, ALCOHOL = (
    "个体工商户设立登记",
    "公共场所卫生许可证核发",
    "户外广告设施设置备案",
    "酒类零售许可",
)


@pytest.fixture
def version(world: dict[str, Any]) -> Any:
    v = bundle_create(actor=world["wangwu"], data=bundle_data(world))
    return bundle_publish(actor=world["wangwu"], version=v, skip_review=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, [OPEN, HYGIENE]),
        ({"sign": "no", "alcohol": "no"}, [OPEN, HYGIENE]),
        ({"sign": "yes", "alcohol": "no"}, [OPEN, HYGIENE, SIGN]),
        ({"sign": "no", "alcohol": "yes"}, [OPEN, HYGIENE, ALCOHOL]),
        ({"sign": True, "alcohol": "是"}, [OPEN, HYGIENE, SIGN, ALCOHOL]),
        ({"sign": "", "alcohol": "YES"}, [OPEN, HYGIENE, ALCOHOL]),
    ],
)
def test_applicable_items_decision_table(version, answers, expected):
    members = selectors.applicable_items(version, answers)
    assert [m.item.current_version.name for m in members] == expected


@pytest.mark.django_db
def test_unknown_question_or_bad_answer_is_refused_in_chinese(version):
    with pytest.raises(ValidationFailed) as exc:
        selectors.applicable_items(version, {"beer": "yes", "sign": "maybe"})
    assert exc.value.fields == {
        "answers.beer": ["没有这个问题"],
        "answers.sign": ["回答“maybe”无效，可选：是、否"],
    }
    with pytest.raises(ValidationFailed) as exc:
        selectors.applicable_items(version, {"sign": "no"}, require_all=True)
    assert exc.value.fields == {"answers.alcohol": ["请回答：是否销售酒类？"]}


def test_choice_questions_take_one_of_their_choices():
    q = QuestionSpec("kitchen", "经营项目", "choice", ("热食", "冷食"))
    assert normalise_answers([q], {"kitchen": " 热食 "}) == {"kitchen": "热食"}
    with pytest.raises(ValidationFailed):
        normalise_answers([q], {"kitchen": "yes"})
    rules = [RuleSpec("kitchen", "热食", "drain")]
    members = [("licence", True), ("drain", False)]
    assert decide(members, rules, {"kitchen": "热食"}) == ["licence", "drain"]
    assert decide(members, rules, {"kitchen": "冷食"}) == ["licence"]


# --- the merged guide of the small bundle, computed by hand


@pytest.mark.django_db
def test_merged_guide_and_reduction_by_hand(version):
    g = selectors.build_guide(selectors.published_version("T01"))
    materials = {m.code: m for m in g.materials}
    assert list(materials) == ["M1", "M3", "M2", "M4"]
    sfz = materials["M1"]
    assert sfz.used_by_names == [OPEN, HYGIENE]
    assert sfz.shared
    assert sfz.source == "applicant"  # one asker wants the paper: not 免提交
    assert (sfz.originals, sfz.copies) == (1, 0)
    cs = materials["M3"]
    assert cs.copies == 2
    assert cs.used_by_names == [OPEN, HYGIENE, SIGN]
    assert cs.requirements == ["租赁合同须在有效期内"]
    assert not materials["M2"].required  # only 卫生许可 lists it, as optional
    fields = {f.code: f for f in g.fields}
    assert fields["applicant_name"].constraints() == {"max_length": 40}  # 64, 50, 40
    assert fields["area"].constraints() == {"min": 20, "max": 500}
    assert fields["area"].required  # required by 个体工商户, optional for the sign
    assert g.conflicts == []
    assert [c.text for c in g.conditions] == [
        "申请人具有完全民事行为能力",
        "经营场所符合规定",
        "卫生检测合格",
        "申请人具备相应条件",  # the factory's default, shared by the sign and alcohol items
    ]
    assert g.conditions[1].items == [OPEN, HYGIENE]
    assert str(g.fee_total) == "10.00"
    r = g.reduction
    # visits 1+1+0+1; required materials 2+2+1+1 vs {M1, M3, M4}; forms of A, B, C;
    # fields 2+2+1 vs {applicant_name, area}; promised days 1+3+0+2 vs the bundle's 4
    assert r.as_dict() == {
        "visits_before": 3,
        "visits_after": 1,
        "materials_before": 6,
        "materials_after": 3,
        "forms_before": 3,
        "forms_after": 1,
        "fields_before": 5,
        "fields_after": 2,
        "days_before": 6,
        "days_after": 4,
    }
    answered = selectors.build_guide(version, {"sign": "no", "alcohol": "no"})
    assert [m.name for m in answered.applicable] == [OPEN, HYGIENE]
    assert answered.reduction.materials_before == 4
    assert answered.reduction.materials_after == 2
    agg = selectors.aggregate_reduction()
    assert agg.bundles == 1
    assert agg.totals == r


def test_aggregate_averages_like_the_seeds_report_them():
    from onewindow.bundles.merge import Reduction

    def red(v: int, m: int, d: int) -> Reduction:
        return Reduction(v, 1, m, m // 2, 1, 1, 10, 5, d, d // 2)

    agg = aggregate([red(8, 21, 27), red(7, 20, 26)])
    assert agg.totals.visits_before == 15
    assert agg.averages["visits_before"] == 7.5
    assert agg.averages["visits_after"] == 1.0
    assert agg.averages["days_before"] == 26.5
    assert aggregate([]).averages["visits_before"] == 0.0


def test_condition_lines_drop_numbering_and_duplicates():
    assert condition_lines("1. 甲；2、乙。\n（3）丙") == ["甲", "乙", "丙"]
    merged = merge_conditions([("A", "1. 甲；2. 乙"), ("B", "乙\n丙")])
    assert [(c.text, c.items) for c in merged] == [("甲", ["A"]), ("乙", ["A", "B"]), ("丙", ["B"])]


def test_different_types_and_empty_choices_are_conflicts():
    asks = [
        FieldAsk("a", "甲事项", "kind", "类别", "choice", base={"choices": ["x", "y"]}),
        FieldAsk("b", "乙事项", "kind", "类别", "choice", extra={"choices": ["z"]}),
        FieldAsk("c", "丙事项", "kind", "类别", "text"),
    ]
    merged, conflicts = merge_fields(asks)
    assert merged[0].choices == []
    reasons = [c.reason for c in conflicts]
    assert reasons == ["字段类型不一致（choice、text）", "可选项没有交集"]
    assert conflicts[1].message == (
        "字段“类别”（kind）在“甲事项”、“乙事项”、“丙事项”中的规则无法合并：可选项没有交集"
    )


# --- properties of the merge (hypothesis)

bounds = st.one_of(st.none(), st.integers(-50, 50))
choice_sets = st.one_of(st.none(), st.lists(st.sampled_from("abcde"), min_size=1, unique=True))


@st.composite
def field_asks(draw: Any) -> list[FieldAsk]:
    n = draw(st.integers(1, 5))
    asks = []
    for i in range(n):
        rules: dict[str, Any] = {}
        for key in ("min", "max", "max_length"):
            value = draw(bounds)
            if value is not None:
                rules[key] = abs(value) + 1 if key == "max_length" else value
        choices = draw(choice_sets)
        if choices is not None:
            rules["choices"] = choices
        if draw(st.booleans()):
            rules["pattern"] = draw(st.sampled_from([r"^\d+$", r"^[a-z]+$", r"^.{1,9}$"]))
        asks.append(
            FieldAsk(f"item{i}", f"事项{i}", "f", "字段", "text", draw(st.booleans()), extra=rules)
        )
    return asks


@settings(max_examples=200, deadline=None)
@given(field_asks(), st.randoms())
def test_the_stricter_rule_always_applies_and_order_does_not_matter(asks, rnd):
    (merged,), conflicts = merge_fields(asks)
    for ask in asks:
        rules = ask.extra
        if "min" in rules:
            assert merged.min >= rules["min"]
        if "max" in rules:
            assert merged.max <= rules["max"]
        if "max_length" in rules:
            assert merged.max_length <= rules["max_length"]
        if "choices" in rules:
            assert set(merged.choices) <= set(rules["choices"])
        if "pattern" in rules:
            assert rules["pattern"] in merged.patterns
    assert merged.required == any(a.required for a in asks)
    mins = [a.extra["min"] for a in asks if "min" in a.extra]
    maxes = [a.extra["max"] for a in asks if "max" in a.extra]
    assert merged.min == (max(mins) if mins else None)
    assert merged.max == (min(maxes) if maxes else None)
    expect_conflict = (
        merged.min is not None and merged.max is not None and merged.min > merged.max
    ) or (merged.choices == [])
    assert bool(conflicts) == expect_conflict
    shuffled = list(asks)
    rnd.shuffle(shuffled)
    (again,), _ = merge_fields(shuffled)
    assert again.constraints().keys() == merged.constraints().keys()
    assert (again.min, again.max, again.max_length) == (merged.min, merged.max, merged.max_length)
    assert set(again.choices or []) == set(merged.choices or [])
    assert set(again.patterns) == set(merged.patterns)


material_asks = st.lists(
    st.builds(
        MaterialAsk,
        item=st.sampled_from(["A", "B", "C"]),
        item_name=st.just("事项"),
        code=st.sampled_from(["M1", "M2", "M3"]),
        name=st.just("材料"),
        required=st.booleans(),
        core=st.booleans(),
        originals=st.integers(0, 3),
        copies=st.integers(0, 3),
        paper_required=st.booleans(),
        source=st.sampled_from(["applicant", "elicence", "department"]),
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(material_asks)
def test_each_material_type_is_asked_once_with_the_strongest_requirement(asks):
    merged = merge_materials(asks)
    assert [m.code for m in merged] == list(dict.fromkeys(a.code for a in asks))
    for m in merged:
        mine = [a for a in asks if a.code == m.code]
        assert m.required == any(a.required for a in mine)
        assert m.core == any(a.core for a in mine)
        assert m.originals == max(a.originals for a in mine)
        assert m.copies == max(a.copies for a in mine)
        assert m.submitted == any(a.source == "applicant" for a in mine)
        assert set(m.used_by) == {a.item for a in mine}
        assert m.shared == (len({a.item for a in mine}) > 1)
