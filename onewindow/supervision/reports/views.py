"""The cadence reports (日扫描、周调度、月通报、季分析、年考核) for supervisors
(``supervision.view`` centre-wide, or ``supervision.view_department`` for one's own
departments): a page per report and period, with PDF and Excel downloads. ``?period=`` picks
any past period (or the current one, cut at the present; one not begun is a 422);
``?department=`` narrows to one visible department (another department → 404)."""

from __future__ import annotations

from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from onewindow.backoffice.access import staff_view
from onewindow.common.errors import ValidationFailed
from onewindow.org.permissions import is_centre_wide
from onewindow.supervision.reports.build import TITLES, Report, build
from onewindow.supervision.reports.periods import KINDS, Period, last_complete, parse
from onewindow.supervision.reports.render import context, to_pdf, to_xlsx
from onewindow.supervision.reports.selectors import visible_departments

REPORTS = frozenset({"supervision.view", "supervision.view_department"})


def _report(
    request: HttpRequest, kind: str
) -> tuple[Report | None, Period | None, ValidationFailed | None]:
    if kind not in KINDS:
        raise Http404
    departments = visible_departments(request.user)
    raw_department = request.GET.get("department", "")
    centre_wide = is_centre_wide(request.user, "supervision.view")
    if raw_department:
        if not raw_department.isdigit() or not departments.filter(pk=int(raw_department)).exists():
            raise Http404("未找到该部门")
        departments = departments.filter(pk=int(raw_department))
        centre_wide = False
    raw = request.GET.get("period", "")
    today = timezone.localdate()
    try:
        period = parse(kind, raw) if raw else last_complete(kind, today)
        if not period.started(today):
            message = f"报告周期（{period.name}）尚未开始"
            raise ValidationFailed(message, code="period_not_started", fields={"period": [message]})
    except ValidationFailed as error:
        return None, None, error
    return build(kind, period, departments, centre_wide=centre_wide), period, None


def _menu(request: HttpRequest) -> list[dict[str, object]]:
    return getattr(request, "backoffice_menu", [])


@require_safe
@staff_view(REPORTS, current="reports:index")
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    links = [{"kind": k, "title": TITLES[k], "period": last_complete(k, today)} for k in KINDS]
    return render(
        request, "supervision/reports/index.html", {"links": links, "menu": _menu(request)}
    )


@require_safe
@staff_view(REPORTS, current="reports:index")
def report_page(request: HttpRequest, kind: str) -> HttpResponse:
    report, period, error = _report(request, kind)
    ctx: dict[str, object] = {
        "kind": kind,
        "kind_title": TITLES.get(kind, ""),
        "menu": _menu(request),
        "departments": visible_departments(request.user),
        "department": request.GET.get("department", ""),
        "period_value": request.GET.get("period", ""),
    }
    if report is None:
        return render(
            request, "supervision/reports/report.html", {**ctx, "error": error}, status=422
        )
    assert period is not None
    ctx.update(context(report))
    following = period.next()
    ctx.update(
        previous=period.previous(),
        next=following if following.started(timezone.localdate()) else None,
        period=period,
    )
    return render(request, "supervision/reports/report.html", ctx)


def _download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    report, _period, error = _report(request, kind)
    if report is None:
        assert error is not None
        return HttpResponse(error.message, status=422, content_type="text/plain; charset=utf-8")
    name = f"{TITLES[kind]}-{report.period.key}"
    if fmt == "pdf":
        response = HttpResponse(to_pdf(report), content_type="application/pdf")
        name += ".pdf"
    else:
        response = HttpResponse(
            to_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name += ".xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@require_safe
@staff_view(REPORTS, current="reports:index")
def report_pdf(request: HttpRequest, kind: str) -> HttpResponse:
    return _download(request, kind, "pdf")


@require_safe
@staff_view(REPORTS, current="reports:index")
def report_xlsx(request: HttpRequest, kind: str) -> HttpResponse:
    return _download(request, kind, "xlsx")
