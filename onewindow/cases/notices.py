"""The written notices (三书一单 and the decisions): numbered, dated, rendered as PDF.

``issue_notice`` is called inside the caller's transaction (acceptance, decisions,
suspensions). It takes a gap-free number per department, kind and year
(示卫健受字〔2026〕第000123号), renders the kind's template
(``cases/notices/<kind>.html``) to an A4 PDF with WeasyPrint and the Noto CJK fonts
embedded, stores it with its SHA-256, writes the audit event ``case.notice_issued`` and
queues the applicant's notification (in-app and SMS, sent after commit).

``content`` carries the kind-specific body (JSON values only); keys the templates read:

* acceptance / acceptance_missing: ``promised_limit``, ``legal_limit``, ``limit_unit``,
  ``promised_due``, ``legal_due`` (display dates), ``materials`` (names received),
  ``missing`` ([{material, due_date}], 容缺 only)
* one_time: ``problems`` ([{material, reason}]), ``deadline_note``
* non_acceptance: ``reasons``, ``competent_authority``, ``remedies``
* approval / refusal: ``title`` (optional override, e.g. 办结通知书), ``decision``,
  ``reasons``, ``basis``, ``result``, ``valid_until``, ``remedies``
* suspension: ``suspension_kind``, ``reason``, ``expected_days``
* any kind: ``paragraphs`` (extra paragraphs, in order)
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from onewindow.audit.services import record
from onewindow.cases.models import Case, Notice, NoticeKind
from onewindow.cases.selectors import case_for
from onewindow.cases.workflow import next_number
from onewindow.common import clock
from onewindow.common.errors import NotFound
from onewindow.notify.services import notify

# 文号 abbreviations by kind (受字: acceptance, 补告字: one-time notice, ...).
KIND_ABBREVIATIONS: dict[str, str] = {
    NoticeKind.ACCEPTANCE: "受字",
    NoticeKind.ACCEPTANCE_MISSING: "容受字",
    NoticeKind.ONE_TIME: "补告字",
    NoticeKind.NON_ACCEPTANCE: "不受字",
    NoticeKind.APPROVAL: "许字",
    NoticeKind.REFUSAL: "不许字",
    NoticeKind.SUSPENSION: "特告字",
}


def centre_name() -> str:
    return str(settings.ONEWINDOW.get("CENTRE_NAME", "政务服务中心"))


def area_name() -> str:
    return str(settings.ONEWINDOW.get("AREA_NAME", ""))


def chinese_date(value: date | datetime) -> str:
    """2026年11月29日 (a datetime in local time)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def department_abbreviation(case: Case) -> str:
    """卫生健康 → 卫健, 市场监管 → 市监 (the first character of each two-character word)."""
    short = case.department.short_name or case.department.name.removeprefix(area_name())
    short = short.removeprefix("区")
    if len(short) == 4:
        return short[0] + short[2]
    return short


def remedies_text() -> str:
    """The standard wording of the applicant's remedies (复议 60 days, 诉讼 6 months)."""
    government = f"{area_name()}人民政府" if area_name() else "本级人民政府"
    return (
        f"如不服本决定，可以自收到本文书之日起六十日内向{government}申请行政复议，"
        "或者自收到本文书之日起六个月内依法向人民法院提起行政诉讼。"
    )


def notice_number(case: Case, kind: str, at: datetime) -> str:
    """Take the next gap-free number of the case's department for ``kind`` this year."""
    year = timezone.localtime(at).year
    seq = next_number(f"notice:{case.department.code}:{kind}:{year}")
    prefix = area_name()[:1] + department_abbreviation(case) + KIND_ABBREVIATIONS[kind]
    return f"{prefix}〔{year}〕第{seq:06d}号"


def render_pdf(html: str) -> bytes:
    """HTML to PDF with WeasyPrint (fonts from the system: fonts-noto-cjk)."""
    from weasyprint import HTML  # imported lazily: loading it takes a moment

    pdf: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return pdf


