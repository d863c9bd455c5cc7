"""Ways in: creating a case (online, at a window, assisted, by proxy), filling its form,
uploading its materials, submitting it, resubmitting after a one-time notice, and the
visits an applicant makes in person.

Every function is one business action: keyword-only, explicit ``actor``, validates before
it writes, writes and audits in one ``transaction.atomic``; status changes only through
``workflow.apply_transition``. Files are written to storage inside the transaction (before
it commits); a rolled-back or killed transaction leaves them orphaned, and
``manage.py cases_clean_orphans`` removes them.
"""

from __future__ import annotations

import importlib
import logging
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import record
from onewindow.cases import sources
from onewindow.cases.formdata import validate_form
from onewindow.cases.models import Case, CaseMaterial, Channel, MaterialStatus, Visit
from onewindow.cases.selectors import is_linked
from onewindow.cases.states import CLOCK_RUNNING, CLOCK_STOPPED, PRE_ACCEPTANCE, CaseStatus
from onewindow.cases.uploads import inspect_upload
from onewindow.cases.workflow import apply_transition, is_own_case, next_number
from onewindow.catalog.models import ItemVersion, MaterialSource, SubjectType, VersionStatus
from onewindow.common import clock
from onewindow.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.org.models import Applicant, ApplicantKind, RoleAssignment, ServicePoint, Window
from onewindow.org.permissions import has_capability, roles_with

log = logging.getLogger(__name__)

SELF_CHANNELS = frozenset({Channel.ONLINE, Channel.KIOSK})
STAFF_CHANNELS = frozenset({Channel.WINDOW, Channel.ASSISTED, Channel.PROXY})
ON_BEHALF_CHANNELS = frozenset({Channel.ASSISTED, Channel.PROXY})
# The applicant is in front of the clerk: creating the case is a visit (跑动).
IN_PERSON_CHANNELS = frozenset({Channel.WINDOW, Channel.ASSISTED})
# Any material may be (re)placed while the applicant holds the case.
EDITABLE = frozenset({CaseStatus.DRAFT, CaseStatus.AWAITING_CORRECTION, CaseStatus.RETURNED})
# A case still being handled: 容缺 and defective materials may be supplied.
OPEN = PRE_ACCEPTANCE | CLOCK_RUNNING | CLOCK_STOPPED
PRESENT = frozenset({MaterialStatus.UPLOADED, MaterialStatus.OBTAINED, MaterialStatus.VERIFIED})
MAX_KEY_LENGTH = 64
# What an upload writes on the material row.
UPLOAD_FIELDS = [
    "file",
    "original_name",
    "content_type",
    "size",
    "sha256",
    "uploaded_at",
    "uploaded_by",
    "status",
]


# ---------------------------------------------------------------------------- helpers


def area6() -> str:
    return str(settings.ONEWINDOW["AREA_CODE"])[:6]


def require_login(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("请先登录"), code="login_required")


def check_key(key: str) -> str:
    key = (key or "").strip()
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(
            _("Idempotency-Key 应为不超过64个字符的可打印文本"),
            code="invalid_idempotency_key",
            fields={"idempotency_key": _("格式不正确")},
        )
    return key


def key_winner(actor: Any, key: str, version: ItemVersion, applicant: Applicant) -> Case | None:
    """After a unique-key violation: the case a concurrent request with the same
    ``key`` made (checked to be the same application), or None (then re-raise)."""
    if not key:
        return None
    winner = Case.objects.filter(created_by=actor, idempotency_key=key).first()
    return None if winner is None else same_request(winner, version, applicant)


def same_request(case: Case, version: ItemVersion, applicant: Applicant) -> Case:
    if case.item_id != version.item_id or case.applicant_id != applicant.pk:
        raise Conflict(
            _("该 Idempotency-Key 已用于另一笔申请（%(number)s），请使用新的键")
            % {"number": case.number},
            code="idempotency_key_reused",
        )
    return case


