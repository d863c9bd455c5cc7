"""The window-service form (登记窗口服务): who is at the window (the applicant found by
resident ID or USCC with the check characters verified, as the window filing of a 一件事
does: ``BundleFileForm.clean_identifier``), where (the service point and window the clerk
serves), why (咨询, 取件, 帮办指导, 补交材料 or 其他 in free text) and optionally which of the
applicant's open cases. ``record_visit`` validates and writes; this module only shapes the
input and says which service points, windows and cases the clerk may choose."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from onewindow.backoffice.bundle_forms import BundleFileForm
from onewindow.backoffice.forms import ServiceErrorsMixin
from onewindow.cases.models import Case
from onewindow.cases.selectors import visible_cases
from onewindow.cases.states import TERMINAL
from onewindow.org.models import Applicant, RoleAssignment, ServicePoint, Window
from onewindow.org.permissions import departments_for, roles_with

# Who serves at a window (the capabilities ``record_visit`` asks for).
SERVING_CAPABILITIES = ("case.accept", "hall.serve")
PURPOSES = ["咨询", "取件", "帮办指导", "补交材料", "其他"]
OTHER = "其他"


def serving_points(actor: Any) -> QuerySet[ServicePoint]:
    """The service points where ``actor`` serves (a role with ``case.accept`` or
    ``hall.serve`` there, or one without a service point: every service point)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return ServicePoint.objects.none()
    if actor.is_superuser:
        return ServicePoint.objects.all().order_by("code")
    roles = {r for c in SERVING_CAPABILITIES for r in roles_with(c)}
    points = list(
        RoleAssignment.objects.filter(user=actor, role__in=roles).values_list(
            "service_point", flat=True
        )
    )
    if any(p is None for p in points):
        return ServicePoint.objects.all().order_by("code")
    return ServicePoint.objects.filter(pk__in=points).order_by("code")


def serving_windows(actor: Any) -> QuerySet[Window]:
    """The active windows of those service points the clerk serves: windows for every
    department (no department set), or for a department where the clerk serves."""
    departments = departments_for(actor, "case.accept") | departments_for(actor, "hall.serve")
    return (
        Window.objects.filter(service_point__in=serving_points(actor).values("pk"), is_active=True)
        .filter(Q(departments=None) | Q(departments__in=departments.values("pk")))
        .select_related("service_point")
        .distinct()
        .order_by("service_point__code", "number")
    )


def open_cases(actor: Any, applicant: Applicant) -> QuerySet[Case]:
    """The applicant's cases the clerk may see that are not closed (delivered, withdrawn,
    not accepted): what a consultation, a pick-up or a material handed in may concern."""
    return (
        visible_cases(actor)
        .filter(applicant=applicant)
        .exclude(status__in=list(TERMINAL))
        .select_related("item_version")
        .order_by("-created_at")
    )


class VisitApplicantForm(forms.Form):
    """Step one: the applicant at the window (the same field and check as the 一件事 window
    filing; an unknown person is registered in 一窗受理 first)."""

    identifier = BundleFileForm.base_fields["identifier"]
    clean_identifier = BundleFileForm.clean_identifier


class VisitForm(ServiceErrorsMixin, VisitApplicantForm):
    service_point = forms.ChoiceField(
        label=_("服务网点"),
        error_messages={"required": _("请选择服务网点"), "invalid_choice": _("请选择您服务的网点")},
    )
    window = forms.ChoiceField(
        label=_("服务窗口"),
        error_messages={"required": _("请选择服务窗口"), "invalid_choice": _("请选择您服务的窗口")},
    )
    purpose = forms.ChoiceField(
        label=_("服务事由"),
        choices=[(p, p) for p in PURPOSES],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择服务事由"), "invalid_choice": _("请选择服务事由")},
    )
    detail = forms.CharField(
        label=_("说明（选“其他”时必填）"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    case = forms.ChoiceField(
        label=_("涉及的办件（可不选）"),
        required=False,
        error_messages={"invalid_choice": _("请选择该申请人未办结的办件")},
    )

    def __init__(self, *args: Any, actor: Any, applicant: Applicant | None = None, **kw: Any):
        super().__init__(*args, **kw)
        points = list(serving_points(actor))
        windows = list(serving_windows(actor))
        fields: dict[str, Any] = self.fields  # ChoiceFields: their choices set here
        fields["service_point"].choices = [("", "—")] + [(p.pk, p.name) for p in points]
        fields["window"].choices = [("", "—")] + [
            (w.pk, f"{w.service_point.name} {w.number}号 {w.name}") for w in windows
        ]
        if len(points) == 1:
            self.fields["service_point"].initial = points[0].pk
        if len(windows) == 1:  # the one window the clerk holds
            self.fields["window"].initial = windows[0].pk
        cases = list(open_cases(actor, applicant)[:50]) if applicant else []
        fields["case"].choices = [("", "不涉及办件")] + [
            (c.number, f"{c.number} {c.item_version.name}（{c.get_status_display()}）")
            for c in cases
        ]
        self._cases = {c.number: c for c in cases}
        self._points = {str(p.pk): p for p in points}
        self._windows = {str(w.pk): w for w in windows}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("purpose") == OTHER and not (data.get("detail") or "").strip():
            self.add_error("detail", gettext_now("选择“其他”时请写明服务事由"))
        return data

    def visit_arguments(self) -> dict[str, Any]:
        """What ``record_visit`` receives (the form is valid)."""
        data = self.cleaned_data
        detail = (data.get("detail") or "").strip()
        if data["purpose"] == OTHER:
            purpose = detail
        else:
            purpose = f"{data['purpose']}：{detail}" if detail else data["purpose"]
        return {
            "applicant": data["identifier"],
            "service_point": self._points[data["service_point"]],
            "window": self._windows[data["window"]],
            "case": self._cases.get(data.get("case") or ""),
            "purpose": purpose,
        }

    def add_service_errors(self, error: Any) -> None:
        # The purpose is written in the free-text field: its message goes there.
        fields = dict(error.fields or {})
        if "purpose" in fields:
            self.add_error("detail", str(fields.pop("purpose")))
            error = type(error)(error.message, code=error.code, fields=fields)
            if not fields:
                return
        super().add_service_errors(error)
