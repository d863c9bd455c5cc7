"""Filing a bundle case (一件事申请): online by the applicant or at a window, assisted or by
proxy by a clerk; one draft sub-case per member the answers select, the merged form split
so that each sub-case holds exactly its own fields, one visit for the bundle when the
applicant is present, an ``Idempotency-Key`` against double submission.
``onewindow.cases.services.bundle`` re-exports ``bundle_case_create``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.bundles.models import BundleVersion
from onewindow.bundles.selectors import applicable_items
from onewindow.cases.formdata import validate_form
from onewindow.cases.models import BundleCase, Channel
from onewindow.cases.services.submission import (
    IN_PERSON_CHANNELS,
    ON_BEHALF_CHANNELS,
    STAFF_CHANNELS,
    case_create_draft,
    check_key,
    record_visit,
    require_login,
)
from onewindow.cases.workflow import next_number
from onewindow.catalog.models import SubjectType, VersionStatus
from onewindow.common import clock
from onewindow.common.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.org.models import Applicant, ApplicantKind, ServicePoint
from onewindow.org.permissions import has_capability

BUNDLE_CHANNELS = frozenset(Channel.values)
RESERVED_FORM_KEYS = frozenset({"_delivery"})


def _applicant_for(version: Any, applicant: Applicant, business: Applicant | None) -> Applicant:
    """The sub-case's applicant: the bundle's applicant, or ``business`` (the legal person,
    e.g. 张三理发店) for an item legal persons apply for (legal-only or both)."""
    if business is None or applicant.kind == ApplicantKind.LEGAL:
        return applicant
    if version.subject_type in (SubjectType.LEGAL, SubjectType.BOTH):
        return business
    return applicant


def split_form(
    versions: list[Any], form_data: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each sub-case gets exactly its item's fields of the merged form; every problem of
    every sub-case comes back at once (keys are field codes, as in the merged form)."""
    if not isinstance(form_data, dict):
        raise ValidationFailed(_("申请表内容应为对象"), code="form_invalid")
    known: set[str] = set(RESERVED_FORM_KEYS)
    parts: list[dict[str, Any]] = []
    errors: dict[str, Any] = {}
    for version in versions:
        codes = {f.field.code for f in version.fields.select_related("field")}
        known |= codes
        part = {k: v for k, v in form_data.items() if k in codes or k in RESERVED_FORM_KEYS}
        try:
            validate_form(version, part, partial=True)
        except ValidationFailed as exc:
            for key, value in (exc.fields or {}).items():
                errors.setdefault(key, value)
        parts.append(part)
    for key in form_data:
        if key not in known:
            errors.setdefault(key, _("本一件事的申请表没有该项"))
    return parts, errors


def _check_clerk(
    actor: Any, versions: list[Any], service_point: ServicePoint | None
) -> ServicePoint:
    """Window / assisted / proxy filing: ``case.accept`` for every member's department (at
    the service point, if the clerk's role is scoped to one). Returns the service point."""
    from onewindow.cases.services.submission import default_service_point

    for version in versions:
        department = version.item.department
        if not has_capability(actor, "case.accept", department=department):
            raise PermissionDenied(
                _("您没有受理“%(dept)s”事项的权限") % {"dept": department.name},
                code="accept_forbidden",
            )
    point = service_point or default_service_point(actor)
    if point is None:
        raise ValidationFailed(
            _("请选择受理网点"),
            code="service_point_required",
            fields={"service_point": _("请选择受理网点")},
        )
    return point


# ---------------------------------------------------------------------------- create


