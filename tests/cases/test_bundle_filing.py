# ruff: noqa: F811  (pytest fixtures imported from test_bundle_cases are parameters here)
"""Filing a bundle at a window (one visit), one message per bundle event, 容缺 and the
one-time notice at bundle level, and the bundle's deadline across the Spring Festival."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onewindow.bundles.models import BundleVersion
from onewindow.cases.models import (
    BundleCase,
    BundleCaseStatus,
    Case,
    CaseMaterial,
    MaterialStatus,
    Notice,
    NoticeKind,
    Visit,
)
from onewindow.cases.services.bundle import (
    bundle_case_accept,
    bundle_case_create,
    bundle_case_submit,
    bundle_due_at,
    bundle_material_upload,
)
from onewindow.cases.services.bundle_acceptance import (
    bundle_case_accept_with_missing,
    bundle_case_request_correction,
    bundle_case_resubmit,
)
from onewindow.cases.states import CaseStatus
from onewindow.common.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.notify.models import Notification
from onewindow.org.models import Applicant, User
from onewindow.workdays.calendar import SHANGHAI
from onewindow.workdays.selectors import get_calendar
from tests.cases.test_bundle_cases import (  # noqa: F401  (fixtures)
    HYGIENE,
    NO_NO,
    NOW,
    barber,
    create,
    media_root,
    merged_form,
    shop,
    submitted,
    subs,
    upload_everything,
)
from tests.cases.test_uploads import a_pdf

pytestmark = pytest.mark.django_db


def applicant_messages(user: User, since: int) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=user, pk__gt=since, channel="in_app").order_by("pk")
    )


def mark() -> int:
    last = Notification.objects.order_by("-pk").first()
    return last.pk if last else 0


def test_a_clerk_files_a_bundle_at_the_window_and_it_counts_one_visit(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    visits_before = Visit.objects.count()
    form = {k: v for k, v in merged_form(zhangsan_applicant).items() if not k.startswith("sign")}
    bc = bundle_case_create(
        actor=people["lisi"],
        bundle_version=barber,
        applicant=zhangsan_applicant,
        business=shop,
        answers=NO_NO,
        form_data=form,
        channel="window",
        now=NOW,
    )
    assert bc.channel == "window"
    assert bc.service_point is not None
    assert len(subs(bc)) == 4
    assert {c.channel for c in bc.sub_cases.all()} == {"window"}
    # ONE visit for the whole bundle, none per sub-case.
    assert Visit.objects.count() == visits_before + 1
    assert bc.visits.count() == 1
    assert not Visit.objects.filter(case__bundle_case=bc).exists()
    # The clerk fills it in for 张三: uploads and submits on his behalf.
    upload_everything_as(people["lisi"], bc)
    bundle_case_submit(actor=people["lisi"], bundle_case=bc, now=NOW)
    assert BundleCase.objects.get(pk=bc.pk).status == BundleCaseStatus.SUBMITTED

    # Assisted filing needs the applicant's consent; 王五 (one department) may not file.
    with pytest.raises(ValidationFailed) as consent:
        bundle_case_create(
            actor=people["lisi"],
            bundle_version=barber,
            applicant=zhangsan_applicant,
            business=shop,
            answers=NO_NO,
            form_data=form,
            channel="assisted",
            now=NOW,
        )
    assert consent.value.code == "consent_required"
    with pytest.raises(PermissionDenied):
        bundle_case_create(
            actor=people["wangwu"],
            bundle_version=barber,
            applicant=zhangsan_applicant,
            business=shop,
            answers=NO_NO,
            form_data=form,
            channel="window",
            now=NOW,
        )
    assert Visit.objects.count() == visits_before + 1


def upload_everything_as(actor: User, bc: BundleCase) -> None:
    codes = sorted(
        set(
            CaseMaterial.objects.filter(case__bundle_case=bc, status=MaterialStatus.PENDING)
            .exclude(item_material__required=False)
            .values_list("material_type__code", flat=True)
        )
    )
    for code in codes:
        bundle_material_upload(
            actor=actor, bundle_case=bc, material_type_code=code, uploaded_file=a_pdf(), now=NOW
        )


def test_submit_and_accept_send_one_message_each_not_one_per_sub_case(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    zs = people["zhangsan"]
    bc = create(people, barber, zhangsan_applicant, shop)
    upload_everything(people, bc)
    before = mark()
    bundle_case_submit(actor=zs, bundle_case=bc, now=NOW)
    got = applicant_messages(zs, before)
    assert [m.template for m in got] == ["bundle_case.submitted"]
    assert bc.number in got[0].body
    assert "4个事项" in got[0].body

    before = mark()
    bundle_case_accept(actor=people["lisi"], bundle_case=bc, now=NOW)
    got = applicant_messages(zs, before)
    assert [m.template for m in got] == ["bundle_case.accepted"]
    assert "2026年12月4日" in got[0].body
    # The notices themselves are all there: one acceptance notice per sub-case.
    assert Notice.objects.filter(case__bundle_case=bc, kind=NoticeKind.ACCEPTANCE).count() >= 3
    # Staff messages (new tasks) are not swallowed.
    assert not Notification.objects.filter(pk__gt=before, template__startswith="case.").filter(
        recipient=zs
    )


def test_acceptance_with_missing_materials_at_bundle_level(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    bc = create(people, barber, zhangsan_applicant, shop)
    upload_everything(people, bc)
    # Take one non-core material type back out of every slot: it is missing everywhere.
    slot = (
        CaseMaterial.objects.filter(
            case__bundle_case=bc, item_material__core=False, item_material__required=True
        )
        .select_related("material_type")
        .first()
    )
    if slot is None:
        pytest.skip("the demo barber bundle has no required non-core material")
    code = slot.material_type.code
    CaseMaterial.objects.filter(case__bundle_case=bc, material_type__code=code).update(
        status=MaterialStatus.PENDING, file="", sha256=""
    )
    bundle_case_submit(actor=people["zhangsan"], bundle_case=bc, now=NOW)
    # A plain acceptance refuses (the material is required): nothing is accepted.
    with pytest.raises(Conflict):
        bundle_case_accept(actor=people["lisi"], bundle_case=bc, now=NOW)
    assert {c.status for c in bc.sub_cases.all()} == {CaseStatus.SUBMITTED}
    before = mark()
    due = date(2026, 12, 8)  # a Tuesday
    bundle_case_accept_with_missing(
        actor=people["lisi"], bundle_case=bc, missing=[(code, due)], now=NOW
    )
    bc = BundleCase.objects.get(pk=bc.pk)
    assert bc.status == BundleCaseStatus.ACCEPTED
    concerned = set(
        CaseMaterial.objects.filter(case__bundle_case=bc, material_type__code=code).values_list(
            "case_id", flat=True
        )
    )
    missing_notices = Notice.objects.filter(
        case__bundle_case=bc, kind=NoticeKind.ACCEPTANCE_MISSING
    )
    assert set(missing_notices.values_list("case_id", flat=True)) == concerned
    assert set(
        CaseMaterial.objects.filter(case__bundle_case=bc, material_type__code=code).values_list(
            "status", flat=True
        )
    ) == {MaterialStatus.MISSING_ALLOWED}
    got = applicant_messages(people["zhangsan"], before)
    assert [m.template for m in got] == ["bundle_case.accepted_missing"]
    assert slot.material_type.name in got[0].body


def test_one_time_notice_for_the_whole_bundle_then_resubmit_and_accept(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    bc = submitted(people, barber, zhangsan_applicant, shop)
    zs = people["zhangsan"]
    with pytest.raises(ValidationFailed):
        bundle_case_request_correction(
            actor=people["lisi"],
            bundle_case=bc,
            problems=[{"material_type": "M9999", "reason": "不清楚"}],
            now=NOW,
        )
    assert {c.status for c in bc.sub_cases.all()} == {CaseStatus.SUBMITTED}
    before = mark()
    bundle_case_request_correction(
        actor=people["lisi"],
        bundle_case=bc,
        problems=[{"material_type": "M0003", "reason": "租赁合同缺少签字页"}],
        now=NOW,
    )
    by_status: dict[str, set[str]] = {}
    for c in Case.objects.filter(bundle_case=bc).select_related("item_version"):
        by_status.setdefault(c.status, set()).add(c.item_version.name)
    # M0003 (经营场所使用证明) is asked by two items: both get their notice, the rest wait.
    assert len(by_status[CaseStatus.AWAITING_CORRECTION]) == 2
    assert HYGIENE in by_status[CaseStatus.AWAITING_CORRECTION]
    assert Notice.objects.filter(case__bundle_case=bc, kind=NoticeKind.ONE_TIME).count() == 2
    got = applicant_messages(zs, before)
    assert [m.template for m in got] == ["bundle_case.one_time_notice"]
    assert BundleCase.objects.get(pk=bc.pk).status == BundleCaseStatus.SUBMITTED
    # The bundle cannot be accepted half: the two wait for the applicant.
    with pytest.raises(Conflict):
        bundle_case_accept(actor=people["lisi"], bundle_case=bc, now=NOW)
    bundle_material_upload(
        actor=zs, bundle_case=bc, material_type_code="M0003", uploaded_file=a_pdf(), now=NOW
    )
    bundle_case_resubmit(actor=zs, bundle_case=bc, now=NOW)
    assert {c.status for c in bc.sub_cases.all()} == {CaseStatus.SUBMITTED}
    bundle_case_accept(actor=people["lisi"], bundle_case=bc, now=NOW)
    assert BundleCase.objects.get(pk=bc.pk).status == BundleCaseStatus.ACCEPTED


def test_the_bundle_deadline_skips_the_spring_festival(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    eve = datetime(2026, 2, 13, 15, 0, tzinfo=SHANGHAI)  # Friday before the holiday
    bc = create(people, barber, zhangsan_applicant, shop)
    upload_everything(people, bc)
    bundle_case_submit(actor=people["zhangsan"], bundle_case=bc, now=eve)
    bundle_case_accept(actor=people["lisi"], bundle_case=bc, now=eve)
    bc = BundleCase.objects.get(pk=bc.pk)
    # 02-14 (makeup Saturday) day 1, 02-15..23 holiday, 02-24 .. 02-27 days 2-5.
    assert bc.promised_due_at == datetime(2026, 2, 27, 23, 59, 59, tzinfo=SHANGHAI)
    # Each sub-case keeps its own clock: the hygiene licence's 3 days end on 02-25.
    hygiene = subs(bc)[HYGIENE]
    assert hygiene.promised_due_at == datetime(2026, 2, 25, 23, 59, 59, tzinfo=SHANGHAI)
    assert all(c.promised_due_at <= bc.promised_due_at for c in bc.sub_cases.all())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    day=st.dates(min_value=date(2026, 1, 5), max_value=date(2026, 11, 30)),
    hour=st.integers(min_value=8, max_value=18),
    limit=st.integers(min_value=0, max_value=20),
)
def test_bundle_deadlines_are_exactly_limit_working_days_after_acceptance(
    demo: Any, day: date, hour: int, limit: int
) -> None:
    accepted = datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)
    due = bundle_due_at(accepted, limit)
    cal = get_calendar()
    assert due.astimezone(SHANGHAI).time().hour == 23
    if limit == 0:
        assert due.astimezone(SHANGHAI).date() == day
    else:
        assert cal.is_workday(due.astimezone(SHANGHAI).date())
        assert cal.workdays_elapsed(day, due.astimezone(SHANGHAI).date()) == limit
