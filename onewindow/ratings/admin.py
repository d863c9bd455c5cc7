"""Ratings, rectifications and complaints in the admin (Chinese), read only: every change
goes through the services and the staff screens. Access: superusers and staff holding
``supervision.view`` or ``audit.view``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.org.permissions import has_capability
from onewindow.ratings.models import CallBack, Complaint, Rating, Rectification, Rejection


def can_view(request: HttpRequest) -> bool:
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    return bool(
        user.is_superuser
        or has_capability(user, "supervision.view")
        or has_capability(user, "audit.view")
    )


class ReadOnly(admin.ModelAdmin):
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


@admin.register(Rating)
class RatingAdmin(ReadOnly):
    list_display = ("rated_at", "level", "subject", "case", "channel", "department", "excluded")
    list_filter = ("level", "channel", "subject", "mode", "excluded", "department")
    search_fields = ("case__number", "comment", "applicant__name")
    date_hierarchy = "rated_at"
    list_select_related = ("case", "department")


@admin.register(Rectification)
class RectificationAdmin(ReadOnly):
    list_display = ("opened_at", "department", "status", "due_at", "finding", "closed_at")
    list_filter = ("status", "finding", "department")
    date_hierarchy = "opened_at"
    list_select_related = ("department",)


@admin.register(Complaint)
class ComplaintAdmin(ReadOnly):
    list_display = ("number", "submitted_at", "about", "department", "status", "due_at")
    list_filter = ("status", "about", "department")
    search_fields = ("number", "text", "applicant__name")
    date_hierarchy = "submitted_at"
    list_select_related = ("department",)


@admin.register(CallBack)
class CallBackAdmin(ReadOnly):
    list_display = ("at", "result", "by", "rectification", "complaint")
    list_filter = ("result",)
    list_select_related = ("by",)


@admin.register(Rejection)
class RejectionAdmin(ReadOnly):
    list_display = ("rejected_at", "rejected_by", "rectification", "complaint", "called_back_at")
    date_hierarchy = "rejected_at"
    list_select_related = ("rejected_by", "rectification", "complaint")
