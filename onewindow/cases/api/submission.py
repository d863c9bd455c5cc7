"""The submission API: create a draft case, fill its form, upload materials, submit; list
and read one's cases; the anonymous lookup by case number and ID number.

Authentication is the Django session (``ninja.security.django_auth``). For session
authentication ninja enforces CSRF on unsafe methods (POST, PATCH): a browser client sends
the ``X-CSRFToken`` header with the value of the ``csrftoken`` cookie. Django's test client
skips CSRF checks by default. Retries are safe: ``POST /cases`` and ``POST
/cases/{number}/submit`` take an ``Idempotency-Key`` header; the same key returns the same
result, never a second case or an error.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from onewindow.cases import selectors
from onewindow.cases.models import Case, CaseMaterial, Channel
from onewindow.cases.services import submission as services
from onewindow.cases.states import TRANSITIONS, CaseStatus
from onewindow.catalog.models import ItemVersion, ServiceItem, VersionStatus
from onewindow.common.errors import NotFound, ValidationFailed
from onewindow.org.models import Applicant, ServicePoint

router = Router(tags=["办件"])

NOTICE_PDF_URL = "/api/v1/cases/{number}/notices/{id}/pdf"


class ErrorOut(Schema):
    code: str = Field(..., description="错误代码，如 validation_failed、case_not_found")
    message: str = Field(..., description="中文错误说明")
    fields: dict[str, Any] = Field(default_factory=dict, description="各字段的错误信息")


ERRORS: dict[int, type[Schema]] = {
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


# ---------------------------------------------------------------------------- schemas


class CaseCreateIn(Schema):
    item: str = Field(..., max_length=80, description="事项实施编码")
    applicant: int | None = Field(
        None, description="申请人编号；账号仅关联一个申请人时可省略（窗口、帮办、代办时必填）"
    )
    channel: Channel = Field(
        Channel.ONLINE,
        description="申请渠道：online 网上申请，window 窗口申请，assisted 帮办，proxy 代办",
    )
    service_point: str | None = Field(
        None, max_length=32, description="受理网点编码（窗口、帮办、代办时；默认为本人所在网点）"
    )
    consent_note: str = Field(
        "", max_length=255, description="申请人的授权或同意说明（帮办、代办时必填）"
    )
    form_data: dict[str, Any] = Field(default_factory=dict, description="申请表内容（可部分填写）")


class FormDataIn(Schema):
    form_data: dict[str, Any] = Field(
        ..., description="要保存的申请表字段；空值清除该字段，未给出的字段保持不变"
    )


class StepOut(Schema):
    name: str = Field(..., description="环节名称")
    kind: str = Field(..., description="环节类型：review 审查，decide 决定")


class MaterialOut(Schema):
    id: int = Field(..., description="材料编号（上传时使用）")
    code: str = Field(..., description="材料类型编码")
    name: str = Field(..., description="材料名称")
    required: bool = Field(..., description="是否必要")
    core: bool = Field(..., description="是否核心要件（非核心要件可容缺后补）")
    source: str = Field(..., description="来源：applicant 申请人提供，elicence/department 免提交")
    status: str = Field(..., description="状态代码")
    status_label: str = Field(..., description="状态")
    obtained_from: str = Field("", description="中心调取的来源（数据跑腿）")
    original_name: str = Field("", description="上传的原文件名")
    content_type: str = Field("", description="文件类型")
    size: int = Field(0, description="文件大小（字节）")
    sha256: str = Field("", description="文件 SHA-256")
    uploaded_at: datetime | None = Field(None, description="上传时间")
    due_date: date | None = Field(None, description="容缺材料补交期限")
    note: str = Field("", description="说明（如需补正的原因）")


class NoticeOut(Schema):
    id: int
    number: str = Field(..., description="文号")
    kind: str = Field(..., description="文书类型代码")
    kind_label: str = Field(..., description="文书类型")
    issued_at: datetime = Field(..., description="出具时间")
    url: str = Field(..., description="PDF 下载地址")


class TransitionOut(Schema):
    name: str = Field(..., description="操作代码")
    label: str = Field(..., description="操作")
    from_status: str = Field(..., description="原状态")
    to_status: str = Field(..., description="新状态")
    at: datetime = Field(..., description="时间")
    note: str = Field("", description="说明")


class CaseSummary(Schema):
    number: str = Field(..., description="办件编号")
    item_code: str = Field(..., description="事项实施编码")
    item_name: str = Field(..., description="事项名称")
    department: str = Field(..., description="办理部门")
    applicant: str = Field(..., description="申请人名称")
    channel: str = Field(..., description="申请渠道")
    status: str = Field(..., description="状态代码")
    status_label: str = Field(..., description="状态")
    current_step: StepOut | None = Field(None, description="当前环节")
    created_at: datetime = Field(..., description="创建时间")
    submitted_at: datetime | None = Field(None, description="提交时间")
    promised_due_at: datetime | None = Field(None, description="承诺办结期限")
    legal_due_at: datetime | None = Field(None, description="法定办结期限")


class CaseDetail(CaseSummary):
    on_behalf: bool = Field(..., description="是否代为申请（帮办代办）")
    consent_note: str = Field("", description="申请人授权说明")
    received_at: datetime | None = Field(None, description="收件时间")
    accepted_at: datetime | None = Field(None, description="受理时间")
    concluded_at: datetime | None = Field(None, description="办结时间")
    limit_unit: str = Field(..., description="时限单位")
    deadlines_provisional: bool = Field(False, description="期限待日历确认")
    form_data: dict[str, Any] = Field(default_factory=dict, description="申请表内容")
    materials: list[MaterialOut] = Field(default_factory=list, description="申请材料及其状态")
    notices: list[NoticeOut] = Field(default_factory=list, description="文书（三书一单等）")
    transitions: list[TransitionOut] = Field(default_factory=list, description="办理过程")
    visits: int = Field(0, description="到现场次数（实际登记）")


class CasePage(Schema):
    count: int = Field(..., description="符合条件的办件总数")
    items: list[CaseSummary]


class CaseListQuery(Schema):
    status: CaseStatus | None = Field(None, description="按状态筛选")
    item: str | None = Field(None, max_length=80, description="按事项实施编码筛选")
    limit: int = Field(20, ge=1, le=100, description="每页条数（1-100）")
    offset: int = Field(0, ge=0, description="跳过的条数")


class LookupQuery(Schema):
    number: str = Field(..., max_length=32, description="办件编号")
    id_number: str = Field(
        ..., max_length=18, description="申请人的居民身份证号码或统一社会信用代码"
    )


class LookupOut(Schema):
    number: str = Field(..., description="办件编号")
    item_name: str = Field(..., description="事项名称")
    status: str = Field(..., description="状态代码")
    status_label: str = Field(..., description="状态")
    current_step: str = Field("", description="当前环节")
    promised_due_at: datetime | None = Field(None, description="承诺办结期限")
    legal_due_at: datetime | None = Field(None, description="法定办结期限")


# ---------------------------------------------------------------------------- shaping


def _step(case: Case) -> dict[str, str] | None:
    s = case.current_step
    return {"name": s.name, "kind": s.kind} if s is not None else None


def _summary(case: Case) -> dict[str, Any]:
    return {
        "number": case.number,
        "item_code": case.item.code,
        "item_name": case.item_version.name,
        "department": case.department.name,
        "applicant": case.applicant.name,
        "channel": case.channel,
        "status": case.status,
        "status_label": str(CaseStatus(case.status).label),
        "current_step": _step(case),
        "created_at": case.created_at,
        "submitted_at": case.submitted_at,
        "promised_due_at": case.promised_due_at,
        "legal_due_at": case.legal_due_at,
    }


def _material(m: CaseMaterial) -> dict[str, Any]:
    return {
        "id": m.pk,
        "code": m.material_type.code,
        "name": m.material_type.name,
        "required": m.item_material.required,
        "core": m.item_material.core,
        "source": m.item_material.source,
        "status": m.status,
        "status_label": str(m.get_status_display()),
        "obtained_from": m.obtained_from,
        "original_name": m.original_name,
        "content_type": m.content_type,
        "size": m.size,
        "sha256": m.sha256,
        "uploaded_at": m.uploaded_at,
        "due_date": m.due_date,
        "note": m.note,
    }


def _related(case: Case, name: str, query: Any) -> Any:
    """``case.<name>``: the rows the service call just handed over (a new case's materials,
    the materials a submission checked), or else ``query`` (narrowed to what is shown)."""
    rows = services.take_handed_over(case, name)
    return query if rows is None else rows


def _detail(case: Case) -> dict[str, Any]:
    materials = _related(
        case, "materials", case.materials.select_related("material_type", "item_material")
    )
    notices = _related(
        case, "notices", case.notices.only("id", "case_id", "number", "kind", "issued_at")
    )
    transitions = _related(
        case,
        "transitions",
        case.transitions.only("id", "case_id", "name", "from_status", "to_status", "at", "note"),
    )
    visits = services.take_handed_over(case, "visits")
    labels = {name: t.label for name, t in TRANSITIONS.items()}
    return {
        **_summary(case),
        "on_behalf": case.on_behalf,
        "consent_note": case.consent_note,
        "received_at": case.received_at,
        "accepted_at": case.accepted_at,
        "concluded_at": case.concluded_at,
        "limit_unit": case.limit_unit,
        "deadlines_provisional": case.deadlines_provisional,
        "form_data": case.form_data,
        "materials": [_material(m) for m in materials],
        "notices": [
            {
                "id": n.pk,
                "number": n.number,
                "kind": n.kind,
                "kind_label": str(n.get_kind_display()),
                "issued_at": n.issued_at,
                "url": NOTICE_PDF_URL.format(number=case.number, id=n.pk),
            }
            for n in notices
        ],
        "transitions": [
            {
                "name": t.name,
                "label": labels.get(t.name, t.name),
                "from_status": t.from_status,
                "to_status": t.to_status,
                "at": t.at,
                "note": t.note,
            }
            for t in transitions
        ],
        "visits": len(visits) if visits is not None else case.visits.count(),
    }


def _published(code: str) -> ItemVersion:
    item = ServiceItem.objects.select_related("current_version", "department").filter(code=code)
    found = item.first()
    version = found.current_version if found else None
    if found is None or version is None or version.status != VersionStatus.PUBLISHED:
        raise NotFound("未找到该事项或该事项未发布", code="item_not_found")
    version.item = found  # the item (and its department) is at hand: no query for it again
    return version


def applicant_for(request: HttpRequest, pk: int | None) -> Applicant:
    """The applicant named in a request (``pk``), or else the account's only applicant."""
    if pk is not None:
        return selectors.applicant_by_pk(pk)
    own = selectors.own_applicants(request.user)
    if len(own) != 1:
        raise ValidationFailed(
            "请选择申请人" if own else "您的账号尚未关联申请人，请先完成实名登记",
            code="applicant_required",
            fields={"applicant": "请选择申请人"},
        )
    return own[0]


