"""A supervisor's 退回 (reject) keeps the round it sends back (``Rejection``), so the rates of
a past instant (``as_of``) do not change when a call-back or an answer done then is sent back
later, while the rates of an instant after the reject (and the live board) no longer count it.

区卫生健康委, March 2026: a 非常不满意 of 3 March, rectified on 5 March and called back on
20 March; a complaint of 4 March (due 11 March), answered on 9 March and called back on 12
March. In April the supervisor sends both back twice (5 and 15 April); the work is redone
after each (8-10 April, late; 18-20 April) and closed on 25 April."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from onewindow.common.errors import PermissionDenied, ValidationFailed
from onewindow.org.models import Department
from onewindow.ratings.models import Complaint, Rectification, Rejection
from onewindow.ratings.rates import Rates, rates_by_department
from onewindow.ratings.services import (
    complaint_call_back,
    complaint_close,
    complaint_reject,
    complaint_respond,
    complaint_submit,
    rate_case,
    rectification_call_back,
    rectification_close,
    rectification_rectify,
    rectification_reject,
)
from tests.ratings.conftest import at, concluded_case

pytestmark = pytest.mark.django_db

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
END_OF_MARCH = at(2026, 3, 31, 23, 59).replace(second=59)


def figures(r: Rates) -> dict[str, Any]:
    keys = (
        "rectifications",
        "called_back",
        "rectified",
        "complaints",
        "complaints_responded",
        "complaints_on_time",
        "overdue_complaints",
    )
    return {k: getattr(r, k) for k in keys}


class Work:
    """The rectification and the complaint, and the people who handle them."""

    def __init__(self, people: dict[str, Any]) -> None:
        self.hanmei, self.zhaoliu = people["hanmei"], people["zhaoliu"]
        zs = people["zhangsan"]
        case = concluded_case(people, when=at(2026, 3, 2))
        rating = rate_case(actor=zs, case=case, level=1, comment="很慢", now=at(2026, 3, 3))
        self.rect: Rectification = rating.rectification
        assert self.rect.department_id is not None
        self.health = Department.objects.filter(pk=self.rect.department_id)
        self.complaint: Complaint = complaint_submit(
            actor=zs,
            about="department",
            content="态度差",
            department=self.health.get(),
            now=at(2026, 3, 4),
        )

    def redo(self, rectified: Any, called_back: Any) -> None:
        """The department redoes both: verifies, answers and calls back."""
        rectification_rectify(
            actor=self.hanmei,
            rectification=self.rect,
            finding="true",
            finding_reason="属实",
            action="整改",
            now=rectified,
        )
        rectification_call_back(
            actor=self.hanmei, rectification=self.rect, result="satisfied", now=called_back
        )
        complaint_respond(
            actor=self.hanmei, complaint=self.complaint, response="已整改", now=rectified
        )
        complaint_call_back(
            actor=self.hanmei, complaint=self.complaint, result="satisfied", now=called_back
        )

    def reject(self, when: Any) -> None:
        rectification_reject(
            actor=self.zhaoliu, rectification=self.rect, note="回访记录不全", now=when
        )
        complaint_reject(actor=self.zhaoliu, complaint=self.complaint, note="答复不完整", now=when)

    def at(self, as_of: Any) -> dict[str, Any]:
        (r,) = rates_by_department(*MARCH, departments=self.health, as_of=as_of)
        return figures(r)

    def live(self, now: Any) -> dict[str, Any]:
        (r,) = rates_by_department(*MARCH, departments=self.health, now=now)
        return figures(r)


DONE = {
    "rectifications": 1,
    "called_back": 1,
    "rectified": 0,
    "complaints": 1,
    "complaints_responded": 1,
    "complaints_on_time": 1,
    "overdue_complaints": 0,
}
SENT_BACK = DONE | {"called_back": 0, "complaints_responded": 0, "complaints_on_time": 0}
REDONE_LATE = DONE | {"complaints_on_time": 0}  # answered again on 8 April, after 11 March


def test_two_rounds_sent_back(people: dict[str, Any]) -> None:
    w = Work(people)
    w.redo(at(2026, 3, 9), at(2026, 3, 20))
    # complaint: answered 9 March, called back 20 March as well (the same helper)
    march = w.at(END_OF_MARCH)
    assert march == DONE
    assert w.live(at(2026, 4, 1)) == DONE

    # 5 April: the first reject. The end of March is unchanged; 6 April sees it undone,
    # overdue again (the complaint was due on 11 March).
    w.reject(at(2026, 4, 5))
    rounds = Rejection.objects.filter(rectification=w.rect)
    assert [(r.called_back_at, r.rejected_at) for r in rounds] == [
        (at(2026, 3, 20), at(2026, 4, 5))
    ]
    (c_round,) = Rejection.objects.filter(complaint=w.complaint)
    assert (c_round.responded_at, c_round.called_back_at) == (at(2026, 3, 9), at(2026, 3, 20))
    assert (c_round.rejected_by, c_round.note) == (w.zhaoliu, "答复不完整")
    assert w.at(END_OF_MARCH) == march
    assert w.at(at(2026, 4, 5, 9, 59)) == DONE  # one minute before the reject
    assert w.at(at(2026, 4, 5)) == SENT_BACK | {"overdue_complaints": 1}  # at the reject
    assert w.at(at(2026, 4, 6)) == SENT_BACK | {"overdue_complaints": 1}
    # Live: the same as the rates of that instant (the complaint is open again; its earlier
    # answer stays on record until the next one but no longer counts).
    assert w.live(at(2026, 4, 6)) == SENT_BACK | {"overdue_complaints": 1}

    # 8-10 April: redone (the answer late now); 15 April: sent back again.
    w.redo(at(2026, 4, 8), at(2026, 4, 10))
    assert w.at(at(2026, 4, 9)) == SENT_BACK | {"complaints_responded": 1}
    assert w.at(at(2026, 4, 12)) == REDONE_LATE
    assert w.live(at(2026, 4, 12)) == REDONE_LATE
    w.reject(at(2026, 4, 15))
    assert Rejection.objects.filter(rectification=w.rect).count() == 2
    assert w.at(END_OF_MARCH) == march
    assert w.at(at(2026, 4, 12)) == REDONE_LATE  # the second round stood on 12 April
    assert w.at(at(2026, 4, 16)) == SENT_BACK | {"overdue_complaints": 1}
    assert w.live(at(2026, 4, 16)) == SENT_BACK | {"overdue_complaints": 1}

    # 18-20 April: redone; 25 April: closed.
    w.redo(at(2026, 4, 18), at(2026, 4, 20))
    rectification_close(actor=w.zhaoliu, rectification=w.rect, now=at(2026, 4, 25))
    complaint_close(actor=w.zhaoliu, complaint=w.complaint, now=at(2026, 4, 25))
    assert w.at(END_OF_MARCH) == march
    assert w.at(at(2026, 4, 6)) == SENT_BACK | {"overdue_complaints": 1}
    assert w.at(at(2026, 4, 12)) == REDONE_LATE
    assert w.at(at(2026, 4, 16)) == SENT_BACK | {"overdue_complaints": 1}
    assert w.at(at(2026, 4, 19)) == SENT_BACK | {"complaints_responded": 1}
    finished = REDONE_LATE | {"rectified": 1}
    assert w.at(at(2026, 4, 30)) == finished
    assert w.live(at(2026, 5, 1)) == finished


def test_a_reject_leaves_nothing_when_refused(people: dict[str, Any]) -> None:
    """A reject without a reason is refused: no round is recorded."""
    w = Work(people)
    w.redo(at(2026, 3, 9), at(2026, 3, 20))
    with pytest.raises(ValidationFailed, match="请填写退回理由"):
        rectification_reject(actor=w.zhaoliu, rectification=w.rect, note=" ", now=at(2026, 4, 5))
    with pytest.raises(PermissionDenied, match="您没有执行此操作的权限"):
        complaint_reject(actor=w.hanmei, complaint=w.complaint, note="x", now=at(2026, 4, 5))
    assert not Rejection.objects.exists()
    assert w.at(at(2026, 4, 6)) == DONE
