"""The cascade: a component permit revoked (撤销), cancelled (注销) or expired shows on the
industry licence at once, with an event, audit and the holder told; who may revoke."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.licences.models import IndustryLicence, LicenceEvent, Permit
from onewindow.licences.selectors import licence_view, permit_for_staff
from onewindow.licences.services import permit_cancel, permit_revoke, permits_record_expiry
from onewindow.notify.models import Notification
from onewindow.org.models import User
from onewindow.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

HYGIENE = "公共场所卫生许可证核发"
LATER = datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI)


def component(licence: IndustryLicence, item_name: str) -> Permit:
    return Permit.objects.get(components__licence=licence, case__item_version__name=item_name)


def test_a_revoked_component_shows_at_once(
    licence: IndustryLicence, users: dict[str, User]
) -> None:
    hygiene = component(licence, HYGIENE)
    permit_revoke(actor=users["hanmei"], permit=hygiene, reason="以欺骗手段取得许可", now=LATER)
    hygiene.refresh_from_db()
    assert (hygiene.status, hygiene.revoked_at, hygiene.revoked_by) == (
        "revoked",
        LATER,
        users["hanmei"],
    )
    view = licence_view(licence)
    assert (view.state, view.state_label) == ("partly_invalid", "部分许可失效")
    row = next(c for c in view.components if c.number == hygiene.number)
    assert (row.state, row.state_label, row.reason) == ("revoked", "已撤销", "以欺骗手段取得许可")
    assert all(c.state == "valid" for c in view.components if c.number != hygiene.number)
    event = LicenceEvent.objects.get(licence=licence, kind="component_revoked")
    assert (event.permit, event.at, event.actor) == (hygiene, LATER, users["hanmei"])
    assert AuditEvent.objects.filter(action="permit.revoked", object_id=str(hygiene.pk)).exists()
    assert AuditEvent.objects.filter(
        action="industry_licence.component_revoked", object_id=str(licence.pk)
    ).exists()
    message = Notification.objects.get(
        template="permit.revoked", recipient=users["zhangsan"], channel="in_app"
    )
    assert hygiene.number in message.body
    assert "美容美发行业综合许可证" in message.body
    with pytest.raises(Conflict) as again:
        permit_cancel(actor=users["hanmei"], permit=hygiene, reason="重复", now=LATER)
    assert again.value.code == "permit_not_valid"


def test_every_component_cancelled_the_licence_is_invalid(
    licence: IndustryLicence, users: dict[str, User]
) -> None:
    for permit in Permit.objects.filter(components__licence=licence):
        permit_cancel(actor=users["admin"], permit=permit, reason="申请人申请注销", now=LATER)
    view = licence_view(licence)
    assert (view.state, view.state_label) == ("invalid", "失效")
    assert {c.state_label for c in view.components} == {"已注销"}
    assert LicenceEvent.objects.filter(licence=licence, kind="component_cancelled").count() == 5


def test_an_expired_component_shows_at_once_and_the_sweep_records_it_once(
    licence: IndustryLicence, users: dict[str, User]
) -> None:
    hygiene = component(licence, HYGIENE)
    # Set-up: a four-year term ending yesterday (the services compute it from PermitTerm,
    # tested in test_permits.py; here the licence's reaction matters).
    today = date(2030, 12, 2)
    Permit.objects.filter(pk=hygiene.pk).update(valid_until=today - timedelta(days=1))
    assert licence_view(licence, today).state == "partly_invalid"  # before any sweep
    assert licence_view(licence, today - timedelta(days=1)).state == "valid"
    at = datetime(2030, 12, 2, 1, 0, tzinfo=SHANGHAI)
    assert permits_record_expiry(now=at) == 1
    assert permits_record_expiry(now=at) == 0
    event = LicenceEvent.objects.get(licence=licence, kind="component_expired")
    assert (event.permit_id, event.at) == (hygiene.pk, at)
    assert (
        AuditEvent.objects.filter(
            action="industry_licence.component_expired", object_id=str(licence.pk)
        ).count()
        == 1
    )


def test_only_the_issuing_department_may_revoke(
    licence: IndustryLicence, users: dict[str, User]
) -> None:
    hygiene = component(licence, HYGIENE)  # issued by 区卫生健康委
    # 孙丽, section chief of 区市场监管局: another department's permit.
    with pytest.raises(PermissionDenied):
        permit_revoke(actor=users["sunli"], permit=hygiene, reason="越权", now=LATER)
    with pytest.raises(NotFound):
        permit_for_staff(users["sunli"], hygiene.number)
    # 李四 (window clerk), 王五 (approver), 赵六 (supervisor): no licence.revoke at all.
    for name in ("lisi", "wangwu", "zhaoliu", "zhangsan"):
        with pytest.raises(PermissionDenied):
            permit_revoke(actor=users[name], permit=hygiene, reason="无权", now=LATER)
        with pytest.raises(NotFound):
            permit_for_staff(users[name], hygiene.number)
    assert permit_for_staff(users["hanmei"], hygiene.number) == hygiene
    with pytest.raises(ValidationFailed) as blank:
        permit_revoke(actor=users["hanmei"], permit=hygiene, reason="  ", now=LATER)
    assert "reason" in blank.value.fields
    hygiene.refresh_from_db()
    assert hygiene.status == "valid"
    assert not LicenceEvent.objects.filter(licence=licence).exclude(kind="issued").exists()
