"""Concluding a decided case and delivering its result (docs/cases.md, "Delivery").

Window pickup (窗口领取), express delivery with a tracking number (快递送达) and electronic
delivery (电子送达: the decision PDF offered for download). The case is concluded (办结) when
the result is ready, delivered (送达) when it reached the applicant.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import transaction

from onewindow.audit.services import record
from onewindow.cases import signals
from onewindow.cases.models import Case, Delivery, DeliveryStatus, NoticeKind
from onewindow.cases.services.processing import (
    _invalid,
    _locked,
    _sync,
    _text,
    illegal,
    tell_applicant,
)
from onewindow.cases.states import CaseStatus
from onewindow.cases.workflow import apply_transition, is_own_case, may_transition
from onewindow.catalog.models import DeliveryMethod
from onewindow.common import clock
from onewindow.common.errors import Conflict, PermissionDenied

TRACKING_NUMBER = re.compile(r"[A-Za-z0-9]{8,30}")
CARRIER_MAX = 32
RECIPIENT_MAX = 64


def chosen_delivery(case: Case) -> dict[str, str]:
    """The applicant's delivery choice from the form (``form_data["_delivery"]``: a method
    name or ``{"method", "recipient", "phone", "address"}``); empty if none."""
    raw = (case.form_data or {}).get("_delivery")
    if isinstance(raw, str):
        return {"method": raw}
    if isinstance(raw, dict):
        return {k: str(v) for k, v in raw.items() if v not in (None, "")}
    return {}


def _method(case: Case, requested: str | None) -> str:
    offered = [m for m in (case.item_version.delivery_methods or []) if m in DeliveryMethod.values]
    method = requested or chosen_delivery(case).get("method") or (offered[0] if offered else "")
    method = method or DeliveryMethod.WINDOW
    if method not in DeliveryMethod.values:
        raise _invalid("delivery_method", "送达方式不正确")
    if offered and method not in offered:
        labels = "、".join(str(DeliveryMethod(m).label) for m in offered)
        raise _invalid("delivery_method", f"该事项的送达方式为：{labels}")
    return method


def prepare_delivery(case: Case, method: str | None = None) -> Delivery:
    """The Delivery of a just-concluded case's result, by ``method`` (default: the
    applicant's choice, else the first the version offers), addressed as the applicant chose;
    an electronic delivery's result is the decision notice's PDF. Runs in the caller's
    transaction."""
    method = _method(case, method)
    choice = chosen_delivery(case)
    applicant = case.applicant
    delivery = Delivery(
        case=case,
        method=method,
        recipient=choice.get("recipient", applicant.name)[:RECIPIENT_MAX],
        phone=choice.get("phone", applicant.phone)[:20],
        address=choice.get("address", applicant.address)[:255],
    )
    if method == DeliveryMethod.ELECTRONIC:
        decision = (
            case.notices.filter(kind__in=[NoticeKind.APPROVAL, NoticeKind.REFUSAL])
            .order_by("-issued_at", "-id")
            .first()
        )
        if decision is None or not decision.pdf:
            raise Conflict("决定书尚未生成，不能电子送达", code="no_decision_document")
        delivery.result_file.name = decision.pdf.name
    delivery.save()
    return delivery


def case_conclude(
    *, actor: Any, case: Case, delivery_method: str | None = None, now: datetime | None = None
) -> Delivery:
    """Conclude a decided case (办结) and prepare the delivery of its result."""
    now = now or clock.now()
    with transaction.atomic():
        fresh = _locked(case)
        if fresh.status not in (CaseStatus.APPROVED, CaseStatus.REFUSED):
            raise illegal(fresh, "conclude")
        method = _method(fresh, delivery_method)
        approved = fresh.status == CaseStatus.APPROVED
        fresh.concluded_at = now
        apply_transition(
            fresh,
            "conclude",
            actor=actor,
            target=CaseStatus.CONCLUDED,
            now=now,
            payload={"delivery_method": method},
        )
        delivery = prepare_delivery(fresh, method)
        if approved:
            result = fresh.item_version.result_name or "准予行政许可决定书"
        else:
            result = "不予行政许可决定书"
        tell_applicant(fresh, "case.concluded", now=now, result=result)
        signals.case_concluded.send(
            sender=Case, case=fresh, actor=actor, approved=approved, now=now
        )
    _sync(case, fresh)
    return delivery


def _delivery(case: Case) -> Delivery:
    delivery = Delivery.objects.select_for_update().filter(case=case).first()
    if delivery is None:
        raise illegal(case, "deliver")
    return delivery


def case_dispatch(
    *, actor: Any, case: Case, carrier: str, tracking_number: str, now: datetime | None = None
) -> Delivery:
    """Record that the result went out by express (carrier and tracking number)."""
    now = now or clock.now()
    carrier = _text("carrier", carrier, label="快递公司", maximum=CARRIER_MAX, required=True)
    tracking = (tracking_number or "").strip()
    if not TRACKING_NUMBER.fullmatch(tracking):
        raise _invalid(
            "tracking_number", "运单号应为8至30位字母或数字", code="invalid_tracking_number"
        )
    with transaction.atomic():
        fresh = _locked(case)
        if fresh.status != CaseStatus.CONCLUDED:
            raise illegal(fresh, "deliver")
        # The same authority as delivering (the table's capability for "deliver").
        if not may_transition(actor, fresh, "deliver"):
            raise PermissionDenied("您无权寄送该办件的结果", code="dispatch_forbidden")
        delivery = _delivery(fresh)
        if delivery.method != DeliveryMethod.EXPRESS:
            raise Conflict("该办件不是快递送达", code="not_express")
        if delivery.status != DeliveryStatus.PENDING:
            raise Conflict("办理结果已寄出", code="already_dispatched")
        delivery.carrier = carrier
        delivery.tracking_number = tracking
        delivery.status = DeliveryStatus.DISPATCHED
        delivery.dispatched_at = now
        delivery.save(update_fields=["carrier", "tracking_number", "status", "dispatched_at"])
        record(
            action="case.dispatched",
            actor=actor,
            obj=fresh,
            at=now,
            summary=f"{fresh.number} 结果已寄出（{carrier} {tracking}）",
            payload={"carrier": carrier, "tracking_number": tracking},
        )
        tell_applicant(fresh, "case.dispatched", now=now, carrier=carrier, tracking=tracking)
    _sync(case, fresh)
    return delivery


def case_deliver(
    *, actor: Any, case: Case, recipient: str = "", now: datetime | None = None
) -> Delivery:
    """The result reached the applicant: handed over at the window, express delivered
    (after dispatch), or the electronic result downloaded (the applicant may record this
    themselves)."""
    now = now or clock.now()
    recipient = _text("recipient", recipient, label="签收人", maximum=RECIPIENT_MAX, required=False)
    with transaction.atomic():
        fresh = _locked(case)
        if fresh.status != CaseStatus.CONCLUDED:
            raise illegal(fresh, "deliver")
        delivery = _delivery(fresh)
        if (
            delivery.method == DeliveryMethod.EXPRESS
            and delivery.status != DeliveryStatus.DISPATCHED
        ):
            raise Conflict("快递尚未寄出，不能确认送达", code="not_dispatched")
        downloaded = delivery.method == DeliveryMethod.ELECTRONIC and is_own_case(actor, fresh)
        fresh.delivered_at = now
        apply_transition(
            fresh,
            "deliver",
            actor=actor,
            target=CaseStatus.DELIVERED,
            now=now,
            authorised=downloaded,
            note=recipient,
            payload={"method": delivery.method},
        )
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        if recipient:
            delivery.recipient = recipient
        delivery.save(update_fields=["status", "delivered_at", "recipient"])
        tell_applicant(
            fresh, "case.delivered", now=now, method=str(DeliveryMethod(delivery.method).label)
        )
    _sync(case, fresh)
    return delivery


# ---------------------------------------------------------------------------- bundles
#
# 统一出件 (docs/bundles.md "One output"): the bundle's one delivery carries the results of
# its concluded sub-cases. These helpers run in the bundle service's transaction, on a
# locked concluded sub-case, and tell nobody: the bundle sends one message.


def redirect_delivery(case: Case, method: str) -> Delivery:
    """Re-address the pending delivery of concluded ``case`` to the bundle's ``method``
    (electronic: the decision notice's PDF is the result)."""
    if method not in DeliveryMethod.values:
        raise _invalid("delivery_method", "送达方式不正确")
    if case.status != CaseStatus.CONCLUDED:
        raise illegal(case, "deliver")
    delivery = Delivery.objects.select_for_update().filter(case=case).first()
    if delivery is None:
        delivery = prepare_delivery(case, None)
    if delivery.status != DeliveryStatus.PENDING:
        raise Conflict("办理结果已寄出", code="already_dispatched")
    delivery.method = method
    if method == DeliveryMethod.ELECTRONIC and not delivery.result_file:
        decision = (
            case.notices.filter(kind__in=[NoticeKind.APPROVAL, NoticeKind.REFUSAL])
            .order_by("-issued_at", "-id")
            .first()
        )
        if decision is None or not decision.pdf:
            raise Conflict(
                f"“{case.item_version.name}”的决定书尚未生成，不能电子送达",
                code="no_decision_document",
            )
        delivery.result_file.name = decision.pdf.name
    delivery.save(update_fields=["method", "result_file"])
    return delivery


def dispatch_in_bundle(case: Case, *, carrier: str, tracking: str, now: datetime) -> Delivery:
    """The bundle's parcel went out: the sub-case's delivery is dispatched with it."""
    delivery = _delivery(case)
    delivery.carrier = carrier
    delivery.tracking_number = tracking
    delivery.status = DeliveryStatus.DISPATCHED
    delivery.dispatched_at = now
    delivery.save(update_fields=["carrier", "tracking_number", "status", "dispatched_at"])
    return delivery


def deliver_in_bundle(*, actor: Any, case: Case, recipient: str, now: datetime) -> Delivery:
    """The sub-case's result reached the applicant with the bundle's (authorised by the
    bundle service: the lead's one output, or the applicant's own electronic download)."""
    delivery = _delivery(case)
    case.delivered_at = now
    apply_transition(
        case,
        "deliver",
        actor=actor,
        target=CaseStatus.DELIVERED,
        now=now,
        authorised=True,
        note=recipient,
        payload={"method": delivery.method, "bundle_case": case.bundle_case_id},
        save_fields=("delivered_at",),
    )
    delivery.status = DeliveryStatus.DELIVERED
    delivery.delivered_at = now
    if recipient:
        delivery.recipient = recipient[:RECIPIENT_MAX]
    delivery.save(update_fields=["status", "delivered_at", "recipient"])
    return delivery
