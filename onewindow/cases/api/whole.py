"""``POST /api/v1/cases/submissions``: a whole application in one multipart request
(create, every material, submit), for kiosks, window scanners and platforms that push
complete applications. Same rules and the same rows as the three separate steps."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import Field, Form, Header, Router, Schema, Status
from ninja.security import django_auth

from onewindow.cases.api.submission import (
    ERRORS,
    CaseDetail,
    _detail,
    _published,
    applicant_for,
)
from onewindow.cases.models import Channel
from onewindow.cases.services.whole import case_submit_whole
from onewindow.common.errors import NotFound, ValidationFailed
from onewindow.org.models import ServicePoint

router = Router(tags=["办件"])

FILE_PREFIX = "material."
MAX_FORM_JSON = 64 * 1024


class WholeIn(Schema):
    item: str = Field(..., max_length=80, description="事项实施编码")
    applicant: int | None = Field(
        None, description="申请人编号；账号仅关联一个申请人时可省略（窗口、帮办、代办时必填）"
    )
    channel: Channel = Field(Channel.ONLINE, description="申请渠道")
    service_point: str | None = Field(None, max_length=32, description="受理网点编码")
    consent_note: str = Field("", max_length=255, description="申请人的授权或同意说明")
    form_data: str = Field("{}", description="申请表内容：JSON 对象（字段编码 → 值），须完整有效")


def _form(raw: str) -> tuple[dict[str, Any] | None, ValidationFailed | None]:
    """The form's content, or why it cannot be read (reported with the other problems)."""
    if len(raw) > MAX_FORM_JSON:
        return None, ValidationFailed(
            "申请表内容过长", code="form_invalid", fields={"form_data": "不能超过64 KB"}
        )
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return None, ValidationFailed(
            "申请表内容应为 JSON 对象",
            code="form_invalid",
            fields={"form_data": "应为 JSON 对象"},
        )
    return data, None


@router.post(
    "/cases/submissions",
    auth=django_auth,
    response={201: CaseDetail, **ERRORS},
    summary="一次提交完整申请",
    description=(
        "以一个 multipart/form-data 请求创建办件、上传全部材料并提交，全部成功或全部不生效。"
        "文本字段：item、applicant、channel、service_point、consent_note、form_data（JSON）；"
        "每份材料一个文件字段，字段名为 material.<材料类型编码>（如 material.M001）。规则与分步"
        "提交相同：申请表须完整有效，文件按内容识别并完整解析，必要的核心材料须上传或由中心"
        "调取；所有问题（申请表字段、每份未通过检查的文件、未知的材料编码、每份缺少的核心材料）"
        "一次返回，fields 中为申请表字段编码或 materials.<编码>。同一"
        " Idempotency-Key 重复请求返回同一件办件。"
    ),
)
def submit_whole(
    request: HttpRequest,
    payload: Form[WholeIn],
    idempotency_key: str = Header(
        "", alias="Idempotency-Key", description="幂等键（建议使用 UUID），防止重复提交"
    ),
) -> Status[dict[str, Any]]:
    files: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    for name in request.FILES:
        uploads = request.FILES.getlist(name)
        if not name.startswith(FILE_PREFIX):
            unknown[name] = "文件字段名应为 material.<材料类型编码>"
            continue
        if len(uploads) != 1:
            unknown[f"materials.{name.removeprefix(FILE_PREFIX)}"] = "每种材料只能提交一份文件"
            continue
        files[name.removeprefix(FILE_PREFIX)] = uploads[0]
    problems: list[ValidationFailed] = []
    if unknown:
        problems.append(
            ValidationFailed("材料文件字段有误", code="materials_invalid", fields=unknown)
        )
    form_data, unreadable = _form(payload.form_data)
    if unreadable is not None:
        problems.append(unreadable)
    version = _published(payload.item)
    point = None
    if payload.service_point:
        point = ServicePoint.objects.filter(code=payload.service_point).first()
        if point is None:
            raise NotFound("未找到该受理网点", code="service_point_not_found")
    case = case_submit_whole(
        actor=request.user,
        version=version,
        applicant=applicant_for(request, payload.applicant),
        form_data=form_data,
        files=files,
        channel=payload.channel,
        service_point=point,
        consent_note=payload.consent_note,
        idempotency_key=idempotency_key,
        problems=problems,
    )
    return Status(201, _detail(case))