def notice_context(notice: Notice) -> dict[str, Any]:
    case = notice.case
    applicant = case.applicant
    content = notice.content or {}
    return {
        "notice": notice,
        "case": case,
        "content": content,
        "title": content.get("title") or NoticeKind(notice.kind).label,
        "centre": centre_name(),
        "department": case.department.name,
        "number": notice.number,
        "date": chinese_date(notice.issued_at),
        "applicant": applicant.name,
        "applicant_id": applicant.uscc or applicant.resident_id,
        "item": case.item_version.name,
        "case_number": case.number,
        "received": chinese_date(case.received_at or case.submitted_at or case.created_at),
        "remedies": content.get("remedies") or remedies_text(),
        "consult_phone": case.item_version.consult_phone or case.department.phone,
    }


def render_notice_html(notice: Notice) -> str:
    return render_to_string(f"cases/notices/{notice.kind}.html", notice_context(notice))


def _jsonable(content: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(content, cls=DjangoJSONEncoder))
    return result


def issue_notice(
    *,
    case: Case,
    kind: NoticeKind | str,
    actor: Any,
    content: dict[str, Any],
    now: datetime | None = None,
) -> Notice:
    """Number, render, store and audit a notice of ``case``; notify the applicant after
    commit. Runs in the caller's transaction (a failure leaves nothing behind)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("issue_notice must run inside transaction.atomic")
    now = now or clock.now()
    kind = NoticeKind(kind)
    with transaction.atomic():
        notice = Notice(
            case=case,
            kind=kind,
            number=notice_number(case, kind, now),
            issued_at=now,
            issued_by=actor if getattr(actor, "pk", None) else None,
            content=_jsonable(content),
        )
        pdf = render_pdf(render_notice_html(notice))
        notice.sha256 = hashlib.sha256(pdf).hexdigest()
        local = timezone.localtime(now)
        name = f"{case.number}-{kind.value}-{local:%Y%m%d%H%M%S}.pdf"
        notice.pdf.save(name, ContentFile(pdf), save=False)
        notice.save()
        title = notice_context(notice)["title"]
        record(
            action="case.notice_issued",
            actor=actor,
            obj=case,
            at=now,
            summary=f"{case.number} 出具{title} {notice.number}",
            payload={
                "notice_id": notice.pk,
                "kind": kind.value,
                "number": notice.number,
                "sha256": notice.sha256,
            },
        )
        notify_applicant(
            case,
            template="notice.issued",
            context={"title": title, "notice_number": notice.number},
            obj=notice,
            now=now,
        )
    return notice


def notify_applicant(
    case: Case,
    *,
    template: str,
    context: dict[str, Any],
    obj: Any = None,
    now: datetime | None = None,
) -> None:
    """Queue a message to the applicant of ``case``: in-app to every account linked to the
    applicant, one SMS to the applicant's phone (or the first account's)."""
    applicant = case.applicant
    users = list(applicant.users.filter(is_active=True).order_by("pk"))
    phone = applicant.phone or next((u.phone for u in users if u.phone), "")
    ctx = {"centre": centre_name(), "number": case.number, "item": case.item_version.name}
    ctx.update(context)
    if not users:
        if phone:
            notify(phone=phone, channels=("sms",), template=template, context=ctx, obj=obj, now=now)
        return
    for i, user in enumerate(users):
        notify(
            recipient_user=user,
            phone=phone,
            channels=("in_app", "sms") if i == 0 else ("in_app",),
            template=template,
            context=ctx,
            obj=obj or case,
            now=now,
        )


def notice_pdf_for(actor: Any, case_number: str, notice_id: int) -> Notice:
    """The notice ``notice_id`` of case ``case_number`` with a stored PDF, if ``actor`` may
    see the case (the applicant, or staff of its department); otherwise NotFound."""
    case = case_for(actor, case_number)
    notice = Notice.objects.filter(case=case, pk=notice_id).exclude(pdf="").first()
    if notice is None:
        raise NotFound("未找到该文书", code="notice_not_found")
    return notice
