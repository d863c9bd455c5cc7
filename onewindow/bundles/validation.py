"""Validation of bundle content: the structure (``check_bundle``, on every write) and the
rules for publication (``publication_errors``, on submission and publication).

Publication rules (docs/bundles.md):
* at least two items, every one of them published;
* the lead department runs one of the members, or ``lead_note`` says why it leads;
* at least one member is essential (cannot be dropped on refusal);
* promised limit: members are handled in parallel, each keeping its own promise, so the
  bundle cannot promise less than its slowest member's promised limit; and never more than
  the members' legal limits added up (one after the other, the worst case without a bundle);
* every question decides something (has a rule);
* the merged form has no field conflict (``merge.FieldConflict``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from onewindow.bundles.content import (
    BUNDLE_KEYS,
    MEMBER_KEYS,
    QUESTION_KEYS,
    RULE_KEYS,
)
from onewindow.bundles.decision import YES_NO, QuestionSpec, normalise_answers
from onewindow.bundles.models import BundleKind, QuestionType, RefusalPolicy
from onewindow.catalog.models import ServiceItem, SubjectType
from onewindow.catalog.validation import Checker, Errors
from onewindow.common.errors import ValidationFailed
from onewindow.org.models import Department

_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.\-]*$")
MAX_VISITS = 9


def _code(c: Checker, key: str, max_length: int) -> str:
    value = c.text(key, required=True, max_length=max_length)
    if value and not _CODE.match(value):
        c.error(key, _("编码只能包含字母、数字、连字符、点和下划线"))
    return value


def check_bundle(data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, Errors, dict]:
    """Check a bundle dict. Returns ``(clean or None, errors, items by code)``."""
    errors: Errors = {}
    if not isinstance(data, Mapping):
        return None, {"_": [_("套餐应为对象（JSON）")]}, {}
    c = Checker(data, errors)
    c.unknown_keys((*BUNDLE_KEYS, "change_note"))
    clean: dict[str, Any] = {"code": _code(c, "code", 32)}
    clean["kind"] = c.choice("kind", BundleKind, default=BundleKind.ENTERPRISE_EVENT)
    lead = c.text("lead_department", required=True)
    department = Department.objects.filter(code=lead).first() if lead else None
    if lead and department is None:
        c.error("lead_department", _("部门“%(c)s”不存在") % {"c": lead})
    elif department is not None and not department.is_active:
        c.error("lead_department", _("部门“%(c)s”已停用") % {"c": lead})
    clean["lead_department"] = lead
    clean["name"] = c.text("name", required=True, max_length=128)
    clean["description"] = c.text("description")
    clean["audience"] = c.choice("audience", SubjectType, default=SubjectType.BOTH)
    clean["keywords"] = c.text("keywords", max_length=255)
    clean["promised_limit"] = c.integer("promised_limit", minimum=0)  # 0: decided on the spot
    visits = c.integer("visits_required", default=1, minimum=0)
    if visits is not None and visits > MAX_VISITS:
        c.error("visits_required", _("到现场次数不能超过%(n)d") % {"n": MAX_VISITS})
    clean["visits_required"] = visits
    clean["on_refusal"] = c.choice(
        "on_refusal", RefusalPolicy, default=RefusalPolicy.CONTINUE_WITHOUT
    )
    clean["lead_note"] = c.text("lead_note", max_length=255)
    clean["industry_licence"] = c.boolean("industry_licence", default=False)
    clean["industry_licence_name"] = c.text("industry_licence_name", max_length=128)
    if clean["industry_licence"] and not clean["industry_licence_name"]:
        c.error("industry_licence_name", _("一业一证套餐须填写行业综合许可证名称"))
    clean["members"], items = _members(c)
    clean["questions"] = _questions(c)
    clean["rules"] = _rules(c, clean["members"], clean["questions"])
    if "change_note" in data:
        clean["change_note"] = c.text("change_note", max_length=255)
    return (None if errors else clean), errors, items


def _members(c: Checker) -> tuple[list[dict[str, Any]], dict[str, ServiceItem]]:
    rows = c.rows("members")
    codes = [str(r.get("item", "")).strip() for r in rows]
    items = {
        i.code: i
        for i in ServiceItem.objects.filter(code__in=codes).select_related(
            "department", "current_version"
        )
    }
    members: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        m = Checker(row, c.errors, f"members[{i}].")
        m.unknown_keys(MEMBER_KEYS)
        code = m.text("item", required=True)
        if code and code not in items:
            m.error("item", _("事项“%(c)s”不存在") % {"c": code})
        if code in seen:
            m.error("item", _("事项“%(c)s”重复") % {"c": code})
        seen.add(code)
        members.append(
            {
                "item": code,
                "required": m.boolean("required", default=True),
                "essential": m.boolean("essential", default=True),
                "early_delivery": m.boolean("early_delivery", default=False),
                "joint_inspection": m.boolean("joint_inspection", default=False),
            }
        )
    return members, items


def _questions(c: Checker) -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, row in enumerate(c.rows("questions")):
        q = Checker(row, c.errors, f"questions[{i}].")
        q.unknown_keys(QUESTION_KEYS)
        code = _code(q, "code", 32)
        if code in seen:
            q.error("code", _("问题编码“%(c)s”重复") % {"c": code})
        seen.add(code)
        qtype = q.choice("type", QuestionType, default=QuestionType.YES_NO)
        choices = q.code_list("choices") if row.get("choices") is not None else []
        if qtype == QuestionType.CHOICE:
            if len(choices) < 2 or len(set(choices)) != len(choices) or not all(choices):
                q.error("choices", _("单选问题须给出至少两个互不相同的选项"))
        elif choices:
            q.error("choices", _("是/否问题不设选项"))
        questions.append(
            {
                "code": code,
                "text": q.text("text", required=True, max_length=255),
                "help_text": q.text("help_text", max_length=255),
                "type": qtype,
                "choices": choices,
            }
        )
    return questions


def _rules(
    c: Checker, members: list[dict[str, Any]], questions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    by_item = {m["item"]: m for m in members}
    specs = {
        q["code"]: QuestionSpec(q["code"], q["text"], q["type"] or YES_NO, tuple(q["choices"]))
        for q in questions
    }
    rules: list[dict[str, Any]] = []
    ruled: set[str] = set()
    for i, row in enumerate(c.rows("rules")):
        r = Checker(row, c.errors, f"rules[{i}].")
        r.unknown_keys(RULE_KEYS)
        question = r.text("question", required=True)
        answer = row.get("answer")
        spec = specs.get(question)
        if question and spec is None:
            r.error("question", _("问题“%(c)s”不存在") % {"c": question})
        normalised = ""
        if spec is not None:
            try:
                normalised = normalise_answers([spec], {question: answer}).get(question, "")
            except ValidationFailed as exc:
                for message in exc.fields.values():
                    r.error("answer", message[0])
            if not normalised and f"rules[{i}].answer" not in c.errors:
                r.error("answer", _("必填"))
        items = r.code_list("items")
        if not items:
            r.error("items", _("至少选择一个事项"))
        for code in items:
            member = by_item.get(code)
            if member is None:
                r.error("items", _("事项“%(c)s”不是本套餐的成员") % {"c": code})
            elif member["required"]:
                r.error(
                    "items",
                    _("事项“%(c)s”是必办事项，不能同时按情形办理；请改为“按情形办理”")
                    % {"c": code},
                )
            ruled.add(code)
        rules.append(
            {"question": question, "answer": normalised, "items": list(dict.fromkeys(items))}
        )
    for i, m in enumerate(members):
        if m["item"] and not m["required"] and m["item"] not in ruled:
            c.error(
                f"members[{i}].required",
                _("按情形办理的事项须至少有一条情形规则（哪个回答时办理）"),
            )
    return rules


def validate_bundle(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, ServiceItem]]:
    clean, errors, items = check_bundle(data)
    if errors:
        raise ValidationFailed(_("套餐内容不符合要求，请按提示修改"), fields=errors)
    assert clean is not None
    return clean, items
