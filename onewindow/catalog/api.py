"""The catalogue's read API: the published list of items and each item's complete guide.

``GET /api/v1/items`` searches and filters; ``GET /api/v1/items/{code}`` returns the guide
(一次告知). Dates are ISO 8601; limits are in ``limit_unit`` (working days or hours).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from onewindow.catalog import selectors
from onewindow.catalog.models import (
    DeliveryMethod,
    HandlingLevel,
    ItemKind,
    ItemVersion,
    OnlineLevel,
    ThemeAudience,
)

router = Router(tags=["事项目录"])


class ErrorOut(Schema):
    code: str = Field(..., description="错误代码，如 not_found、validation_failed")
    message: str = Field(..., description="中文错误说明")
    fields: dict[str, Any] = Field(default_factory=dict, description="各参数的错误信息")


class ItemQuery(Schema):
    q: str | None = Field(None, max_length=100, description="关键词，多个词以空格分隔，均须匹配")
    department: str | None = Field(None, max_length=32, description="实施部门编码")
    theme: str | None = Field(None, max_length=32, description="主题（个人/企业事件）编码")
    level: HandlingLevel | None = Field(None, description="办理层级：区级、镇街级、村（社区）级")
    kind: ItemKind | None = Field(None, description="事项类型")
    online_level: OnlineLevel | None = Field(None, description="网办深度")
    audience: ThemeAudience | None = Field(None, description="服务对象：个人办事或企业办事")
    limit: int = Field(20, ge=1, le=100, description="每页条数（1-100）")
    offset: int = Field(0, ge=0, description="跳过的条数")


class DepartmentOut(Schema):
    code: str = Field(..., description="部门编码")
    name: str = Field(..., description="部门名称")
    phone: str = Field("", description="部门咨询电话")


class ItemSummary(Schema):
    code: str = Field(..., description="实施编码（GB/T 39554.1）")
    name: str = Field(..., description="事项名称")
    kind: str = Field(..., description="事项类型代码")
    kind_label: str = Field(..., description="事项类型")
    department: DepartmentOut = Field(..., description="实施主体")
    handling_level: str = Field(..., description="办理层级代码")
    handling_level_label: str = Field(..., description="办理层级")
    subject_type: str = Field(..., description="服务对象代码")
    limit_unit: str = Field(..., description="时限单位：working_day 工作日，working_hour 工作小时")
    legal_limit: int = Field(..., description="法定时限")
    promised_limit: int = Field(..., description="承诺时限")
    is_instant: bool = Field(..., description="即办件")
    visits_required: int = Field(..., description="到现场次数")
    online_level: str = Field(..., description="网办深度代码")
    online_level_label: str = Field(..., description="网办深度")
    zero_material: bool = Field(..., description="零材料：申请人无需提交任何必要材料")
    commitment_allowed: bool = Field(..., description="可告知承诺")
    cross_district: bool = Field(..., description="跨区县通办")
    cross_province: bool = Field(..., description="跨省通办")
    version: int = Field(..., description="指南版本号")
    published_at: datetime | None = Field(..., description="本版本发布时间")
    url: str = Field(..., description="办事指南页面地址")


class ItemPage(Schema):
    count: int = Field(..., description="符合条件的事项总数")
    limit: int = Field(..., description="每页条数")
    offset: int = Field(..., description="跳过的条数")
    items: list[ItemSummary] = Field(..., description="本页事项，最匹配的在前")


class StepOut(Schema):
    order: int = Field(..., description="顺序")
    kind: str = Field(
        ..., description="环节类型：accept 受理、review 审查、decide 决定、conclude 办结"
    )
    name: str = Field(..., description="环节名称")
    role: str = Field("", description="办理岗位")
    limit: int | None = Field(None, description="环节时限（单位同事项时限）")
    description: str = Field("", description="审查标准")


class MaterialOut(Schema):
    code: str = Field(..., description="材料类型编码（共享材料字典）")
    name: str = Field(..., description="材料名称")
    required: bool = Field(..., description="必要材料")
    core: bool = Field(..., description="核心要件；非核心要件可容缺受理、后补")
    originals: int = Field(..., description="原件份数")
    copies: int = Field(..., description="复印件份数")
    paper_required: bool = Field(..., description="需提交纸质材料")
    source: str = Field(..., description="来源：applicant 申请人提供、elicence/department 免提交")
    source_label: str = Field(..., description="来源说明")
    requirements: str = Field("", description="填报要求")
    template_url: str | None = Field(None, description="空白表格下载地址")
    sample_url: str | None = Field(None, description="示例样表下载地址")


class FieldOut(Schema):
    code: str = Field(..., description="字段编码（共享字段字典）")
    label: str = Field(..., description="字段名称")
    type: str = Field(..., description="字段类型")
    required: bool = Field(..., description="必填")
    constraints: dict[str, Any] = Field(..., description="校验规则（字典规则叠加本事项规则）")
    unit: str = Field("", description="单位")
    help_text: str = Field("", description="填写说明")


class ServicePointOut(Schema):
    code: str = Field(..., description="网点编码")
    name: str = Field(..., description="网点名称")
    level: str = Field(..., description="网点层级")
    address: str = Field("", description="地址")
    phone: str = Field("", description="电话")
    office_hours: list[list[str]] = Field(..., description='办公时间段，如 [["09:00","12:00"]]')
    opening_note: str = Field("", description="办公时间说明")


class ThemeOut(Schema):
    code: str = Field(..., description="主题编码")
    name: str = Field(..., description="主题名称")
    audience: str = Field(..., description="person 个人办事 / enterprise 企业办事")


class ItemGuide(ItemSummary):
    subject_type_label: str = Field(..., description="服务对象")
    basic_code: str = Field(..., description="基本编码")
    area_code: str = Field(..., description="行政区划代码")
    keywords: str = Field("", description="关键词")
    reduction_ratio: float | None = Field(None, description="承诺时限比法定时限压缩的比例")
    fee_yuan: Decimal = Field(..., description="收费金额（元）")
    fee_basis: str = Field("", description="收费依据及标准")
    legal_basis: str = Field(..., description="设定依据")
    conditions: str = Field(..., description="受理条件")
    delivery_methods: list[str] = Field(..., description="送达方式代码")
    delivery_methods_labels: list[str] = Field(..., description="送达方式")
    result_name: str = Field("", description="办理结果")
    consult_phone: str = Field("", description="咨询电话")
    complaint_phone: str = Field("", description="监督投诉电话")
    notes: str = Field("", description="备注")
    themes: list[ThemeOut] = Field(..., description="所属主题")
    steps: list[StepOut] = Field(..., description="办理流程")
    materials: list[MaterialOut] = Field(..., description="申请材料")
    fields: list[FieldOut] = Field(..., description="申请表字段")
    service_points: list[ServicePointOut] = Field(..., description="办理地点")


def _summary(request: HttpRequest, v: ItemVersion) -> dict[str, Any]:
    dept = v.item.department
    return {
        "code": v.item.code,
        "name": v.name,
        "kind": v.kind,
        "kind_label": v.get_kind_display(),
        "department": {"code": dept.code, "name": dept.name, "phone": dept.phone},
        "handling_level": v.handling_level,
        "handling_level_label": v.get_handling_level_display(),
        "subject_type": v.subject_type,
        "limit_unit": v.limit_unit,
        "legal_limit": v.legal_limit,
        "promised_limit": v.promised_limit,
        "is_instant": v.is_instant,
        "visits_required": v.visits_required,
        "online_level": v.online_level,
        "online_level_label": v.get_online_level_display(),
        "zero_material": bool(getattr(v, "zero_material", False)),
        "commitment_allowed": v.commitment_allowed,
        "cross_district": v.cross_district,
        "cross_province": v.cross_province,
        "version": v.number,
        "published_at": v.published_at,
        "url": request.build_absolute_uri(reverse("portal:guide", args=[v.item.code])),
    }


def _file_url(request: HttpRequest, f: Any) -> str | None:
    return request.build_absolute_uri(f.url) if f else None


def _guide(request: HttpRequest, v: ItemVersion) -> dict[str, Any]:
    delivery = dict(DeliveryMethod.choices)
    data = _summary(request, v)
    data.update(
        subject_type_label=v.get_subject_type_display(),
        basic_code=v.item.basic_code,
        area_code=v.item.area_code,
        keywords=v.keywords,
        reduction_ratio=v.reduction_ratio,
        fee_yuan=v.fee_yuan,
        fee_basis=v.fee_basis,
        legal_basis=v.legal_basis,
        conditions=v.conditions,
        delivery_methods=list(v.delivery_methods),
        delivery_methods_labels=[str(delivery.get(m, m)) for m in v.delivery_methods],
        result_name=v.result_name,
        consult_phone=v.consult_phone,
        complaint_phone=v.complaint_phone,
        notes=v.notes,
        themes=[{"code": t.code, "name": t.name, "audience": t.audience} for t in v.themes.all()],
        steps=[
            {
                "order": s.order,
                "kind": s.kind,
                "name": s.name,
                "role": s.role,
                "limit": s.limit,
                "description": s.description,
            }
            for s in v.steps.all()
        ],
        materials=[
            {
                "code": m.material_type.code,
                "name": m.material_type.name,
                "required": m.required,
                "core": m.core,
                "originals": m.originals,
                "copies": m.copies,
                "paper_required": m.paper_required,
                "source": m.source,
                "source_label": m.get_source_display(),
                "requirements": m.requirements,
                "template_url": _file_url(request, m.template),
                "sample_url": _file_url(request, m.sample),
            }
            for m in v.materials.all()
        ],
        fields=[
            {
                "code": f.field.code,
                "label": f.field.label,
                "type": f.field.type,
                "required": f.required,
                "constraints": {**(f.field.constraints or {}), **(f.constraints or {})},
                "unit": f.field.unit,
                "help_text": f.field.help_text,
            }
            for f in v.fields.all()
        ],
        service_points=[
            {
                "code": p.code,
                "name": p.name,
                "level": p.level,
                "address": p.address,
                "phone": p.phone,
                "office_hours": [list(span) for span in p.office_hours or []],
                "opening_note": p.opening_note,
            }
            for p in v.service_points.all()
        ],
    )
    return data


@router.get(
    "/items",
    response={200: ItemPage, 422: ErrorOut},
    summary="检索已发布事项",
    description=(
        "按关键词（事项名称、关键词、部门名称，多个词以空格分隔，均须匹配）及部门、主题、"
        "办理层级、事项类型、网办深度、服务对象筛选已发布的政务服务事项。"
        "名称完全匹配或以关键词开头的事项排在前面。分页：limit ≤ 100。"
    ),
    operation_id="list_items",
)
def list_items(request: HttpRequest, filters: Query[ItemQuery]) -> dict[str, Any]:
    qs = selectors.search_items(
        filters.q,
        department=filters.department,
        theme=filters.theme,
        level=filters.level,
        kind=filters.kind,
        online_level=filters.online_level,
        audience=filters.audience,
    )
    total = qs.count()
    page = list(qs[filters.offset : filters.offset + filters.limit])
    return {
        "count": total,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_summary(request, v) for v in page],
    }


@router.get(
    "/items/{code}",
    response={200: ItemGuide, 404: ErrorOut},
    summary="事项办事指南",
    description=(
        "返回事项当前发布版本的完整办事指南（一次告知）：基本信息、受理条件、申请材料"
        "（含空白表格和示例样表地址）、办理流程、法定与承诺时限、收费、办理地点及办公时间、"
        "表单字段及校验规则、版本号与发布时间。未知事项返回 404。"
    ),
    operation_id="get_item",
)
def get_item(request: HttpRequest, code: str) -> dict[str, Any]:
    return _guide(request, selectors.item_guide(code))
