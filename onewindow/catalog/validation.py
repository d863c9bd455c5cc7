"""Validation of catalogue content (docs/catalog-format.md, "Rules every item must satisfy").

Every check runs and every problem is collected, as ``{field: [messages]}``; field names
follow the interchange format (``legal_limit``, ``steps[2].kind``, ``materials[0].type``).
``check_*`` functions return ``(clean, errors)`` so that an import can gather the errors of
every row; ``validate_*`` raise ``ValidationFailed`` with all of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from onewindow.catalog.content import (
    FIELD_DEFINITION_KEYS,
    FIELD_KEYS,
    ITEM_KEYS,
    MATERIAL_KEYS,
    MATERIAL_TYPE_KEYS,
    STEP_KEYS,
    THEME_KEYS,
    Lookups,
    fee_text,
)
from onewindow.catalog.models import (
    APPROVAL_STEP_KINDS,
    DeliveryMethod,
    FieldType,
    HandlingLevel,
    ItemKind,
    LimitUnit,
    MaterialSource,
    OnlineLevel,
    StepKind,
    SubjectType,
    ThemeAudience,
)
from onewindow.common.errors import ValidationFailed
from onewindow.org.models import Role

Errors = dict[str, list[str]]

FILING_WITH_APPROVAL = "备案类事项不得设置审查、决定环节（严禁以备案之名行审批之实）"
CONSTRAINT_KEYS = frozenset({"max_length", "min", "max", "choices", "pattern"})
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.\-]*$")
_MISSING = object()


class Checker:
    """Reads typed values out of a mapping, recording Chinese messages for what is wrong."""

    def __init__(self, data: Mapping[str, Any], errors: Errors, prefix: str = "") -> None:
        self.data = data
        self.errors = errors
        self.prefix = prefix

    def error(self, key: str, message: str) -> None:
        name = f"{self.prefix}{key}" if key else self.prefix.rstrip(".")
        self.errors.setdefault(name or "_", []).append(message)

    def unknown_keys(self, allowed: Iterable[str]) -> None:
        for key in sorted(set(self.data) - set(allowed)):
            self.error(str(key), _("未知字段"))

    def text(self, key: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.data.get(key)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error(key, _("应为文本"))
            return ""
        value = value.strip()
        if required and not value:
            self.error(key, _("必填"))
        if max_length is not None and len(value) > max_length:
            self.error(key, _("不能超过%(n)d个字") % {"n": max_length})
        return value

    def code(self, key: str, *, max_length: int) -> str:
        value = self.text(key, required=True, max_length=max_length)
        if value and not _CODE.match(value):
            self.error(key, _("编码只能包含字母、数字、连字符、点和下划线"))
        return value

    def integer(
        self, key: str, *, default: Any = _MISSING, minimum: int | None = 0, nullable: bool = False
    ) -> int | None:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None or value == "":
            if nullable:
                return None
            if default is _MISSING:
                self.error(key, _("必填"))
                return None
            return int(default)
        number = as_int(value)
        if number is None:
            self.error(key, _("应为整数"))
            return None
        if minimum is not None and number < minimum:
            self.error(key, _("不能小于%(n)d") % {"n": minimum})
        return number

    def boolean(self, key: str, *, default: bool) -> bool:
        value = self.data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(key, _("应为“是”或“否”（true/false）"))
            return default
        return value

    def choice(self, key: str, choices: Any, *, default: Any = _MISSING) -> str:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value in (None, ""):
            if default is _MISSING:
                self.error(key, _("必填"))
                return ""
            return str(default)
        if value not in choices.values:
            allowed = "、".join(f"{v}（{label}）" for v, label in choices.choices)
            self.error(
                key, _("取值“%(v)s”无效，可选：%(allowed)s") % {"v": value, "allowed": allowed}
            )
            return ""
        return str(value)

    def code_list(self, key: str) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(key, _("应为编码列表"))
            return []
        return [v.strip() for v in value]

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(key, _("应为对象（JSON）"))
            return {}
        return dict(value)

    def rows(self, key: str) -> list[Mapping[str, Any]]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            self.error(key, _("应为列表"))
            return []
        return list(value)


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None


def compute_code(*, basic_code: str, area_code: str, uscc: str) -> str:
    """The implementation code of GB/T 39554.1-2020 as this installation builds it:
    ``{basic_code}-{area_code}-000-{implementing body USCC}-1-00``."""
    return f"{basic_code}-{area_code}-000-{uscc}-1-00"


def area_code_of(code: str) -> str:
    """The area code inside an implementation code, or the installation's area code."""
    parts = code.split("-")
    if len(parts) >= 2 and re.fullmatch(r"\d{12}", parts[1]):
        return parts[1]
    return str(settings.ONEWINDOW["AREA_CODE"])


