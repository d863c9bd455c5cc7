"""The industry licence (一业一证): issued once on the bundle's outcome for bundles marked as
an industry, listing every approved sub-case's permit; the partial-refusal rule."""

from __future__ import annotations

import re

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.bundles.models import BundleVersion
from onewindow.cases.models import BundleCase
from onewindow.licences.models import IndustryLicence, LicenceEvent, Permit
from onewindow.licences.selectors import licence_view
from onewindow.licences.services import licence_components
from onewindow.notify.models import Notification
from onewindow.org.models import User
from tests.licences.conftest import DONE, barber_bundle_case, finish, issue_outcome

pytestmark = pytest.mark.django_db

INDIVIDUAL = "个体工商户设立登记"
HYGIENE = "公共场所卫生许可证核发"
HEALTH = "从业人员预防性健康检查及健康证明办理"
TAX = "一照一码户涉税信息确认"
SIGN = "户外广告设施设置备案"


def test_the_outcome_issues_one_licence_listing_every_permit(
    concluded_barber: BundleCase, users: dict[str, User]
) -> None:
    issue_outcome(concluded_barber, users["hanmei"])
    licence = IndustryLicence.objects.get(bundle_case=concluded_barber)
    assert licence.name == "美容美发行业综合许可证"
    assert licence.holder.name == "张三理发店"  # the business, not 张三 who registered it
    assert licence.department.name == "区卫生健康委"  # the lead
    assert licence.issued_at == DONE
    assert re.fullmatch(r"示综许〔2026〕第\d{6}号", licence.number)
    assert len(licence.token) >= 32
    view = licence_view(licence)
    sub_permits = Permit.objects.filter(case__bundle_case=concluded_barber)
    assert {c.number for c in view.components} == set(sub_permits.values_list("number", flat=True))
    # In the bundle's member order: the registration first.
    names = [c.name for c in view.components]
    assert len(names) == 5
    assert (
        names[0]
        == Permit.objects.get(
            case__item_version__name=INDIVIDUAL, case__bundle_case=concluded_barber
        ).name
    )
    assert (view.state, view.state_label) == ("valid", "有效")
    assert [e.kind for e in view.events] == ["issued"]
    assert AuditEvent.objects.filter(
        action="industry_licence.issued", object_id=str(licence.pk)
    ).exists()
    message = Notification.objects.get(
        template="industry_licence.issued", recipient=users["zhangsan"], channel="in_app"
    )
    assert licence.number in message.body

    # The signal again (a retried outcome): still one licence, one event.
    issue_outcome(concluded_barber, users["hanmei"])
    assert IndustryLicence.objects.filter(bundle_case=concluded_barber).count() == 1
    assert LicenceEvent.objects.filter(licence=licence).count() == 1


def test_a_bundle_not_marked_as_an_industry_gets_no_licence(
    concluded_barber: BundleCase, users: dict[str, User]
) -> None:
    BundleVersion.objects.filter(pk=concluded_barber.bundle_version_id).update(
        industry_licence=False
    )
    bundle_case = BundleCase.objects.get(pk=concluded_barber.pk)
    issue_outcome(bundle_case, users["hanmei"])
    assert not IndustryLicence.objects.filter(bundle_case=bundle_case).exists()


def test_partial_refusal_an_optional_member_is_left_out_an_essential_one_prevents_it(
    users: dict[str, User],
) -> None:
    bc = barber_bundle_case(users, answers={"sign": "yes", "staff": "no"})
    subs = {c.item_version.name: c for c in bc.sub_cases.select_related("item_version")}
    for name, case in subs.items():
        outcome = "refuse" if name in (SIGN, HYGIENE) else "approve"
        finish(case, users["admin"], outcome=outcome)
    granted, missing = licence_components(bc)
    # 户外广告设施设置备案 is optional (droppable): simply not listed. 公共场所卫生许可 is
    # essential: without it there is no industry licence, the granted permits stand alone.
    assert {p.case.item_version.name for p in granted} == {INDIVIDUAL, HEALTH, TAX}
    assert missing == [HYGIENE]
    issue_outcome(bc, users["hanmei"])
    assert not IndustryLicence.objects.filter(bundle_case=bc).exists()
    event = AuditEvent.objects.get(action="industry_licence.not_issued", object_id=str(bc.pk))
    assert event.payload["missing_essential"] == [HYGIENE]
    assert Permit.objects.filter(case__bundle_case=bc).count() == 3


def test_through_the_leads_outcome_service(
    concluded_barber: BundleCase, users: dict[str, User]
) -> None:
    from onewindow.cases.services.bundle_outcome import bundle_outcome_issue

    assert concluded_barber.status == "concluded"
    bundle_outcome_issue(
        actor=users["hanmei"], bundle_case=concluded_barber, delivery_method="window", now=DONE
    )
    licence = IndustryLicence.objects.get(bundle_case=concluded_barber)
    assert licence.issued_by == users["hanmei"]
    assert licence.components.count() == 5
