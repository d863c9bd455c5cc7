"""Giving ratings: online, by SMS link, at a kiosk; the checks (levels, dimensions, comment,
duplicates, unconcluded and other people's cases, the rating period); a bad rating opens
its rectification in the same transaction; the link is sent with the conclusion message."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.test import override_settings

from onewindow.audit.models import AuditEvent
from onewindow.cases.models import Case
from onewindow.common.errors import Conflict, NotFound, ValidationFailed
from onewindow.notify.models import Notification
from onewindow.ratings.models import Rating, Rectification
from onewindow.ratings.rules import due_after, rating_window_ends
from onewindow.ratings.services import (
    case_for_token,
    link_token,
    rate_case,
    rate_case_at_kiosk,
    rate_case_by_link,
)
from onewindow.ratings.services.rating import TOKEN_SALT
from onewindow.ratings.states import RectificationStatus
from tests.ratings.conftest import at, concluded_case, decided_case

pytestmark = pytest.mark.django_db

CONCLUDED = at(2026, 3, 2, 10)  # a Monday
LATER = at(2026, 3, 3, 9)


@pytest.fixture
def case(people: dict[str, Any]) -> Case:
    return concluded_case(people, when=CONCLUDED)


def test_the_applicant_rates_a_concluded_case(case: Case, people: dict[str, Any]) -> None:
    rating = rate_case(
        actor=people["zhangsan"],
        case=case,
        level=5,
        dimensions={"efficiency": 4, "usability": "5"},
        comment="很快",
        now=LATER,
    )
    assert (rating.level, rating.channel, rating.mode) == (5, "online", "online")
    # 整体满意度 follows the level when not given; the order is the standard's.
    assert rating.dimensions == {"overall": 5, "efficiency": 4, "usability": 5}
    assert rating.department == case.department
    assert rating.staff == people["hanmei"]  # who decided answers for it
    assert rating.rated_by == people["zhangsan"]
    assert not Rectification.objects.filter(rating=rating).exists()
    assert AuditEvent.objects.filter(action="rating.given", object_id=str(rating.pk)).exists()


def test_one_rating_per_case(case: Case, people: dict[str, Any]) -> None:
    rate_case(actor=people["zhangsan"], case=case, level=4, now=LATER)
    with pytest.raises(Conflict) as err:
        rate_case(actor=people["zhangsan"], case=case, level=1, comment="再评一次", now=LATER)
    assert err.value.code == "already_rated"
    with pytest.raises(Conflict):  # nor by another channel
        rate_case_by_link(token=link_token(case), level=3, now=LATER)
    assert Rating.objects.filter(case=case).count() == 1


def test_refusals(people: dict[str, Any]) -> None:
    decided = decided_case(people, when=CONCLUDED)
    with pytest.raises(Conflict) as err:
        rate_case(actor=people["zhangsan"], case=decided, level=5, now=LATER)
    assert err.value.code == "case_not_concluded"
    assert "办结" in err.value.message
    concluded = concluded_case(people, when=CONCLUDED)
    for outsider in (
        people["qianqi"],
        people["lisi"],
        None,
    ):  # 李四 filed nothing; 钱七 is not 张三
        with pytest.raises(NotFound):
            rate_case(actor=outsider, case=concluded, level=5, now=LATER)
    for bad in (0, 6, -1, "五", "", None, True, 4.5):
        with pytest.raises(ValidationFailed) as err:
            rate_case(actor=people["zhangsan"], case=concluded, level=bad, now=LATER)
        assert err.value.code == "invalid_level"
        assert "level" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        rate_case(
            actor=people["zhangsan"],
            case=concluded,
            level=4,
            dimensions={"attitude": 5, "efficiency": 9},  # attitude is an on-site dimension
            now=LATER,
        )
    assert set(err.value.fields) == {"dimensions.attitude", "dimensions.efficiency"}
    with pytest.raises(ValidationFailed) as err:
        rate_case(actor=people["zhangsan"], case=concluded, level=2, comment=" ", now=LATER)
    assert err.value.code == "bad_rating_needs_reason"
    with pytest.raises(ValidationFailed):
        rate_case(actor=people["zhangsan"], case=concluded, level=5, comment="长" * 501, now=LATER)
    assert not Rating.objects.filter(case=concluded).exists()  # nothing half-written


def test_the_rating_period_ends_after_five_working_days(case: Case, people: dict[str, Any]) -> None:
    # Concluded Monday 2 March 2026: the 5th working day after is Monday 9 March.
    assert rating_window_ends(CONCLUDED) == at(2026, 3, 9, 23, 59) + timedelta(seconds=59)
    with pytest.raises(Conflict) as err:
        rate_case(actor=people["zhangsan"], case=case, level=5, now=at(2026, 3, 10, 0, 1))
    assert err.value.code == "rating_period_over"
    rating = rate_case(actor=people["zhangsan"], case=case, level=5, now=at(2026, 3, 9, 23, 0))
    assert rating.pk


def test_a_bad_rating_opens_a_rectification_due_in_15_working_days(
    case: Case, people: dict[str, Any]
) -> None:
    # Rated Friday 3 April 2026, before 清明 (4-6 April): 15 working days → Monday 27 April.
    case = concluded_case(people, when=at(2026, 4, 1, 10))
    rating = rate_case(
        actor=people["zhangsan"],
        case=case,
        level=1,
        comment="窗口让我跑了三次",
        now=at(2026, 4, 3, 16),
    )
    rect = Rectification.objects.get(rating=rating)
    assert rect.status == RectificationStatus.OPEN
    assert rect.department == case.department
    assert rect.due_at == due_after(at(2026, 4, 3, 16), 15)
    assert rect.due_at.astimezone(rect.due_at.tzinfo).date().isoformat() == "2026-04-27"
    # 韩梅 (section chief of the department) is told in-app.
    assert Notification.objects.filter(
        template="ratings.rectification_opened", recipient=people["hanmei"]
    ).exists()


def test_the_conclusion_message_carries_a_signed_link(people: dict[str, Any]) -> None:
    case = concluded_case(people, when=CONCLUDED)
    sms = Notification.objects.get(template="ratings.invite", channel="sms", object_id=str(case.pk))
    token = re.search(r"/ratings/r/([^/\s]+)/", sms.body).group(1)  # type: ignore[union-attr]
    assert case_for_token(token) == case
    rating = rate_case_by_link(token=token, level=3, dimensions={"convenience": 3}, now=LATER)
    assert (rating.channel, rating.rated_by) == ("sms", None)
    with pytest.raises(NotFound) as err:
        case_for_token(token[:-2] + "xx")
    assert err.value.code == "link_invalid"
    with override_settings(RATINGS={"LINK_MAX_AGE_SECONDS": -1}), pytest.raises(NotFound) as err:
        case_for_token(token)
    assert err.value.code == "link_expired"
    forged = signing.dumps({"c": case.pk, "a": case.applicant_id + 999}, salt=TOKEN_SALT)
    with pytest.raises(NotFound):
        case_for_token(forged)


def test_the_kiosk_needs_the_number_and_the_id_number(case: Case, people: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        rate_case_at_kiosk(number=case.number, id_number="11010519491231002X", level=5, now=LATER)
    rating = rate_case_at_kiosk(
        number=case.number,
        id_number=case.applicant.resident_id,
        level=4,
        dimensions={"attitude": 5},
        now=LATER,
    )
    # At the kiosk the on-site dimensions apply, whatever the case's channel.
    assert (rating.channel, rating.mode) == ("kiosk", "offline")


def test_window_services_are_rated_once_each(people: dict[str, Any]) -> None:
    from onewindow.cases.services.submission import record_visit
    from onewindow.org.models import Applicant, ServicePoint, Window
    from onewindow.ratings.services import rate_visit

    point = ServicePoint.objects.get(code="SP-D01")
    zhangsan = Applicant.objects.get(users=people["zhangsan"], kind="natural")
    served = at(2026, 3, 2, 9)

    def visit(number: str) -> Any:
        window = Window.objects.get(service_point=point, number=number)
        return record_visit(
            actor=people["lisi"],
            applicant=zhangsan,
            service_point=point,
            window=window,
            purpose="咨询",
            now=served,
        )

    social, universal = visit("22"), visit("1")
    with pytest.raises(NotFound):  # the device of another clerk
        rate_visit(
            actor=people["hanmei"], visit=social, level=5, channel="window_device", now=served
        )
    with pytest.raises(NotFound):  # the device only rates today's service
        rate_visit(
            actor=people["lisi"],
            visit=social,
            level=5,
            channel="window_device",
            now=at(2026, 3, 3, 9),
        )
    on_device = rate_visit(
        actor=people["lisi"],
        visit=social,
        level=3,
        dimensions={"attitude": 4},
        channel="window_device",
        now=at(2026, 3, 2, 9, 5),
    )
    assert (on_device.mode, on_device.department.code, on_device.staff) == (
        "offline",
        "RLSBJ",
        people["lisi"],
    )
    assert on_device.dimensions == {"overall": 3, "attitude": 4}
    with pytest.raises(Conflict):
        rate_visit(actor=people["zhangsan"], visit=social, level=5, now=at(2026, 3, 3))
    with pytest.raises(NotFound):
        rate_visit(actor=people["qianqi"], visit=universal, level=5, now=at(2026, 3, 3))
    online = rate_visit(
        actor=people["zhangsan"], visit=universal, level=1, comment="排队两小时", now=at(2026, 3, 3)
    )
    # A universal window serves every department: the centre answers for it.
    assert online.department is None
    assert Rectification.objects.get(rating=online).department is None
