"""Processing an accepted case: review, decision, conclusion, delivery, special
procedures, correction, withdrawal, and the transitions that must be refused."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.cases.inbox import inbox
from onewindow.cases.models import (
    Case,
    DeliveryStatus,
    Notice,
    NoticeKind,
    SuspensionKind,
    TaskStatus,
)
from onewindow.cases.services.delivery import case_conclude, case_deliver, case_dispatch
from onewindow.cases.services.processing import (
    case_correction_supplied,
    case_decide,
    case_resume,
    case_return_for_correction,
    case_suspend,
    case_withdraw,
    task_claim,
    task_complete,
    task_release,
)
from onewindow.cases.states import CaseStatus
from onewindow.catalog.models import ItemVersion
from onewindow.common.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.notify.models import Notification
from tests.cases.conftest import published
from tests.cases.test_processing_support import accepted_case, at, media_root, reload  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def hygiene_case(hygiene_licence: ItemVersion, people: dict[str, Any]) -> Case:
    return accepted_case(
        hygiene_licence, people["zhangsan"], people["lisi"], when=at(2026, 3, 2, 9, 30)
    )


@pytest.fixture
def clinic_case(people: dict[str, Any]) -> Case:
    """医疗机构执业登记 (区卫生健康委): a review step (approver) before the decision."""
    return accepted_case(
        published("医疗机构执业登记"), people["zhangsan"], people["lisi"], when=at(2026, 3, 2)
    )


def pdf_text(notice: Notice) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", notice.pdf.path, "-"], capture_output=True, check=True, text=True
    )
    return "".join(out.stdout.split())


def test_a_hygiene_licence_from_decision_to_express_delivery(
    hygiene_case: Case, people: dict[str, Any]
) -> None:
    hanmei, lisi = people["hanmei"], people["lisi"]
    # 公共场所卫生许可证核发 goes straight to the decide step: 韩梅's inbox holds it.
    assert hygiene_case.status == CaseStatus.IN_DECISION
    task = hygiene_case.tasks.get()
    assert (task.role, task.department.code, task.status) == ("section_chief", "WSJKW", "open")
    assert task in inbox(hanmei)
    with pytest.raises(Conflict):  # a decide task is finished by the decision
        task_complete(actor=hanmei, task=task, opinion="同意")

    notice = case_decide(
        actor=hanmei, case=hygiene_case, outcome="approve", reason="", now=at(2026, 3, 3, 10)
    )
    case = reload(hygiene_case)
    assert case.status == CaseStatus.APPROVED
    assert (case.decided_by, case.decided_at) == (hanmei, at(2026, 3, 3, 10))
    assert notice.kind == NoticeKind.APPROVAL
    assert "准予行政许可" in pdf_text(notice)
    task.refresh_from_db()
    assert (task.status, task.assignee) == (TaskStatus.DONE, hanmei)
    assert task not in inbox(hanmei)

    delivery = case_conclude(
        actor=lisi, case=case, delivery_method="express", now=at(2026, 3, 3, 14)
    )
    case = reload(case)
    assert case.status == CaseStatus.CONCLUDED
    assert case.concluded_at == at(2026, 3, 3, 14)
    assert (delivery.method, delivery.status) == ("express", DeliveryStatus.PENDING)
    assert delivery.recipient == case.applicant.name

    with pytest.raises(Conflict):  # not dispatched yet
        case_deliver(actor=lisi, case=case)
    for bad in ["", "SF12", "SF1234567-89", "顺丰1234567890"]:
        with pytest.raises(ValidationFailed) as err:
            case_dispatch(actor=lisi, case=case, carrier="顺丰速运", tracking_number=bad)
        assert "tracking_number" in err.value.fields
    with pytest.raises(PermissionDenied):  # 韩梅 decides; the window hands out results
        case_dispatch(actor=hanmei, case=case, carrier="顺丰速运", tracking_number="SF1234567890")
    delivery = case_dispatch(
        actor=lisi, case=case, carrier="顺丰速运", tracking_number="SF1234567890"
    )
    assert delivery.status == DeliveryStatus.DISPATCHED
    with pytest.raises(Conflict):
        case_dispatch(actor=lisi, case=case, carrier="顺丰速运", tracking_number="SF1234567891")

    delivery = case_deliver(actor=lisi, case=case, recipient="张三", now=at(2026, 3, 5, 11))
    case = reload(case)
    assert case.status == CaseStatus.DELIVERED
    assert case.delivered_at == delivery.delivered_at == at(2026, 3, 5, 11)
    assert list(case.transitions.values_list("name", flat=True)) == [
        "submit",
        "accept",
        "approve",
        "conclude",
        "deliver",
    ]
    actions = set(
        AuditEvent.objects.filter(object_id=str(case.pk)).values_list("action", flat=True)
    )
    assert {"case.approve", "case.conclude", "case.dispatched", "case.deliver"} <= actions
    templates = set(
        Notification.objects.filter(context__number=case.number).values_list("template", flat=True)
    )
    assert {"notice.issued", "case.concluded", "case.dispatched", "case.delivered"} <= templates


def test_review_then_decision_through_the_inbox(clinic_case: Case, people: dict[str, Any]) -> None:
    hanmei, wangwu = people["hanmei"], people["wangwu"]
    assert clinic_case.status == CaseStatus.IN_REVIEW
    review = clinic_case.tasks.get()
    assert review.role == "approver"
    with pytest.raises(PermissionDenied):  # 王五 approves for 区市场监管局 only
        task_claim(actor=wangwu, task=review)
    task_claim(actor=hanmei, task=review)
    with pytest.raises(Conflict):
        task_claim(actor=hanmei, task=review)
    with pytest.raises(ValidationFailed):
        task_complete(actor=hanmei, task=review, opinion="  ")
    task_release(actor=hanmei, task=review)
    review.refresh_from_db()
    assert (review.status, review.assignee) == (TaskStatus.OPEN, None)

    # Completing an open task claims it on the way.
    task_complete(actor=hanmei, task=review, opinion="材料齐全，符合设置规划", now=at(2026, 3, 3))
    review.refresh_from_db()
    assert (review.status, review.assignee, review.opinion) == (
        TaskStatus.DONE,
        hanmei,
        "材料齐全，符合设置规划",
    )
    case = reload(clinic_case)
    assert case.status == CaseStatus.IN_DECISION
    assert case.current_step.kind == "decide"
    decide = case.tasks.get(status=TaskStatus.OPEN)
    assert decide.role == "section_chief"
    case_decide(actor=hanmei, case=case, outcome="approve", reason="符合条件")
    assert reload(case).status == CaseStatus.APPROVED


def test_refusal_states_reasons_and_remedies(hygiene_case: Case, people: dict[str, Any]) -> None:
    hanmei = people["hanmei"]
    with pytest.raises(ValidationFailed) as err:
        case_decide(actor=hanmei, case=hygiene_case, outcome="refuse", reason="")
    assert "reason" in err.value.fields
    with pytest.raises(ValidationFailed):
        case_decide(actor=hanmei, case=hygiene_case, outcome="maybe", reason="x")
    assert reload(hygiene_case).status == CaseStatus.IN_DECISION

    notice = case_decide(
        actor=hanmei,
        case=hygiene_case,
        outcome="refuse",
        reason="经现场核查，经营场所无独立的消毒间",
    )
    case = reload(hygiene_case)
    assert case.status == CaseStatus.REFUSED
    assert case.decision_reason == "经现场核查，经营场所无独立的消毒间"
    assert notice.kind == NoticeKind.REFUSAL
    text = pdf_text(notice)
    assert "不予行政许可" in text
    assert "无独立的消毒间" in text
    assert "六十日内" in text
    assert "行政复议" in text
    assert "六个月内" in text
    assert "行政诉讼" in text
    # The refusal is concluded and handed out like any result.
    delivery = case_conclude(actor=people["lisi"], case=case, delivery_method="window")
    assert delivery.method == "window"


def test_electronic_delivery_offers_the_decision_pdf(
    hygiene_case: Case, people: dict[str, Any]
) -> None:
    notice = case_decide(actor=people["hanmei"], case=hygiene_case, outcome="approve")
    case = reload(hygiene_case)
    case.form_data = {"_delivery": {"method": "electronic"}}
    case.save(update_fields=["form_data"])
    delivery = case_conclude(actor=people["lisi"], case=case)
    assert delivery.method == "electronic"
    assert delivery.result_file.name == notice.pdf.name
    # 张三 downloads it: that is the delivery.
    case_deliver(actor=people["zhangsan"], case=case)
    assert reload(case).status == CaseStatus.DELIVERED


def test_withdrawal_cancels_the_tasks(clinic_case: Case, people: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        case_withdraw(actor=people["qianqi"], case=clinic_case)
    case_suspend(
        actor=people["hanmei"],
        case=clinic_case,
        kind=SuspensionKind.EXPERT_REVIEW,
        reason="组织专家评审",
        now=at(2026, 3, 3),
    )
    case_withdraw(actor=people["zhangsan"], case=clinic_case, reason="不再开办", now=at(2026, 3, 4))
    case = reload(clinic_case)
    assert case.status == CaseStatus.WITHDRAWN
    assert case.withdrawn_at == at(2026, 3, 4)
    assert not case.tasks.exclude(status=TaskStatus.CANCELLED).exists()
    assert case.suspensions.get().resumed_at == at(2026, 3, 4)
    assert not inbox(people["hanmei"]).filter(case=case).exists()
    with pytest.raises(Conflict):
        case_withdraw(actor=people["zhangsan"], case=case)


def test_no_withdrawal_after_the_decision(hygiene_case: Case, people: dict[str, Any]) -> None:
    case_decide(actor=people["hanmei"], case=hygiene_case, outcome="approve")
    with pytest.raises(Conflict) as err:
        case_withdraw(actor=people["zhangsan"], case=hygiene_case)
    assert err.value.code == "illegal_transition"


def test_return_for_correction_and_back(hygiene_case: Case, people: dict[str, Any]) -> None:
    hanmei, zhangsan = people["hanmei"], people["zhangsan"]
    with pytest.raises(ValidationFailed):
        case_return_for_correction(actor=hanmei, case=hygiene_case, reasons=[" "])
    with pytest.raises(PermissionDenied):
        case_return_for_correction(actor=zhangsan, case=hygiene_case, reasons=["自己退回"])
    suspension = case_return_for_correction(
        actor=hanmei,
        case=hygiene_case,
        reasons=["卫生检测报告已过期", "平面图未标注消毒间"],
        now=at(2026, 3, 3),
    )
    assert suspension.kind == SuspensionKind.CORRECTION
    assert suspension.reason == "卫生检测报告已过期；平面图未标注消毒间"
    case = reload(hygiene_case)
    assert case.status == CaseStatus.RETURNED
    assert case.legal_due_at is None
    with pytest.raises(Conflict):  # a correction is not a special procedure
        case_resume(actor=hanmei, case=case)
    with pytest.raises(Conflict):  # no decision while it is with the applicant
        case_decide(actor=hanmei, case=case, outcome="approve")
    with pytest.raises(PermissionDenied):  # not 钱七's case
        case_correction_supplied(actor=people["qianqi"], case=case)
    case_correction_supplied(actor=zhangsan, case=case, now=at(2026, 3, 5))
    case = reload(case)
    assert case.status == CaseStatus.IN_DECISION
    assert case.suspended_workdays == 2
    assert Notification.objects.filter(template="case.returned", context__number=case.number)


def test_suspension_issues_the_written_notice(hygiene_case: Case, people: dict[str, Any]) -> None:
    hanmei = people["hanmei"]
    with pytest.raises(ValidationFailed):
        case_suspend(actor=hanmei, case=hygiene_case, kind="correction", reason="x")
    with pytest.raises(ValidationFailed):
        case_suspend(actor=hanmei, case=hygiene_case, kind="hearing", reason="")
    with pytest.raises(ValidationFailed):
        case_suspend(actor=hanmei, case=hygiene_case, kind="hearing", reason="x", expected_days=0)
    with pytest.raises(PermissionDenied):
        case_suspend(actor=people["wangwu"], case=hygiene_case, kind="hearing", reason="听证")
    suspension = case_suspend(
        actor=hanmei,
        case=hygiene_case,
        kind=SuspensionKind.HEARING,
        reason="涉及相邻居民重大利益，依申请举行听证",
        expected_days=10,
        now=at(2026, 3, 3),
    )
    assert suspension.resume_status == CaseStatus.IN_DECISION
    notice = hygiene_case.notices.get(kind=NoticeKind.SUSPENSION)
    text = pdf_text(notice)
    assert "听证" in text
    assert "10个工作日" in text
    assert "不计算在办理期限内" in text
    with pytest.raises(Conflict):  # already suspended
        case_suspend(actor=hanmei, case=hygiene_case, kind="hearing", reason="再次")
    case = case_resume(actor=hanmei, case=hygiene_case, now=at(2026, 3, 10))
    assert case.status == CaseStatus.IN_DECISION
    assert case.suspensions.get().resumed_by == hanmei


def test_illegal_transitions_are_conflicts(clinic_case: Case, people: dict[str, Any]) -> None:
    hanmei, lisi = people["hanmei"], people["lisi"]
    with pytest.raises(Conflict) as err:  # decide a case still in review
        case_decide(actor=hanmei, case=clinic_case, outcome="approve")
    assert err.value.code == "illegal_transition"
    assert err.value.status == 409
    with pytest.raises(Conflict):  # deliver before conclusion
        case_deliver(actor=lisi, case=clinic_case)
    with pytest.raises(Conflict):  # conclude before decision
        case_conclude(actor=lisi, case=clinic_case)
    with pytest.raises(Conflict):  # resume a case that is not suspended
        case_resume(actor=hanmei, case=clinic_case)
    with pytest.raises(Conflict):
        case_correction_supplied(actor=people["zhangsan"], case=clinic_case)
    assert reload(clinic_case).status == CaseStatus.IN_REVIEW
    assert list(reload(clinic_case).transitions.values_list("name", flat=True)) == [
        "submit",
        "accept",
    ]


def test_a_window_clerk_cannot_decide(hygiene_case: Case, people: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        case_decide(actor=people["lisi"], case=hygiene_case, outcome="approve")
    with pytest.raises(PermissionDenied):  # another department's approver
        case_decide(actor=people["sunli"], case=hygiene_case, outcome="approve")
    assert reload(hygiene_case).status == CaseStatus.IN_DECISION