def _case(request: HttpRequest, number: str, *, related: bool = True) -> Case:
    return selectors.case_for(request.user, number, related=related)


# ---------------------------------------------------------------------------- endpoints


@router.post(
    "/cases",
    auth=django_auth,
    response={201: CaseDetail, **ERRORS},
    summary="创建办件（草稿）",
    description=(
        "为申请人创建一件办件草稿，并按事项版本生成材料清单；中心可自行调取的材料（数据跑腿）"
        "标记为免提交。网上申请只能以本账号关联的申请人名义办理；窗口申请、帮办、代办需"
        "具有受理权限，帮办、代办须注明申请人的授权或同意。同一 Idempotency-Key 重复请求"
        "返回同一件办件；该键用于其他事项或申请人时返回 409（idempotency_key_reused）。"
    ),
)
def create_case(
    request: HttpRequest,
    payload: CaseCreateIn,
    idempotency_key: str = Header(
        "", alias="Idempotency-Key", description="幂等键（建议使用 UUID），防止重复创建"
    ),
) -> Status[dict[str, Any]]:
    version = _published(payload.item)
    point = None
    if payload.service_point:
        point = ServicePoint.objects.filter(code=payload.service_point).first()
        if point is None:
            raise NotFound("未找到该受理网点", code="service_point_not_found")
    case = services.case_create_draft(
        actor=request.user,
        version=version,
        applicant=applicant_for(request, payload.applicant),
        channel=payload.channel,
        service_point=point,
        consent_note=payload.consent_note,
        form_data=payload.form_data,
        idempotency_key=idempotency_key,
    )
    return Status(201, _detail(case))


