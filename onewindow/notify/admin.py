"""The outbox in the admin (Chinese): a read-only list with the delivery state of every
message, and an action that puts failed or dead messages back in the queue.

Access: superusers, and staff holding ``org.manage`` (centre administrators) or
``audit.view`` (supervisors, read only); retrying needs ``org.manage``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.notify.models import DeliveryState, Notification
from onewindow.notify.services import retry
from onewindow.org.permissions import has_capability


def _staff(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff)


def can_view(request: HttpRequest) -> bool:
    user = request.user
    return _staff(request) and (
        bool(user.is_superuser)
        or has_capability(user, "org.manage")
        or has_capability(user, "audit.view")
    )


def can_retry(request: HttpRequest) -> bool:
    user = request.user
    return _staff(request) and (bool(user.is_superuser) or has_capability(user, "org.manage"))


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "channel",
        "recipient",
        "address",
        "subject",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    list_filter = ("state", "channel", "template")
    search_fields = ("subject", "body", "address", "recipient__username", "object_id")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    actions = ["retry_selected"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_view(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_view(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        actions = super().get_actions(request, *args, **kwargs)
        if not can_retry(request):
            actions.pop("retry_selected", None)
        return actions

    @admin.action(description=gettext_lazy("重新发送所选的失败通知"))
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        if not can_retry(request):
            self.message_user(request, _("您没有重新发送通知的权限"), messages.ERROR)
            return
        rows = list(queryset.filter(state__in=[DeliveryState.FAILED, DeliveryState.DEAD]))
        for row in rows:
            retry(actor=request.user, notification=row)
        self.message_user(
            request, _("已将 %(n)d 条通知重新放入发送队列") % {"n": len(rows)}, messages.SUCCESS
        )
