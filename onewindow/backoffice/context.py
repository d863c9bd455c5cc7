"""What every case screen shows: the case, its form, materials, notices, history,
deadlines; and the small helpers the views share."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from onewindow.backoffice.selectors import workdays_left, workdays_since
from onewindow.cases.formdata import rules_for
from onewindow.cases.models import Case, Delivery
from onewindow.cases.selectors import case_for
from onewindow.cases.states import CLOCK_RUNNING, CLOCK_STOPPED, PRE_ACCEPTANCE
from onewindow.catalog.models import DeliveryMethod
from onewindow.common.errors import DomainError, NotFound
from onewindow.org.permissions import has_capability


def form_rows(case: Case) -> list[tuple[str, Any]]:
    data = case.form_data or {}
    rows: list[tuple[str, Any]] = []
    for r in rules_for(case.item_version):
        value = data.get(r.code, "")
        if isinstance(value, bool):
            value = "是" if value else "否"
        elif isinstance(value, list):
            value = "、".join(str(v) for v in value)
        rows.append((r.label, value))
    delivery = data.get("_delivery")
    if delivery:
        method = delivery.get("method") if isinstance(delivery, dict) else delivery
        if method in DeliveryMethod.values:
            rows.append(("结果送达方式", DeliveryMethod(method).label))
    return rows


def case_context(case: Case, actor: Any) -> dict[str, Any]:
    """The case with everything the screens show about it (a fixed number of queries)."""
    delivery = Delivery.objects.filter(case=case).first()
    running = case.status in CLOCK_RUNNING
    return {
        "case": case,
        "form_rows": form_rows(case),
        "materials": list(
            case.materials.select_related("item_material", "material_type").order_by(
                "item_material__order", "id"
            )
        ),
        "notices": list(case.notices.order_by("issued_at", "id")),
        "transitions": list(case.transitions.select_related("actor", "step").order_by("at", "id")),
        "tasks": list(case.tasks.select_related("step", "assignee").order_by("created_at", "id")),
        "suspensions": list(case.suspensions.order_by("started_at")),
        "visits": list(case.visits.select_related("service_point").order_by("at")),
        "delivery": delivery,
        # The remaining working days only while the clock runs (not once decided).
        "promised_left": workdays_left(case.promised_due_at) if running else None,
        "legal_left": workdays_left(case.legal_due_at) if running else None,
        "received_days": workdays_since(case.received_at)
        if case.status in PRE_ACCEPTANCE
        else None,
        "clock_stopped": case.status in CLOCK_STOPPED,
        "can_accept": has_capability(actor, "case.accept", department=case.department),
    }


def fail(
    request: HttpRequest, template: str, context: dict[str, Any], error: DomainError
) -> HttpResponse:
    """Show the page again with the service's Chinese message (and field messages), with
    the error's status (403, 409, 422...)."""
    context = {**context, "error": error, "field_errors": _flat(error.fields)}
    context.setdefault("menu", getattr(request, "backoffice_menu", []))
    return render(request, template, context, status=error.status)


def _flat(fields: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (fields or {}).items():
        if isinstance(value, list):
            out[str(key)] = "；".join(str(v) for v in value if not isinstance(v, dict))
        elif isinstance(value, str):
            out[str(key)] = value
    return out


def done(request: HttpRequest, message: str) -> None:
    messages.success(request, message)


def safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def case_or_404(actor: Any, number: str) -> Case:
    """The case if the actor may see it (``cases.selectors.case_for``), else a 404."""
    try:
        return case_for(actor, number)
    except NotFound as error:
        raise Http404(error.message) from error


def case_url(case: Case) -> str:
    return reverse("backoffice:case", args=[case.number])