def check_constraints(
    c: Checker, key: str, constraints: dict[str, Any], *, field_type: str | None = None
) -> None:
    for name in sorted(set(constraints) - CONSTRAINT_KEYS):
        c.error(key, _("未知的校验规则“%(k)s”") % {"k": name})
    for name in ("max_length", "min", "max"):
        if name in constraints and (
            isinstance(constraints[name], bool) or not isinstance(constraints[name], int | float)
        ):
            c.error(key, _("校验规则“%(k)s”应为数字") % {"k": name})
    max_length = as_int(constraints.get("max_length"))
    if max_length is not None and max_length < 1:
        c.error(key, _("校验规则“max_length”应为正数"))
    low, high = constraints.get("min"), constraints.get("max")
    if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
        c.error(key, _("校验规则 min 不能大于 max"))
    if "choices" in constraints:
        choices = constraints["choices"]
        if (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(x, str) and x for x in choices)
        ):
            c.error(key, _("校验规则“choices”应为非空的文本列表"))
    elif field_type in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        c.error(key, _("单选、多选字段须在校验规则中给出 choices"))
    if "pattern" in constraints:
        try:
            re.compile(str(constraints["pattern"]))
        except re.error:
            c.error(key, _("校验规则“pattern”不是有效的正则表达式"))


def check_item(
    data: Mapping[str, Any], *, lookups: Lookups
) -> tuple[dict[str, Any] | None, Errors]:
    """Check one item dict. Returns the canonical clean dict (``None`` if wrong) and errors."""
    errors: Errors = {}
    if not isinstance(data, Mapping):
        return None, {"_": [_("事项应为对象（JSON）")]}
    c = Checker(data, errors)
    c.unknown_keys((*ITEM_KEYS, "change_note"))
    clean: dict[str, Any] = {}

    basic_code = c.code("basic_code", max_length=32)
    dept_code = c.text("department", required=True)
    department = lookups.departments.get(dept_code) if dept_code else None
    if dept_code and department is None:
        c.error("department", _("部门“%(c)s”不存在") % {"c": dept_code})
    elif department is not None and not department.is_active:
        c.error("department", _("部门“%(c)s”已停用") % {"c": dept_code})
    code = c.text("code", max_length=80)
    if code and not _CODE.match(code):
        c.error("code", _("编码只能包含字母、数字、连字符、点和下划线"))
    if not code and basic_code and department is not None:
        if not department.uscc:
            c.error(
                "code",
                _(
                    "部门“%(c)s”未登记统一社会信用代码，"
                    "无法按 GB/T 39554 生成实施编码，请填写实施编码"
                )
                % {"c": dept_code},
            )
        else:
            code = compute_code(
                basic_code=basic_code,
                area_code=str(settings.ONEWINDOW["AREA_CODE"]),
                uscc=department.uscc,
            )
    clean["code"], clean["basic_code"], clean["department"] = code, basic_code, dept_code

    clean["name"] = c.text("name", required=True, max_length=200)
    clean["kind"] = c.choice("kind", ItemKind)
    clean["handling_level"] = c.choice("handling_level", HandlingLevel)
    clean["subject_type"] = c.choice("subject_type", SubjectType, default=SubjectType.BOTH)
    clean["keywords"] = c.text("keywords", max_length=255)
    clean["themes"] = sorted(set(c.code_list("themes")))
    for theme in clean["themes"]:
        if theme not in lookups.themes:
            c.error("themes", _("主题“%(c)s”不存在") % {"c": theme})
    clean["limit_unit"] = c.choice("limit_unit", LimitUnit, default=LimitUnit.WORKING_DAY)
    is_instant = clean["is_instant"] = c.boolean("is_instant", default=False)
    legal = c.integer("legal_limit", minimum=1)
    promised = c.integer("promised_limit", minimum=0 if is_instant else 1)
    clean["legal_limit"], clean["promised_limit"] = legal, promised
    if legal is not None and promised is not None and promised > legal:
        c.error("promised_limit", _("承诺时限不能超过法定时限（%(n)d）") % {"n": legal})
    clean["visits_required"] = c.integer("visits_required", default=1, minimum=0)
    if (clean["visits_required"] or 0) > 32767:
        c.error("visits_required", _("到现场次数过大"))
    clean["online_level"] = c.choice("online_level", OnlineLevel, default=OnlineLevel.OFFLINE)
    clean["fee_yuan"] = _fee(c)
    clean["fee_basis"] = c.text("fee_basis")
    clean["legal_basis"] = c.text("legal_basis", required=True)
    clean["conditions"] = c.text("conditions", required=True)
    clean["delivery_methods"] = _delivery(c)
    clean["result_name"] = c.text("result_name", max_length=128)
    for key in ("commitment_allowed", "cross_district", "cross_province"):
        clean[key] = c.boolean(key, default=False)
    clean["service_points"] = sorted(set(c.code_list("service_points")))
    for sp in clean["service_points"]:
        if sp not in lookups.service_points:
            c.error("service_points", _("服务网点“%(c)s”不存在") % {"c": sp})
    clean["consult_phone"] = c.text("consult_phone", max_length=64)
    clean["complaint_phone"] = c.text("complaint_phone", max_length=64)
    clean["notes"] = c.text("notes")
    clean["steps"] = _steps(c, kind=clean["kind"], is_instant=is_instant)
    clean["materials"] = _materials(c, lookups)
    clean["fields"] = _fields(c, lookups)
    if "change_note" in data:
        clean["change_note"] = c.text("change_note", max_length=255)
    ordered = {key: clean[key] for key in ITEM_KEYS}
    if "change_note" in clean:
        ordered["change_note"] = clean["change_note"]
    return (None if errors else ordered), errors


