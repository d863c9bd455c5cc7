"""Complaints (投诉): made by an applicant about a case, a department or a window; due in 5
working days; answered, called back and closed like rectifications."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.org.models import Department, Window
from onewindow.ratings import selectors
from onewindow.ratings.rules import due_after
from onewindow.ratings.services import (
    complaint_call_back,
    complaint_close,
    complaint_reject,
    complaint_respond,
    complaint_submit,
)
from onewindow.ratings.states import ComplaintStatus
from tests.ratings.conftest import at, concluded_case

pytestmark = pytest.mark.django_db
S = ComplaintStatus


def test_a_complaint_about_a_case_from_submission_to_closing(people: dict[str, Any]) -> None:
    case = concluded_case(people, when=at(2026, 9, 28))
    zhangsan, hanmei, zhaoliu = people["zhangsan"], people["hanmei"], people["zhaoliu"]
    # Made on Tuesday 29 September 2026: 30 Sep, 8 Oct, 9 Oct, Saturday 10 Oct (a makeup
    # working day) and Monday 12 Oct; the National Day holiday 1-7 October does not count.
    c = complaint_submit(
        actor=zhangsan,
        about="case",
        content="窗口工作人员态度生硬",
        case=case,
        contact_phone="13800000001",
        now=at(2026, 9, 29, 15),
    )
    assert c.number.startswith("TS2026")
    assert (c.department, c.applicant, c.status) == (case.department, case.applicant, S.OPEN)
    assert c.due_at == due_after(at(2026, 9, 29, 15), 5)
    assert c.due_at.isoformat() == "2026-10-12T23:59:59+08:00"
    with pytest.raises(PermissionDenied):
        complaint_respond(actor=people["sunli"], complaint=c, response="不是我们部门")
    complaint_respond(actor=hanmei, complaint=c, response="已批评教育当事人", now=at(2026, 10, 9))
    assert (c.status, c.responded_by) == (S.RESPONDED, hanmei)
    with pytest.raises(Conflict):
        complaint_close(actor=zhaoliu, complaint=c)
    complaint_call_back(actor=hanmei, complaint=c, result="basic")
    complaint_reject(actor=zhaoliu, complaint=c, note="请补充整改情况")
    assert (c.status, c.reopened) == (S.OPEN, 1)
    complaint_respond(actor=hanmei, complaint=c, response="已批评教育并调整岗位")
    complaint_call_back(actor=hanmei, complaint=c, result="satisfied")
    complaint_close(actor=zhaoliu, complaint=c, note="同意办结")
    assert c.status == S.CLOSED
    assert list(selectors.my_complaints(zhangsan)) == [c]
    assert c not in selectors.my_complaints(people["qianqi"])


def test_complaints_about_a_department_or_a_window(people: dict[str, Any]) -> None:
    market = Department.objects.get(code="SCJGJ")
    c = complaint_submit(
        actor=people["qianqi"], about="department", content="电话无人接听", department=market
    )
    assert c.department == market
    assert selectors.complaint_for(people["sunli"], c.pk) == c
    with pytest.raises(NotFound):  # another department's complaint
        selectors.complaint_for(people["hanmei"], c.pk)
    universal = Window.objects.filter(kind="universal").first()
    assert universal is not None
    assert universal.departments.count() != 1
    w = complaint_submit(
        actor=people["qianqi"], about="window", content="排队太久", window=universal
    )
    assert w.department is None  # the centre's own: centre-wide staff only
    assert selectors.complaint_for(people["zhaoliu"], w.pk) == w
    with pytest.raises(NotFound):
        selectors.complaint_for(people["sunli"], w.pk)
    with pytest.raises(PermissionDenied):  # 赵六 sees it but closes only
        complaint_respond(actor=people["zhaoliu"], complaint=w, response="已增派人手")
    complaint_respond(actor=people["wumin"], complaint=w, response="已增派人手")  # centre admin


def test_bad_complaints(people: dict[str, Any]) -> None:
    zhangsan = people["zhangsan"]
    other = concluded_case(people, when=at(2026, 3, 2), user="qianqi")
    with pytest.raises(NotFound):  # someone else's case
        complaint_submit(actor=zhangsan, about="case", content="x", case=other)
    with pytest.raises(ValidationFailed) as err:
        complaint_submit(actor=zhangsan, about="case", content="x")
    assert "case" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        complaint_submit(actor=zhangsan, about="department", content="  ")
    assert set(err.value.fields) == {"content"}
    with pytest.raises(ValidationFailed) as err:
        complaint_submit(actor=zhangsan, about="nothing", content="x")
    assert "about" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        complaint_submit(
            actor=zhangsan,
            about="department",
            content="x",
            department=Department.objects.first(),
            contact_phone="12345",
        )
    assert "contact_phone" in err.value.fields
    with pytest.raises(ValidationFailed):
        complaint_submit(actor=zhangsan, about="department", content="长" * 1001)
    with pytest.raises(NotFound):
        complaint_submit(actor=people["lisi"], about="department", content="x")  # no applicant
