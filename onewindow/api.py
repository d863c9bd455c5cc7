"""The JSON API under /api/v1/ (django-ninja). Each app contributes a router from its
``api.py``; domain errors become ``{"code", "message", "fields"}`` with their status."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from onewindow.common.errors import DomainError

api = NinjaAPI(
    title="OneWindow 一窗通 API",
    version="1",
    description="一体化政务服务平台接口。错误统一返回 {code, message, fields}。",
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


_DATETIME_MESSAGE = "日期时间格式不正确，应为 ISO 8601（如 2026-11-29T09:30:00+08:00）"

# Chinese messages for pydantic's error types (the API's 422 bodies are read by people too).
_PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为文本",
    "string_too_short": "长度不能少于{min_length}个字符",
    "string_too_long": "长度不能超过{max_length}个字符",
    "string_pattern_mismatch": "格式不正确",
    "greater_than": "应大于{gt}",
    "greater_than_equal": "应不小于{ge}",
    "less_than": "应小于{lt}",
    "less_than_equal": "应不大于{le}",
    "date_parsing": "日期格式不正确，应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式不正确，应为 YYYY-MM-DD",
    "date_type": "日期格式不正确，应为 YYYY-MM-DD",
    "datetime_parsing": _DATETIME_MESSAGE,
    "datetime_from_date_parsing": _DATETIME_MESSAGE,
    "datetime_type": _DATETIME_MESSAGE,
    "enum": "取值不在允许范围内：{expected}",
    "literal_error": "取值不在允许范围内：{expected}",
    "json_invalid": "JSON 格式不正确",
    "model_attributes_type": "应为对象",
    "list_type": "应为列表",
    "too_long": "条目过多",
    "value_error": "{msg}",
}


def chinese_message(error: dict[str, Any]) -> str:
    """A Chinese message for one pydantic error, falling back to pydantic's own text."""
    template = _PYDANTIC_MESSAGES.get(str(error.get("type", "")))
    if template is None:
        return str(error.get("msg", ""))
    context = dict(error.get("ctx") or {})
    context.setdefault("msg", str(error.get("msg", "")).removeprefix("Value error, "))
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return str(error.get("msg", ""))


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        raw = [str(p) for p in err.get("loc", [])]
        if len(raw) > 2 and raw[0] in ("body", "form"):
            raw = raw[2:]  # ("body", <parameter name>, field...): the field is what matters
        loc = [p for p in raw if p not in ("query", "body", "path", "form")]
        fields.setdefault(".".join(loc) or "_", []).append(chinese_message(err))
    body = {"code": "validation_failed", "message": "请求参数不合法", "fields": fields}
    return api.create_response(request, body, status=422)


def _register() -> None:
    from onewindow.bundles.api import router as bundles_router
    from onewindow.cases.api import router as cases_router
    from onewindow.catalog.api import router as catalog_router
    from onewindow.licences.api import router as licences_router
    from onewindow.ranking.api import router as ranking_router
    from onewindow.ratings.api import router as ratings_router
    from onewindow.ratings.api_visits import router as visits_router
    from onewindow.supervision.api import router as supervision_router
    from onewindow.workdays.api import router as workdays_router

    api.add_router("/workdays", workdays_router)
    api.add_router("/bundles", bundles_router)
    api.add_router("/licences", licences_router)
    api.add_router("/ranking", ranking_router)
    api.add_router("/ratings", ratings_router)
    api.add_router("/visits", visits_router)
    api.add_router("/supervision", supervision_router)
    api.add_router("/", catalog_router)
    api.add_router("/", cases_router)


_register()
