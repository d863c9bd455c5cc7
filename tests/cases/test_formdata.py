"""Form validation against the catalogue: every type, every rule, every error at once."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.cases.formdata import validate_form
from onewindow.catalog.models import FieldDefinition, ItemField, ItemVersion
from onewindow.common.errors import ValidationFailed
from onewindow.demo.data.org import BARBER_USCC, ZHANGSAN_ID

pytestmark = pytest.mark.django_db

# code: (label, type, dictionary rules, item rules, required)
SPEC: dict[str, tuple[str, str, dict[str, Any], dict[str, Any], bool]] = {
    "t_text": ("店名", "text", {"max_length": 10}, {}, True),
    "t_area": ("经营面积", "decimal", {"min": 1, "max": 1000000}, {"min": 10, "max": 500}, True),
    "t_staff": ("从业人员数", "integer", {"min": 0, "max": 100}, {"max": 50}, True),
    "t_opened": ("开业日期", "date", {}, {}, False),
    "t_kind": ("类别", "choice", {"choices": ["理发店", "美容店", "宾馆"]}, {}, True),
    "t_kinds": ("项目", "multi_choice", {"choices": ["剪发", "烫发", "染发"]}, {}, False),
    "t_signed": ("已签署承诺书", "boolean", {}, {}, False),
    "t_id": ("负责人身份证号码", "resident_id", {}, {}, False),
    "t_uscc": ("统一社会信用代码", "uscc", {}, {}, False),
    "t_phone": ("联系电话", "phone", {}, {}, False),
    "t_addr": ("经营场所", "address", {"max_length": 30}, {}, False),
    "t_code": ("项目代码", "text", {"pattern": r"^\d{4}-\d{2}$"}, {"pattern": r"^2026-.*$"}, False),
    "t_note": ("说明", "textarea", {"max_length": 2000}, {"max_length": 20}, False),
}


@pytest.fixture
def version(hygiene_licence: ItemVersion) -> ItemVersion:
    hygiene_licence.fields.all().delete()
    for order, (code, (label, ftype, base, extra, required)) in enumerate(SPEC.items()):
        fd = FieldDefinition.objects.create(code=code, label=label, type=ftype, constraints=base)
        ItemField.objects.create(
            version=hygiene_licence, field=fd, order=order, required=required, constraints=extra
        )
    return hygiene_licence


GOOD = {
    "t_text": "  张三理发店 ",
    "t_area": "35.50",
    "t_staff": "3",
    "t_opened": "2026-03-01",
    "t_kind": "理发店",
    "t_kinds": ["剪发", "烫发", "剪发"],
    "t_signed": "true",
    "t_id": ZHANGSAN_ID.lower(),
    "t_uscc": BARBER_USCC,
    "t_phone": "139-0000-0001",
    "t_addr": "示范区城东大道96号",
    "t_code": "2026-01",
    "t_note": "两把理发椅",
}


def errors_of(version: ItemVersion, data: dict[str, Any], **kw: Any) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as exc:
        validate_form(version, data, **kw)
    assert exc.value.code == "form_invalid"
    return exc.value.fields


def test_good_values_come_back_cleaned_and_json_able(version):
    cleaned = validate_form(version, GOOD)
    assert cleaned == {
        "t_text": "张三理发店",
        "t_area": "35.50",
        "t_staff": 3,
        "t_opened": "2026-03-01",
        "t_kind": "理发店",
        "t_kinds": ["剪发", "烫发"],
        "t_signed": True,
        "t_id": ZHANGSAN_ID.upper(),
        "t_uscc": BARBER_USCC,
        "t_phone": "13900000001",
        "t_addr": "示范区城东大道96号",
        "t_code": "2026-01",
        "t_note": "两把理发椅",
    }
    assert validate_form(version, {**GOOD, "t_area": 120})["t_area"] == "120"


def test_every_error_is_reported_at_once_in_chinese(version):
    bad = {
        "t_text": "一二三四五六七八九十一",
        "t_area": "5",
        "t_staff": 51,
        "t_opened": "1850-01-01",
        "t_kind": "网吧",
        "t_kinds": ["剪发", "纹身"],
        "t_signed": "maybe",
        "t_id": ZHANGSAN_ID[:17] + ("0" if ZHANGSAN_ID[17] != "0" else "1"),
        "t_uscc": BARBER_USCC[:17] + ("0" if BARBER_USCC[17] != "0" else "1"),
        "t_phone": "02368120000",
        "t_addr": "地" * 31,
        "t_code": "2025-01",
        "t_note": "长" * 21,
        "t_unknown": "x",
    }
    fields = errors_of(version, bad)
    assert fields == {
        "t_unknown": "本事项的申请表没有字段“t_unknown”",
        "t_text": "店名不能超过10个字符",
        "t_area": "经营面积不能小于10",
        "t_staff": "从业人员数不能大于50",
        "t_opened": "开业日期超出合理范围（1900年至2100年）",
        "t_kind": "类别只能选择：理发店、美容店、宾馆",
        "t_kinds": "项目含有不允许的选项：纹身",
        "t_signed": "已签署承诺书应为“是”或“否”",
        "t_id": "居民身份证号码校验码错误",
        "t_uscc": "统一社会信用代码校验码错误",
        "t_phone": "联系电话应为11位中国大陆手机号码",
        "t_addr": "经营场所不能超过30个字符",
        "t_code": "项目代码格式不正确",
        "t_note": "说明不能超过20个字符",
    }


def test_the_item_rule_tightens_but_never_loosens(version):
    assert errors_of(version, {**GOOD, "t_area": "501"})["t_area"] == "经营面积不能大于500"
    assert validate_form(version, {**GOOD, "t_area": "500"})["t_area"] == "500"
    # the dictionary's pattern still applies next to the item's
    assert "t_code" in errors_of(version, {**GOOD, "t_code": "2026-1x"})


def test_required_fields_are_named(version):
    fields = errors_of(version, {"t_text": "张三理发店", "t_kinds": []})
    assert fields == {
        "t_area": "请填写经营面积",
        "t_staff": "请填写从业人员数",
        "t_kind": "请填写类别",
    }


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("t_staff", "3.5", "从业人员数应为整数"),
        ("t_staff", True, "从业人员数应为整数"),
        ("t_area", "三十", "经营面积应为数字"),
        ("t_area", "NaN", "经营面积应为数字"),
        ("t_area", "1e400", "经营面积应为数字"),
        ("t_area", "12.1234567", "经营面积最多保留6位小数"),
        ("t_opened", "2026-02-30", "开业日期不是有效日期"),
        ("t_opened", "2026/03/01", "开业日期格式不正确，应为YYYY-MM-DD"),
        ("t_opened", "2300-01-01", "开业日期超出合理范围（1900年至2100年）"),
        ("t_kinds", "剪发", "项目应为选项列表"),
        ("t_text", 123, "店名应为文本"),
        ("t_text", "张三\n理发店", "店名不能换行"),
        ("t_id", "1234", "居民身份证号码应为18位"),
        ("t_uscc", "ABC", "统一社会信用代码应为18位"),
        ("t_phone", "1390000000", "联系电话应为11位中国大陆手机号码"),
        ("t_phone", "12900000001", "联系电话应为11位中国大陆手机号码"),
    ],
)
def test_one_bad_value(version, code, value, message):
    assert errors_of(version, {**GOOD, code: value}) == {code: message}


def test_partial_checks_only_what_is_given(version):
    assert validate_form(version, {"t_area": "20"}, partial=True) == {"t_area": "20"}
    assert validate_form(version, {"t_area": ""}, partial=True) == {}
    assert errors_of(version, {"t_area": "2"}, partial=True) == {"t_area": "经营面积不能小于10"}
    assert "t_zzz" in errors_of(version, {"t_zzz": 1}, partial=True)


def test_the_form_must_be_an_object(version):
    with pytest.raises(ValidationFailed) as exc:
        validate_form(version, ["t_text"])
    assert exc.value.message == "申请表内容应为对象"


def test_the_demo_barber_form(hygiene_licence):
    data = {
        "applicant_name": "张三理发店",
        "uscc": BARBER_USCC,
        "legal_representative": "张三",
        "phone": "13900000001",
        "business_address": "示范区城东大道96号",
        "business_area_m2": "45",
        "public_place_type": "理发店",
        "employees_count": 3,
    }
    assert validate_form(hygiene_licence, data)["business_area_m2"] == "45"
    fields = errors_of(hygiene_licence, {**data, "business_area_m2": "0.5"})
    assert fields == {"business_area_m2": "经营面积不能小于1"}


def test_the_delivery_choice_is_a_reserved_key(hygiene_licence):
    assert validate_form(hygiene_licence, {"_delivery": "window"}, partial=True) == {
        "_delivery": {"method": "window"}
    }
    choice = {
        "method": "express",
        "recipient": "张三",
        "phone": "13900000001",
        "address": "示范区城东大道96号",
    }
    assert validate_form(hygiene_licence, {"_delivery": choice}, partial=True) == {
        "_delivery": choice
    }
    fields = errors_of(hygiene_licence, {"_delivery": {"method": "express"}}, partial=True)
    assert fields == {"_delivery": "快递送达请填写收件地址"}
    fields = errors_of(hygiene_licence, {"_delivery": "pigeon", "_other": 1}, partial=True)
    assert fields == {
        "_delivery": "该事项的送达方式为：窗口领取、快递送达、电子送达",
        "_other": "本事项的申请表没有字段“_other”",
    }
