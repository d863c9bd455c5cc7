"""Fixtures of the bundle tests: the demo district (loaded once per module, rolled back at
its end) and a small catalogue of four items in three departments with the named people.

王五 is the centre administrator (edit, review, publish everywhere); 冯静 the department
administrator of 区卫生健康委, the lead department of the test bundle; 郑华 the department
administrator of 区市场监管局 (a cooperating department); 赵六 a supervisor."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.catalog.models import (
    FieldDefinition,
    ItemField,
    ItemMaterial,
    MaterialType,
    ServiceItem,
)
from onewindow.org.models import Department, Role, RoleAssignment, User
from tests.demo.conftest import demo  # noqa: F401  (module-scoped demo district)
from tests.portal.factories import make_item


def _user(username: str, name: str, role: str, department: Department | None = None) -> User:
    user = User.objects.create_user(
        username=username, password=None, display_name=name, is_staff=True
    )
    RoleAssignment.objects.create(user=user, role=role, department=department)
    return user


def _material(item: ServiceItem, mtype: MaterialType, **kw: Any) -> None:
    ItemMaterial.objects.create(version=item.current_version, material_type=mtype, **kw)


def _field(item: ServiceItem, fdef: FieldDefinition, **kw: Any) -> None:
    ItemField.objects.create(version=item.current_version, field=fdef, **kw)


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    scjgj = Department.objects.create(code="SCJGJ", name="区市场监管局", order=1)
    wsjkw = Department.objects.create(code="WSJKW", name="区卫生健康委", order=2)
    cgj = Department.objects.create(code="CGJ", name="区城市管理局", order=3)
    sfz = MaterialType.objects.create(code="M1", name="居民身份证", licence_type_code="id")
    yyzz = MaterialType.objects.create(code="M2", name="营业执照", licence_type_code="bl")
    cs = MaterialType.objects.create(code="M3", name="经营场所使用证明")
    jl = MaterialType.objects.create(code="M4", name="酒类储存条件说明")
    name = FieldDefinition.objects.create(
        code="applicant_name", label="申请人名称", type="text", constraints={"max_length": 64}
    )
    area = FieldDefinition.objects.create(code="area", label="经营面积", type="decimal")
    common = {"is_instant": False}
    a = make_item(
        "个体工商户设立登记",
        dept=scjgj,
        legal_limit=3,
        promised_limit=1,
        visits_required=1,
        conditions="1. 申请人具有完全民事行为能力；2. 经营场所符合规定。",
        **common,
    )
    b = make_item(
        "公共场所卫生许可证核发",
        dept=wsjkw,
        legal_limit=20,
        promised_limit=3,
        visits_required=1,
        fee_yuan="10.00",
        conditions="经营场所符合规定\n卫生检测合格",
        **common,
    )
    c = make_item(
        "户外广告设施设置备案",
        dept=cgj,
        legal_limit=5,
        promised_limit=0,
        visits_required=0,
        is_instant=True,
        kind="filing",
    )
    d = make_item(
        "酒类零售许可", dept=scjgj, legal_limit=20, promised_limit=2, visits_required=1, **common
    )
    _material(a, sfz, originals=1, copies=0, source="elicence")
    _material(a, cs, copies=1)
    _material(b, sfz, originals=1, copies=0)
    _material(b, yyzz, required=False, core=False)
    _material(b, cs, copies=2, requirements="租赁合同须在有效期内")
    _material(c, cs)
    _material(d, jl)
    _field(a, name, constraints={"max_length": 50})
    _field(a, area, constraints={"min": 10})
    _field(b, name, constraints={"max_length": 40})
    _field(b, area, constraints={"min": 20, "max": 500})
    _field(c, area, required=False)
    people = {
        "wangwu": _user("wangwu", "王五", Role.CENTRE_ADMIN),
        "fengjing": _user("fengjing", "冯静", Role.DEPARTMENT_ADMIN, wsjkw),
        "zhenghua": _user("zhenghua", "郑华", Role.DEPARTMENT_ADMIN, scjgj),
        "zhaoliu": _user("zhaoliu", "赵六", Role.SUPERVISOR),
    }
    return {
        "depts": {"scjgj": scjgj, "wsjkw": wsjkw, "cgj": cgj},
        "items": {"open": a, "hygiene": b, "sign": c, "alcohol": d},
        "fields": {"name": name, "area": area},
        **people,
    }


def bundle_data(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A barber-like bundle led by 区卫生健康委: two required items, the sign on "sign=yes",
    the alcohol licence on "alcohol=yes"."""
    items = world["items"]
    data: dict[str, Any] = {
        "code": "T01",
        "kind": "enterprise_event",
        "lead_department": "WSJKW",
        "name": "我要开理发店",
        "description": "测试套餐",
        "promised_limit": 4,
        "members": [
            {"item": items["open"].code},
            {"item": items["hygiene"].code},
            {"item": items["sign"].code, "required": False, "essential": False},
            {"item": items["alcohol"].code, "required": False},
        ],
        "questions": [
            {"code": "sign", "text": "是否设置门头招牌？"},
            {"code": "alcohol", "text": "是否销售酒类？"},
        ],
        "rules": [
            {"question": "sign", "answer": "yes", "items": [items["sign"].code]},
            {"question": "alcohol", "answer": "yes", "items": [items["alcohol"].code]},
        ],
    }
    data.update(changes)
    return data