def _fee(c: Checker) -> str:
    value = c.data.get("fee_yuan", "0")
    if value is None or value == "":
        value = "0"
    if isinstance(value, bool):
        c.error("fee_yuan", _("应为金额"))
        return "0.00"
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        c.error("fee_yuan", _("应为金额"))
        return "0.00"
    if not amount.is_finite() or amount < 0:
        c.error("fee_yuan", _("金额不能为负数"))
        return "0.00"
    if amount != amount.quantize(Decimal("0.01")):
        c.error("fee_yuan", _("金额最多保留两位小数"))
    if amount >= Decimal("1e10"):
        c.error("fee_yuan", _("金额过大"))
        return "0.00"
    return fee_text(amount)


def _delivery(c: Checker) -> list[str]:
    methods = c.code_list("delivery_methods")
    seen: list[str] = []
    for m in methods:
        if m not in DeliveryMethod.values:
            allowed = "、".join(f"{v}（{label}）" for v, label in DeliveryMethod.choices)
            c.error(
                "delivery_methods",
                _("取值“%(v)s”无效，可选：%(allowed)s") % {"v": m, "allowed": allowed},
            )
        elif m not in seen:
            seen.append(m)
    if "delivery_methods" in c.data and not methods and "delivery_methods" not in c.errors:
        c.error("delivery_methods", _("至少选择一种送达方式"))
    return seen if "delivery_methods" in c.data else [DeliveryMethod.WINDOW.value]


def _steps(c: Checker, *, kind: str, is_instant: bool) -> list[dict[str, Any]]:
    rows = c.rows("steps")
    steps: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        s = Checker(row, c.errors, f"steps[{i}].")
        s.unknown_keys(STEP_KEYS)
        role = s.text("role", max_length=32)
        if role and role not in Role.values:
            s.error("role", _("岗位“%(v)s”无效") % {"v": role})
        limit = s.integer("limit", minimum=1, nullable=True)
        steps.append(
            {
                "kind": s.choice("kind", StepKind),
                "name": s.text("name", required=True, max_length=64),
                "role": role,
                "limit": limit,
                "description": s.text("description"),
            }
        )
    kinds = [s["kind"] for s in steps]
    if len(steps) < 2:
        c.error("steps", _("办理环节至少包括受理和办结两个环节"))
    else:
        if kinds[0] != StepKind.ACCEPT:
            c.error("steps", _("办理环节须以“受理”开始"))
        if kinds[-1] != StepKind.CONCLUDE:
            c.error("steps", _("办理环节须以“办结”结束"))
        middle = [k for k in kinds[1:-1] if k in (StepKind.ACCEPT, StepKind.CONCLUDE)]
        if middle:
            c.error("steps", _("“受理”只能是第一个环节，“办结”只能是最后一个环节"))
    if kind == ItemKind.FILING and any(k in APPROVAL_STEP_KINDS for k in kinds):
        c.error("steps", _(FILING_WITH_APPROVAL))
    if is_instant and any(k not in (StepKind.ACCEPT, StepKind.CONCLUDE) for k in kinds if k):
        c.error("steps", _("即办件只能设置受理、办结两个环节"))
    return steps


