"""The rectification of a bad rating: finding and action by the department, call-back,
closing or sending back by the supervisor, appeals; illegal steps are 409; other
departments cannot act (403 in services, 404 through the selectors)."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.ratings import selectors
from onewindow.ratings.models import Rating, Rectification
from onewindow.ratings.services import (
    rate_case,
    rectification_appeal,
    rectification_call_back,
    rectification_close,
    rectification_decide_appeal,
    rectification_rectify,
    rectification_reject,
)
from onewindow.ratings.states import RECTIFICATION, RectificationStatus
from tests.ratings.conftest import at, concluded_case

pytestmark = pytest.mark.django_db
S = RectificationStatus


@pytest.fixture
def rect(people: dict[str, Any]) -> Rectification:
    case = concluded_case(people, when=at(2026, 3, 2))
    rating = rate_case(
        actor=people["zhangsan"], case=case, level=2, comment="等了很久", now=at(2026, 3, 3)
    )
    return Rectification.objects.get(rating=rating)


def test_rectify_call_back_close(rect: Rectification, people: dict[str, Any]) -> None:
    hanmei, zhaoliu = people["hanmei"], people["zhaoliu"]
    with pytest.raises(ValidationFailed) as err:  # 属实 needs the action taken
        rectification_rectify(
            actor=hanmei, rectification=rect, finding="true", finding_reason="确有延误"
        )
    assert "action" in err.value.fields
    with pytest.raises(ValidationFailed):
        rectification_rectify(actor=hanmei, rectification=rect, finding="maybe", finding_reason="x")
    with pytest.raises(PermissionDenied):  # 孙丽 is another department's chief
        rectification_rectify(
            actor=people["sunli"], rectification=rect, finding="false", finding_reason="无"
        )
    with pytest.raises(PermissionDenied):  # 赵六 supervises; the department rectifies
        rectification_rectify(
            actor=zhaoliu, rectification=rect, finding="false", finding_reason="无"
        )
    rectification_rectify(
        actor=hanmei,
        rectification=rect,
        finding="true",
        finding_reason="审批环节排队时间过长",
        action="增设窗口，限时办结",
        now=at(2026, 3, 5),
    )
    assert (rect.status, rect.finding, rect.rectified_by) == (S.RECTIFIED, "true", hanmei)
    with pytest.raises(Conflict) as err:  # closing needs the call-back first
        rectification_close(actor=zhaoliu, rectification=rect)
    assert err.value.code == "illegal_transition"

    # Two unanswered calls are attempts only; the applicant answers the third.
    for _ in range(2):
        rectification_call_back(actor=hanmei, rectification=rect, result="unreachable")
        assert rect.status == S.RECTIFIED
    rectification_call_back(
        actor=hanmei,
        rectification=rect,
        result="satisfied",
        note="张三表示满意",
        now=at(2026, 3, 6),
    )
    assert (rect.status, rect.callback_result) == (S.CALLED_BACK, "satisfied")
    assert rect.callbacks.count() == 3
    with pytest.raises(PermissionDenied):  # the department cannot close its own
        rectification_close(actor=hanmei, rectification=rect)
    rectification_close(actor=zhaoliu, rectification=rect, note="同意", now=at(2026, 3, 9))
    stored = Rectification.objects.get(pk=rect.pk)
    assert (stored.status, stored.closed_by, stored.closed_at) == (
        S.CLOSED,
        zhaoliu,
        at(2026, 3, 9),
    )
    actions = set(
        AuditEvent.objects.filter(
            object_id=str(rect.pk), action__startswith="rectification."
        ).values_list("action", flat=True)
    )
    assert actions == {
        "rectification.opened",
        "rectification.rectified",
        "rectification.called_back",
        "rectification.closed",
    }
    for name in RECTIFICATION:  # nothing follows a closed rectification
        assert S.CLOSED not in RECTIFICATION[name].sources


def test_three_unanswered_calls_complete_the_call_back(
    rect: Rectification, people: dict[str, Any]
) -> None:
    hanmei = people["hanmei"]
    rectification_rectify(
        actor=hanmei, rectification=rect, finding="false", finding_reason="按时办结，系误解"
    )
    for _ in range(3):
        rectification_call_back(actor=hanmei, rectification=rect, result="unreachable")
    assert (rect.status, rect.callback_result) == (S.CALLED_BACK, "unreachable")


def test_the_supervisor_sends_it_back(rect: Rectification, people: dict[str, Any]) -> None:
    hanmei, zhaoliu = people["hanmei"], people["zhaoliu"]
    rectification_rectify(actor=hanmei, rectification=rect, finding="false", finding_reason="无")
    rectification_call_back(actor=hanmei, rectification=rect, result="dissatisfied")
    with pytest.raises(ValidationFailed):  # a reason is required
        rectification_reject(actor=zhaoliu, rectification=rect, note="")
    rectification_reject(actor=zhaoliu, rectification=rect, note="核实不充分，请重新核查")
    assert (rect.status, rect.reopened, rect.called_back_at) == (S.OPEN, 1, None)
    # Back to work: a new finding and a new call-back are needed.
    rectification_rectify(
        actor=hanmei, rectification=rect, finding="true", finding_reason="复核属实", action="约谈"
    )
    assert rect.status == S.RECTIFIED


def test_an_upheld_appeal_voids_the_rating(rect: Rectification, people: dict[str, Any]) -> None:
    hanmei, zhaoliu = people["hanmei"], people["zhaoliu"]
    with pytest.raises(Conflict):  # nothing to decide before an appeal
        rectification_decide_appeal(actor=zhaoliu, rectification=rect, uphold=True, note="x")
    rectification_appeal(actor=hanmei, rectification=rect, reason="评价人非本办件申请人，系误评")
    assert rect.status == S.APPEALED
    with pytest.raises(PermissionDenied):  # the department does not judge its own appeal
        rectification_decide_appeal(actor=hanmei, rectification=rect, uphold=True, note="x")
    rectification_decide_appeal(actor=zhaoliu, rectification=rect, uphold=True, note="经核实系误评")
    assert rect.status == S.VOIDED
    assert Rating.objects.get(pk=rect.rating_id).excluded


def test_a_dismissed_appeal_goes_back_to_work(rect: Rectification, people: dict[str, Any]) -> None:
    rectification_appeal(actor=people["hanmei"], rectification=rect, reason="恶意差评")
    rectification_decide_appeal(
        actor=people["zhaoliu"], rectification=rect, uphold=False, note="证据不足"
    )
    assert rect.status == S.OPEN
    assert not Rating.objects.get(pk=rect.rating_id).excluded


def test_who_sees_which_rectification(rect: Rectification, people: dict[str, Any]) -> None:
    assert selectors.rectification_for(people["hanmei"], rect.pk) == rect
    assert selectors.rectification_for(people["fengjing"], rect.pk) == rect  # dept admin
    assert selectors.rectification_for(people["zhaoliu"], rect.pk) == rect  # centre-wide
    for outsider in ("sunli", "wangwu", "lisi", "zhangsan", "qianqi"):
        with pytest.raises(NotFound):
            selectors.rectification_for(people[outsider], rect.pk)


def test_overdue_first(people: dict[str, Any]) -> None:
    old = concluded_case(people, when=at(2026, 3, 2))
    new = concluded_case(people, when=at(2026, 5, 6))
    r_new = rate_case(actor=people["zhangsan"], case=new, level=1, comment="差", now=at(2026, 5, 7))
    r_old = rate_case(actor=people["zhangsan"], case=old, level=1, comment="差", now=at(2026, 3, 3))
    rows = list(selectors.rectifications_for(people["zhaoliu"], now=at(2026, 5, 8)))
    assert [r.rating_id for r in rows][:2] == [r_old.pk, r_new.pk]
    assert rows[0].overdue == 0
    assert rows[1].overdue == 1
