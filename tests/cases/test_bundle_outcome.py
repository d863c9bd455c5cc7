# ruff: noqa: F811  (pytest fixtures imported from test_bundle_cases are parameters here)
"""Joint site inspection (one visit), one output (统一出件) with the signal, early delivery
(never twice), the measured figures next to the same items applied for separately."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from onewindow.bundles.models import BundleVersion
from onewindow.bundles.selectors import measured_figures
from onewindow.cases import signals
from onewindow.cases.models import (
    BundleCase,
    BundleCaseStatus,
    BundleDelivery,
    Case,
    CaseMaterial,
    Delivery,
    InspectionStatus,
    Visit,
)
from onewindow.cases.services.bundle_inspection import (
    bundle_inspection_complete,
    bundle_inspection_record_finding,
    bundle_inspection_schedule,
)
from onewindow.cases.services.bundle_outcome import (
    bundle_case_deliver,
    bundle_case_dispatch,
    bundle_early_delivery,
    bundle_outcome_issue,
)
from onewindow.cases.services.delivery import case_conclude
from onewindow.cases.states import CaseStatus
from onewindow.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.org.models import Applicant, Department, User
from onewindow.workdays.calendar import SHANGHAI
from tests.cases.test_bundle_cases import (  # noqa: F401  (fixtures)
    HYGIENE,
    INDIVIDUAL,
    NOW,
    TAX,
    barber,
    media_root,
    shop,
    subs,
)
from tests.cases.test_bundle_filing import applicant_messages, mark
from tests.cases.test_bundle_refusal import LATER, accepted, decide

pytestmark = pytest.mark.django_db


def conclude(case: Case, admin: User) -> Case:
    case = decide(case, "approve", admin, "符合条件")
    case_conclude(actor=admin, case=case, now=LATER)
    return Case.objects.get(pk=case.pk)


def test_one_joint_inspection_counts_one_visit(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    hanmei, wangwu, zs = people["hanmei"], people["wangwu"], people["zhangsan"]
    bc = accepted(people, barber, zhangsan_applicant, shop)
    health = Department.objects.get(name="区卫生健康委")
    market = Department.objects.get(name="区市场监管局")
    water = Department.objects.get(name="区水利局")
    when = datetime(2026, 12, 2, 9, 30, tzinfo=SHANGHAI)
    with pytest.raises(ValidationFailed) as outside:
        bundle_inspection_schedule(
            actor=hanmei,
            bundle_case=bc,
            at=when,
            place="城东大道96号",
            departments=[water],
            now=LATER,
        )
    assert outside.value.code == "department_not_in_bundle"
    with pytest.raises(NotFound):  # a cooperating department does not schedule
        bundle_inspection_schedule(
            actor=wangwu,
            bundle_case=bc,
            at=when,
            place="城东大道96号",
            departments=[market],
            now=LATER,
        )
    before = mark()
    inspection = bundle_inspection_schedule(
        actor=hanmei,
        bundle_case=bc,
        at=when,
        place="示范区城东大道96号（张三理发店）",
        departments=[health, market],
        now=LATER,
    )
    told = [m for m in applicant_messages(zs, before) if m.template.startswith("bundle_case.")]
    assert [m.template for m in told] == ["bundle_case.inspection_scheduled"]
    assert "2026年12月2日" in told[0].body
    # Each department records its own finding once; 钱七 and a non-participant: 404.
    bundle_inspection_record_finding(
        actor=hanmei, inspection=inspection, result="pass", note="", now=when
    )
    with pytest.raises(Conflict):
        bundle_inspection_record_finding(
            actor=hanmei, inspection=inspection, result="pass", note="", now=when
        )
    with pytest.raises(NotFound):
        bundle_inspection_record_finding(
            actor=people["qianqi"], inspection=inspection, result="pass", note="", now=when
        )
    with pytest.raises(Conflict) as early:
        bundle_inspection_complete(actor=hanmei, inspection=inspection, now=when)
    assert early.value.code == "findings_missing"
    with pytest.raises(ValidationFailed):  # not passing needs a note
        bundle_inspection_record_finding(
            actor=wangwu, inspection=inspection, result="rectify", note="", now=when
        )
    bundle_inspection_record_finding(
        actor=wangwu, inspection=inspection, result="rectify", note="门头需加固", now=when
    )
    visits = Visit.objects.count()
    done = bundle_inspection_complete(actor=hanmei, inspection=inspection, now=when)
    assert done.status == InspectionStatus.DONE
    assert Visit.objects.count() == visits + 1  # two departments, one visit
    assert done.visit in BundleCase.objects.get(pk=bc.pk).visits.all()
    assert done.visit.at == when


def test_one_output_for_the_whole_bundle_with_early_delivery_and_the_signal(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    admin, hanmei, zs = people["admin"], people["hanmei"], people["zhangsan"]
    bc = accepted(people, barber, zhangsan_applicant, shop)
    by_name = subs(bc)
    individual = conclude(by_name[INDIVIDUAL], admin)
    # 先行出件: the business licence goes out first; a non-early item may not.
    with pytest.raises(Conflict) as not_early:
        bundle_early_delivery(
            actor=hanmei, bundle_case=bc, case=by_name[TAX], method="window", now=LATER
        )
    assert not_early.value.code == "early_delivery_not_allowed"
    before = mark()
    bundle_early_delivery(actor=hanmei, bundle_case=bc, case=individual, method="window", now=LATER)
    assert Case.objects.get(pk=individual.pk).status == CaseStatus.DELIVERED
    assert [m.template for m in applicant_messages(zs, before)] == ["bundle_case.early_delivered"]
    with pytest.raises(Conflict) as twice:
        bundle_early_delivery(
            actor=hanmei, bundle_case=bc, case=individual, method="window", now=LATER
        )
    assert twice.value.code == "already_delivered"
    # The outcome waits for every live sub-case.
    with pytest.raises(Conflict) as waiting:
        bundle_outcome_issue(actor=hanmei, bundle_case=bc, delivery_method="express", now=LATER)
    assert waiting.value.code == "not_all_concluded"
    for case in Case.objects.filter(bundle_case=bc).exclude(pk=individual.pk):
        conclude(case, admin)
    assert BundleCase.objects.get(pk=bc.pk).status == BundleCaseStatus.CONCLUDED
    heard: list[dict[str, Any]] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs)

    signals.bundle_outcome_issued.connect(listener, dispatch_uid="test_bundle_outcome")
    try:
        with pytest.raises(PermissionDenied):
            bundle_outcome_issue(actor=zs, bundle_case=bc, delivery_method="express")
        with pytest.raises(NotFound):
            bundle_outcome_issue(actor=people["wangwu"], bundle_case=bc, delivery_method="express")
        before = mark()
        outcome = bundle_outcome_issue(
            actor=hanmei, bundle_case=bc, delivery_method="express", now=LATER
        )
    finally:
        signals.bundle_outcome_issued.disconnect(dispatch_uid="test_bundle_outcome")
    assert [h["bundle_case"].pk for h in heard] == [bc.pk]
    # The early-delivered licence is not in it: never delivered twice.
    assert individual.pk not in set(outcome.cases.values_list("pk", flat=True))
    assert outcome.cases.count() == bc.sub_cases.count() - 1
    assert set(
        Delivery.objects.filter(case__in=outcome.cases.all()).values_list("method", flat=True)
    ) == {"express"}
    with pytest.raises(Conflict):
        bundle_outcome_issue(actor=hanmei, bundle_case=bc, delivery_method="window", now=LATER)
    with pytest.raises(Conflict) as undispatched:
        bundle_case_deliver(actor=hanmei, bundle_case=bc, now=LATER)
    assert undispatched.value.code == "not_dispatched"
    bundle_case_dispatch(
        actor=hanmei,
        bundle_case=bc,
        carrier="中国邮政EMS",
        tracking_number="EMS1234567890",
        now=LATER,
    )
    with pytest.raises(PermissionDenied):  # express: the applicant does not confirm it
        bundle_case_deliver(actor=zs, bundle_case=bc, now=LATER)
    bundle_case_deliver(actor=hanmei, bundle_case=bc, recipient="张三", now=LATER)
    bc = BundleCase.objects.get(pk=bc.pk)
    assert bc.status == BundleCaseStatus.DELIVERED
    assert {c.status for c in bc.sub_cases.all()} == {CaseStatus.DELIVERED}
    templates = [
        m.template for m in applicant_messages(zs, before) if m.template.startswith("bundle_case.")
    ]
    assert templates == [
        "bundle_case.outcome_issued",
        "bundle_case.dispatched",
        "bundle_case.delivered",
    ]
    assert BundleDelivery.objects.get(bundle_case=bc).tracking_number == "EMS1234567890"


def test_measured_figures_come_from_concluded_bundle_cases_only(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    admin = people["admin"]
    existing = BundleCase.objects.filter(
        bundle=barber.bundle, status__in=["concluded", "delivered"]
    ).count()
    if existing:
        pytest.skip("the demo already holds concluded barber bundle cases")
    assert measured_figures(barber) is None  # no data yet: never the catalogue figures
    bc = accepted(people, barber, zhangsan_applicant, shop)
    assert measured_figures(barber) is None  # accepted is not concluded: still no data
    for case in Case.objects.filter(bundle_case=bc):
        conclude(case, admin)
    measured = measured_figures(barber)
    assert measured is not None
    assert measured["bundle_cases"] == 1
    # Online filing, no inspection: no visit; submitted Fri 2026-11-27, concluded Mon 11-30:
    # one working day. Each material type uploaded once, however many items share it.
    assert measured["visits"] == 0
    assert measured["days"] == 1.0
    uploaded = CaseMaterial.objects.filter(case__bundle_case=bc).exclude(uploaded_at=None)
    uploaded_types = len(set(uploaded.values_list("material_type", flat=True)))
    assert measured["materials"] == uploaded_types
    assert uploaded.count() > uploaded_types  # shared materials: fewer uploads than slots
    # The same items applied for separately (the demo's concluded standalone cases, if any).
    separately = measured["separately"]
    assert separately is None or separately["items"] == barber.members.count()
