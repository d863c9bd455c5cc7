"""Catalogue fixtures: two departments, a service point, the dictionaries, and the people.

王五 is the centre administrator (reviews and publishes), 李四 the market-regulation
department's catalogue administrator, 孙八 the health commission's, 赵六 a supervisor who
may only look, 钱七 an applicant with no rights at all.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from onewindow.catalog.models import FieldDefinition, MaterialType, Theme
from onewindow.common.identifiers import uscc_check_char
from onewindow.org.models import Department, Role, RoleAssignment, ServicePoint, User


def make_uscc(body17: str) -> str:
    return body17 + uscc_check_char(body17)


ITEM: dict[str, Any] = {
    "basic_code": "000105001000",
    "department": "SCJGJ",
    "name": "公共场所卫生许可证核发",
    "kind": "licensing",
    "handling_level": "district",
    "subject_type": "legal",
    "keywords": "卫生许可 理发 美容",
    "themes": ["E01"],
    "limit_unit": "working_day",
    "legal_limit": 20,
    "promised_limit": 5,
    "is_instant": False,
    "visits_required": 1,
    "online_level": "fully_online",
    "fee_yuan": "0.00",
    "fee_basis": "不收费",
    "legal_basis": "《公共场所卫生管理条例》第八条",
    "conditions": "有固定经营场所，卫生设施符合规范。",
    "delivery_methods": ["window", "express"],
    "result_name": "公共场所卫生许可证",
    "commitment_allowed": True,
    "cross_district": False,
    "cross_province": False,
    "service_points": ["SP-D01"],
    "consult_phone": "023-00000000",
    "complaint_phone": "12345",
    "notes": "",
    "steps": [
        {"kind": "accept", "name": "受理", "role": "window_clerk", "limit": 1, "description": ""},
        {"kind": "review", "name": "审查", "role": "approver", "limit": 2, "description": ""},
        {"kind": "decide", "name": "决定", "role": "section_chief", "limit": 1, "description": ""},
        {"kind": "conclude", "name": "办结", "role": "window_clerk", "limit": 1, "description": ""},
    ],
    "materials": [
        {
            "type": "M0001",
            "required": True,
            "core": True,
            "originals": 1,
            "copies": 0,
            "paper_required": False,
            "source": "applicant",
            "requirements": "核验原件",
        },
        {
            "type": "M0002",
            "required": True,
            "core": False,
            "originals": 0,
            "copies": 1,
            "paper_required": False,
            "source": "elicence",
            "requirements": "",
        },
    ],
    "fields": [
        {"field": "applicant_name", "required": True, "constraints": {}},
        {"field": "area_m2", "required": False, "constraints": {"min": 10}},
    ],
}


def item_data(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(ITEM)
    data.update(changes)
    return data


def filing_data(**changes: Any) -> dict[str, Any]:
    """A filing (备案) item, with only accept and conclude steps."""
    values: dict[str, Any] = {
        "basic_code": "000105002000",
        "name": "医疗器械经营备案",
        "kind": "filing",
        "steps": [
            {"kind": "accept", "name": "受理", "role": "window_clerk", "limit": 1},
            {"kind": "conclude", "name": "办结", "role": "window_clerk", "limit": 1},
        ],
    }
    return item_data(**{**values, **changes})


@pytest.fixture
def org(db: Any) -> dict[str, Any]:
    scjgj = Department.objects.create(
        code="SCJGJ", name="区市场监管局", uscc=make_uscc("11500102MB0000001"), order=1
    )
    wsjkw = Department.objects.create(
        code="WSJKW", name="区卫生健康委", uscc=make_uscc("11500102MB0000002"), order=2
    )
    centre = ServicePoint.objects.create(code="SP-D01", name="区政务服务中心", level="district")
    ServicePoint.objects.create(code="SP-T01", name="某某街道便民服务中心", level="town")
    return {"scjgj": scjgj, "wsjkw": wsjkw, "centre": centre}


@pytest.fixture
def dictionaries(db: Any) -> None:
    MaterialType.objects.create(
        code="M0001", name="居民身份证", licence_type_code="resident_id_card"
    )
    MaterialType.objects.create(code="M0002", name="营业执照", licence_type_code="business_licence")
    MaterialType.objects.create(code="M0003", name="经营场所使用证明")
    FieldDefinition.objects.create(
        code="applicant_name", label="申请人名称", type="text", constraints={"max_length": 64}
    )
    FieldDefinition.objects.create(code="area_m2", label="经营面积", type="decimal", unit="m²")
    Theme.objects.create(code="E01", name="企业开办", audience="enterprise", order=1)
    Theme.objects.create(code="P01", name="生育收养", audience="person", order=1)


def _user(username: str, name: str, role: str | None, department: Any = None) -> User:
    user = User.objects.create_user(
        username=username, password=None, display_name=name, is_staff=role is not None
    )
    if role is not None:
        RoleAssignment.objects.create(user=user, role=role, department=department)
    return user


@pytest.fixture
def people(org: dict[str, Any], dictionaries: None) -> dict[str, User]:
    return {
        "wangwu": _user("wangwu", "王五", Role.CENTRE_ADMIN),
        "lisi": _user("lisi", "李四", Role.DEPARTMENT_ADMIN, org["scjgj"]),
        "sunba": _user("sunba", "孙八", Role.DEPARTMENT_ADMIN, org["wsjkw"]),
        "zhaoliu": _user("zhaoliu", "赵六", Role.SUPERVISOR),
        "qianqi": _user("qianqi", "钱七", None),
    }


@pytest.fixture
def wangwu(people: dict[str, User]) -> User:
    return people["wangwu"]


@pytest.fixture
def lisi(people: dict[str, User]) -> User:
    return people["lisi"]


@pytest.fixture
def sunba(people: dict[str, User]) -> User:
    return people["sunba"]
