"""一窗受理: the window clerk finds (or registers) the applicant in front of them, chooses an
item, creates the case at the window, fills the form, scans the materials and submits."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onewindow.backoffice.access import WINDOW, staff_view
from onewindow.backoffice.context import case_context, case_or_404, done, fail, safe_next
from onewindow.backoffice.forms import (
    FindApplicantForm,
    RegisterPersonForm,
    StartCaseForm,
    case_form_class,
    form_payload,
    initial_from,
)
from onewindow.backoffice.selectors import find_applicants, items_for_window
from onewindow.cases.models import CaseMaterial
from onewindow.cases.selectors import case_for, visible_cases
from onewindow.cases.services.submission import (
    EDITABLE,
    case_create_draft,
    case_resubmit,
    case_submit,
    case_update_draft,
)
from onewindow.cases.services.submission import material_upload as upload_service
from onewindow.cases.states import CaseStatus
from onewindow.catalog.models import ItemVersion, VersionStatus
from onewindow.common.errors import DomainError, NotFound
from onewindow.org.models import Applicant
from onewindow.org.services import applicant_register

TEMPLATE_FIND = "backoffice/window_find.html"
TEMPLATE_APPLICANT = "backoffice/window_applicant.html"
TEMPLATE_FILL = "backoffice/case_fill.html"


@require_http_methods(["GET", "POST"])
@staff_view(WINDOW, current="backoffice:window")
def window(request: HttpRequest) -> HttpResponse:
    """Find the applicant by ID number; or register a walk-in natural person."""
    find = FindApplicantForm(request.GET or None)
    found = find_applicants(find.data.get("identifier", "")) if find.is_bound else None
    register = RegisterPersonForm(request.POST or None)
    if request.method == "POST" and register.is_valid():
        try:
            applicant = applicant_register(
                actor=request.user,
                kind="natural",
                name=register.cleaned_data["name"],
                resident_id=register.cleaned_data["resident_id"],
                phone=register.cleaned_data["phone"],
                address=register.cleaned_data["address"],
            )
        except DomainError as error:
            register.add_service_errors(error)
            context = {"find": find, "found": found, "register": register, "error": error}
            return fail(request, TEMPLATE_FIND, context, error)
        done(request, _("已登记申请人“%(name)s”") % {"name": applicant.name})
        return redirect("backoffice:window_applicant", applicant_id=applicant.pk)
    status = 422 if request.method == "POST" else 200
    context = {"find": find, "found": found, "register": register}
    context["menu"] = request.backoffice_menu  # type: ignore[attr-defined]
    return render(request, TEMPLATE_FIND, context, status=status)


@require_http_methods(["GET"])
@staff_view(WINDOW, current="backoffice:window")
def window_applicant(request: HttpRequest, applicant_id: int) -> HttpResponse:
    """The applicant at the window: their cases and the item search to start a new one."""
    applicant = get_object_or_404(Applicant, pk=applicant_id)
    q = request.GET.get("q", "").strip()
    items = list(items_for_window(request.user, q, applicant=applicant)[:30]) if q else []
    cases = visible_cases(request.user).filter(applicant=applicant).order_by("-created_at")[:20]
    context = {
        "applicant": applicant,
        "q": q,
        "items": items,
        "cases": cases,
        "start": StartCaseForm(),
        "menu": request.backoffice_menu,  # type: ignore[attr-defined]
    }
    return render(request, TEMPLATE_APPLICANT, context)


@require_POST
@staff_view(WINDOW, current="backoffice:window")
def window_start(request: HttpRequest, applicant_id: int) -> HttpResponse:
    """Create the case at the window (or assisted / by proxy, with the consent noted)."""
    applicant = get_object_or_404(Applicant, pk=applicant_id)
    form = StartCaseForm(request.POST)
    version = ItemVersion.objects.filter(
        item__code=request.POST.get("item", ""), status=VersionStatus.PUBLISHED
    ).first()
    if version is None:
        raise Http404(_("未找到该事项"))
    channel = request.POST.get("channel") or "window"
    try:
        case = case_create_draft(
            actor=request.user,
            version=version,
            applicant=applicant,
            channel=channel,
            on_behalf=channel in ("assisted", "proxy"),
            consent_note=request.POST.get("consent_note", ""),
            idempotency_key=request.POST.get("idempotency_key", ""),
        )
    except DomainError as error:
        form.is_valid()
        context = {
            "applicant": applicant,
            "q": request.POST.get("q", ""),
            "items": [version],
            "cases": [],
            "start": form,
        }
        return fail(request, TEMPLATE_APPLICANT, context, error)
    done(request, _("已创建办件 %(number)s，请填写申请表并扫描材料") % {"number": case.number})
    return redirect("backoffice:case_fill", number=case.number)


def _fill_context(request: HttpRequest, case, form=None) -> dict:  # type: ignore[no-untyped-def]
    form_class = case_form_class(case.item_version)
    return {
        **case_context(case, request.user),
        "form": form or form_class(initial=initial_from(case.form_data)),
        "editable": case.status in EDITABLE,
        "menu": request.backoffice_menu,  # type: ignore[attr-defined]
    }


@require_http_methods(["GET", "POST"])
@staff_view(WINDOW, current="backoffice:window")
def case_fill(request: HttpRequest, number: str) -> HttpResponse:
    """Fill the form of a window case and submit it (or resubmit after a one-time notice)."""
    case = case_or_404(request.user, number)
    if request.method == "GET":
        return render(request, TEMPLATE_FILL, _fill_context(request, case))
    form = case_form_class(case.item_version)(request.POST)
    try:
        case_update_draft(actor=request.user, case=case, form_data=form_payload(form))
        if request.POST.get("action") == "submit":
            if case.status == CaseStatus.AWAITING_CORRECTION:
                case_resubmit(actor=request.user, case=case)
            else:
                case_submit(actor=request.user, case=case)
            done(request, _("办件 %(number)s 已提交，请作出受理决定") % {"number": case.number})
            return redirect("backoffice:accept", number=case.number)
    except NotFound as error:
        raise Http404(error.message) from error
    except DomainError as error:
        form.is_valid()
        form.add_service_errors(error)
        case = case_for(request.user, number)
        return fail(request, TEMPLATE_FILL, _fill_context(request, case, form), error)
    done(request, _("申请表已保存"))
    return redirect("backoffice:case_fill", number=case.number)


@require_POST
@staff_view(WINDOW)
def material_upload(request: HttpRequest, number: str, material_id: int) -> HttpResponse:
    """Store a scanned material (the file is checked by its content)."""
    case = case_or_404(request.user, number)
    material = get_object_or_404(CaseMaterial, pk=material_id, case=case)
    back = safe_next(request, reverse("backoffice:case_fill", args=[case.number]))
    uploaded = request.FILES.get("file")
    try:
        if uploaded is None:
            raise_missing_file()
        upload_service(
            actor=request.user, case=case, case_material=material, uploaded_file=uploaded
        )
    except NotFound as error:
        raise Http404(error.message) from error
    except DomainError as error:
        context = _fill_context(request, case)
        context["upload_error"] = {"material": material.pk, "message": error.message}
        return fail(request, TEMPLATE_FILL, context, error)
    done(request, _("已上传“%(name)s”") % {"name": material.material_type.name})
    return redirect(back)


def raise_missing_file() -> None:
    from onewindow.common.errors import ValidationFailed

    raise ValidationFailed(_("请选择要上传的文件"), code="file_required")
