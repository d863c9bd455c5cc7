# ruff: noqa: F811  (pytest fixtures imported from test_bundle_cases are parameters here)
"""Partial refusal (docs/bundles.md "Partial refusal"): an optional item refused → the
applicant is told at once and drops it, the rest concludes; an essential item refused →
the bundle continues or ends per its rule; stalls are flagged once; chasing is the lead's;
statistics still count each item once and the bundle once."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.bundles.models import BundleVersion, RefusalPolicy
from onewindow.cases.bundle_selectors import bundle_case_detail, bundle_statistics
from onewindow.cases.models import (
    BundleCase,
    BundleCaseStatus,
    BundleChase,
    BundleIssue,
    Case,
    IssueKind,
    IssueResolution,
    Task,
)
from onewindow.cases.services.bundle import bundle_case_accept, derive_status
from onewindow.cases.services.bundle_refusal import (
    bundle_case_end,
    bundle_cases_flag_stalled,
    bundle_chase,
    bundle_member_drop,
)
from onewindow.cases.services.delivery import case_conclude
from onewindow.cases.services.processing import case_decide, task_complete
from onewindow.cases.states import CaseStatus
from onewindow.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.notify.models import Notification
from onewindow.org.models import Applicant, User
from onewindow.workdays.calendar import SHANGHAI
from tests.cases.test_bundle_cases import (  # noqa: F401  (fixtures)
    HEALTH,
    HYGIENE,
    INDIVIDUAL,
    NOW,
    SIGN,
    TAX,
    barber,
    create,
    media_root,
    shop,
    subs,
    upload_everything,
)
from tests.cases.test_bundle_filing import applicant_messages, mark

pytestmark = pytest.mark.django_db

WITH_SIGN = {"sign": "yes", "staff": "no"}
LATER = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)  # Monday


def accepted(
    people: dict[str, User], barber: BundleVersion, zs: Applicant, shop: Applicant
) -> BundleCase:
    bc = create(people, barber, zs, shop, answers=WITH_SIGN)
    upload_everything(people, bc)
    from onewindow.cases.services.bundle import bundle_case_submit

    bundle_case_submit(actor=people["zhangsan"], bundle_case=bc, now=NOW)
    bundle_case_accept(actor=people["lisi"], bundle_case=bc, now=NOW)
    return BundleCase.objects.get(pk=bc.pk)


def to_decision(case: Case, actor: User) -> Case:
    case = Case.objects.get(pk=case.pk)
    while case.status == CaseStatus.IN_REVIEW:
        task = Task.objects.get(case=case, status__in=["open", "claimed"])
        task_complete(actor=actor, task=task, opinion="审查通过", now=LATER)
        case = Case.objects.get(pk=case.pk)
    return case


def decide(case: Case, outcome: str, actor: User, reason: str = "") -> Case:
    case = to_decision(case, actor)
    if case.status == CaseStatus.IN_DECISION:
        case_decide(actor=actor, case=case, outcome=outcome, reason=reason, now=LATER)
    return Case.objects.get(pk=case.pk)


def conclude_all(bc: BundleCase, admin: User) -> None:
    for case in Case.objects.filter(bundle_case=bc).order_by("id"):
        case = decide(case, "approve", admin, "符合条件")
        if case.status in (CaseStatus.APPROVED, CaseStatus.REFUSED):
            case_conclude(actor=admin, case=case, now=LATER)


def status(bc: BundleCase) -> str:
    return BundleCase.objects.get(pk=bc.pk).status


def test_an_optional_item_refused_the_applicant_drops_it_and_the_rest_concludes(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    admin, zs = people["admin"], people["zhangsan"]
    bc = accepted(people, barber, zhangsan_applicant, shop)
    sign = subs(bc)[SIGN]
    before = mark()
    decide(sign, "refuse", admin, "设置位置位于禁设区域")
    # Told at once, and the bundle waits for the applicant.
    assert status(bc) == BundleCaseStatus.AWAITING_APPLICANT
    told = applicant_messages(zs, before)
    assert "bundle_case.refused_optional" in [m.template for m in told]
    assert "设置位置位于禁设区域" in next(
        m.body for m in told if m.template == "bundle_case.refused_optional"
    )
    issue = BundleIssue.objects.get(case=sign)
    assert (issue.kind, issue.essential, issue.resolution) == ("refused", False, "open")
    detail = bundle_case_detail(zs, bc.number)
    assert [c.pk for c in detail.droppable()] == [sign.pk]
    # The others go on meanwhile; the bundle cannot conclude while the choice is open.
    others = [c for c in bc.sub_cases.all() if c.pk != sign.pk]
    for case in others:
        case = decide(case, "approve", admin, "符合条件")
        case_conclude(actor=admin, case=case, now=LATER)
    assert status(bc) == BundleCaseStatus.AWAITING_APPLICANT
    # Only the applicant chooses; an essential item cannot be dropped.
    with pytest.raises(PermissionDenied):
        bundle_member_drop(actor=people["hanmei"], bundle_case=bc, case=sign, now=LATER)
    with pytest.raises(NotFound):
        bundle_member_drop(actor=people["qianqi"], bundle_case=bc, case=sign, now=LATER)
    with pytest.raises(Conflict) as essential:
        bundle_member_drop(actor=zs, bundle_case=bc, case=subs(bc)[HYGIENE], now=LATER)
    assert essential.value.code == "member_essential"
    stats_before = bundle_statistics()
    bundle_member_drop(actor=zs, bundle_case=bc, case=sign, reason="不设招牌了", now=LATER)
    assert BundleIssue.objects.get(case=sign).resolution == IssueResolution.DROPPED
    # The refused sub-case stays refused (a real decision); the bundle concluded without it.
    assert status(bc) == BundleCaseStatus.CONCLUDED
    sign = Case.objects.get(pk=sign.pk)
    assert sign.status == CaseStatus.REFUSED
    case_conclude(actor=admin, case=sign, now=LATER)  # its department still concludes it
    assert status(bc) == BundleCaseStatus.CONCLUDED
    # Statistics: dropping changes no count; each item once, the bundle once.
    after = bundle_statistics()
    assert after["items"]["total"] == stats_before["items"]["total"]
    assert after["bundles"]["total"] == stats_before["bundles"]["total"]
    assert after["items"]["total"] == Case.objects.exclude(status="draft").count()
    with pytest.raises(Conflict):
        bundle_member_drop(actor=zs, bundle_case=bc, case=sign, now=LATER)


def test_an_essential_item_refused_under_continue_without_the_rest_goes_on(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    assert barber.on_refusal == RefusalPolicy.CONTINUE_WITHOUT
    admin = people["admin"]
    bc = accepted(people, barber, zhangsan_applicant, shop)
    before = mark()
    decide(subs(bc)[TAX], "refuse", admin, "经营地址与登记信息不一致")
    issue = BundleIssue.objects.get(case=subs(bc)[TAX])
    assert (issue.essential, issue.resolution) == (True, IssueResolution.CONTINUED)
    assert status(bc) == BundleCaseStatus.IN_PROGRESS
    assert "bundle_case.refused_continue" in [
        m.template for m in applicant_messages(people["zhangsan"], before)
    ]
    # The lead is told too (in-app to 区卫生健康委's staff).
    assert Notification.objects.filter(
        pk__gt=before, recipient=people["hanmei"], template="bundle_case.refused_lead"
    ).exists()
    conclude_all(bc, admin)
    assert status(bc) == BundleCaseStatus.CONCLUDED


def test_an_essential_item_refused_under_end_bundle_ends_it_and_terminates_the_rest(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    admin, zs = people["admin"], people["zhangsan"]
    BundleVersion.objects.filter(pk=barber.pk).update(on_refusal=RefusalPolicy.END_BUNDLE)
    bc = accepted(people, barber, zhangsan_applicant, shop)
    by_name = subs(bc)
    approved = decide(by_name[HEALTH], "approve", admin, "符合条件")
    before = mark()
    decide(by_name[HYGIENE], "refuse", admin, "经营场所卫生条件不符合要求")
    bc = BundleCase.objects.get(pk=bc.pk)
    assert bc.status == BundleCaseStatus.ENDED
    assert bc.ended_at == LATER
    after = subs(bc)
    assert after[HYGIENE].status == CaseStatus.REFUSED  # the refusal itself stands
    assert Case.objects.get(pk=approved.pk).status == CaseStatus.APPROVED  # decided: stands
    for name in (INDIVIDUAL, TAX, SIGN):
        assert after[name].status == CaseStatus.WITHDRAWN
        assert after[name].transitions.last().note.startswith("一件事终止")
    assert not Task.objects.filter(case__bundle_case=bc, status__in=["open", "claimed"]).exists()
    told = [m.template for m in applicant_messages(zs, before)]
    assert told.count("bundle_case.ended") == 1
    assert "case.withdrawn" not in told
    # Later transitions of the decided ones leave the bundle ended.
    case_conclude(actor=admin, case=Case.objects.get(pk=approved.pk), now=LATER)
    assert status(bc) == BundleCaseStatus.ENDED


def test_the_lead_may_end_a_bundle_and_only_the_lead(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    bc = accepted(people, barber, zhangsan_applicant, shop)
    with pytest.raises(NotFound):
        bundle_case_end(actor=people["wangwu"], bundle_case=bc, reason="x", now=LATER)
    with pytest.raises(PermissionDenied):
        bundle_case_end(actor=people["zhangsan"], bundle_case=bc, reason="x", now=LATER)
    with pytest.raises(ValidationFailed):
        bundle_case_end(actor=people["hanmei"], bundle_case=bc, reason=" ", now=LATER)
    bundle_case_end(actor=people["hanmei"], bundle_case=bc, reason="申请人要求终止", now=LATER)
    assert status(bc) == BundleCaseStatus.ENDED
    assert {c.status for c in bc.sub_cases.all()} <= {
        CaseStatus.WITHDRAWN,
        CaseStatus.APPROVED,
        CaseStatus.CONCLUDED,
    }
    with pytest.raises(Conflict):
        bundle_case_end(actor=people["hanmei"], bundle_case=bc, reason="再次", now=LATER)


def test_a_stalled_item_is_flagged_once_and_an_optional_one_may_be_dropped(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    zs = people["zhangsan"]
    bc = accepted(people, barber, zhangsan_applicant, shop)
    sign = subs(bc)[SIGN]
    open_ = Case.objects.filter(bundle_case=bc, status__in=["in_review", "in_decision"])
    late = max(c.promised_due_at for c in open_)
    after = datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI)
    assert late < after
    before = mark()
    flagged = bundle_cases_flag_stalled(now=after)
    assert flagged == open_.count()
    assert bundle_cases_flag_stalled(now=after) == 0  # once
    told = [m for m in applicant_messages(zs, before) if m.template == "bundle_case.stalled"]
    assert len(told) == 1  # one message for the bundle, however many items stall
    assert BundleIssue.objects.filter(bundle_case=bc, kind=IssueKind.STALLED).count() == flagged
    assert status(bc) != BundleCaseStatus.AWAITING_APPLICANT  # may, not must
    bundle_member_drop(actor=zs, bundle_case=bc, case=sign, now=after)
    assert Case.objects.get(pk=sign.pk).status == CaseStatus.WITHDRAWN
    assert bc.number in {
        b.number for b in BundleCase.objects.filter(status__in=["accepted", "in_progress"])
    }


def test_chasing_is_the_leads_and_reaches_the_task_holders(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    bc = accepted(people, barber, zhangsan_applicant, shop)
    individual = subs(bc)[INDIVIDUAL]  # 区市场监管局: 王五 / 孙丽 hold its work
    before = mark()
    chase = bundle_chase(
        actor=people["hanmei"],
        bundle_case=bc,
        case=individual,
        message="请于今日内完成审查，申请人急需营业执照",
        now=LATER,
    )
    assert chase.recipients >= 1
    got = Notification.objects.filter(pk__gt=before, template="bundle_case.chased")
    recipients = set(got.values_list("recipient__username", flat=True))
    assert recipients & {"wangwu", "sunli", "zhouqiang"}
    assert "zhangsan" not in recipients
    assert bundle_case_detail(people["hanmei"], bc.number).chases == [chase]
    assert BundleChase.objects.filter(bundle_case=bc).count() == 1
    # Forbidden to the applicant (403) and invisible to a cooperating department (404).
    with pytest.raises(PermissionDenied):
        bundle_chase(actor=people["zhangsan"], bundle_case=bc, case=individual, message="快")
    with pytest.raises(NotFound):
        bundle_chase(actor=people["wangwu"], bundle_case=bc, case=individual, message="快")
    with pytest.raises(ValidationFailed):
        bundle_chase(actor=people["hanmei"], bundle_case=bc, case=individual, message="")


LIVE_BUNDLE = [
    BundleCaseStatus.SUBMITTED,
    BundleCaseStatus.ACCEPTED,
    BundleCaseStatus.IN_PROGRESS,
    BundleCaseStatus.AWAITING_APPLICANT,
    BundleCaseStatus.CONCLUDED,
]


@settings(max_examples=300, deadline=None)
@given(
    statuses=st.lists(st.sampled_from(list(CaseStatus)), min_size=1, max_size=7),
    current=st.sampled_from([*LIVE_BUNDLE, BundleCaseStatus.ENDED, BundleCaseStatus.WITHDRAWN]),
    awaiting=st.booleans(),
    progressed=st.booleans(),
)
def test_the_bundle_status_rules_hold_for_any_mix_of_sub_cases(
    statuses: list[str], current: str, awaiting: bool, progressed: bool
) -> None:
    s, b = CaseStatus, BundleCaseStatus
    result = derive_status(statuses, current, progressed=progressed, awaiting=awaiting)
    live = [x for x in statuses if x not in (s.WITHDRAWN, s.NOT_ACCEPTED)]
    if current in (b.ENDED, b.WITHDRAWN):
        assert result == current  # an ended bundle never comes back
        return
    if awaiting:
        assert result not in (b.CONCLUDED, b.DELIVERED)  # the applicant must choose first
    if result == b.CONCLUDED:
        assert live
        assert all(x in (s.CONCLUDED, s.DELIVERED) for x in live)
    if result == b.DELIVERED:
        assert live
        assert all(x == s.DELIVERED for x in live)
    if not live:
        assert result in (b.ENDED, b.WITHDRAWN)
    # A withdrawn sub-case next to live ones changes nothing (it is out of the count).
    if live:
        again = derive_status(
            [*statuses, s.WITHDRAWN], current, progressed=progressed, awaiting=awaiting
        )
        assert again == result
