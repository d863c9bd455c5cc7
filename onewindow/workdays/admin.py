"""Admin screens of the calendar (Chinese): years, days, and loading a year's schedule.

The days are read-only here: every change goes through ``calendar_year_load``. Access needs
the ``workdays.manage`` capability (or a superuser), on top of Django's staff flag.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.common.errors import DomainError
from onewindow.org.permissions import has_capability
from onewindow.workdays.forms import ScheduleForm
from onewindow.workdays.models import CalendarDay, CalendarYear
from onewindow.workdays.services import calendar_year_load


def can_manage(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff) and (
        bool(user.is_superuser) or has_capability(user, "workdays.manage")
    )


class _CalendarAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class YearFilter(admin.SimpleListFilter):
    title = gettext_lazy("年份")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = CalendarYear.objects.order_by("-year").values_list("year", flat=True)
        return [(str(y), f"{y}") for y in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(_CalendarAdmin):
    list_display = ("date", "weekday", "is_workday", "kind", "holiday_name")
    list_filter = (YearFilter, "kind", "is_workday")
    search_fields = ("holiday_name",)
    date_hierarchy = "date"
    list_per_page = 100

    @admin.display(description=gettext_lazy("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return "一二三四五六日"[obj.date.weekday()]


@admin.register(CalendarYear)
class CalendarYearAdmin(_CalendarAdmin):
    list_display = ("year", "confirmed", "source", "loaded_at", "workdays")
    list_filter = ("confirmed",)
    change_list_template = "admin/workdays/calendaryear/change_list.html"

    @admin.display(description=gettext_lazy("工作日数"))
    def workdays(self, obj: CalendarYear) -> int:
        return CalendarDay.objects.filter(date__year=obj.year, is_workday=True).count()

    def get_urls(self) -> list[URLPattern]:
        load = path(
            "load/",
            self.admin_site.admin_view(self.load_view),
            name="workdays_calendaryear_load",
        )
        return [load, *super().get_urls()]

    def load_view(self, request: HttpRequest) -> HttpResponse:
        """Paste a year's holidays and makeup days; calls ``calendar_year_load``."""
        if not can_manage(request):
            raise PermissionDenied
        form = ScheduleForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                year = calendar_year_load(
                    actor=request.user,
                    year=data["year"],
                    holidays=data["holidays"],
                    makeup_days=data["makeup_days"],
                    source=data["source"],
                )
            except DomainError as exc:
                if exc.status == 403:
                    raise PermissionDenied from exc
                form.add_error(None, exc.message)
                form.add_domain_errors(exc.fields)
            else:
                messages.success(
                    request, _("已载入 %(year)s 年放假安排，该年度已确认。") % {"year": year.year}
                )
                return HttpResponseRedirect(reverse("admin:workdays_calendaryear_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("载入年度放假安排"),
            "form": form,
        }
        return TemplateResponse(request, "admin/workdays/calendaryear/load.html", context)
