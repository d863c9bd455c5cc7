"""The applicant applies: chooses on whose behalf, fills in the form and the material slots,
saves the draft and submits it -- also the correction after a one-time notice or a return
for correction (see ``applicant_common`` for what the screens share)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onewindow.cases.formdata import validate_form
from onewindow.cases.models import Case, CaseMaterial, MaterialStatus
from onewindow.cases.selectors import applicants_of
from onewindow.cases.services.submission import (
    EDITABLE,
    case_create_draft,
    case_update_draft,
    material_upload,
)
from onewindow.cases.states import CaseStatus
from onewindow.catalog import selectors as catalog
from onewindow.catalog.models import DeliveryMethod, OnlineLevel, SubjectType
from onewindow.common.errors import DomainError, NotFound, ValidationFailed
from onewindow.org.models import ApplicantKind
from onewindow.portal.applicant_common import finish, material_rows, open_return_reason, own_case
from onewindow.portal.applicant_forms import (
    DELIVERY_KEY,
    ApplyForm,
    collect_form_data,
    delivery_options,
    delivery_values,
    field_specs,
    prefill,
    split_valid,
)


def _files(request: HttpRequest) -> dict[int, Any]:
    files: dict[int, Any] = {}
    for name, upload in request.FILES.items():
        if name.startswith("file_") and name[5:].isdigit():
            files[int(name[5:])] = upload
    return files


def _upload_all(request: HttpRequest, case: Case, materials: list[CaseMaterial]) -> dict[int, str]:
    """Store every file chosen on the page, one slot at a time; the error of each refused
    file (in Chinese) by slot."""
    errors: dict[int, str] = {}
    by_id = {m.pk: m for m in materials}
    for pk, upload in _files(request).items():
        slot = by_id.get(pk)
        if slot is None:
            continue
        try:
            material_upload(actor=request.user, case=case, case_material=slot, uploaded_file=upload)
        except DomainError as exc:
            errors[pk] = exc.message
    return errors


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """Choose on whose behalf to apply; create the draft and go to its form."""
    try:
        version = catalog.item_guide(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if version.online_level == OnlineLevel.OFFLINE:
        messages.error(
            request, _("“%(item)s”暂不支持网上办理，请到窗口申请。") % {"item": version.name}
        )
        return redirect("portal:guide", code=code)
    applicants = applicants_of(request.user)
    if version.subject_type == SubjectType.LEGAL:
        applicants = applicants.filter(kind=ApplicantKind.LEGAL)
    elif version.subject_type == SubjectType.NATURAL:
        applicants = applicants.filter(kind=ApplicantKind.NATURAL)
    form = ApplyForm(request.POST or None, applicants=applicants)
    if request.method == "POST" and form.is_valid():
        applicant = form.cleaned_data["applicant"]
        try:
            case = case_create_draft(
                actor=request.user,
                version=version,
                applicant=applicant,
                channel="online",
                form_data=prefill(version, applicant),
                idempotency_key=form.cleaned_data.get("key") or "",
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("portal:case_edit", number=case.number)
    if not form.is_bound:
        first = applicants.first()
        form = ApplyForm(
            initial={"key": uuid.uuid4().hex, "applicant": first.pk if first else None},
            applicants=applicants,
        )
    context = {
        "v": version,
        "form": form,
        "has_applicants": applicants.exists(),
        "legal_only": version.subject_type == SubjectType.LEGAL,
    }
    return render(request, "portal/apply/choose.html", context)


# --------------------------------------------------------------------- fill in


def _edit_context(
    case: Case,
    *,
    values: dict[str, Any],
    field_errors: dict[str, str],
    slot_errors: dict[int, str],
    key: str,
    error: str = "",
) -> dict[str, Any]:
    version = case.item_version
    materials = material_rows(case)
    for m in materials:
        m.error = slot_errors.get(m.pk, "")  # type: ignore[attr-defined]
    fields = field_specs(version, values, field_errors)
    delivery = delivery_values(values.get(DELIVERY_KEY))
    summary = [(f"f-{f.code}", f.label, f.error) for f in fields if f.error]
    if field_errors.get(DELIVERY_KEY):
        summary.append(("f-delivery", _("送达方式"), field_errors[DELIVERY_KEY]))
    summary += [(f"m-{m.pk}", m.material_type.name, m.error) for m in materials if m.error]  # type: ignore[attr-defined]
    return {
        "case": case,
        "v": version,
        "fields": fields,
        "materials": materials,
        "delivery": delivery,
        "delivery_options": delivery_options(version),
        "delivery_error": field_errors.get(DELIVERY_KEY, ""),
        "express": DeliveryMethod.EXPRESS,
        "summary": summary,
        "error": error,
        "key": key,
        "correcting": case.status == CaseStatus.AWAITING_CORRECTION,
        "returned": case.status == CaseStatus.RETURNED,
        "return_reason": open_return_reason(case),
    }


def _stored_values(case: Case) -> dict[str, Any]:
    values = dict(case.form_data or {})
    if DELIVERY_KEY not in values and case.item_version.delivery_methods:
        values[DELIVERY_KEY] = case.item_version.delivery_methods[0]
    return values


def _all_problems(case: Case, field_errors: dict[str, str], slot_errors: dict[int, str]) -> None:
    """Submitting failed on the page's own checks: add what submission would also refuse
    (empty required fields, missing core or defective materials), so that the applicant
    sees every problem at once."""
    try:
        validate_form(case.item_version, case.form_data)
    except ValidationFailed as exc:
        for k, v in exc.fields.items():
            field_errors.setdefault(str(k), str(v))
    for m in material_rows(case):
        im = m.item_material
        name = m.material_type.name
        if m.status == MaterialStatus.DEFECTIVE:
            slot_errors.setdefault(m.pk, _("“%(name)s”需补正后重新上传") % {"name": name})
        elif im.required and im.core and m.status == MaterialStatus.PENDING:
            slot_errors.setdefault(m.pk, _("请上传“%(name)s”") % {"name": name})


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, number: str) -> HttpResponse:
    """The application form and material slots: save a draft, submit; also the correction
    after a one-time notice or a return for correction."""
    case = own_case(request, number)
    if case.status not in EDITABLE:
        messages.info(
            request,
            _("办件当前状态为“%(status)s”，不能修改申请。")
            % {"status": CaseStatus(case.status).label},
        )
        return redirect("portal:case_detail", number=case.number)
    if request.method == "GET":
        context = _edit_context(
            case,
            values=_stored_values(case),
            field_errors={},
            slot_errors={},
            key=uuid.uuid4().hex,
        )
        return render(request, "portal/apply/edit.html", context)

    version = case.item_version
    key = request.POST.get("key", "")[:64]
    data = collect_form_data(version, request.POST)
    valid, field_errors = split_valid(version, data)
    error = ""
    try:
        case = case_update_draft(actor=request.user, case=case, form_data=valid)
    except DomainError as exc:
        error = exc.message
        field_errors.update({str(k): str(v) for k, v in exc.fields.items()})
    slot_errors = _upload_all(request, case, material_rows(case))
    if not error and not field_errors and not slot_errors:
        if request.POST.get("action") == "submit":
            try:
                case = finish(request, case, key)
            except ValidationFailed as exc:
                error = exc.message
                for k, v in exc.fields.items():
                    name = str(k)
                    if name.startswith("materials.") and name[10:].isdigit():
                        slot_errors[int(name[10:])] = str(v)
                    else:
                        field_errors[name] = str(v)
            except DomainError as exc:
                error = exc.message
            else:
                return redirect("portal:case_detail", number=case.number)
        else:
            messages.success(request, _("已保存。"))
            return redirect("portal:case_edit", number=case.number)
    if request.POST.get("action") == "submit" and (field_errors or slot_errors):
        _all_problems(case, field_errors, slot_errors)
    if not error:
        error = _("有%(n)d处需要修改，请查看标红的内容。") % {
            "n": len(field_errors) + len(slot_errors)
        }
    values = {**_stored_values(case), **data}  # what was typed wins
    context = _edit_context(
        case,
        values=values,
        field_errors=field_errors,
        slot_errors=slot_errors,
        key=key,
        error=error,
    )
    return render(request, "portal/apply/edit.html", context, status=422)
