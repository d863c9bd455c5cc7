"""统一出件: the one output of a bundle (docs/bundles.md "One output").

When every live sub-case is concluded (dropped ones excluded), the lead issues the outcome:
ONE delivery for the bundle (window pickup, express with a tracking number, electronic),
carrying the results of every concluded sub-case not delivered early; the signal
``bundle_outcome_issued`` is sent inside the transaction (the industry licence listens).
Then the bundle is dispatched (express) and delivered, the sub-cases with it. A member
marked ``early_delivery`` may have its result delivered before the rest
(``bundle_early_delivery``), never twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.cases import signals
from onewindow.cases.models import (
    BundleCase,
    BundleCaseStatus,
    BundleDelivery,
    Case,
    DeliveryStatus,
)
from onewindow.cases.services.bundle import is_bundle_applicant
from onewindow.cases.services.bundle_access import (
    authenticated,
    is_lead,
    not_found,
    require_lead,
    sub_case_of,
)
from onewindow.cases.services.bundle_messages import one_message, tell_bundle_applicant
from onewindow.cases.services.bundle_refusal import member_of
from onewindow.cases.services.bundle_status import dropped_ids, refresh_status
from onewindow.cases.services.delivery import (
    CARRIER_MAX,
    RECIPIENT_MAX,
    TRACKING_NUMBER,
    deliver_in_bundle,
    dispatch_in_bundle,
    redirect_delivery,
)
from onewindow.cases.services.processing import _invalid, _text
from onewindow.cases.states import CaseStatus
from onewindow.catalog.models import DeliveryMethod
from onewindow.common import clock
from onewindow.common.errors import Conflict, PermissionDenied

B = BundleCaseStatus
EARLY_METHODS = frozenset({DeliveryMethod.WINDOW, DeliveryMethod.ELECTRONIC})


def _method(method: str, methods: frozenset[str] | None = None) -> str:
    allowed = methods or frozenset(DeliveryMethod.values)
    if method not in allowed:
        labels = "、".join(str(DeliveryMethod(m).label) for m in sorted(allowed))
        raise _invalid("delivery_method", f"送达方式应为：{labels}")
    return method


def _locked(bundle_case: BundleCase) -> BundleCase:
    return (
        BundleCase.objects.select_for_update(of=("self",))
        .select_related("applicant", "bundle_version")
        .get(pk=bundle_case.pk)
    )


def _outcome(bundle_case: BundleCase) -> BundleDelivery:
    outcome = BundleDelivery.objects.select_for_update().filter(bundle_case=bundle_case).first()
    if outcome is None:
        raise Conflict(_("一件事尚未统一出件"), code="outcome_not_issued")
    return outcome


def bundle_outcome_issue(
    *, actor: Any, bundle_case: BundleCase, delivery_method: str, now: datetime | None = None
) -> BundleDelivery:
    """The lead issues the one outcome once every live sub-case is concluded: one delivery
    for every concluded sub-case not delivered early (dropped ones excluded), by
    ``delivery_method``; ``bundle_outcome_issued`` is sent in the transaction; the
    applicant is told once."""
    now = now or clock.now()
    method = _method(delivery_method)
    require_lead(actor, bundle_case, what=_("统一出件"))
    with transaction.atomic():
        fresh = _locked(bundle_case)
        if fresh.status != B.CONCLUDED:
            raise Conflict(
                _("一件事办件当前状态为“%(status)s”，全部事项办结后才能统一出件")
                % {"status": B(fresh.status).label},
                code="not_all_concluded",
                fields={"status": fresh.status, "transition": "issue_outcome"},
            )
        if BundleDelivery.objects.filter(bundle_case=fresh).exists():
            raise Conflict(_("该一件事已统一出件"), code="outcome_issued")
        dropped = dropped_ids(fresh.pk)
        cases = list(
            Case.objects.select_for_update()
            .filter(bundle_case=fresh, status=CaseStatus.CONCLUDED)
            .exclude(pk__in=dropped)
            .order_by("id")
        )
        for case in cases:
            redirect_delivery(case, method)
        applicant = fresh.applicant
        outcome = BundleDelivery.objects.create(
            bundle_case=fresh,
            method=method,
            recipient=applicant.name[:RECIPIENT_MAX],
            phone=(applicant.phone or "")[:20],
            address=(applicant.address or "")[:255],
            issued_at=now,
            issued_by=actor,
        )
        outcome.cases.set(cases)
        record(
            action="bundle_case.outcome_issued",
            actor=actor,
            obj=fresh,
            at=now,
            summary=f"{fresh.number} 统一出件（{DeliveryMethod(method).label}）",
            payload={"method": method, "sub_cases": [c.number for c in cases]},
        )
        signals.bundle_outcome_issued.send(
            sender=BundleCase, bundle_case=fresh, actor=actor, now=now
        )
        extra = {
            DeliveryMethod.WINDOW: _("请持身份证件到窗口一次领取。"),
            DeliveryMethod.EXPRESS: _("寄出后将告知运单号。"),
            DeliveryMethod.ELECTRONIC: _("请登录下载电子结果。"),
        }[DeliveryMethod(method)]
        tell_bundle_applicant(
            fresh,
            "bundle_case.outcome_issued",
            now=now,
            count=len(cases),
            method=str(DeliveryMethod(method).label),
            extra=str(extra),
        )
    return outcome


def bundle_case_dispatch(
    *,
    actor: Any,
    bundle_case: BundleCase,
    carrier: str,
    tracking_number: str,
    now: datetime | None = None,
) -> BundleDelivery:
    """The bundle's results went out in one parcel (express): carrier and tracking number."""
    now = now or clock.now()
    carrier = _text("carrier", carrier, label="快递公司", maximum=CARRIER_MAX, required=True)
    tracking = (tracking_number or "").strip()
    if not TRACKING_NUMBER.fullmatch(tracking):
        raise _invalid(
            "tracking_number", "运单号应为8至30位字母或数字", code="invalid_tracking_number"
        )
    require_lead(actor, bundle_case, what=_("寄送结果"))
    with transaction.atomic():
        fresh = _locked(bundle_case)
        outcome = _outcome(fresh)
        if outcome.method != DeliveryMethod.EXPRESS:
            raise Conflict(_("该一件事不是快递送达"), code="not_express")
        if outcome.status != DeliveryStatus.PENDING:
            raise Conflict(_("办理结果已寄出"), code="already_dispatched")
        for case in outcome.cases.select_for_update().order_by("id"):
            dispatch_in_bundle(case, carrier=carrier, tracking=tracking, now=now)
        outcome.carrier = carrier
        outcome.tracking_number = tracking
        outcome.status = DeliveryStatus.DISPATCHED
        outcome.dispatched_at = now
        outcome.save(update_fields=["carrier", "tracking_number", "status", "dispatched_at"])
        record(
            action="bundle_case.dispatched",
            actor=actor,
            obj=fresh,
            at=now,
            summary=f"{fresh.number} 结果已寄出（{carrier} {tracking}）",
            payload={"carrier": carrier, "tracking_number": tracking},
        )
        tell_bundle_applicant(
            fresh, "bundle_case.dispatched", now=now, carrier=carrier, tracking=tracking
        )
    return outcome