@router.get(
    "/cases",
    auth=django_auth,
    response=CasePage,
    summary="我的办件列表",
    description="当前账号可见的办件：申请人看到本人（及所代表单位）的办件，工作人员看到本部门的办件。",
)
def list_cases(request: HttpRequest, query: Query[CaseListQuery]) -> dict[str, Any]:
    qs = selectors.visible_cases(request.user).select_related("item")
    if query.status:
        qs = qs.filter(status=query.status)
    if query.item:
        qs = qs.filter(item__code=query.item)
    count = qs.count()
    page = qs.order_by("-created_at", "-id")[query.offset : query.offset + query.limit]
    return {"count": count, "items": [_summary(c) for c in page]}


@router.get(
    "/cases/lookup",
    auth=None,
    response={200: LookupOut, 404: ErrorOut},
    summary="办件查询（无需登录）",
    description=(
        "凭办件编号和申请人的身份证号码（或统一社会信用代码）查询办理进度，供自助终端和"
        "无账号的群众使用。两项须同时匹配，否则一律返回 404；只返回状态、事项名称、当前环节"
        "和办结期限，不含任何个人信息。"
    ),
)
def lookup_case(request: HttpRequest, query: Query[LookupQuery]) -> dict[str, Any]:
    case = selectors.case_by_number_and_id(query.number, query.id_number)
    return {
        "number": case.number,
        "item_name": case.item_version.name,
        "status": case.status,
        "status_label": str(CaseStatus(case.status).label),
        "current_step": case.current_step.name if case.current_step else "",
        "promised_due_at": case.promised_due_at,
        "legal_due_at": case.legal_due_at,
    }