def _is_staff_for(actor: Any, case: Case) -> bool:
    return has_capability(actor, "case.accept", department=case.department)


def _may_fill(actor: Any, case: Case) -> bool:
    """The applicant's side of a case: the applicant's accounts, whoever filed it, and
    (for cases filed at a window or on behalf) the accepting staff of the department."""
    if is_own_case(actor, case):
        return True
    return case.channel in STAFF_CHANNELS and _is_staff_for(actor, case)


def default_service_point(actor: Any) -> ServicePoint | None:
    points = (
        RoleAssignment.objects.filter(user=actor, role__in=roles_with("case.accept"))
        .exclude(service_point=None)
        .values_list("service_point", flat=True)
        .distinct()
    )
    ids = list(points[:2])
    return ServicePoint.objects.get(pk=ids[0]) if len(ids) == 1 else None


def check_subject(version: ItemVersion, applicant: Applicant) -> None:
    if version.subject_type == SubjectType.LEGAL and applicant.kind != ApplicantKind.LEGAL:
        raise ValidationFailed(
            _("“%(item)s”仅面向法人及其他组织，请以单位（如个体工商户、企业）名义申请")
            % {"item": version.name},
            code="subject_type_mismatch",
            fields={"applicant": _("申请人类型不符")},
        )
    if version.subject_type == SubjectType.NATURAL and applicant.kind != ApplicantKind.NATURAL:
        raise ValidationFailed(
            _("“%(item)s”仅面向自然人，单位不能申请") % {"item": version.name},
            code="subject_type_mismatch",
            fields={"applicant": _("申请人类型不符")},
        )


def notify_applicant(case: Case, template: str, now: datetime) -> None:
    """Tell the applicant through the notify outbox, if that app provides it (the rows are
    written in this transaction and sent after commit)."""
    try:
        services = importlib.import_module("onewindow.notify.services")
    except ImportError:
        return
    notify = getattr(services, "notify", None)
    if notify is None:
        return
    context = {
        "centre": str(settings.ONEWINDOW.get("CENTRE_NAME", "")),
        "number": case.number,
        "item": case.item_version.name,
    }
    users = list(case.applicant.users.all())
    for user in users:
        notify(recipient_user=user, template=template, context=context, obj=case, now=now)
    if not users and case.applicant.phone:
        notify(
            phone=case.applicant.phone,
            channels=("sms",),
            template=template,
            context=context,
            obj=case,
            now=now,
        )


def _locked(case: Case) -> Case:
    """The case again, under a row lock, with what submitting and the response read."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("item", "item_version", "department", "applicant", "current_step")
        .get(pk=case.pk)
    )


def _locked_status(case: Case) -> CaseStatus:
    """The case's status, read again under a row lock (nothing else is needed)."""
    locked = Case.objects.select_for_update().filter(pk=case.pk)
    return CaseStatus(locked.values_list("status", flat=True).get())


_HANDED_OVER = "_onewindow_handed_over"


def hand_over(obj: Any, name: str, rows: list[Any]) -> None:
    """Leave ``rows`` (what ``obj.<name>`` holds right now) for the caller's response, so
    that it need not read them again; ``take_handed_over`` takes them, once."""
    obj.__dict__.setdefault(_HANDED_OVER, {})[name] = rows


def take_handed_over(obj: Any, name: str) -> list[Any] | None:
    """The rows a service left on ``obj`` for ``name`` (then forgotten: read them right
    after the service call, before anything else changes), or None."""
    rows: list[Any] | None = obj.__dict__.get(_HANDED_OVER, {}).pop(name, None)
    return rows


def _replayed(case: Case, key: str) -> bool:
    """True if this case was already submitted (or resubmitted) with ``key``."""
    if not key:
        return False
    return AuditEvent.objects.filter(
        action__in=("case.submit", "case.resubmit"),
        object_type=case._meta.label_lower,
        object_id=str(case.pk),
        payload__idempotency_key=key,
    ).exists()


