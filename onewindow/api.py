"""The JSON API under /api/v1/ (django-ninja). Each app contributes a router from its
``api.py``; domain errors become ``{"code", "message", "fields"}`` with their status."""

from __future__ import annotations

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


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("query", "body", "path", "form")]
        fields.setdefault(".".join(loc) or "_", []).append(str(err.get("msg", "")))
    body = {"code": "validation_failed", "message": "请求参数不合法", "fields": fields}
    return api.create_response(request, body, status=422)


def _register() -> None:
    from onewindow.catalog.api import router as catalog_router
    from onewindow.workdays.api import router as workdays_router

    api.add_router("/workdays", workdays_router)
    api.add_router("/", catalog_router)


_register()