@router.get(
    "/cases/{number}",
    auth=django_auth,
    response={200: CaseDetail, 404: ErrorOut},
    summary="办件详情",
    description=(
        "办件的状态、当前环节、承诺和法定办结期限、材料及其状态、文书（含 PDF 下载地址）、"
        "办理过程和到现场次数。无权查看的办件与不存在的办件一样返回 404。"
    ),
)
def get_case(request: HttpRequest, number: str) -> dict[str, Any]:
    return _detail(_case(request, number))


@router.patch(
    "/cases/{number}",
    auth=django_auth,
    response={200: CaseDetail, **ERRORS},
    summary="保存申请表",
    description=(
        "保存申请表的部分或全部字段（草稿、待补齐材料或退回补正时）。每个字段按事项配置的"
        "类型和规则校验，所有错误一次返回（fields 按字段编码给出中文说明）。"
    ),
)
def update_case(request: HttpRequest, number: str, payload: FormDataIn) -> dict[str, Any]:
    case = services.case_update_draft(
        actor=request.user, case=_case(request, number), form_data=payload.form_data
    )
    return _detail(case)


@router.post(
    "/cases/{number}/materials/{material_id}",
    auth=django_auth,
    response={200: MaterialOut, **ERRORS},
    summary="上传材料",
    description=(
        "以 multipart/form-data 上传一份材料（字段名 file）。只接受 PDF、JPEG、PNG，按文件内容"
        "识别并完整解析；扩展名与内容不符、空文件、超过大小上限、损坏或伪装的文件均被拒绝"
        "（file_content_mismatch、file_empty、file_too_large、file_corrupt、"
        "file_type_not_allowed）。重复上传将替换原文件并留痕。"
    ),
)
def upload_material(
    request: HttpRequest, number: str, material_id: int, file: File[UploadedFile]
) -> dict[str, Any]:
    case = _case(request, number, related=False)  # the service reads what it needs
    # only which slot; the service reads the row again under its lock
    material = CaseMaterial.objects.filter(case=case, pk=material_id).only("id", "case_id").first()
    if material is None:
        raise NotFound("未找到该材料", code="material_not_found")
    material = services.material_upload(
        actor=request.user, case=case, case_material=material, uploaded_file=file
    )
    return _material(material)


@router.post(
    "/cases/{number}/submit",
    auth=django_auth,
    response={200: CaseDetail, **ERRORS},
    summary="提交申请",
    description=(
        "提交草稿（或在一次性告知后补齐材料重新提交）。申请表须完整有效，必要的核心材料须已"
        "上传或由中心调取；非核心材料可暂缺，由受理人员决定容缺受理或一次性告知。缺少的材料"
        "在 fields 中逐项列出。带同一 Idempotency-Key 的重试返回同一结果。"
    ),
)
def submit_case(
    request: HttpRequest,
    number: str,
    idempotency_key: str = Header(
        "", alias="Idempotency-Key", description="幂等键；重试时使用同一个值"
    ),
) -> dict[str, Any]:
    case = _case(request, number, related=False)  # the service reads it again, locked
    if case.status == CaseStatus.AWAITING_CORRECTION:
        case = services.case_resubmit(
            actor=request.user, case=case, idempotency_key=idempotency_key
        )
    else:
        case = services.case_submit(actor=request.user, case=case, idempotency_key=idempotency_key)
    return _detail(case)