def _check_complete(case: Case) -> list[str]:
    """Refuse (every problem at once) unless the form is valid and every required core
    material is present; return the names of missing non-core materials (allowed: 容缺)."""
    errors: dict[str, Any] = {}
    try:
        case.form_data = validate_form(case.item_version, case.form_data)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    missing_core: list[str] = []
    missing_non_core: list[str] = []
    materials = list(case.materials.select_related("item_material", "material_type"))
    hand_over(case, "materials", materials)  # the response lists them
    for m in materials:
        im = m.item_material
        if not im.required:
            continue
        if m.status == MaterialStatus.DEFECTIVE:
            errors[f"materials.{m.pk}"] = _("“%(name)s”需补正后重新上传") % {
                "name": m.material_type.name
            }
            missing_core.append(m.material_type.name)
        elif m.status not in PRESENT and m.status != MaterialStatus.MISSING_ALLOWED:
            if im.core:
                errors[f"materials.{m.pk}"] = _("请上传“%(name)s”") % {"name": m.material_type.name}
                missing_core.append(m.material_type.name)
            else:
                missing_non_core.append(m.material_type.name)
    if errors:
        if missing_core:
            message = _("以下材料尚未提交：%(names)s") % {"names": "、".join(missing_core)}
            code = "materials_missing"
        else:
            message = _("申请表有%(n)d处需要修改") % {"n": len(errors)}
            code = "form_invalid"
        raise ValidationFailed(message, code=code, fields=errors)
    return missing_non_core


def fault_pause(point: str) -> None:
    """Test-only fault injection, off unless the server's environment sets it:
    ``ONEWINDOW_FAULT_PAUSE=upload,submit`` sleeps ``ONEWINDOW_FAULT_PAUSE_S`` seconds
    (default 30) at that point inside the transaction, after touching a file in
    ``ONEWINDOW_FAULT_PAUSE_MARK`` (a folder), so that tests/faults can kill -9 the server
    in the middle of a submission."""
    points = os.environ.get("ONEWINDOW_FAULT_PAUSE", "")
    if not points or point not in points.split(","):
        return
    mark = os.environ.get("ONEWINDOW_FAULT_PAUSE_MARK")
    if mark:
        (Path(mark) / f"{point}-{os.getpid()}").touch()
    time.sleep(float(os.environ.get("ONEWINDOW_FAULT_PAUSE_S", "30")))


# ---------------------------------------------------------------------------- creating


def check_channel(
    *,
    actor: Any,
    version: ItemVersion,
    applicant: Applicant,
    channel: str,
    service_point: ServicePoint | None,
    on_behalf: bool,
    consent_note: str,
) -> tuple[ServicePoint | None, bool, str]:
    """Whether ``version`` may be filed for ``applicant`` through ``channel`` and by whom
    (see ``case_create_draft``): a known channel, a published version, the actor's right to
    the channel, the applicant's type; returns the service point, whether it is filed on
    behalf and the cleaned consent note, or raises."""
    if channel not in Channel.values:
        raise ValidationFailed(
            _("申请渠道无效：%(channel)s") % {"channel": channel or "—"},
            code="invalid_channel",
            fields={"channel": _("取值不在允许范围内")},
        )
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationFailed(
            _("“%(item)s”的该版本办事指南未发布，不能申请") % {"item": version.name},
            code="item_not_published",
        )
    department = version.item.department
    on_behalf = bool(on_behalf) or channel in ON_BEHALF_CHANNELS
    consent_note = (consent_note or "").strip()
    if channel in SELF_CHANNELS:
        if on_behalf:
            raise ValidationFailed(_("代为申请请选择“帮办”或“代办”渠道"), code="invalid_channel")
        if not is_linked(applicant, actor):
            raise PermissionDenied(
                _("您只能以本人或本人所代表的单位名义申请"), code="not_your_applicant"
            )
        service_point = None
    else:
        if not has_capability(actor, "case.accept", department=department):
            raise PermissionDenied(_("您没有受理“%(dept)s”事项的权限") % {"dept": department.name})
        if service_point is None:
            service_point = default_service_point(actor)
        if service_point is None:
            raise ValidationFailed(
                _("请选择受理网点"),
                code="service_point_required",
                fields={"service_point": _("请选择受理网点")},
            )
        if not has_capability(
            actor, "case.accept", department=department, service_point=service_point
        ):
            raise PermissionDenied(
                _("您没有在该网点受理“%(dept)s”事项的权限") % {"dept": department.name}
            )
        if channel == Channel.WINDOW and on_behalf:
            raise ValidationFailed(_("代为申请请选择“帮办”或“代办”渠道"), code="invalid_channel")
        if on_behalf and not consent_note:
            raise ValidationFailed(
                _("需注明申请人的授权或同意"),
                code="consent_required",
                fields={"consent_note": _("需注明申请人的授权或同意")},
            )
    if len(consent_note) > 255:
        raise ValidationFailed(
            _("授权说明不能超过255个字符"),
            code="validation_failed",
            fields={"consent_note": _("不能超过255个字符")},
        )
    check_subject(version, applicant)
    return service_point, on_behalf, consent_note


