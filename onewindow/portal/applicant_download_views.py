"""The applicant's downloads: a notice's PDF, an uploaded material, the result (electronic
delivery's file, else the decision itself) -- of the account's own cases only."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from onewindow.cases.models import Delivery
from onewindow.cases.notices import notice_pdf_for
from onewindow.common.errors import NotFound
from onewindow.portal.applicant_common import DECIDED, DECISION_KINDS, own_case


def _attachment(field: Any, filename: str, content_type: str) -> FileResponse:
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件不存在")) from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


@login_required
@require_safe
def notice_pdf(request: HttpRequest, number: str, notice_id: int) -> FileResponse:
    case = own_case(request, number)
    try:
        notice = notice_pdf_for(request.user, case.number, notice_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    filename = f"{notice.get_kind_display()}-{case.number}.pdf"
    return _attachment(notice.pdf, filename, "application/pdf")


@login_required
@require_safe
def material_file(request: HttpRequest, number: str, material_id: int) -> FileResponse:
    """The applicant's own uploaded file of one material slot."""
    case = own_case(request, number)
    slot = case.materials.select_related("material_type").filter(pk=material_id).first()
    if slot is None or not slot.file:
        raise Http404(_("未找到该材料"))
    ext = str(slot.file.name).rsplit(".", 1)[-1]
    filename = f"{slot.material_type.name}-{case.number}.{ext}"
    return _attachment(slot.file, filename, slot.content_type or "application/octet-stream")


@login_required
@require_safe
def result_file(request: HttpRequest, number: str) -> FileResponse:
    """The result of electronic delivery (电子送达), else the decision itself."""
    case = own_case(request, number)
    if case.status not in DECIDED:
        raise Http404(_("办理结果尚未出具"))
    delivery = Delivery.objects.filter(case=case).exclude(result_file="").first()
    if delivery is not None:
        return _attachment(delivery.result_file, f"办理结果-{case.number}.pdf", "application/pdf")
    decision = (
        case.notices.filter(kind__in=DECISION_KINDS).exclude(pdf="").order_by("-issued_at").first()
    )
    if decision is None:
        raise Http404(_("办理结果尚未出具"))
    filename = f"{decision.get_kind_display()}-{case.number}.pdf"
    return _attachment(decision.pdf, filename, "application/pdf")
