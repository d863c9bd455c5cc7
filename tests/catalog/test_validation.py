"""Every rule of docs/catalog-format.md, the enumerations, references and numbers."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.catalog import services
from onewindow.catalog.content import Lookups
from onewindow.catalog.validation import (
    FILING_WITH_APPROVAL,
    check_field_definition,
    check_item,
    check_material_type,
    check_theme,
    compute_code,
    validate_item,
)
from onewindow.common.errors import ValidationFailed
from tests.catalog.conftest import filing_data, item_data

STEP = {
    "accept": {"kind": "accept", "name": "受理"},
    "review": {"kind": "review", "name": "审查"},
    "decide": {"kind": "decide", "name": "决定"},
    "conclude": {"kind": "conclude", "name": "办结"},
}


def steps(*kinds: str) -> list[dict[str, Any]]:
    return [dict(STEP[k]) for k in kinds]


def errors_of(data: dict[str, Any]) -> dict[str, list[str]]:
    clean, errors = check_item(data, lookups=Lookups.load())
    assert (clean is None) == bool(errors)
    return errors


@pytest.fixture
def ready(org: Any, dictionaries: Any) -> None:
    """Departments, service points and dictionaries exist."""


def test_valid_item_is_clean_and_canonical(ready: None) -> None:
    clean = validate_item(item_data(fee_yuan=12.5, themes=["E01", "E01"]))
    assert clean["fee_yuan"] == "12.50"
    assert clean["themes"] == ["E01"]
    assert list(clean)[:3] == ["code", "basic_code", "department"]


def test_filing_with_review_or_decide_is_rejected(ready: None, lisi: Any) -> None:
    for middle in (("review",), ("decide",), ("review", "decide")):
        errors = errors_of(filing_data(steps=steps("accept", *middle, "conclude")))
        assert errors == {"steps": [FILING_WITH_APPROVAL]}
    assert FILING_WITH_APPROVAL == "备案类事项不得设置审查、决定环节（严禁以备案之名行审批之实）"
    with pytest.raises(ValidationFailed) as exc:
        services.item_create(
            actor=lisi, data=filing_data(steps=steps("accept", "review", "conclude"))
        )
    assert exc.value.fields["steps"] == [FILING_WITH_APPROVAL]
    assert exc.value.status == 422
    # A filing that only accepts and concludes is fine.
    assert errors_of(filing_data()) == {}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"promised_limit": 21}, "promised_limit", "承诺时限不能超过法定时限（20）"),
        ({"legal_limit": 0, "promised_limit": 0}, "legal_limit", "不能小于1"),
        ({"promised_limit": 0}, "promised_limit", "不能小于1"),
        ({"legal_limit": -3}, "legal_limit", "不能小于1"),
        ({"legal_limit": 2.5}, "legal_limit", "应为整数"),
        ({"legal_limit": True}, "legal_limit", "应为整数"),
        ({"legal_limit": None}, "legal_limit", "必填"),
        ({"visits_required": -1}, "visits_required", "不能小于0"),
        ({"fee_yuan": "-1"}, "fee_yuan", "金额不能为负数"),
        ({"fee_yuan": "1.234"}, "fee_yuan", "金额最多保留两位小数"),
        ({"fee_yuan": "免费"}, "fee_yuan", "应为金额"),
        ({"name": "  "}, "name", "必填"),
        ({"legal_basis": ""}, "legal_basis", "必填"),
        ({"conditions": None}, "conditions", "必填"),
        ({"name": "长" * 201}, "name", "不能超过200个字"),
        ({"basic_code": ""}, "basic_code", "必填"),
        ({"basic_code": "0001 05"}, "basic_code", "编码只能包含字母、数字、连字符、点和下划线"),
        ({"is_instant": "是"}, "is_instant", "应为“是”或“否”（true/false）"),
        ({"keywords": 12}, "keywords", "应为文本"),
        ({"department": "NOPE"}, "department", "部门“NOPE”不存在"),
        ({"service_points": ["SP-X"]}, "service_points", "服务网点“SP-X”不存在"),
        ({"themes": ["Z9"]}, "themes", "主题“Z9”不存在"),
        ({"themes": "E01"}, "themes", "应为编码列表"),
        ({"delivery_methods": []}, "delivery_methods", "至少选择一种送达方式"),
        ({"surprise": 1}, "surprise", "未知字段"),
        ({"steps": steps("accept")}, "steps", "办理环节至少包括受理和办结两个环节"),
        ({"steps": steps("review", "conclude")}, "steps", "办理环节须以“受理”开始"),
        ({"steps": steps("accept", "review")}, "steps", "办理环节须以“办结”结束"),
        (
            {"steps": steps("accept", "conclude", "review", "conclude")},
            "steps",
            "“受理”只能是第一个环节，“办结”只能是最后一个环节",
        ),
        (
            {"is_instant": True, "promised_limit": 0},
            "steps",
            "即办件只能设置受理、办结两个环节",
        ),
    ],
)
def test_item_rules(ready: None, changes: dict[str, Any], field: str, message: str) -> None:
    errors = errors_of(item_data(**changes))
    assert message in errors.get(field, []), errors


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "approval"),
        ("handling_level", "province"),
        ("subject_type", "alien"),
        ("limit_unit", "month"),
        ("online_level", "maybe"),
    ],
)
def test_enumerations(ready: None, field: str, value: str) -> None:
    errors = errors_of(item_data(**{field: value}))
    assert errors[field][0].startswith(f"取值“{value}”无效，可选：")


def test_instant_item_may_promise_zero(ready: None) -> None:
    data = item_data(is_instant=True, promised_limit=0, steps=steps("accept", "conclude"))
    assert errors_of(data) == {}


def test_child_rows_errors_are_indexed(ready: None) -> None:
    data = item_data(
        steps=[
            {"kind": "accept", "name": "受理", "role": "janitor"},
            {"kind": "approve", "name": ""},
            {"kind": "conclude", "name": "办结", "limit": 0},
        ],
        materials=[
            {"type": "M0001"},
            {"type": "M0001", "copies": -1},
            {"type": "M9999", "source": "elicence"},
            {"type": "M0003", "source": "elicence"},
            {"type": "M0002", "originals": 100, "extra": 1},
        ],
        fields=[
            {"field": "applicant_name", "constraints": {"max_length": 0, "colour": "red"}},
            {"field": "applicant_name"},
            {"field": "nope", "constraints": {"pattern": "(", "min": 5, "max": 1}},
            {"field": "area_m2", "constraints": []},
        ],
    )
    errors = errors_of(data)
    assert errors["steps[0].role"] == ["岗位“janitor”无效"]
    assert errors["steps[1].kind"][0].startswith("取值“approve”无效")
    assert errors["steps[1].name"] == ["必填"]
    assert errors["steps[2].limit"] == ["不能小于1"]
    assert errors["materials[1].type"] == ["材料类型“M0001”重复"]
    assert errors["materials[1].copies"] == ["不能小于0"]
    assert errors["materials[2].type"] == ["材料类型“M9999”不存在"]
    assert errors["materials[3].source"] == [
        "该材料类型没有对应的电子证照类型，不能设为电子证照调取"
    ]
    assert errors["materials[4].originals"] == ["份数不能超过99"]
    assert errors["materials[4].extra"] == ["未知字段"]
    assert set(errors["fields[0].constraints"]) == {
        "未知的校验规则“colour”",
        "校验规则“max_length”应为正数",
    }
    assert errors["fields[1].field"] == ["字段“applicant_name”重复"]
    assert errors["fields[2].field"] == ["字段“nope”不存在"]
    assert set(errors["fields[2].constraints"]) == {
        "校验规则“pattern”不是有效的正则表达式",
        "校验规则 min 不能大于 max",
    }
    assert errors["fields[3].constraints"] == ["应为对象（JSON）"]
    # All of them at once, nothing else.
    assert len(errors) == 15


def test_code_computed_per_gbt_39554(ready: None, org: Any) -> None:
    clean = validate_item(item_data())
    uscc = org["scjgj"].uscc
    assert clean["code"] == f"000105001000-500102000000-000-{uscc}-1-00"
    assert clean["code"] == compute_code(
        basic_code="000105001000", area_code="500102000000", uscc=uscc
    )
    # Given codes are kept.
    assert validate_item(item_data(code="511A0138000000-X"))["code"] == "511A0138000000-X"
    # Without the department's USCC a code cannot be computed: say so.
    org["scjgj"].uscc = ""
    org["scjgj"].save()
    errors = errors_of(item_data())
    assert "请填写实施编码" in errors["code"][0]


def test_inactive_department(ready: None, org: Any) -> None:
    org["scjgj"].is_active = False
    org["scjgj"].save()
    assert errors_of(item_data())["department"] == ["部门“SCJGJ”已停用"]


def test_dictionary_rules() -> None:
    _clean, errors = check_material_type({"code": "", "name": "x" * 129})
    assert errors == {"code": ["必填"], "name": ["不能超过128个字"]}
    _clean, errors = check_field_definition({"code": "shop", "label": "店铺类型", "type": "choice"})
    assert errors == {"constraints": ["单选、多选字段须在校验规则中给出 choices"]}
    clean, errors = check_field_definition(
        {"code": "shop", "label": "店铺类型", "type": "choice", "constraints": {"choices": ["a"]}}
    )
    assert errors == {}
    assert clean is not None
    assert clean["unit"] == ""
    _clean, errors = check_field_definition({"code": "x", "label": "x", "type": "colour"})
    assert errors["type"][0].startswith("取值“colour”无效")
    _clean, errors = check_theme({"code": "E9", "name": "开办", "audience": "alien", "order": "x"})
    assert set(errors) == {"audience", "order"}


def test_dictionary_upserts_need_the_centre(lisi: Any, wangwu: Any) -> None:
    from onewindow.common.errors import PermissionDenied

    data = {"code": "M0300", "name": "税务登记证明"}
    with pytest.raises(PermissionDenied):
        services.material_type_upsert(actor=lisi, data=data)
    created = services.material_type_upsert(actor=wangwu, data=data)
    again = services.material_type_upsert(actor=wangwu, data={**data, "description": "说明"})
    assert again.pk == created.pk
    assert again.description == "说明"
    with pytest.raises(ValidationFailed):
        services.material_type_upsert(actor=wangwu, data={"code": "M0301", "name": "税务登记证明"})
    theme = services.theme_upsert(
        actor=wangwu, data={"code": "E05", "name": "注销", "audience": "enterprise"}
    )
    assert theme.order == 0
    field = services.field_definition_upsert(
        actor=wangwu, data={"code": "shop_area", "label": "面积", "type": "decimal"}
    )
    assert field.type == "decimal"