def case_create_draft(
    *,
    actor: Any,
    version: ItemVersion,
    applicant: Applicant,
    channel: str = Channel.ONLINE,
    service_point: ServicePoint | None = None,
    on_behalf: bool = False,
    consent_note: str = "",
    form_data: dict[str, Any] | None = None,
    idempotency_key: str = "",
    own_visit: bool = True,
    now: datetime | None = None,
) -> Case:
    """Open a draft case of ``version`` for ``applicant``.

    Online (or at a kiosk) only from an account linked to the applicant; at a window
    (``window``), assisted (``assisted``) or by proxy (``proxy``) only by staff holding
    ``case.accept`` for the item's department (and the service point, if their role is
    scoped to one); assisted and proxy cases are filed on behalf and need the applicant's
    consent noted. The same ``idempotency_key`` from the same account returns the case it
    made the first time. ``own_visit=False`` files in person without recording a visit
    of its own (a bundle's sub-case: the bundle records its one visit)."""
    require_login(actor)
    now = now or clock.now()
    key = check_key(idempotency_key)
    if key:
        existing = Case.objects.filter(created_by=actor, idempotency_key=key).first()
        if existing is not None:
            return same_request(existing, version, applicant)
    service_point, on_behalf, consent_note = check_channel(
        actor=actor,
        version=version,
        applicant=applicant,
        channel=channel,
        service_point=service_point,
        on_behalf=on_behalf,
        consent_note=consent_note,
    )
    cleaned = validate_form(version, form_data or {}, partial=True)
    try:
        with transaction.atomic():
            case = _create(
                actor=actor,
                version=version,
                applicant=applicant,
                channel=channel,
                service_point=service_point,
                on_behalf=on_behalf,
                consent_note=consent_note,
                form_data=cleaned,
                key=key,
                own_visit=own_visit,
                now=now,
            )
    except IntegrityError:
        winner = key_winner(actor, key, version, applicant)
        if winner is None:
            raise
        return winner
    return case


def new_case_row(
    *,
    actor: Any,
    version: ItemVersion,
    applicant: Applicant,
    channel: str,
    service_point: ServicePoint | None,
    on_behalf: bool,
    consent_note: str,
    form_data: dict[str, Any],
    key: str,
    now: datetime,
) -> Case:
    """The case row of a new draft with its number (area, day, the day's sequence); inside
    the caller's transaction. A replayed ``key`` fails here on the unique (account, key)."""
    day = timezone.localtime(now).strftime("%Y%m%d")
    seq = next_number(f"case:{day}")
    return Case.objects.create(
        number=f"{area6()}{day}{seq:06d}",
        item=version.item,
        item_version=version,
        department=version.item.department,
        applicant=applicant,
        channel=channel,
        created_by=actor,
        on_behalf=on_behalf,
        consent_note=consent_note,
        service_point=service_point,
        form_data=form_data,
        idempotency_key=key,
        created_at=now,
    )


