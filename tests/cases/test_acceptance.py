"""Acceptance decisions end to end on the demo district (the four outcomes and instant)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from onewindow.audit.models import AuditEvent
from onewindow.cases import notices, steps
from onewindow.cases.models import (
    Case,
    CaseTransition,
    Counter,
    MaterialStatus,
    Notice,
    NoticeKind,
)
from onewindow.cases.services.acceptance import (
    case_accept,
    case_accept_instant,
    case_accept_with_missing,
    case_prereview,
    case_refuse_acceptance,
    case_request_correction,
    cases_deem_accepted,
)
from onewindow.cases.services.delivery import case_deliver
from onewindow.cases.services.submission import case_create_draft, case_submit, material_upload
from onewindow.cases.states import CaseStatus
from onewindow.catalog.models import ItemVersion
from onewindow.common.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.notify.models import Notification
from onewindow.org.models import Applicant, User
from onewindow.workdays.calendar import SHANGHAI
from tests.cases.conftest import published
from tests.cases.test_submission import BARBER_FORM
from tests.cases.test_uploads import a_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path) -> Iterator[Path]:
    """Notices, uploads and outbox files go to a temporary folder."""
    with override_settings(MEDIA_ROOT=tmp_path / "media", NOTIFY_OUTBOX_DIR=tmp_path / "outbox"):
        yield tmp_path


FORMS: dict[str, dict[str, Any]] = {
    "公共场所卫生许可证核发": BARBER_FORM,
    "个体工商户设立登记": {
        "business_name": "示范区张三便利店",
        "business_address": "示范区城东大道98号",
        "business_scope": "日用百货零售",
        "employees_count": 2,
    },
}


def submitted_case(
    version: ItemVersion,
    user: User,
    *,
    at: datetime,
    uploaded: bool = True,
    applicant: Applicant | None = None,
) -> Case:
    """A case submitted online through the submission services by ``user`` for their
    applicant of the item's subject type: the form filled, every material the applicant
    provides uploaded as a PDF (``uploaded=False``: only the required core ones, so the
    non-core ones are missing), the centre's own materials obtained where it can (the
    others uploaded too)."""
    if applicant is None:
        kind = "legal" if version.subject_type == "legal" else "natural"
        applicant = Applicant.objects.filter(users=user, kind=kind).order_by("pk").first()
    assert applicant is not None
    form = dict(FORMS[version.name])
    if applicant.kind == "natural":
        form.update(
            person_name=applicant.name, resident_id=applicant.resident_id, phone="13800000001"
        )
    case = case_create_draft(
        actor=user, version=version, applicant=applicant, form_data=form, now=at
    )
    for m in case.materials.select_related("item_material").filter(status=MaterialStatus.PENDING):
        im = m.item_material
        if uploaded or (im.required and im.core):
            material_upload(actor=user, case=case, case_material=m, uploaded_file=a_pdf(), now=at)
    return case_submit(actor=user, case=case, now=at)


# --------------------------------------------------------------------------- the tests
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)  # a Friday
ACCEPTED = (CaseStatus.IN_REVIEW, CaseStatus.IN_DECISION)


def reload(case: Case) -> Case:
    """The case as stored (its status field is protected: no refresh_from_db)."""
    return Case.objects.get(pk=case.pk)


def text_of(notice: Notice) -> str:
    out = subprocess.run(
        ["pdftotext", notice.pdf.path, "-"], check=True, capture_output=True, text=True
    ).stdout
    return "".join(out.split())


def test_accept_starts_both_clocks_opens_the_first_task_and_issues_the_notice(
    people: dict[str, Any], hygiene_licence: ItemVersion, django_capture_on_commit_callbacks: Any
) -> None:
    case = submitted_case(hygiene_licence, people["zhangsan"], at=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        case_accept(actor=people["lisi"], case=case, now=NOW)
    case = reload(case)
    first = steps.first_step(case)
    assert first is not None
    assert case.current_step == first
    assert case.status == steps.state_for(first)
    assert case.accepted_at == NOW
    assert case.accepted_by == people["lisi"]
    assert case.service_point is not None
    # 3 promised / 20 legal working days from Friday 27 November 2026.
    assert timezone.localtime(case.promised_due_at).date() == date(2026, 12, 2)
    assert timezone.localtime(case.legal_due_at).date() == date(2026, 12, 25)
    assert case.current_step is not None
    assert case.tasks.get().step == case.current_step
    assert not case.materials.filter(status=MaterialStatus.UPLOADED).exists()
    assert case.materials.filter(status=MaterialStatus.VERIFIED).exists()
    notice = case.notices.get()
    assert notice.kind == NoticeKind.ACCEPTANCE
    assert notice.content["promised_due"] == "2026年12月2日"
    assert notice.content["legal_due"] == "2026年12月25日"
    text = text_of(notice)
    for expected in ("受理通知书", notice.number, "张三", "2026年12月2日", "2026年12月25日"):
        assert expected in text
    assert CaseTransition.objects.filter(case=case, name="accept").exists()
    sms = Notification.objects.filter(template="case.accepted", channel="sms").get()
    assert sms.state == "sent"
    assert "2026年12月2日" in sms.body


def test_accept_refused_while_a_required_material_is_missing(
    people: dict[str, Any], hygiene_licence: ItemVersion
) -> None:
    case = submitted_case(hygiene_licence, people["zhangsan"], at=NOW, uploaded=False)
    with pytest.raises(Conflict) as err:
        case_accept(actor=people["lisi"], case=case, now=NOW)
    assert err.value.code == "materials_incomplete"
    pending = case.materials.filter(status=MaterialStatus.PENDING, item_material__required=True)
    assert pending.exists()
    for m in pending.select_related("material_type"):
        assert m.material_type.name in err.value.message
    assert len(err.value.fields["materials"]) == pending.count()
    case = reload(case)
    assert case.status == CaseStatus.SUBMITTED
    assert not case.notices.exists()


def test_accept_with_missing_non_core_material(
    people: dict[str, Any], hygiene_licence: ItemVersion
) -> None:
    case = submitted_case(hygiene_licence, people["zhangsan"], at=NOW)
    non_core = [m for m in case.materials.all() if not m.item_material.core][:2]
    for m in non_core:
        m.status = MaterialStatus.PENDING
        m.save()
    due = [date(2026, 12, 15), date(2027, 1, 8)]
    case_accept_with_missing(
        actor=people["lisi"], case=case, missing=list(zip(non_core, due, strict=True)), now=NOW
    )
    case = reload(case)
    assert case.status in ACCEPTED
    for m, d in zip(non_core, due, strict=True):
        m.refresh_from_db()
        assert m.status == MaterialStatus.MISSING_ALLOWED
        assert m.due_date == d
    notice = case.notices.get()
    assert notice.kind == NoticeKind.ACCEPTANCE_MISSING
    assert [row["due_date"] for row in notice.content["missing"]] == [
        "2026年12月15日",
        "2027年1月8日",
    ]
    text = text_of(notice)
    assert "容缺受理通知书" in text
    for m in non_core:
        assert m.material_type.name in text


def test_accept_with_missing_refuses_a_core_material_and_bad_dates(
    people: dict[str, Any], hygiene_licence: ItemVersion
) -> None:
    case = submitted_case(hygiene_licence, people["zhangsan"], at=NOW)
    core = next(m for m in case.materials.all() if m.item_material.core)
    non_core = next(m for m in case.materials.all() if not m.item_material.core)
    with pytest.raises(ValidationFailed) as err:
        case_accept_with_missing(
            actor=people["lisi"], case=case, missing=[(core, date(2026, 12, 15))], now=NOW
        )
    assert err.value.code == "core_material"
    assert core.material_type.name in err.value.message
    for bad, code in [
        (date(2026, 11, 27), "due_date_past"),
        (date(2027, 3, 1), "due_date_too_late"),
        (date(2026, 12, 12), "due_date_not_workday"),  # a Saturday
    ]:
        with pytest.raises(ValidationFailed) as err:
            case_accept_with_missing(actor=people["lisi"], case=case, missing=[(non_core, bad)])
        assert err.value.code == code
    case = reload(case)
    assert case.status == CaseStatus.SUBMITTED
    assert not case.notices.exists()
    assert not case.materials.filter(status=MaterialStatus.MISSING_ALLOWED).exists()


def test_one_time_notice_lists_every_problem_and_does_not_start_the_clock(
    people: dict[str, Any], hygiene_licence: ItemVersion, django_capture_on_commit_callbacks: Any
) -> None:
    case = submitted_case(hygiene_licence, people["zhangsan"], at=NOW)
    picks = list(case.materials.filter(item_material__source="applicant"))[:3]
    problems: list[Any] = [
        {"material": picks[0], "reason": "申请表未签字"},
        {"material": picks[1], "reason": "平面图未标注比例"},
        {"material": picks[2], "reason": "复印件不清晰"},
        {"material": None, "reason": "申请表中的经营面积与平面图不一致"},
    ]
    with pytest.raises(ValidationFailed):
        case_request_correction(actor=people["lisi"], case=case, problems=[], now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        case_request_correction(actor=people["lisi"], case=case, problems=problems, now=NOW)
    case = reload(case)
    assert case.status == CaseStatus.AWAITING_CORRECTION
    assert case.accepted_at is None
    assert case.promised_due_at is None
    notice = case.notices.get()  # ONE notice
    assert notice.kind == NoticeKind.ONE_TIME
    assert len(notice.content["problems"]) == 4
    text = text_of(notice)
    for p in problems:
        assert p["reason"] in text
    for m in picks:
        m.refresh_from_db()
        assert m.status == MaterialStatus.DEFECTIVE
        assert m.note
    sms = Notification.objects.get(template="case.one_time_notice", channel="sms")
    assert "4项" in sms.body


def test_refusal_names_reasons_the_competent_organ_and_remedies(
    people: dict[str, Any], hygiene_licence: ItemVersion
) -> None:
    case = submitted_case(hygiene_licence, people["zhangsan"], at=NOW)
    with pytest.raises(ValidationFailed):
        case_refuse_acceptance(actor=people["lisi"], case=case, reasons="  ", now=NOW)
    case_refuse_acceptance(
        actor=people["lisi"],
        case=case,
        reasons="申请经营的场所为餐饮服务，不属于公共场所卫生许可范围",
        competent_authority="区市场监管局",
        now=NOW,
    )
    case = reload(case)
    assert case.status == CaseStatus.NOT_ACCEPTED
    text = text_of(case.notices.get(kind=NoticeKind.NON_ACCEPTANCE))
    for expected in ("不予受理通知书", "不属于公共场所卫生许可范围", "请向区市场监管局提出申请"):
        assert expected in text
    assert "六十日内" in text
    assert "六个月内" in text
    assert "行政复议" in text
    assert "行政诉讼" in text


def test_instant_item_decided_on_the_spot_by_the_letter_holder(
    people: dict[str, Any],
) -> None:
    version = published("个体工商户设立登记")
    assert version.is_instant
    case = submitted_case(version, people["zhangsan"], at=NOW)
    with pytest.raises(PermissionDenied):  # 李四 accepts but holds no decision authority
        case_accept_instant(actor=people["lisi"], case=case, now=NOW)
    case = reload(case)
    assert case.status == CaseStatus.SUBMITTED
    assert not case.notices.exists()
    case_accept_instant(actor=people["zhouqiang"], case=case, now=NOW)
    case = reload(case)
    assert case.status == CaseStatus.CONCLUDED
    assert case.accepted_at == case.decided_at == case.concluded_at == NOW
    assert case.decided_by == people["zhouqiang"]
    assert timezone.localtime(case.promised_due_at).date() == date(2026, 11, 27)
    names = list(case.transitions.values_list("name", flat=True))
    assert names == ["submit", "accept", "approve", "conclude"]
    # concluded on the spot is concluded: the layers above heard of it (its permit exists)
    from onewindow.licences.models import Permit

    assert Permit.objects.filter(case=case).count() == 1
    notice = case.notices.get()
    assert notice.kind == NoticeKind.APPROVAL
    assert "准予行政许可决定书" in text_of(notice)
    # the result is handed over at the window, where the applicant stands
    assert case.delivery.method == "window"
    assert case.delivery.status == "pending"
    case_deliver(actor=people["zhouqiang"], case=case, recipient="张三", now=NOW)
    assert reload(case).status == CaseStatus.DELIVERED


def test_instant_refused_for_an_item_that_is_not_instant(
    people: dict[str, Any], hygiene_licence: ItemVersion
) -> None:
    case = submitted_case(hygiene_licence, people["zhangsan"], at=NOW)
    with pytest.raises(Conflict) as err:
        case_accept_instant(actor=people["hanmei"], case=case, now=NOW)
    assert err.value.code == "not_instant"


def test_wrong_role_and_wrong_state(people: dict[str, Any], hygiene_licence: ItemVersion) -> None:
    case = submitted_case(hygiene_licence, people["zhangsan"], at=NOW)
    for who in ("zhangsan", "hanmei", "wangwu"):  # the applicant; approvers without case.accept
        with pytest.raises(PermissionDenied):
            case_accept(actor=people[who], case=case, now=NOW)
    case_prereview(actor=people["chenchen"], case=case, note="材料齐全", now=NOW)
    assert case.status == CaseStatus.PREREVIEWED
    case_accept(actor=people["lisi"], case=case, now=NOW)
    with pytest.raises(Conflict) as err:
        case_accept(actor=people["lisi"], case=case, now=NOW)
    assert err.value.code == "illegal_transition"


def test_a_failing_pdf_render_leaves_no_notice_no_status_change_no_audit(
    people: dict[str, Any], hygiene_licence: ItemVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = submitted_case(hygiene_licence, people["zhangsan"], at=NOW)

    def broken(html: str) -> bytes:
        raise RuntimeError("渲染失败")

    monkeypatch.setattr(notices, "render_pdf", broken)
    audit = AuditEvent.objects.count()
    counters = dict(Counter.objects.values_list("key", "value"))
    messages = Notification.objects.count()
    with pytest.raises(RuntimeError, match="渲染失败"):
        case_accept(actor=people["lisi"], case=case, now=NOW)
    case = reload(case)
    assert case.status == CaseStatus.SUBMITTED
    assert case.accepted_at is None
    assert not case.notices.exists()
    assert not case.tasks.exists()
    assert AuditEvent.objects.count() == audit
    assert dict(Counter.objects.values_list("key", "value")) == counters
    assert Notification.objects.count() == messages


# 2026: Wednesday 30 September is the last working day before the National Day holiday
# (1-7 October); Saturday 10 October is a make-up working day.
RECEIVED = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)


def test_deemed_acceptance_after_five_working_days_across_the_holiday(
    people: dict[str, Any], hygiene_licence: ItemVersion
) -> None:
    case = submitted_case(hygiene_licence, people["zhangsan"], at=RECEIVED)
    waiting = submitted_case(hygiene_licence, people["zhangsan"], at=RECEIVED)
    case_request_correction(
        actor=people["lisi"],
        case=waiting,
        problems=[{"material": waiting.materials.first(), "reason": "不清晰"}],
        now=RECEIVED,
    )
    # 8, 9, 10 (Sat, make-up), 12, 13 October: five working days elapsed, not more.
    assert cases_deem_accepted(now=datetime(2026, 10, 13, 17, 0, tzinfo=SHANGHAI)) == 0
    case = reload(case)
    assert case.status == CaseStatus.SUBMITTED
    later = datetime(2026, 10, 14, 9, 0, tzinfo=SHANGHAI)
    assert cases_deem_accepted(now=later) == 1
    case = reload(case)
    assert case.status in ACCEPTED
    assert case.accepted_at == RECEIVED
    assert case.accepted_by is None
    # Deadlines run from receipt: 3 working days after 30 September = 10 October.
    assert timezone.localtime(case.promised_due_at).date() == date(2026, 10, 10)
    row = case.transitions.get(name="auto_accept")
    assert row.actor is None
    assert AuditEvent.objects.filter(action="case.auto_accept", object_id=str(case.pk)).exists()
    notice = case.notices.get()
    assert notice.content["deemed"] is True
    assert "视为受理" in text_of(notice)
    # Idempotent; the case with a one-time notice is not touched.
    assert cases_deem_accepted(now=later) == 0
    waiting = reload(waiting)
    assert waiting.status == CaseStatus.AWAITING_CORRECTION


def test_deem_accepted_command(people: dict[str, Any], hygiene_licence: ItemVersion) -> None:
    case = submitted_case(hygiene_licence, people["zhangsan"], at=RECEIVED)
    out = StringIO()
    call_command("cases_deem_accepted", "--now", "2026-10-14T09:00:00+08:00", stdout=out)
    assert "1" in out.getvalue()
    case = reload(case)
    assert case.status in ACCEPTED
