"""Small factories for the published catalogue (direct model creation, test-only).

``make_item`` creates an item with one published version; ``publish_new_version`` supersedes
it the way the publish service does (new version published, old one superseded, the item's
``current_version`` moved).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from django.core.files.base import ContentFile

from onewindow.catalog.models import (
    FieldDefinition,
    ItemField,
    ItemMaterial,
    ItemStep,
    ItemVersion,
    MaterialType,
    ServiceItem,
    Theme,
    VersionStatus,
)
from onewindow.common import clock
from onewindow.org.models import Department, ServicePoint

_seq = count(1)

USCC_HEALTH = "11500102MB1234567X"


def department(code: str = "WJW", name: str = "区卫生健康委", **kw: Any) -> Department:
    obj, _ = Department.objects.get_or_create(
        code=code, defaults={"name": name, "short_name": kw.pop("short_name", ""), **kw}
    )
    return obj


def service_point(
    code: str = "SP-D01", name: str = "示范区政务服务中心", **kw: Any
) -> ServicePoint:
    defaults = {
        "level": "district",
        "address": "示范区人民路100号政务服务中心一楼",
        "phone": "023-61234567",
        "office_hours": [["09:00", "12:00"], ["13:30", "17:00"]],
        "opening_note": "周一至周五（法定节假日除外）",
    }
    defaults.update(kw)
    obj, _ = ServicePoint.objects.get_or_create(code=code, defaults={"name": name, **defaults})
    return obj


def theme(code: str = "E01", name: str = "企业开办", audience: str = "enterprise") -> Theme:
    obj, _ = Theme.objects.get_or_create(code=code, defaults={"name": name, "audience": audience})
    return obj


def material_type(code: str, name: str, licence: str = "") -> MaterialType:
    obj, _ = MaterialType.objects.get_or_create(
        code=code, defaults={"name": name, "licence_type_code": licence}
    )
    return obj


def field_definition(code: str, label: str, type_: str = "text", **kw: Any) -> FieldDefinition:
    obj, _ = FieldDefinition.objects.get_or_create(
        code=code, defaults={"label": label, "type": type_, **kw}
    )
    return obj


def _version_values(name: str, overrides: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": name,
        "kind": "licensing",
        "handling_level": "district",
        "subject_type": "legal",
        "keywords": "",
        "legal_limit": 20,
        "promised_limit": 5,
        "is_instant": False,
        "visits_required": 1,
        "online_level": "online_application",
        "fee_yuan": Decimal("0"),
        "fee_basis": "不收费",
        "legal_basis": "《中华人民共和国行政许可法》",
        "conditions": "申请人具备相应条件。",
        "delivery_methods": ["window", "express"],
        "result_name": "",
        "consult_phone": "023-61230000",
        "complaint_phone": "12345",
    }
    values.update(overrides)
    return values


def make_item(
    name: str,
    *,
    dept: Department | None = None,
    code: str | None = None,
    themes: list[Theme] | None = None,
    points: list[ServicePoint] | None = None,
    published_at: datetime | None = None,
    status: str = VersionStatus.PUBLISHED,
    **overrides: Any,
) -> ServiceItem:
    """An item with one version (published by default)."""
    dept = dept or department()
    n = next(_seq)
    item = ServiceItem.objects.create(
        code=code or f"11500102{n:06d}-500102000000-000-{USCC_HEALTH}-1-00",
        basic_code=f"{n:012d}",
        area_code="500102000000",
        department=dept,
    )
    now = clock.now()
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        status=status,
        created_at=now - timedelta(days=30),
        published_at=(published_at or now - timedelta(days=10))
        if status == VersionStatus.PUBLISHED
        else None,
        **_version_values(name, overrides),
    )
    if themes:
        version.themes.set(themes)
    if points:
        version.service_points.set(points)
    if status == VersionStatus.PUBLISHED:
        item.current_version = version
        item.save(update_fields=["current_version"])
    return item


def publish_new_version(item: ServiceItem, at: datetime, **changes: Any) -> ItemVersion:
    """Supersede the item's current version at ``at`` with a copy carrying ``changes``."""
    old = item.current_version
    assert old is not None
    old.status = VersionStatus.SUPERSEDED
    old.superseded_at = at
    old.save(update_fields=["status", "superseded_at"])
    values = {
        f.name: getattr(old, f.name)
        for f in ItemVersion._meta.concrete_fields
        if f.name
        not in {"id", "item", "number", "status", "published_at", "superseded_at", "created_at"}
    }
    values.update(changes)
    new = ItemVersion.objects.create(
        item=item,
        number=old.number + 1,
        status=VersionStatus.PUBLISHED,
        created_at=at,
        published_at=at,
        **values,
    )
    new.themes.set(old.themes.all())
    new.service_points.set(old.service_points.all())
    item.current_version = new
    item.save(update_fields=["current_version"])
    return new