def _create(
    *,
    actor: Any,
    version: ItemVersion,
    applicant: Applicant,
    channel: str,
    service_point: ServicePoint | None,
    on_behalf: bool,
    consent_note: str,
    form_data: dict[str, Any],
    key: str,
    own_visit: bool,
    now: datetime,
) -> Case:
    case = new_case_row(
        actor=actor,
        version=version,
        applicant=applicant,
        channel=channel,
        service_point=service_point,
        on_behalf=on_behalf,
        consent_note=consent_note,
        form_data=form_data,
        key=key,
        now=now,
    )
    rows: list[CaseMaterial] = []
    obtained: list[str] = []
    for im in version.materials.select_related("material_type").order_by("order", "id"):
        row = CaseMaterial(case=case, item_material=im, material_type=im.material_type)
        if im.source in (MaterialSource.ELICENCE, MaterialSource.DEPARTMENT):
            found = sources.obtain(applicant, im.material_type)
            if found is not None:
                row.status = MaterialStatus.OBTAINED
                row.obtained_from = found[1]
                obtained.append(im.material_type.name)
        rows.append(row)
    CaseMaterial.objects.bulk_create(rows)
    # A new case: its materials are these rows; no notice, transition or visit yet.
    hand_over(case, "materials", rows)
    hand_over(case, "notices", [])
    hand_over(case, "transitions", [])
    hand_over(case, "visits", [])
    record(
        action="case.created",
        actor=actor,
        obj=case,
        at=now,
        summary=f"{case.number} {version.name}",
        payload={
            "item": version.item.code,
            "version": version.number,
            "applicant": applicant.pk,
            "channel": channel,
            "on_behalf": on_behalf,
            "consent_note": consent_note,
            "service_point": service_point.code if service_point else None,
            "obtained": obtained,
            "idempotency_key": key,
        },
    )
    if own_visit and channel in IN_PERSON_CHANNELS and service_point is not None:
        visit = add_visit(
            actor=actor,
            applicant=applicant,
            service_point=service_point,
            window=None,
            case=case,
            purpose=_("窗口申请") if channel == Channel.WINDOW else _("帮办申请"),
            now=now,
        )
        hand_over(case, "visits", [visit])
    return case


def case_update_draft(
    *, actor: Any, case: Case, form_data: dict[str, Any], now: datetime | None = None
) -> Case:
    """Save form values (only the keys given; an empty value clears a field). Allowed while
    the applicant holds the case: a draft, or awaiting correction / returned."""
    require_login(actor)
    now = now or clock.now()
    if not _may_fill(actor, case):
        raise NotFound(_("未找到该办件"), code="case_not_found")
    if not isinstance(form_data, dict):
        raise ValidationFailed(_("申请表内容应为对象"), code="form_invalid")
    cleaned = validate_form(case.item_version, form_data, partial=True)
    cleared = [k for k in form_data if k not in cleaned]
    with transaction.atomic():
        case = _locked(case)
        if case.status not in EDITABLE:
            raise Conflict(
                _("办件当前状态为“%(status)s”，不能修改申请表")
                % {"status": CaseStatus(case.status).label},
                code="case_not_editable",
            )
        data = {k: v for k, v in case.form_data.items() if k not in cleared}
        data.update(cleaned)
        before = case.form_data
        changed = sorted(k for k in set(data) | set(before) if data.get(k) != before.get(k))
        if changed:
            case.form_data = data
            case.save(update_fields=["form_data"])
            record(
                action="case.form_updated",
                actor=actor,
                obj=case,
                at=now,
                summary=case.number,
                payload={"changed": changed},
            )
    return case


# ---------------------------------------------------------------------------- materials