def bundle_case_deliver(
    *, actor: Any, bundle_case: BundleCase, recipient: str = "", now: datetime | None = None
) -> BundleDelivery:
    """The one output reached the applicant: handed over at the window or express delivered
    (lead staff; express only after dispatch), or the electronic results downloaded (the
    applicant may confirm this themselves). Every sub-case in it is delivered; the bundle
    becomes delivered when nothing else is left; ONE message."""
    now = now or clock.now()
    authenticated(actor)
    recipient = _text("recipient", recipient, label="签收人", maximum=RECIPIENT_MAX, required=False)
    lead = bundle_case.status != B.DRAFT and is_lead(actor, bundle_case)
    applicant = is_bundle_applicant(actor, bundle_case)
    if not (lead or applicant):
        raise not_found()
    with transaction.atomic():
        fresh = _locked(bundle_case)
        outcome = _outcome(fresh)
        if not lead and outcome.method != DeliveryMethod.ELECTRONIC:
            raise PermissionDenied(_("只有牵头部门可以确认送达"), code="lead_only")
        if outcome.status == DeliveryStatus.DELIVERED:
            raise Conflict(_("办理结果已送达"), code="already_delivered")
        if outcome.method == DeliveryMethod.EXPRESS and outcome.status != DeliveryStatus.DISPATCHED:
            raise Conflict(_("快递尚未寄出，不能确认送达"), code="not_dispatched")
        cases = list(outcome.cases.select_for_update().order_by("id"))
        with one_message(fresh):
            for case in cases:
                if case.status == CaseStatus.CONCLUDED:
                    deliver_in_bundle(actor=actor, case=case, recipient=recipient, now=now)
        outcome.status = DeliveryStatus.DELIVERED
        outcome.delivered_at = now
        if recipient:
            outcome.recipient = recipient
        outcome.save(update_fields=["status", "delivered_at", "recipient"])
        record(
            action="bundle_case.delivered",
            actor=actor,
            obj=fresh,
            at=now,
            summary=f"{fresh.number} 统一送达",
            payload={"method": outcome.method, "sub_cases": [c.number for c in cases]},
        )
        fresh.refresh_from_db()
        refresh_status(fresh, transition="deliver", now=now)
        tell_bundle_applicant(fresh, "bundle_case.delivered", now=now, count=len(cases))
    return outcome


def bundle_early_delivery(
    *,
    actor: Any,
    bundle_case: BundleCase,
    case: Case,
    method: str,
    now: datetime | None = None,
) -> Case:
    """先行出件: the lead delivers one concluded sub-case's result ahead of the rest (a
    member marked ``early_delivery``, e.g. the business licence the others need), at the
    window or electronically. Recorded; a result is never delivered twice (it is then
    left out of the one output)."""
    now = now or clock.now()
    method = _method(method, EARLY_METHODS)
    require_lead(actor, bundle_case, what=_("先行出件"))
    with transaction.atomic():
        fresh = _locked(bundle_case)
        sub = sub_case_of(fresh, case)
        member = member_of(fresh, sub)
        if member is None or not member.early_delivery:
            raise Conflict(
                _("“%(item)s”不可先行出件") % {"item": sub.item_version.name},
                code="early_delivery_not_allowed",
            )
        if sub.status == CaseStatus.DELIVERED:
            raise Conflict(_("该事项的办理结果已送达"), code="already_delivered")
        if sub.status != CaseStatus.CONCLUDED:
            raise Conflict(
                _("“%(item)s”尚未办结，不能先行出件") % {"item": sub.item_version.name},
                code="not_concluded",
            )
        with one_message(fresh):
            redirect_delivery(sub, method)
            deliver_in_bundle(actor=actor, case=sub, recipient="", now=now)
        record(
            action="bundle_case.early_delivered",
            actor=actor,
            obj=fresh,
            at=now,
            summary=f"{fresh.number} {sub.item_version.name} 先行出件",
            payload={"sub_case": sub.number, "method": method},
        )
        tell_bundle_applicant(
            fresh,
            "bundle_case.early_delivered",
            now=now,
            item=sub.item_version.name,
            method=str(DeliveryMethod(method).label),
        )
    return sub
