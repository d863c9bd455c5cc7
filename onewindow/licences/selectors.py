"""Reads of permits and industry licences (docs/licences.md).

A permit's state is computed, never stale: ``revoked`` / ``cancelled`` as stored, else
``expired`` once its ``valid_until`` date has passed (local date), else ``valid``. An
industry licence's state follows its components: all valid → ``valid`` (有效), some no
longer valid → ``partly_invalid`` (部分许可失效), none valid → ``invalid`` (失效).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from onewindow.common import clock
from onewindow.common.errors import NotFound
from onewindow.licences.models import (
    IndustryLicence,
    LicenceEvent,
    Permit,
    PermitStatus,
)
from onewindow.org.models import Applicant, ApplicantKind
from onewindow.org.permissions import departments_for

PERMIT_STATE_LABELS: dict[str, Any] = {
    "valid": _("有效"),
    "expired": _("已过期"),
    "revoked": _("已撤销"),
    "cancelled": _("已注销"),
}
LICENCE_STATE_LABELS: dict[str, Any] = {
    "valid": _("有效"),
    "partly_invalid": _("部分许可失效"),
    "invalid": _("失效"),
}

# The screens' colours, reusing the case status styles: green, orange, red.
TONES: dict[str, str] = {
    "valid": "approved",
    "partly_invalid": "returned",
    "expired": "returned",
    "invalid": "refused",
    "revoked": "refused",
    "cancelled": "refused",
}


def today() -> date:
    return clock.localnow().date()


def permit_state(permit: Permit, on: date | None = None) -> str:
    """valid / expired / revoked / cancelled on the local date ``on`` (default today)."""
    if permit.status != PermitStatus.VALID:
        return str(permit.status)
    on = on or today()
    if permit.valid_until is not None and permit.valid_until < on:
        return "expired"
    return "valid"


def licence_state(component_states: list[str]) -> str:
    """valid (every component valid) / partly_invalid / invalid (none valid, or none)."""
    valid = sum(1 for s in component_states if s == "valid")
    if component_states and valid == len(component_states):
        return "valid"
    return "partly_invalid" if valid else "invalid"


def mask_resident_id(value: str) -> str:
    """110105********002X: the region and the last four characters only."""
    return f"{value[:6]}{'*' * 8}{value[-4:]}" if len(value) == 18 else "*" * len(value)


def holder_identifier(holder: Applicant) -> tuple[str, str]:
    """(label, value) shown publicly: the USCC in full, a resident ID masked."""
    if holder.kind == ApplicantKind.LEGAL:
        return str(_("统一社会信用代码")), holder.uscc
    return str(_("居民身份证号码")), mask_resident_id(holder.resident_id)


@dataclass(frozen=True)
class PermitView:
    number: str
    name: str
    item_code: str
    department: str
    issued_at: datetime
    valid_from: date
    valid_until: date | None
    state: str
    state_label: str
    ended_at: datetime | None
    reason: str

    @property
    def tone(self) -> str:
        return TONES[self.state]


@dataclass(frozen=True)
class EventView:
    kind: str
    label: str
    at: datetime
    permit_number: str
    note: str


@dataclass(frozen=True)
class LicenceView:
    licence: IndustryLicence
    number: str
    name: str
    token: str
    holder_name: str
    holder_id_label: str
    holder_id: str
    department: str
    issued_at: datetime
    state: str
    state_label: str
    components: list[PermitView] = field(default_factory=list)
    events: list[EventView] = field(default_factory=list)

    @property
    def tone(self) -> str:
        return TONES[self.state]


def permit_view(permit: Permit, on: date | None = None) -> PermitView:
    state = permit_state(permit, on)
    return PermitView(
        number=permit.number,
        name=permit.name,
        item_code=permit.item.code,
        department=permit.department.name,
        issued_at=permit.issued_at,
        valid_from=permit.valid_from,
        valid_until=permit.valid_until,
        state=state,
        state_label=str(PERMIT_STATE_LABELS[state]),
        ended_at=permit.revoked_at,
        # the public reads why a permit ended; nothing else about the holder
        reason=permit.reason if state in ("revoked", "cancelled") else "",
    )


def _licences() -> QuerySet[IndustryLicence]:
    return IndustryLicence.objects.select_related("holder", "department")


def licence_view(licence: IndustryLicence, on: date | None = None) -> LicenceView:
    """The licence with every component's current state and the licence's events."""
    on = on or today()
    permits = [
        c.permit
        for c in licence.components.select_related(
            "permit", "permit__department", "permit__item"
        ).order_by("order", "id")
    ]
    components = [permit_view(p, on) for p in permits]
    state = licence_state([c.state for c in components])
    events = [
        EventView(
            kind=e.kind,
            label=str(e.get_kind_display()),
            at=e.at,
            permit_number=e.permit.number if e.permit is not None else "",
            note=e.note,
        )
        for e in LicenceEvent.objects.filter(licence=licence).select_related("permit")
    ]
    id_label, id_value = holder_identifier(licence.holder)
    return LicenceView(
        licence=licence,
        number=licence.number,
        name=licence.name,
        token=licence.token,
        holder_name=licence.holder.name,
        holder_id_label=id_label,
        holder_id=id_value,
        department=licence.department.name,
        issued_at=licence.issued_at,
        state=state,
        state_label=str(LICENCE_STATE_LABELS[state]),
        components=components,
        events=events,
    )


def licence_by_token(token: str) -> IndustryLicence:
    """The industry licence with this public token (anyone may read it); else NotFound."""
    licence = _licences().filter(token=token).first() if token else None
    if licence is None:
        raise NotFound("未找到该行业综合许可证", code="licence_not_found")
    return licence


def holders_of(user: Any) -> QuerySet[Applicant]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Applicant.objects.none()
    return Applicant.objects.filter(users=user)


def permits_of(user: Any) -> QuerySet[Permit]:
    """Permits held by the applicants ``user`` may act for (我的证照)."""
    return (
        Permit.objects.filter(holder__in=holders_of(user))
        .select_related("department", "item", "holder")
        .order_by("-issued_at", "-id")
    )


def licences_of(user: Any) -> QuerySet[IndustryLicence]:
    return _licences().filter(holder__in=holders_of(user)).order_by("-issued_at", "-id")


def own_licence(user: Any, token: str) -> IndustryLicence:
    """The holder's own industry licence; someone else's is NotFound."""
    licence = licences_of(user).filter(token=token).first() if token else None
    if licence is None:
        raise NotFound("未找到该行业综合许可证", code="licence_not_found")
    return licence


def permit_for_staff(actor: Any, number: str) -> Permit:
    """A permit of a department where ``actor`` may revoke (licence.revoke); a permit of
    another department is NotFound, as for cases."""
    permit = (
        Permit.objects.filter(
            number=number, department__in=departments_for(actor, "licence.revoke")
        )
        .select_related("department", "holder", "item")
        .first()
    )
    if permit is None:
        raise NotFound("未找到该证照", code="permit_not_found")
    return permit