def material_upload(
    *,
    actor: Any,
    case: Case,
    case_material: CaseMaterial,
    uploaded_file: Any,
    now: datetime | None = None,
) -> CaseMaterial:
    """Store a checked file in a material slot (replacing any earlier file, audited)."""
    require_login(actor)
    now = now or clock.now()
    if case_material.case_id != case.pk:
        raise NotFound(_("未找到该材料"), code="material_not_found")
    if not _may_fill(actor, case):
        raise NotFound(_("未找到该办件"), code="case_not_found")
    inspected = inspect_upload(uploaded_file)  # before anything is written
    with transaction.atomic():
        status = _locked_status(case)
        material = (
            CaseMaterial.objects.select_for_update(of=("self",))
            .select_related("material_type", "item_material")
            .get(pk=case_material.pk)
        )
        if material.status == MaterialStatus.OBTAINED:
            raise Conflict(
                _("“%(name)s”已由中心调取（%(ref)s），无需上传")
                % {"name": material.material_type.name, "ref": material.obtained_from},
                code="material_obtained",
            )
        supplying = material.status in (MaterialStatus.MISSING_ALLOWED, MaterialStatus.DEFECTIVE)
        if status not in EDITABLE and not (supplying and status in OPEN):
            raise Conflict(
                _("办件当前状态为“%(status)s”，不能上传“%(name)s”")
                % {"status": status.label, "name": material.material_type.name},
                code="material_upload_closed",
            )
        previous = material.file.name if material.file else ""
        previous_status = material.status
        previous_sha = material.sha256
        name = f"{case.number}-{material.pk}-{inspected.sha256[:16]}.{inspected.extension}"
        material.file.save(name, uploaded_file, save=False)  # written before commit
        material.original_name = str(getattr(uploaded_file, "name", "") or "")[:255]
        material.content_type = inspected.content_type
        material.size = inspected.size
        material.sha256 = inspected.sha256
        material.uploaded_at = now
        material.uploaded_by = actor
        material.status = MaterialStatus.UPLOADED
        material.save(update_fields=UPLOAD_FIELDS)
        record(
            action="case.material_uploaded",
            actor=actor,
            obj=case,
            at=now,
            summary=f"{case.number} {material.material_type.name}",
            payload={
                "material": material.pk,
                "material_type": material.material_type.code,
                "name": material.material_type.name,
                "content_type": inspected.content_type,
                "size": inspected.size,
                "sha256": inspected.sha256,
                "replaced": bool(previous),
                "previous_sha256": previous_sha,
                "previous_status": previous_status,
            },
        )
        if previous and previous != material.file.name:
            transaction.on_commit(lambda: _delete_if_unreferenced(previous))
        fault_pause("upload")  # the file is written, the rows are not committed
    return material


def _delete_if_unreferenced(name: str) -> None:
    if not CaseMaterial.objects.filter(file=name).exists():
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover - the orphan sweep retries
            log.warning("could not delete replaced file %s", name)


# ---------------------------------------------------------------------------- submitting


def case_submit(
    *, actor: Any, case: Case, now: datetime | None = None, idempotency_key: str = ""
) -> Case:
    """Submit a draft: the whole form valid, every required core material uploaded or
    obtained (non-core ones may be missing: the accepting officer decides on 容缺). A
    retry with the same ``idempotency_key`` returns the submitted case unchanged."""
    require_login(actor)
    now = now or clock.now()
    key = check_key(idempotency_key)
    with transaction.atomic():
        case = _locked(case)
        if not _may_fill(actor, case):
            raise NotFound(_("未找到该办件"), code="case_not_found")
        if case.status != CaseStatus.DRAFT and _replayed(case, key):
            return case
        if case.status != CaseStatus.DRAFT:
            raise Conflict(
                _("办件当前状态为“%(status)s”，不能再次提交")
                % {"status": CaseStatus(case.status).label},
                code="illegal_transition",
                fields={"status": case.status, "transition": "submit"},
            )
        missing_non_core = _check_complete(case)
        case.submitted_at = now
        case.received_at = now
        apply_transition(
            case,
            "submit",
            actor=actor,
            target=CaseStatus.SUBMITTED,
            now=now,
            payload={"idempotency_key": key, "missing_non_core": missing_non_core},
            save_fields=("submitted_at", "received_at", "form_data"),
        )
        notify_applicant(case, "case.submitted", now)
        fault_pause("submit")  # everything written, nothing committed
    return case


