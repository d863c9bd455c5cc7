"""The supervisor's board for the hall and a department's own board (back office).

The screens sit at the back office's level (they use its access decorator and menu); the
rest of the supervision app imports nothing above cases. Another department's board is a
404, a user without the capability a 403 (``staff_view``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from onewindow.backoffice.access import staff_view
from onewindow.common import clock
from onewindow.common.errors import NotFound
from onewindow.org.models import ServicePoint
from onewindow.supervision.models import Colour, SweepRun
from onewindow.supervision.selectors import (
    DEPARTMENT,
    HALL,
    Filters,
    colour_counts,
    red_list,
    scope,
)


def _board(request: HttpRequest, capability: str, title: str, url_name: str) -> HttpResponse:
    filters = Filters.parse(request.GET)
    now = clock.now()
    try:
        departments, totals = colour_counts(request.user, capability, filters)
        reds = red_list(request.user, capability, filters, now=now)
    except NotFound as error:
        raise Http404(error.message) from error
    context: dict[str, Any] = {
        "title": title,
        "url_name": url_name,
        "filters": filters,
        "departments": departments,
        "totals": [(c, Colour(c).label, totals.get(c, 0)) for c in Colour.values],
        "total": sum(totals.values()),
        "reds": reds,
        "choices_departments": list(scope(request.user, capability).order_by("name")),
        "choices_colours": Colour.choices,
        "choices_points": list(ServicePoint.objects.order_by("code").only("pk", "name")),
        "last_sweep": SweepRun.objects.order_by("-id").first(),
        "now": now,
        "menu": request.backoffice_menu,  # type: ignore[attr-defined]
    }
    return render(request, "supervision/board.html", context)


@require_safe
@staff_view(frozenset({HALL}), current="supervision:board")
def board(request: HttpRequest) -> HttpResponse:
    return _board(request, HALL, _("红黄绿督查看板（全厅）"), "supervision:board")


@require_safe
@staff_view(frozenset({DEPARTMENT}), current="supervision:department")
def department_board(request: HttpRequest) -> HttpResponse:
    return _board(request, DEPARTMENT, _("本部门红黄绿看板"), "supervision:department")