def hygiene_licence() -> ServiceItem:
    """公共场所卫生许可证核发, complete like the demo's: the browser journey's item."""
    dept = department("WJW", "区卫生健康委", short_name="卫健委", phone="023-61230001")
    point = service_point()
    item = make_item(
        "公共场所卫生许可证核发",
        dept=dept,
        code=f"000105001000-500102000000-000-{USCC_HEALTH}-1-00",
        themes=[theme("E01", "企业开办", "enterprise"), theme("E05", "我要开理发店", "enterprise")],
        points=[point],
        keywords="卫生许可 理发 美容 宾馆 公共场所",
        kind="licensing",
        subject_type="legal",
        legal_limit=20,
        promised_limit=3,
        online_level="fully_online",
        commitment_allowed=True,
        fee_basis="不收费",
        result_name="公共场所卫生许可证",
        legal_basis="《公共场所卫生管理条例》第八条；《公共场所卫生管理条例实施细则》第二十二条",
        conditions=(
            "1. 依法取得营业执照；2. 场所布局和卫生设施符合卫生规范；3. 从业人员持有效健康证明。"
        ),
        delivery_methods=["window", "express", "electronic"],
    )
    version = item.current_version
    assert version is not None
    steps = [
        ("accept", "受理", 1),
        ("review", "审查", 1),
        ("decide", "决定", 1),
        ("conclude", "办结", None),
    ]
    for i, (kind, name, limit) in enumerate(steps, start=1):
        ItemStep.objects.create(version=version, order=i, kind=kind, name=name, limit=limit)
    m_id = material_type("M0001", "居民身份证", "resident_id_card")
    m_licence = material_type("M0002", "营业执照", "business_licence")
    m_form = material_type("M0101", "公共场所卫生许可申请表")
    m_layout = material_type("M0102", "卫生设施布局平面图")
    ItemMaterial.objects.create(
        version=version, material_type=m_form, order=1, originals=1, copies=0,
        paper_required=True, requirements="申请人签字并加盖公章",
        template=ContentFile(b"template", name="hygiene-form.docx"),
        sample=ContentFile(b"sample", name="hygiene-form-sample.pdf"),
    )  # fmt: skip
    ItemMaterial.objects.create(
        version=version, material_type=m_licence, order=2, source="elicence",
        originals=0, copies=0, requirements="通过电子证照库调取",
    )  # fmt: skip
    ItemMaterial.objects.create(
        version=version, material_type=m_id, order=3, originals=1, copies=1,
        requirements="法定代表人身份证",
    )  # fmt: skip
    ItemMaterial.objects.create(
        version=version, material_type=m_layout, order=4, core=False, required=True,
        copies=1, requirements="标明卫生设施位置",
    )  # fmt: skip
    f_name = field_definition(
        "applicant_name", "申请人名称", "text", constraints={"max_length": 64}
    )
    f_area = field_definition(
        "business_area", "经营面积", "decimal", constraints={"min": 0, "max": 100000}, unit="m²"
    )
    ItemField.objects.create(version=version, field=f_name, order=1)
    ItemField.objects.create(version=version, field=f_area, order=2, constraints={"min": 10})
    return item
