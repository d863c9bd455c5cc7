"""Who may enter the back office and which screens they see (DESIGN.md convention 3).

Every screen names the capabilities that open it; ``staff_view`` refuses anyone else with
a Chinese 403 page (anonymous visitors are sent to the login form). Objects are looked up
through the scoped selectors, so another department's case or task is a 404, never a 403.
The menu is built from the same capabilities.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.org.permissions import capabilities_of

# Holding any of these opens the back office (the case pages are read-only without the
# capability of the action).
BACK_OFFICE = frozenset(
    {
        "case.accept",
        "case.prereview",
        "case.review",
        "case.decide",
        "supervision.view",
        "supervision.view_department",
    }
)
WINDOW = frozenset({"case.accept"})
ACCEPTANCE = frozenset({"case.accept", "case.prereview"})
TASKS = frozenset({"case.review", "case.decide"})


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: Any
    capabilities: frozenset[str]


MENU = [
    MenuEntry("backoffice:home", gettext_lazy("工作台"), BACK_OFFICE),
    MenuEntry("backoffice:window", gettext_lazy("一窗受理"), WINDOW),
    MenuEntry("backoffice:acceptance", gettext_lazy("受理队列"), ACCEPTANCE),
    MenuEntry("backoffice:tasks", gettext_lazy("我的任务"), TASKS),
    MenuEntry("backoffice:results", gettext_lazy("办结出件"), WINDOW),
    MenuEntry("backoffice:cases", gettext_lazy("办件查询"), BACK_OFFICE),
    MenuEntry("supervision:board", gettext_lazy("红黄绿看板"), frozenset({"supervision.view"})),
    MenuEntry(
        "supervision:department",
        gettext_lazy("本部门红黄绿"),
        frozenset({"supervision.view_department"}),
    ),
    MenuEntry("backoffice:bundle_file_start", gettext_lazy("一件事窗口申请"), WINDOW),
    MenuEntry("backoffice:bundle_window", gettext_lazy("一件事受理"), WINDOW),
    MenuEntry("backoffice:bundles", gettext_lazy("牵头一件事"), WINDOW | TASKS),
    MenuEntry(
        "ratings:device", gettext_lazy("窗口评价器"), frozenset({"case.accept", "hall.serve"})
    ),
    MenuEntry(
        "backoffice:visits", gettext_lazy("登记窗口服务"), frozenset({"case.accept", "hall.serve"})
    ),
    MenuEntry(
        "ratings:rectifications",
        gettext_lazy("差评整改"),
        frozenset({"ratings.handle", "ratings.close"}),
    ),
    MenuEntry(
        "ratings:complaints",
        gettext_lazy("投诉处理"),
        frozenset({"ratings.handle", "ratings.close"}),
    ),
    MenuEntry(
        "ratings:board",
        gettext_lazy("好差评看板"),
        frozenset({"supervision.view", "supervision.view_department"}),
    ),
    MenuEntry(
        "reports:index",
        gettext_lazy("督查报告"),
        frozenset({"supervision.view", "supervision.view_department"}),
    ),
    MenuEntry("ranking:manage", gettext_lazy("群众评议"), frozenset({"ranking.manage"})),
    MenuEntry(
        "ranking:follow_ups",
        gettext_lazy("评议整改"),
        frozenset({"ranking.manage", "ranking.respond"}),
    ),
]


def menu_for(user: Any, current: str = "") -> list[dict[str, Any]]:
    caps = capabilities_of(user)
    return [
        {"url": reverse(e.url_name), "label": e.label, "current": e.url_name == current}
        for e in MENU
        if caps & e.capabilities
    ]


def forbidden(request: HttpRequest, message: str | None = None) -> HttpResponse:
    return render(
        request,
        "backoffice/forbidden.html",
        {"message": message or _("您没有使用该功能的权限"), "menu": menu_for(request.user)},
        status=403,
    )


View = Callable[..., HttpResponseBase]


def staff_view(
    capabilities: frozenset[str] = BACK_OFFICE, *, current: str = ""
) -> Callable[[View], View]:
    """Open the view to users holding at least one of ``capabilities`` somewhere; the
    object-level check (department, service point) is the selector's and the service's."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not capabilities_of(user) & capabilities:
                return forbidden(request)
            request.backoffice_menu = menu_for(user, current)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
