"""Complaints (投诉): made by an applicant about a case, a department or a window; answered by
the responsible department within the response period; called back; closed by the
supervisor (or sent back)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import transaction

from onewindow.audit.services import record
from onewindow.cases.models import Case
from onewindow.cases.workflow import next_number
from onewindow.common import clock
from onewindow.common.errors import NotFound
from onewindow.org.models import Applicant, Department, Window
from onewindow.ratings.models import CallBack, Complaint
from onewindow.ratings.rules import due_after, setting
from onewindow.ratings.services import common
from onewindow.ratings.services.common import invalid, tell_handlers, text
from onewindow.ratings.services.rating import is_applicants_account
from onewindow.ratings.states import COMPLAINT, ComplaintAbout
from onewindow.workdays.calendar import local_date

PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


def _applicant_of(actor: Any, applicant: Applicant | None) -> Applicant:
    if applicant is not None:
        if not is_applicants_account(actor, applicant.pk):
            raise NotFound("未找到该申请人", code="applicant_not_found")
        return applicant
    own = Applicant.objects.filter(users=actor).order_by("kind", "pk").first()
    if own is None:
        raise NotFound("您的账号尚未关联申请人，不能投诉", code="applicant_not_found")
    return own


def complaint_submit(
    *,
    actor: Any,
    about: str,
    content: str,
    case: Case | None = None,
    department: Department | None = None,
    window: Window | None = None,
    applicant: Applicant | None = None,
    contact_phone: str = "",
    now: datetime | None = None,
) -> Complaint:
    """我要投诉. About a case (one's own), a department or a window; the responsible
    department follows from it (a window serving several departments: the centre's)."""
    now = now or clock.now()
    if not getattr(actor, "is_authenticated", False):
        raise NotFound("请先登录", code="login_required")
    if about not in ComplaintAbout.values:
        raise invalid("about", "请选择投诉对象", code="invalid_about")
    body = text("content", content, label="投诉内容", required=True)
    phone = (contact_phone or "").strip()
    if phone and not PHONE.fullmatch(phone):
        raise invalid("contact_phone", "联系电话格式不正确", code="invalid_phone")
    if about == ComplaintAbout.CASE:
        if case is None:
            raise invalid("case", "请填写投诉的办件编号", code="required")
        if not is_applicants_account(actor, case.applicant_id):
            raise NotFound("未找到该办件", code="case_not_found")
        applicant, department, window = case.applicant, case.department, None
    else:
        applicant = _applicant_of(actor, applicant)
        case = None
        if about == ComplaintAbout.DEPARTMENT:
            if department is None:
                raise invalid("department", "请选择投诉的部门", code="required")
            window = None
        else:
            if window is None:
                raise invalid("window", "请选择投诉的窗口", code="required")
            served = list(window.departments.all()[:2])
            department = served[0] if len(served) == 1 else None
    with transaction.atomic():
        year = local_date(now).year
        n = next_number(f"complaint-{year}")
        complaint = Complaint.objects.create(
            number=f"TS{year}{n:06d}",
            about=about,
            applicant=applicant,
            submitted_by=actor,
            case=case,
            window=window,
            department=department,
            text=body,
            contact_phone=phone,
            submitted_at=now,
            due_at=due_after(now, int(setting("COMPLAINT_WORKDAYS"))),
        )
        record(
            action="complaint.submitted",
            actor=actor,
            obj=complaint,
            at=now,
            summary=f"投诉 {complaint.number}",
            payload={"about": about, "department": department.pk if department else None},
        )
        tell_handlers(
            department,
            template="ratings.complaint_received",
            context={"number": complaint.number, "due": f"{complaint.due_at:%Y-%m-%d}"},
            obj=complaint,
            now=now,
        )
    return complaint


def complaint_respond(
    *, actor: Any, complaint: Complaint, response: str, now: datetime | None = None
) -> Complaint:
    now = now or clock.now()
    body = text("response", response, label="答复内容", required=True)
    with transaction.atomic():
        fresh = common.locked(complaint)
        common.step(fresh, COMPLAINT, "respond", actor=actor, now=now)
        fresh.response, fresh.responded_at, fresh.responded_by = body, now, actor
        fresh.save(update_fields=["status", "response", "responded_at", "responded_by"])
        record(
            action="complaint.responded",
            actor=actor,
            obj=fresh,
            at=now,
            summary="答复投诉",
            payload={"on_time": now <= fresh.due_at},
        )
    common.sync(complaint, fresh)
    return complaint


def complaint_call_back(
    *, actor: Any, complaint: Complaint, result: str, note: str = "", now: datetime | None = None
) -> CallBack:
    now = now or clock.now()
    with transaction.atomic():
        fresh = common.locked(complaint)
        cb = common.call_back(
            fresh,
            COMPLAINT,
            actor=actor,
            result=result,
            note=note,
            now=now,
            action="complaint.called_back",
        )
    common.sync(complaint, fresh)
    return cb


def complaint_close(
    *, actor: Any, complaint: Complaint, note: str = "", now: datetime | None = None
) -> Complaint:
    now = now or clock.now()
    with transaction.atomic():
        fresh = common.locked(complaint)
        common.close(fresh, COMPLAINT, actor=actor, note=note, now=now, action="complaint.closed")
    common.sync(complaint, fresh)
    return complaint


def complaint_reject(
    *, actor: Any, complaint: Complaint, note: str, now: datetime | None = None
) -> Complaint:
    now = now or clock.now()
    with transaction.atomic():
        fresh = common.locked(complaint)
        common.reject(
            fresh, COMPLAINT, actor=actor, note=note, now=now, action="complaint.reopened"
        )
    common.sync(complaint, fresh)
    return complaint