def _materials(c: Checker, lookups: Lookups) -> list[dict[str, Any]]:
    materials: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, row in enumerate(c.rows("materials")):
        m = Checker(row, c.errors, f"materials[{i}].")
        m.unknown_keys(MATERIAL_KEYS)
        type_code = m.text("type", required=True)
        material_type = lookups.material_types.get(type_code)
        if type_code and material_type is None:
            m.error("type", _("材料类型“%(c)s”不存在") % {"c": type_code})
        if type_code in seen:
            m.error("type", _("材料类型“%(c)s”重复") % {"c": type_code})
        seen.add(type_code)
        source = m.choice("source", MaterialSource, default=MaterialSource.APPLICANT)
        if (
            source == MaterialSource.ELICENCE
            and material_type is not None
            and not material_type.licence_type_code
        ):
            m.error("source", _("该材料类型没有对应的电子证照类型，不能设为电子证照调取"))
        originals = m.integer("originals", default=0)
        copies = m.integer("copies", default=1)
        for key, value in (("originals", originals), ("copies", copies)):
            if value is not None and value > 99:
                m.error(key, _("份数不能超过99"))
        materials.append(
            {
                "type": type_code,
                "required": m.boolean("required", default=True),
                "core": m.boolean("core", default=True),
                "originals": originals,
                "copies": copies,
                "paper_required": m.boolean("paper_required", default=False),
                "source": source,
                "requirements": m.text("requirements"),
            }
        )
    return materials


def _fields(c: Checker, lookups: Lookups) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, row in enumerate(c.rows("fields")):
        f = Checker(row, c.errors, f"fields[{i}].")
        f.unknown_keys(FIELD_KEYS)
        code = f.text("field", required=True)
        definition = lookups.fields.get(code)
        if code and definition is None:
            f.error("field", _("字段“%(c)s”不存在") % {"c": code})
        if code in seen:
            f.error("field", _("字段“%(c)s”重复") % {"c": code})
        seen.add(code)
        constraints = f.mapping("constraints")
        check_constraints(f, "constraints", constraints)
        fields.append(
            {
                "field": code,
                "required": f.boolean("required", default=True),
                "constraints": constraints,
            }
        )
    return fields


def check_material_type(data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, Errors]:
    errors: Errors = {}
    if not isinstance(data, Mapping):
        return None, {"_": [_("应为对象（JSON）")]}
    c = Checker(data, errors)
    c.unknown_keys(MATERIAL_TYPE_KEYS)
    clean = {
        "code": c.code("code", max_length=32),
        "name": c.text("name", required=True, max_length=128),
        "description": c.text("description"),
        "licence_type_code": c.text("licence_type_code", max_length=64),
    }
    return (None if errors else clean), errors


def check_field_definition(data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, Errors]:
    errors: Errors = {}
    if not isinstance(data, Mapping):
        return None, {"_": [_("应为对象（JSON）")]}
    c = Checker(data, errors)
    c.unknown_keys(FIELD_DEFINITION_KEYS)
    field_type = c.choice("type", FieldType)
    constraints = c.mapping("constraints")
    check_constraints(c, "constraints", constraints, field_type=field_type)
    clean = {
        "code": c.code("code", max_length=64),
        "label": c.text("label", required=True, max_length=64),
        "type": field_type,
        "constraints": constraints,
        "unit": c.text("unit", max_length=16),
        "help_text": c.text("help_text", max_length=255),
    }
    return (None if errors else clean), errors


def check_theme(data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, Errors]:
    errors: Errors = {}
    if not isinstance(data, Mapping):
        return None, {"_": [_("应为对象（JSON）")]}
    c = Checker(data, errors)
    c.unknown_keys(THEME_KEYS)
    clean = {
        "code": c.code("code", max_length=32),
        "name": c.text("name", required=True, max_length=64),
        "audience": c.choice("audience", ThemeAudience),
        "order": c.integer("order", default=0),
    }
    return (None if errors else clean), errors


def _raise(errors: Errors, message: str) -> None:
    if errors:
        raise ValidationFailed(message, fields=errors)


def validate_item(data: Mapping[str, Any], *, lookups: Lookups | None = None) -> dict[str, Any]:
    """Clean an item dict or raise ``ValidationFailed`` with every error at once."""
    clean, errors = check_item(data, lookups=lookups or Lookups.load())
    _raise(errors, _("事项内容不符合要求，请按提示修改"))
    assert clean is not None
    return clean


def validate_material_type(data: Mapping[str, Any]) -> dict[str, Any]:
    clean, errors = check_material_type(data)
    _raise(errors, _("材料类型不符合要求"))
    assert clean is not None
    return clean


def validate_field_definition(data: Mapping[str, Any]) -> dict[str, Any]:
    clean, errors = check_field_definition(data)
    _raise(errors, _("字段定义不符合要求"))
    assert clean is not None
    return clean


def validate_theme(data: Mapping[str, Any]) -> dict[str, Any]:
    clean, errors = check_theme(data)
    _raise(errors, _("主题不符合要求"))
    assert clean is not None
    return clean
