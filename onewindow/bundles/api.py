"""The bundles' read API (一件事一次办): the published bundles, each bundle's merged guide,
and the items and merged materials/fields that apply to an applicant's answers.

``GET /api/v1/bundles``, ``GET /api/v1/bundles/{code}``,
``POST /api/v1/bundles/{code}/applicable``. Errors are ``{code, message, fields}``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from onewindow.bundles import selectors
from onewindow.bundles.merge import AggregateReduction, Reduction
from onewindow.bundles.models import BundleVersion
from onewindow.catalog.models import ThemeAudience

router = Router(tags=["一件事一次办"])


class ErrorOut(Schema):
    code: str = Field(..., description="错误代码，如 not_found、validation_failed")
    message: str = Field(..., description="中文错误说明")
    fields: dict[str, Any] = Field(default_factory=dict, description="各参数的错误信息")


class BundleQuery(Schema):
    q: str | None = Field(None, max_length=100, description="关键词，多个词以空格分隔，均须匹配")
    audience: ThemeAudience | None = Field(
        None, description="服务对象：person 个人 / enterprise 企业"
    )


class ReductionOut(Schema):
    visits_before: int = Field(..., description="分别办理各事项的到现场次数之和")
    visits_after: int = Field(..., description="套餐办理的到现场次数")
    materials_before: int = Field(..., description="分别办理时各事项必要材料份数之和")
    materials_after: int = Field(..., description="套餐去重后的必要材料份数")
    forms_before: int = Field(..., description="分别办理时填写的申请表张数")
    forms_after: int = Field(..., description="套餐填写的申请表张数（一表申请）")
    fields_before: int = Field(..., description="分别办理时各表字段数之和")
    fields_after: int = Field(..., description="合并表单的字段数")
    days_before: int = Field(..., description="各事项承诺时限之和（工作日，逐项办理）")
    days_after: int = Field(..., description="套餐承诺时限（工作日）")


class DepartmentOut(Schema):
    code: str = Field(..., description="部门编码")
    name: str = Field(..., description="部门名称")


class BundleSummary(Schema):
    code: str = Field(..., description="套餐编码")
    name: str = Field(..., description="套餐名称，如“我要开理发店”")
    kind: str = Field(
        ..., description="类别：life_event 个人生活事件 / enterprise_event 企业经营事件"
    )
    audience: str = Field(..., description="服务对象：natural 自然人 / legal 法人 / both")
    lead_department: DepartmentOut = Field(..., description="牵头部门")
    items_count: int = Field(..., description="成员事项数（含按情形办理的）")
    departments_count: int = Field(..., description="涉及部门数")
    promised_limit: int = Field(..., description="套餐承诺时限（工作日）")
    reduction: ReductionOut = Field(
        ..., description="目录数据计算的减环节、减材料、减时限（全部成员事项）"
    )
    version: int = Field(..., description="版本号")
    published_at: datetime | None = Field(None, description="本版本发布时间")
    url: str = Field(..., description="套餐指南页面地址")


class AggregateOut(Schema):
    bundles: int = Field(..., description="已发布套餐数")
    totals: ReductionOut = Field(..., description="各套餐合计")
    averages: dict[str, float] = Field(..., description="每个套餐的平均值（保留一位小数）")


class BundlePage(Schema):
    count: int = Field(..., description="符合条件的套餐数")
    items: list[BundleSummary] = Field(..., description="套餐列表")
    aggregate: AggregateOut = Field(..., description="全部已发布套餐的合计与平均减少量")


class MemberOut(Schema):
    item_code: str = Field(..., description="事项实施编码")
    name: str = Field(..., description="事项名称")
    department: DepartmentOut = Field(..., description="实施部门")
    role: str = Field(..., description="lead 牵头部门 / cooperating 配合部门")
    required: bool = Field(..., description="必办；否则按情形办理")
    conditions: list[str] = Field(..., description="按情形办理时，哪些回答会纳入该事项")
    essential: bool = Field(..., description="不可放弃；否则被拒时申请人可放弃该事项")
    early_delivery: bool = Field(..., description="可先行出件")
    joint_inspection: bool = Field(..., description="参加联合踏勘")
    legal_limit: int = Field(..., description="法定时限（单位见 limit_unit）")
    promised_limit: int = Field(..., description="承诺时限（单位见 limit_unit）")
    limit_unit: str = Field(..., description="working_day 工作日 / working_hour 工作小时")
    visits_required: int = Field(..., description="单独办理时的到现场次数")
    fee_yuan: Decimal = Field(..., description="收费（元）")
    item_version: int = Field(..., description="事项当前发布版本号")
    url: str = Field(..., description="事项办事指南地址")


class QuestionOut(Schema):
    code: str = Field(..., description="问题编码（回答时用作键）")
    text: str = Field(..., description="问题")
    help_text: str = Field("", description="说明")
    type: str = Field(..., description="yes_no 是/否（回答 yes/no）/ choice 单选")
    choices: list[str] = Field(..., description="可选回答")


class MaterialOut(Schema):
    code: str = Field(..., description="材料类型编码")
    name: str = Field(..., description="材料名称")
    required: bool = Field(..., description="必要（任一事项要求即为必要）")
    core: bool = Field(..., description="核心要件（任一事项列为核心即为核心）")
    originals: int = Field(..., description="原件份数（各事项要求的最大值）")
    copies: int = Field(..., description="复印件份数（各事项要求的最大值）")
    paper_required: bool = Field(..., description="需纸质")
    source: str = Field(
        ..., description="applicant 申请人提交；elicence/department 免提交（须所有事项均可免提交）"
    )
    requirements: list[str] = Field(..., description="各事项的填报要求")
    shared: bool = Field(..., description="多个事项共用，只需提交一次")
    used_by: list[str] = Field(..., description="使用该材料的事项编码")
    used_by_names: list[str] = Field(..., description="使用该材料的事项名称")


class FieldOut(Schema):
    code: str = Field(..., description="字段编码（共享字段字典）")
    label: str = Field(..., description="字段名称")
    type: str = Field(..., description="字段类型")
    required: bool = Field(..., description="必填（任一事项必填即为必填）")
    constraints: dict[str, Any] = Field(
        ...,
        description=(
            "合并后的校验规则（取严：min 取大、max/max_length 取小、"
            "choices 取交集、patterns 均须匹配）"
        ),
    )
    unit: str = Field("", description="单位")
    help_text: str = Field("", description="填写说明")
    shared: bool = Field(..., description="多个事项共用，只填一次")
    used_by: list[str] = Field(..., description="使用该字段的事项编码")


class ConflictOut(Schema):
    field: str = Field(..., description="字段编码")
    message: str = Field(..., description="冲突说明")


class ConditionOut(Schema):
    text: str = Field(..., description="受理条件")
    items: list[str] = Field(..., description="提出该条件的事项名称")


class ApplicableOut(Schema):
    answers: dict[str, str] = Field(..., description="规范化后的回答")
    members: list[MemberOut] = Field(..., description="适用的事项")
    departments_count: int = Field(..., description="涉及部门数")
    materials: list[MaterialOut] = Field(..., description="去重后的材料（一次告知）")
    fields: list[FieldOut] = Field(..., description="合并表单字段（一表申请）")
    conflicts: list[ConflictOut] = Field(..., description="无法合并的字段（已发布套餐应为空）")
    conditions: list[ConditionOut] = Field(..., description="受理条件（去重）")
    fee_yuan: Decimal = Field(..., description="合计收费（元）")
    promised_limit: int = Field(..., description="套餐承诺时限（工作日）")
    reduction: ReductionOut = Field(..., description="与分别办理相比（目录数据）")


class BundleGuideOut(ApplicableOut):
    code: str = Field(..., description="套餐编码")
    name: str = Field(..., description="套餐名称")
    description: str = Field("", description="简介")
    kind: str = Field(..., description="类别")
    audience: str = Field(..., description="服务对象")
    keywords: str = Field("", description="关键词")
    lead_department: DepartmentOut = Field(..., description="牵头部门")
    visits_required: int = Field(..., description="套餐到现场次数（最多跑一次）")
    on_refusal: str = Field(
        ..., description="不可放弃的事项被拒时：continue_without 其余继续 / end_bundle 整件终止"
    )
    industry_licence: bool = Field(..., description="一业一证")
    industry_licence_name: str = Field("", description="行业综合许可证名称")
    questions: list[QuestionOut] = Field(..., description="情形问题（决定按情形办理的事项）")
    all_members: list[MemberOut] = Field(..., description="全部成员事项")
    measured: dict[str, Any] | None = Field(
        None,
        description=(
            "实际办件统计（实际跑动次数、实际用时）：由一件事办件填入，尚无办件数据时为 null"
        ),
    )
    version: int = Field(..., description="版本号")
    published_at: datetime | None = Field(None, description="发布时间")
    url: str = Field(..., description="套餐指南页面地址")


class AnswersIn(Schema):
    answers: dict[str, str | bool | int] = Field(
        default_factory=dict, description="问题编码 → 回答（是/否问题：yes/no；单选：选项原文）"
    )


def _dept(d: Any) -> dict[str, str]:
    return {"code": d.code, "name": d.name}


def _member(request: HttpRequest, view: selectors.MemberView) -> dict[str, Any]:
    m, v = view.member, view.version
    assert v is not None
    return {
        "item_code": view.code,
        "name": v.name,
        "department": _dept(view.department),
        "role": "lead" if view.lead else "cooperating",
        "required": m.required,
        "conditions": view.triggers,
        "essential": m.essential,
        "early_delivery": m.early_delivery,
        "joint_inspection": m.joint_inspection,
        "legal_limit": v.legal_limit,
        "promised_limit": v.promised_limit,
        "limit_unit": v.limit_unit,
        "visits_required": v.visits_required,
        "fee_yuan": v.fee_yuan,
        "item_version": v.number,
        "url": request.build_absolute_uri(reverse("portal:guide", args=[view.code])),
    }


def _reduction(r: Reduction) -> dict[str, int]:
    return r.as_dict()


def _applicable(request: HttpRequest, guide: selectors.Guide) -> dict[str, Any]:
    return {
        "answers": guide.answers,
        "members": [_member(request, v) for v in guide.applicable],
        "departments_count": len(guide.departments),
        "materials": [
            {
                "code": m.code,
                "name": m.name,
                "required": m.required,
                "core": m.core,
                "originals": m.originals,
                "copies": m.copies,
                "paper_required": m.paper_required,
                "source": m.source,
                "requirements": m.requirements,
                "shared": m.shared,
                "used_by": m.used_by,
                "used_by_names": m.used_by_names,
            }
            for m in guide.materials
        ],
        "fields": [
            {
                "code": f.code,
                "label": f.label,
                "type": f.type,
                "required": f.required,
                "constraints": f.constraints(),
                "unit": f.unit,
                "help_text": f.help_text,
                "shared": f.shared,
                "used_by": f.used_by,
            }
            for f in guide.fields
        ],
        "conflicts": [{"field": c.code, "message": c.message} for c in guide.conflicts],
        "conditions": [{"text": c.text, "items": c.items} for c in guide.conditions],
        "fee_yuan": guide.fee_total,
        "promised_limit": guide.version.promised_limit,
        "reduction": _reduction(guide.reduction),
    }


def _url(request: HttpRequest, code: str) -> str:
    return request.build_absolute_uri(reverse("portal:bundle_guide", args=[code]))


def _aggregate(agg: AggregateReduction) -> dict[str, Any]:
    return {"bundles": agg.bundles, "totals": _reduction(agg.totals), "averages": agg.averages}


@router.get(
    "",
    response={200: BundlePage, 422: ErrorOut},
    summary="已发布的一件事套餐",
    description=(
        "列出已发布的“一件事一次办”套餐：牵头部门、事项数、部门数、承诺时限，以及由目录数据"
        "计算的跑动次数、材料份数、时限的减少（分别办理 → 套餐办理）；aggregate 为全部已发布"
        "套餐的合计与平均。可按关键词 q 与服务对象 audience 筛选。"
    ),
    operation_id="list_bundles",
)
def list_bundles(request: HttpRequest, filters: Query[BundleQuery]) -> dict[str, Any]:
    guides = {g.version.pk: g for g in selectors.published_guides()}
    versions: list[BundleVersion] = list(
        selectors.published_bundles(filters.q, audience=filters.audience)
    )
    items = []
    for v in versions:
        guide = guides[v.pk]
        items.append(
            {
                "code": v.bundle.code,
                "name": v.name,
                "kind": v.bundle.kind,
                "audience": v.audience,
                "lead_department": _dept(v.bundle.lead_department),
                "items_count": v.member_count,  # type: ignore[attr-defined]
                "departments_count": v.department_count,  # type: ignore[attr-defined]
                "promised_limit": v.promised_limit,
                "reduction": _reduction(guide.reduction),
                "version": v.number,
                "published_at": v.published_at,
                "url": _url(request, v.bundle.code),
            }
        )
    aggregate = selectors.aggregate_reduction(list(guides.values()))
    return {"count": len(items), "items": items, "aggregate": _aggregate(aggregate)}


@router.get(
    "/{code}",
    response={200: BundleGuideOut, 404: ErrorOut},
    summary="套餐指南（一次告知）",
    description=(
        "返回套餐当前发布版本的合并指南：全部成员事项（编码、部门、牵头/配合、法定与承诺时限）、"
        "情形问题、去重后的材料（注明哪些事项共用）、合并表单字段及取严后的校验规则、"
        "受理条件、合计收费、套餐承诺时限和减少量。measured 为实际办件统计，暂为 null。"
    ),
    operation_id="get_bundle",
)
def get_bundle(request: HttpRequest, code: str) -> dict[str, Any]:
    guide = selectors.bundle_guide(code)
    v, bundle = guide.version, guide.bundle
    return {
        **_applicable(request, guide),
        "code": bundle.code,
        "name": v.name,
        "description": v.description,
        "kind": bundle.kind,
        "audience": v.audience,
        "keywords": v.keywords,
        "lead_department": _dept(bundle.lead_department),
        "visits_required": v.visits_required,
        "on_refusal": v.on_refusal,
        "industry_licence": v.industry_licence,
        "industry_licence_name": v.industry_licence_name,
        "questions": [
            {
                "code": q.spec.code,
                "text": q.spec.text,
                "help_text": q.question.help_text,
                "type": q.spec.type,
                "choices": list(q.spec.answers()),
            }
            for q in guide.questions
        ],
        "all_members": [_member(request, m) for m in guide.members],
        "measured": selectors.measured_figures(v),
        "version": v.number,
        "published_at": v.published_at,
        "url": _url(request, bundle.code),
    }


@router.post(
    "/{code}/applicable",
    response={200: ApplicableOut, 404: ErrorOut, 422: ErrorOut},
    summary="按情形确定适用事项",
    description=(
        "提交对全部情形问题的回答，返回适用的事项及仅针对这些事项合并的材料、表单字段、"
        "受理条件、收费和减少量。未知问题、无效回答或漏答返回 422"
        "（fields 中按 answers.<问题编码> 说明）。"
    ),
    operation_id="bundle_applicable",
)
def bundle_applicable(request: HttpRequest, code: str, body: AnswersIn) -> dict[str, Any]:
    guide = selectors.bundle_guide(code, body.answers, require_all=True)
    return _applicable(request, guide)