def case_resubmit(
    *, actor: Any, case: Case, now: datetime | None = None, idempotency_key: str = ""
) -> Case:
    """After a one-time notice (awaiting correction → submitted): every material marked
    defective replaced, every required core material present, the form valid. The
    materials count as received again from now."""
    require_login(actor)
    now = now or clock.now()
    key = check_key(idempotency_key)
    with transaction.atomic():
        case = _locked(case)
        if not _may_fill(actor, case):
            raise NotFound(_("未找到该办件"), code="case_not_found")
        if case.status != CaseStatus.AWAITING_CORRECTION and _replayed(case, key):
            return case
        if case.status != CaseStatus.AWAITING_CORRECTION:
            raise Conflict(
                _("办件当前状态为“%(status)s”，不能补齐后重新提交")
                % {"status": CaseStatus(case.status).label},
                code="illegal_transition",
                fields={"status": case.status, "transition": "resubmit"},
            )
        missing_non_core = _check_complete(case)
        case.received_at = now
        apply_transition(
            case,
            "resubmit",
            actor=actor,
            target=CaseStatus.SUBMITTED,
            now=now,
            payload={"idempotency_key": key, "missing_non_core": missing_non_core},
            save_fields=("received_at", "form_data"),
        )
    return case


# ---------------------------------------------------------------------------- visits


def add_visit(
    *,
    actor: Any,
    applicant: Applicant,
    service_point: ServicePoint,
    window: Window | None,
    case: Case | None,
    purpose: str,
    now: datetime,
) -> Visit:
    visit = Visit.objects.create(
        case=case,
        applicant=applicant,
        service_point=service_point,
        window=window,
        at=now,
        purpose=purpose,
        recorded_by=actor,
    )
    record(
        action="case.visit_recorded",
        actor=actor,
        obj=visit,
        at=now,
        summary=f"{applicant.name} {service_point.name} {purpose}",
        payload={
            "case": case.number if case else None,
            "service_point": service_point.code,
            "window": window.number if window else None,
            "purpose": purpose,
        },
    )
    return visit


def record_visit(
    *,
    actor: Any,
    applicant: Applicant,
    service_point: ServicePoint,
    window: Window | None = None,
    case: Case | None = None,
    purpose: str,
    now: datetime | None = None,
) -> Visit:
    """Record that ``applicant`` came in person (跑动次数 is measured from these). Staff
    serving the service point only (``case.accept`` or ``hall.serve``)."""
    require_login(actor)
    now = now or clock.now()
    if not (
        has_capability(actor, "case.accept", service_point=service_point)
        or has_capability(actor, "hall.serve", service_point=service_point)
    ):
        raise PermissionDenied(_("您没有在该网点登记来访的权限"))
    purpose = (purpose or "").strip()
    errors: dict[str, str] = {}
    if not purpose:
        errors["purpose"] = _("请填写来访事由")
    elif len(purpose) > 64:
        errors["purpose"] = _("来访事由不能超过64个字符")
    if window is not None and window.service_point_id != service_point.pk:
        errors["window"] = _("该窗口不属于所选网点")
    if case is not None and case.applicant_id != applicant.pk:
        errors["case"] = _("该办件不是此申请人的办件")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    with transaction.atomic():
        return add_visit(
            actor=actor,
            applicant=applicant,
            service_point=service_point,
            window=window,
            case=case,
            purpose=purpose,
            now=now,
        )
