"""Turn the compact item tables into the catalogue interchange format (onewindow.catalog/1).

The tables (``items/*.py``) give each item in one call:
department, name, limits, legal basis, materials, fields, themes, keywords; everything a
guide needs beyond that (steps, delivery, service points, visits, default conditions,
codes) is derived here by rules the README explains, so that the 190-odd items stay
consistent and easy to review.

Materials are written as space-separated keys of ``dictionaries.MATERIALS`` with flags:
``?`` non-core (may be missing at acceptance, 容缺), ``*`` optional, ``@`` obtained from an
e-licence (免提交), ``#`` shared by another department. Fields are codes of
``dictionaries.FIELDS``; ``?`` marks an optional field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from onewindow.demo.data.dictionaries import (
    FIELD_CODES,
    FIELDS,
    MATERIAL_BY_KEY,
    MATERIALS,
    THEME_CODES,
    THEMES,
)
from onewindow.demo.data.org import DEPARTMENT_BY_CODE, PROXY_CODES, TOWN_CODES, VILLAGE_CODES

FORMAT = "onewindow.catalog/1"

# Kind → two digits of the demo basic code (after GB/T 39554's item-type classes).
KIND_DIGITS = {
    "licensing": "01",
    "benefit": "05",
    "confirmation": "07",
    "other": "10",
    "filing": "10",
    "public_service": "11",
}

POINT_PROFILES: dict[str, list[str]] = {
    "D": ["SP-D01"],
    "E": ["SP-D01", "SP-D02"],
    "X": ["SP-D01", "SP-D03"],
    "DT": ["SP-D01", *TOWN_CODES],
    "DTV": ["SP-D01", *TOWN_CODES, *VILLAGE_CODES],
    "DP": ["SP-D01", *PROXY_CODES],
    "DTP": ["SP-D01", *TOWN_CODES, *PROXY_CODES],
    "DTVP": ["SP-D01", *TOWN_CODES, *VILLAGE_CODES, *PROXY_CODES],
}

_FIRST_LAW = re.compile(r"《[^》]+》")


@dataclass
class Item:
    dept: str
    name: str
    kind: str
    legal: int
    promised: int
    basis: str
    mats: str = ""
    fields: str = ""
    themes: str = ""
    kw: str = ""
    result: str = ""
    subject: str = "legal"
    level: str = "district"
    online: str = "fully_online"
    visits: int | None = None
    fee: str = "0.00"
    fee_basis: str = ""
    cond: str = ""
    steps: str = ""  # "simple" | "ordinary" | "complex"; derived when blank
    commit: bool = False
    xd: bool = False
    xp: bool = False
    points: str = "D"
    unit: str = "working_day"
    delivery: str = ""
    notes: str = ""

    @property
    def is_instant(self) -> bool:
        return self.promised == 0


def _kind_factory(kind: str, default_subject: str = "legal") -> Any:
    def make(
        dept: str,
        name: str,
        legal: int,
        promised: int,
        basis: str,
        mats: str = "",
        fields: str = "",
        themes: str = "",
        kw: str = "",
        **extra: Any,
    ) -> Item:
        extra.setdefault("subject", default_subject)
        return Item(dept, name, kind, legal, promised, basis, mats, fields, themes, kw, **extra)

    return make


# Table constructors: L licensing, C confirmation, B benefit, S public service, F filing,
# O other administrative power.
L = _kind_factory("licensing")
C = _kind_factory("confirmation", "natural")
B = _kind_factory("benefit", "natural")
S = _kind_factory("public_service", "natural")
F = _kind_factory("filing")
O = _kind_factory("other")  # noqa: E741 - a table constructor, read as the letter O


def _law(basis: str) -> str:
    m = _FIRST_LAW.search(basis)
    return m.group(0) if m else "有关法律法规"


def default_conditions(item: Item) -> str:
    law = _law(item.basis)
    if item.kind == "licensing":
        who = (
            "依法设立的法人或其他组织"
            if item.subject == "legal"
            else "具有完全民事行为能力的申请人"
        )
        return f"1. 申请人为{who}；2. 具备{law}规定的许可条件；3. 申请材料齐全、符合法定形式。"
    if item.kind == "filing":
        return (
            f"按照{law}应当备案的主体，在规定期限内如实提交备案信息；"
            "材料齐全即予备案，备案不作为准予经营的前置条件。"
        )
    if item.kind == "confirmation":
        return f"申请人符合{law}规定的登记（确认）条件，提交的材料真实、完整。"
    if item.kind == "benefit":
        return f"符合{law}规定的给付对象和条件，由本人或其委托的代理人申请，提供本人有效银行账户。"
    if item.kind == "other":
        return f"符合{law}规定的条件，申请材料齐全、符合法定形式。"
    return "本人或委托代理人申请，按要求提供材料；委托办理的提供授权委托书及受托人身份证明。"


def _profile(item: Item) -> str:
    if item.steps:
        return item.steps
    if item.is_instant or item.kind == "filing":
        return "simple"
    if item.kind in ("licensing", "benefit") and item.promised >= 8:
        return "complex"
    return "ordinary"


def _decide_name(kind: str) -> str:
    return {
        "licensing": "审批决定",
        "confirmation": "审核确认",
        "benefit": "审核核定",
        "filing": "备案",
        "other": "审核决定",
        "public_service": "审核办理",
    }[kind]


def build_steps(item: Item) -> list[dict[str, Any]]:
    profile = _profile(item)
    if item.kind == "filing" and profile != "simple":
        raise ValueError(f"{item.name}: a filing may only have accept and conclude steps")
    hours = item.unit == "working_hour"
    accept: dict[str, Any] = {
        "kind": "accept",
        "name": "受理",
        "role": "window_clerk",
        "limit": None,
        "description": "核验身份和材料，材料齐全、符合法定形式的出具受理通知书；"
        "不齐全的一次性告知需补正的全部内容。",
    }
    conclude_text = "出具办理结果，按申请人选择的方式送达；电子证照同步归集。"
    if profile == "simple":
        chief = item.dept == "SCJGJ" and item.kind != "filing"
        conclude: dict[str, Any] = {
            "kind": "conclude",
            "name": "备案办结"
            if item.kind == "filing"
            else ("即办办结" if item.is_instant else "办结"),
            "role": "chief_representative" if chief else "window_clerk",
            "limit": item.promised or None,
            "description": (
                "首席代表依授权当场审批办结，使用行政审批专用章（一人一章）。"
                if chief
                else "材料齐全即予办结" + ("（备案信息公示）。" if item.kind == "filing" else "。")
            ),
        }
        return [accept, conclude]
    days = item.promised
    middle: list[dict[str, Any]]
    if profile == "complex":
        review_days = max(1, days * 3 // 5)
        decide_days = max(1, days - review_days - 1)
        conclude_days = max(1, days - review_days - decide_days)
        middle = [
            {
                "kind": "review",
                "name": "审查" if item.kind == "licensing" else "审核",
                "role": "approver",
                "limit": review_days,
                "description": "对材料的实质内容进行审查；需现场核查的组织现场核查（联合踏勘）。",
            },
            {
                "kind": "decide",
                "name": _decide_name(item.kind),
                "role": "section_chief",
                "limit": decide_days,
                "description": "科室负责人签批，作出准予或不予的决定；不予的书面说明理由。",
            },
        ]
    else:
        decide_days = max(1, days - 1) if days > 1 else 1
        conclude_days = max(0, days - decide_days)
        middle = [
            {
                "kind": "decide",
                "name": _decide_name(item.kind),
                "role": "section_chief",
                "limit": decide_days,
                "description": "审查与决定合并为一个环节（三环节办结）。",
            }
        ]
    conclude = {
        "kind": "conclude",
        "name": "制证送达" if item.result else "办结",
        "role": "window_clerk",
        "limit": conclude_days or None,
        "description": conclude_text + ("（时限以工作小时计）" if hours else ""),
    }
    return [accept, *middle, conclude]


def build_materials(spec: str) -> list[dict[str, Any]]:
    rows = []
    for token in spec.split():
        key = token.rstrip("?*@#")
        flags = token[len(key) :]
        m = MATERIAL_BY_KEY[key]
        if "@" in flags:
            source = "elicence"
        elif "#" in flags:
            source = "department"
        else:
            source = "applicant"
        optional = "*" in flags
        rows.append(
            {
                "type": m.code,
                "required": not optional,
                "core": not ("?" in flags or optional),
                "originals": 0 if source != "applicant" else m.originals,
                "copies": 0 if source != "applicant" else m.copies,
                "paper_required": False,
                "source": source,
                "requirements": (
                    "通过电子证照库调取，申请人免提交"
                    if source == "elicence"
                    else "通过部门间数据共享获取，申请人免提交"
                    if source == "department"
                    else m.requirements
                )
                + ("；非核心要件，可容缺后补" if "?" in flags else ""),
            }
        )
    return rows


_DEFAULT_FIELDS = {
    "legal": "applicant_name uscc legal_representative phone",
    "natural": "person_name resident_id phone",
    "both": "applicant_name resident_id? uscc? phone",
}


def build_fields(item: Item) -> list[dict[str, Any]]:
    spec = item.fields
    if not spec.startswith("!"):
        spec = f"{_DEFAULT_FIELDS[item.subject]} {spec}"
    if item.commit:
        spec += " commitment_signed?"
    rows, seen = [], set()
    for token in spec.lstrip("!").split():
        code = token.rstrip("?")
        if code in seen:
            continue
        if code not in FIELD_CODES:
            raise KeyError(f"{item.name}: unknown field {code}")
        seen.add(code)
        rows.append({"field": code, "required": not token.endswith("?"), "constraints": {}})
    return rows


def _delivery(item: Item) -> list[str]:
    if item.delivery:
        return item.delivery.split()
    if item.kind == "benefit":
        return ["electronic", "window"]
    if item.is_instant or item.kind == "filing":
        return ["window", "electronic"]
    return ["window", "express", "electronic"]


def _visits(item: Item) -> int:
    if item.visits is not None:
        return item.visits
    return 0 if item.online == "fully_online" else 1


def item_dict(item: Item, *, basic_code: str, area_code: str) -> dict[str, Any]:
    dept = DEPARTMENT_BY_CODE[item.dept]
    themes = item.themes.split()
    unknown = set(themes) - THEME_CODES
    if unknown:
        raise KeyError(f"{item.name}: unknown themes {sorted(unknown)}")
    return {
        "code": f"{basic_code}-{area_code}-000-{dept.uscc}-1-00",
        "basic_code": basic_code,
        "department": item.dept,
        "name": item.name,
        "kind": item.kind,
        "handling_level": item.level,
        "subject_type": item.subject,
        "keywords": item.kw,
        "themes": themes,
        "limit_unit": item.unit,
        "legal_limit": item.legal,
        "promised_limit": item.promised,
        "is_instant": item.is_instant,
        "visits_required": _visits(item),
        "online_level": item.online,
        "fee_yuan": item.fee,
        "fee_basis": item.fee_basis or ("不收费" if item.fee in ("0", "0.00") else ""),
        "legal_basis": item.basis,
        "conditions": item.cond or default_conditions(item),
        "delivery_methods": _delivery(item),
        "result_name": item.result,
        "commitment_allowed": item.commit,
        "cross_district": item.xd,
        "cross_province": item.xp,
        "service_points": POINT_PROFILES[item.points],
        "consult_phone": dept.phone,
        "complaint_phone": "12345",
        "notes": item.notes,
        "steps": build_steps(item),
        "materials": build_materials(item.mats),
        "fields": build_fields(item),
    }


def all_items() -> list[Item]:
    from onewindow.demo.data.items import ITEMS

    return list(ITEMS)


def build_catalog(area_code: str) -> dict[str, Any]:
    """The whole demo catalogue as one interchange document."""
    items: list[dict[str, Any]] = []
    seq: dict[str, int] = {}
    names: set[tuple[str, str]] = set()
    for item in all_items():
        if (item.dept, item.name) in names:
            raise ValueError(f"duplicate item {item.dept} {item.name}")
        names.add((item.dept, item.name))
        dept = DEPARTMENT_BY_CODE[item.dept]
        seq[item.dept] = seq.get(item.dept, 0) + 1
        basic = f"00{KIND_DIGITS[item.kind]}{dept.number:02d}{seq[item.dept]:03d}000"
        items.append(item_dict(item, basic_code=basic, area_code=area_code))
    return {
        "format": FORMAT,
        "material_types": [
            {
                "code": m.code,
                "name": m.name,
                "description": m.description,
                "licence_type_code": m.licence_type_code,
            }
            for m in MATERIALS
        ],
        "fields": [
            {
                "code": f.code,
                "label": f.label,
                "type": f.type,
                "constraints": dict(f.constraints),
                "unit": f.unit,
                "help_text": f.help_text,
            }
            for f in FIELDS
        ],
        "themes": [
            {"code": code, "name": name, "audience": audience, "order": i}
            for i, (code, name, audience) in enumerate(THEMES, start=1)
        ],
        "items": items,
    }
