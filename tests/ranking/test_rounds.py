"""The round's state machine (draft → open → closed → published), its audit, the follow-ups
opened at publication and their life (respond, close)."""

from __future__ import annotations

from datetime import date

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.common.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.ranking import services as svc
from onewindow.ranking.models import FollowUp, FollowUpKind, FollowUpStatus, RoundStatus
from onewindow.ranking.selectors import follow_ups_for
from tests.ranking.conftest import NOW, make_round, office, voter

ACTIONS = ["open", "close", "publish"]
LEGAL = {("draft", "open"), ("open", "close"), ("closed", "publish")}


@pytest.mark.parametrize("status", ["draft", "open", "closed", "published"])
@pytest.mark.parametrize("action", ACTIONS)
def test_only_the_table_s_transitions_are_allowed(people, departments, status, action):
    r = make_round(people, departments, status=status)
    service = getattr(svc, f"round_{action}")
    if (status, action) in LEGAL:
        service(round=r, actor=people["wumin"], now=NOW)
        assert r.status == svc.TRANSITIONS[action][1]
        r.refresh_from_db()
        assert r.status == svc.TRANSITIONS[action][1]
    else:
        with pytest.raises(Conflict) as caught:
            service(round=r, actor=people["wumin"], now=NOW)
        assert caught.value.code == "round_illegal_transition"
        assert caught.value.status == 409
        assert str(RoundStatus(status).label) in caught.value.message
        r.refresh_from_db()
        assert r.status == status


def test_every_step_is_audited_with_its_actor(people, departments):
    r = make_round(people, departments, status="published")
    actions = list(
        AuditEvent.objects.filter(object_type="ranking.evaluationround", object_id=str(r.pk))
        .order_by("id")
        .values_list("action", "actor__username")
    )
    assert actions == [
        ("ranking.round_created", "wumin"),
        ("ranking.round_opened", "wumin"),
        ("ranking.round_closed", "wumin"),
        ("ranking.round_published", "wumin"),
    ]
    assert (r.opened_by, r.closed_by, r.published_by) == (people["wumin"],) * 3


def test_only_centre_managers_run_rounds(people, departments):
    r = make_round(people, departments)
    for name in ("lisi", "sunli", "zhangsan"):
        with pytest.raises(PermissionDenied):
            svc.round_open(round=r, actor=people[name])
    svc.round_open(round=r, actor=people["zhaoliu"])  # the supervisor may
    assert r.status == "open"


def test_a_round_needs_a_title_a_period_and_offices(people, departments):
    with pytest.raises(ValidationFailed) as caught:
        svc.round_create(
            actor=people["wumin"],
            title=" ",
            period_start=date(2026, 12, 1),
            period_end=date(2026, 11, 1),
            offices=[],
        )
    assert set(caught.value.fields) == {"title", "period_end", "offices"}


def test_publication_opens_follow_ups_for_the_hardest_offices(people, open_round):
    r = open_round  # exposed_count=2, talk_count=1
    reg, health = office(r, "SCJG", "登记注册科"), office(r, "WSJK")
    for n in range(3):
        svc.vote_cast(
            round=r,
            resident_id=voter(n),
            choices=[svc.Choice(office_id=health.pk, categories=("lazy", "shirk"))],
        )
    svc.vote_cast(
        round=r, resident_id=voter(9), choices=[svc.Choice(office_id=reg.pk, categories=("cold",))]
    )
    svc.round_close(round=r, actor=people["wumin"], now=NOW)
    created = svc.round_publish(round=r, actor=people["wumin"], now=NOW)
    got = sorted((f.office_id, f.kind, f.due_on.isoformat()) for f in created)
    # NOW is Monday 2 November 2026: 5 / 15 / 30 working days later
    assert got == sorted(
        [
            (health.pk, "talk", "2026-11-09"),
            (health.pk, "rectification", "2026-11-23"),
            (health.pk, "recheck", "2026-12-14"),
            (reg.pk, "rectification", "2026-11-23"),
            (reg.pk, "recheck", "2026-12-14"),
        ]
    )


def test_follow_up_life_respond_then_close(people, departments):
    r = make_round(people, departments, status="closed")
    reg = office(r, "SCJG", "登记注册科")
    f = svc.follow_up_create(
        round=r, office=reg, kind=FollowUpKind.RECTIFICATION, actor=people["wumin"], now=NOW
    )
    with pytest.raises(Conflict) as caught:
        svc.follow_up_close(follow_up=f, actor=people["wumin"], result="已整改")
    assert caught.value.code == "follow_up_not_responded"
    with pytest.raises(PermissionDenied):  # 韩梅 is of another department
        svc.follow_up_respond(follow_up=f, actor=people["hanmei"], response="已整改")
    with pytest.raises(ValidationFailed):
        svc.follow_up_respond(follow_up=f, actor=people["sunli"], response=" ")
    svc.follow_up_respond(
        follow_up=f, actor=people["sunli"], response="已对窗口人员批评教育，公示办事流程"
    )
    assert f.status == FollowUpStatus.RESPONDED
    with pytest.raises(PermissionDenied):
        svc.follow_up_close(follow_up=f, actor=people["sunli"], result="自己办结")
    svc.follow_up_close(follow_up=f, actor=people["zhaoliu"], result="暗访复查，问题已整改到位")
    f.refresh_from_db()
    assert (f.status, f.closed_by, f.responded_by) == ("closed", people["zhaoliu"], people["sunli"])
    with pytest.raises(Conflict):
        svc.follow_up_respond(follow_up=f, actor=people["sunli"], response="再补充")
    with pytest.raises(Conflict) as dup:
        svc.follow_up_create(round=r, office=reg, kind="rectification", actor=people["wumin"])
    assert dup.value.code == "follow_up_exists"


def test_follow_ups_need_a_closed_round_and_overdue_is_computed(people, departments):
    r = make_round(people, departments, status="open")
    with pytest.raises(Conflict):
        svc.follow_up_create(
            round=r, office=office(r, "WSJK"), kind="talk", actor=people["wumin"], now=NOW
        )
    svc.round_close(round=r, actor=people["wumin"], now=NOW)
    f = svc.follow_up_create(
        round=r, office=office(r, "WSJK"), kind="talk", actor=people["wumin"], now=NOW
    )
    assert f.due_on == date(2026, 11, 9)
    assert not follow_ups_for(people["wumin"], today=date(2026, 11, 9)).get().is_overdue
    assert follow_ups_for(people["wumin"], today=date(2026, 11, 10)).get().is_overdue
    # departments see their own follow-ups only
    assert follow_ups_for(people["hanmei"]).count() == 1
    assert follow_ups_for(people["sunli"]).count() == 0
    assert follow_ups_for(people["lisi"]).count() == 0
    assert FollowUp.objects.count() == 1