def bundle_case_create(
    *,
    actor: Any,
    bundle_version: BundleVersion,
    applicant: Applicant,
    answers: dict[str, Any],
    form_data: dict[str, Any] | None = None,
    business: Applicant | None = None,
    channel: str = Channel.ONLINE,
    service_point: ServicePoint | None = None,
    on_behalf: bool = False,
    consent_note: str = "",
    idempotency_key: str = "",
    now: datetime | None = None,
) -> BundleCase:
    """One application for ``bundle_version``: the members the answers select, one draft
    sub-case each (the item's current published version), the merged form split so that
    each sub-case holds exactly its own fields. ``business``: the legal person the
    legal-only items are applied for when ``applicant`` is a natural person (张三 opens
    张三理发店).

    At a window (``window``), assisted (``assisted``) or by proxy (``proxy``): a clerk
    holding ``case.accept`` for every member's department files it (assisted / proxy on
    the applicant's behalf, with the consent noted, as ``case_create_draft``); the
    sub-cases record no visit of their own and the bundle records ONE visit when the
    applicant is present (window, assisted).

    The same ``idempotency_key`` from the same account returns the bundle case it made the
    first time (a double click or a retry never makes two); the same key for another bundle
    or applicant is 409 ``idempotency_key_reused``."""
    require_login(actor)
    now = now or clock.now()
    key = check_key(idempotency_key)
    if key:
        existing = BundleCase.objects.filter(created_by=actor, idempotency_key=key).first()
        if existing is not None:
            return _same_bundle_request(existing, bundle_version, applicant)
    if bundle_version.status != VersionStatus.PUBLISHED:
        raise ValidationFailed(_("该一件事未发布，不能申请"), code="bundle_not_published")
    if channel not in BUNDLE_CHANNELS:
        raise ValidationFailed(
            _("申请渠道无效：%(channel)s") % {"channel": channel or "—"},
            code="invalid_channel",
            fields={"channel": _("取值不在允许范围内")},
        )
    by_staff = channel in STAFF_CHANNELS
    if not by_staff:
        for who in (applicant, business):
            if who is not None and not who.users.filter(pk=actor.pk).exists():
                raise PermissionDenied(
                    _("您只能以本人或本人所代表的单位名义申请"), code="not_your_applicant"
                )
    members = applicable_items(bundle_version, answers or {}, require_all=True)
    clean_answers = {str(k): str(v) for k, v in (answers or {}).items()}
    versions = []
    for member in members:
        item = member.item
        current = item.current_version
        if current is None or current.status != VersionStatus.PUBLISHED:
            raise ValidationFailed(
                _("“%(item)s”暂未发布，该一件事暂不能申请") % {"item": item.code},
                code="item_not_published",
            )
        versions.append(current)
    if by_staff:
        service_point = _check_clerk(actor, versions, service_point)
    parts, errors = split_form(versions, form_data or {})
    if errors:
        raise ValidationFailed(
            _("申请表有%(n)d处需要修改") % {"n": len(errors)}, code="form_invalid", fields=errors
        )
    on_behalf = by_staff and (bool(on_behalf) or channel in ON_BEHALF_CHANNELS)
    try:
        return _create(
            actor=actor,
            bundle_version=bundle_version,
            applicant=applicant,
            business=business,
            clean_answers=clean_answers,
            versions=versions,
            parts=parts,
            channel=channel,
            by_staff=by_staff,
            service_point=service_point,
            on_behalf=on_behalf,
            consent_note=consent_note,
            key=key,
            now=now,
        )
    except IntegrityError:
        # A concurrent request with the same key won the race: return its bundle case.
        winner = (
            BundleCase.objects.filter(created_by=actor, idempotency_key=key).first()
            if key
            else None
        )
        if winner is None:
            raise
        return _same_bundle_request(winner, bundle_version, applicant)


def _same_bundle_request(
    bundle_case: BundleCase, bundle_version: BundleVersion, applicant: Applicant
) -> BundleCase:
    if (
        bundle_case.bundle_id != bundle_version.bundle_id
        or bundle_case.applicant_id != applicant.pk
    ):
        raise Conflict(
            _("该 Idempotency-Key 已用于另一笔申请（%(number)s），请使用新的键")
            % {"number": bundle_case.number},
            code="idempotency_key_reused",
        )
    return bundle_case


def _create(
    *,
    actor: Any,
    bundle_version: BundleVersion,
    applicant: Applicant,
    business: Applicant | None,
    clean_answers: dict[str, str],
    versions: list[Any],
    parts: list[dict[str, Any]],
    channel: str,
    by_staff: bool,
    service_point: ServicePoint | None,
    on_behalf: bool,
    consent_note: str,
    key: str,
    now: datetime,
) -> BundleCase:
    with transaction.atomic():
        day = timezone.localtime(now).strftime("%Y%m%d")
        seq = next_number(f"bundle_case:{day}")
        area = str(settings.ONEWINDOW["AREA_CODE"])[:6]
        bundle_case = BundleCase.objects.create(
            number=f"YJS{area}{day}{seq:05d}",
            bundle=bundle_version.bundle,
            bundle_version=bundle_version,
            applicant=applicant,
            answers=clean_answers,
            lead_department=bundle_version.bundle.lead_department,
            channel=channel,
            on_behalf=on_behalf,
            consent_note=(consent_note or "").strip()[:255] if by_staff else "",
            service_point=service_point if by_staff else None,
            created_by=actor,
            idempotency_key=key,
            created_at=now,
        )
        created = []
        for version, part in zip(versions, parts, strict=True):
            case = case_create_draft(
                actor=actor,
                version=version,
                applicant=_applicant_for(version, applicant, business),
                channel=channel,
                service_point=service_point if by_staff else None,
                on_behalf=on_behalf,
                consent_note=consent_note,
                form_data=part,
                own_visit=False,
                now=now,
            )
            case.bundle_case = bundle_case
            case.save(update_fields=["bundle_case"])
            created.append(case)
        if by_staff and channel in IN_PERSON_CHANNELS and service_point is not None:
            visit = record_visit(
                actor=actor,
                applicant=applicant,
                service_point=service_point,
                purpose=_("一件事窗口申请"),
                now=now,
            )
            bundle_case.visits.add(visit)
        record(
            action="bundle_case.created",
            actor=actor,
            obj=bundle_case,
            at=now,
            summary=f"{bundle_case.number} {bundle_version.name}",
            payload={
                "bundle": bundle_version.bundle.code,
                "version": bundle_version.number,
                "answers": clean_answers,
                "sub_cases": [c.number for c in created],
                "items": [c.item.code for c in created],
            },
        )
    return bundle_case
