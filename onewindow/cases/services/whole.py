"""A whole application in one call: create the case, store every material and submit it,
all or nothing (``case_submit_whole``).

This is the way in for clients that hold the complete application before they send it:
a self-service kiosk, a window scanner, another government platform pushing an application
it collected (the national platform's 申报推送), or a front end that validates locally. The
rules are those of the three separate steps (``case_create_draft``, ``material_upload``,
``case_submit``) with the same checks in the same order, the same rows and the same audit
events (``case.created``, one ``case.material_uploaded`` per file, ``case.submit``); only
the round trips differ: everything is checked before anything is written, and everything
is written in one transaction.

A published item version never changes (only drafts are edited), so what a version asks
for -- its material slots and its form rules -- is read once per process and kept
(``version_spec``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onewindow.audit.services import Event, record_many
from onewindow.cases import sources
from onewindow.cases.formdata import Rules, rules_for, validate_form
from onewindow.cases.models import Case, CaseMaterial, Channel, MaterialStatus
from onewindow.cases.services.submission import (
    IN_PERSON_CHANNELS,
    add_visit,
    check_channel,
    check_key,
    fault_pause,
    hand_over,
    key_winner,
    new_case_row,
    notify_applicant,
    require_login,
)
from onewindow.cases.states import CaseStatus
from onewindow.cases.uploads import Inspected, inspect_upload
from onewindow.cases.workflow import apply_transition
from onewindow.catalog.models import ItemMaterial, ItemVersion, MaterialSource, VersionStatus
from onewindow.common import clock
from onewindow.common.errors import ValidationFailed
from onewindow.org.models import Applicant, ServicePoint

# At most this many files in one application (a version has far fewer material slots).
MAX_FILES = 50


@dataclass(frozen=True)
class VersionSpec:
    """What a published version asks for, read once: its material slots (in order, with
    their material types) and the rules of its form."""

    materials: tuple[ItemMaterial, ...]
    by_code: Mapping[str, ItemMaterial]
    rules: tuple[Rules, ...]


_specs: dict[tuple[int, int, datetime | None], VersionSpec] = {}
_specs_lock = Lock()


def version_spec(version: ItemVersion) -> VersionSpec:
    """The version's material slots and form rules, kept per process for published
    versions (keyed by id, item and publication time: ids of rolled-back test rows may be
    reused, a publication time with them is not)."""
    key = (version.pk, version.item_id, version.published_at)
    spec = _specs.get(key) if version.status != VersionStatus.DRAFT else None
    if spec is not None:
        return spec
    materials = tuple(version.materials.select_related("material_type").order_by("order", "id"))
    spec = VersionSpec(
        materials=materials,
        by_code={m.material_type.code: m for m in materials},
        rules=tuple(rules_for(version)),
    )
    if version.status != VersionStatus.DRAFT:
        with _specs_lock:
            if len(_specs) > 2000:  # a long-running process: forget, re-read on demand
                _specs.clear()
            _specs[key] = spec
    return spec


def forget_version_specs() -> None:
    """Drop every kept spec (tests that rebuild the catalogue)."""
    with _specs_lock:
        _specs.clear()


def _inspect_all(
    spec: VersionSpec, files: Mapping[str, Any]
) -> tuple[dict[str, tuple[ItemMaterial, Any, Inspected]], ValidationFailed | None]:
    """Every file checked against its slot and by its content: the files that passed, and
    one error listing every file that did not (``None`` when all passed)."""
    if len(files) > MAX_FILES:
        raise ValidationFailed(
            _("一次最多上传%(n)d份材料") % {"n": MAX_FILES}, code="too_many_files"
        )
    errors: dict[str, str] = {}
    checked: dict[str, tuple[ItemMaterial, Any, Inspected]] = {}
    for code, uploaded in files.items():
        im = spec.by_code.get(code)
        field = f"materials.{code}"
        if im is None:
            errors[field] = _("本事项不需要材料“%(code)s”") % {"code": code}
            continue
        if im.source != MaterialSource.APPLICANT and im.source not in (
            MaterialSource.ELICENCE,
            MaterialSource.DEPARTMENT,
        ):
            errors[field] = _("“%(name)s”无需申请人提供") % {"name": im.material_type.name}
            continue
        try:
            checked[code] = (im, uploaded, inspect_upload(uploaded))
        except ValidationFailed as exc:
            errors[field] = f"{im.material_type.name}：{exc.message}"
    if not errors:
        return checked, None
    first = next(iter(errors.values()))
    return checked, ValidationFailed(
        first if len(errors) == 1 else _("%(n)d份材料未通过检查") % {"n": len(errors)},
        code="materials_invalid",
        fields=errors,
    )


def _slots(
    spec: VersionSpec,
    applicant: Applicant,
    reported: Collection[str],
    checked: Mapping[str, tuple[ItemMaterial, Any, Inspected]],
) -> tuple[list[tuple[ItemMaterial, str]], list[str], list[str], ValidationFailed | None]:
    """Each slot's source (``"upload"``, ``"obtained:<ref>"`` or ``""`` for none), the
    names obtained by the centre, the missing non-core ones, and one error naming every
    required core material neither sent nor obtained (``None`` when none is missing). A
    slot already ``reported`` (its file refused) is not missing: that error says why."""
    slots: list[tuple[ItemMaterial, str]] = []
    obtained: list[str] = []
    missing_core: dict[str, str] = {}
    missing_non_core: list[str] = []
    for im in spec.materials:
        code = im.material_type.code
        found = None
        if im.source in (MaterialSource.ELICENCE, MaterialSource.DEPARTMENT):
            found = sources.obtain(applicant, im.material_type)
        if found is not None and code not in checked:
            slots.append((im, f"obtained:{found[1]}"))
            obtained.append(im.material_type.name)
        elif code in checked:
            slots.append((im, "upload"))
        else:
            slots.append((im, ""))
            if f"materials.{code}" in reported:
                continue
            if im.required and im.core:
                missing_core[f"materials.{code}"] = _("请上传“%(name)s”") % {
                    "name": im.material_type.name
                }
            elif im.required:
                missing_non_core.append(im.material_type.name)
    if not missing_core:
        return slots, obtained, missing_non_core, None
    names = "、".join(str(m).removeprefix("请上传") for m in missing_core.values())
    return (
        slots,
        obtained,
        missing_non_core,
        ValidationFailed(
            _("以下材料尚未提交：%(names)s") % {"names": names},
            code="materials_missing",
            fields=missing_core,
        ),
    )


def _refuse(problems: Sequence[ValidationFailed]) -> None:
    """Raise one error for every problem found in the request (nothing when there is
    none): a single kind keeps its own code and message; several kinds are ``form_invalid``
    "申请有N处需要修改". Either way ``fields`` lists every problem by field."""
    if not problems:
        return
    fields: dict[str, Any] = {}
    for problem in problems:
        fields.update(problem.fields or {"form_data": problem.message})
    if len(problems) == 1:
        raise ValidationFailed(problems[0].message, code=problems[0].code, fields=fields)
    codes = {p.code for p in problems}
    raise ValidationFailed(
        _("申请有%(n)d处需要修改") % {"n": len(fields)},
        code=codes.pop() if len(codes) == 1 else "form_invalid",
        fields=fields,
    )


def case_submit_whole(
    *,
    actor: Any,
    version: ItemVersion,
    applicant: Applicant,
    form_data: dict[str, Any] | None,
    files: Mapping[str, Any],
    channel: str = Channel.ONLINE,
    service_point: ServicePoint | None = None,
    on_behalf: bool = False,
    consent_note: str = "",
    idempotency_key: str = "",
    now: datetime | None = None,
    problems: Sequence[ValidationFailed] = (),
) -> Case:
    """Create, fill and submit a case of ``version`` for ``applicant`` in one transaction.

    ``files`` maps a material type code of the version to an uploaded file. The same rules
    as the separate steps apply: who may file through ``channel``, the applicant's type,
    the whole form valid, every file allowed and checked by its content, every required
    core material uploaded or obtained by the centre (non-core ones may be missing: the
    accepting officer decides on 容缺). Every problem is reported at once -- the form's
    fields, each refused file, each unknown material code, each missing core material,
    and the ``problems`` the caller found reading the request (a form that is not a JSON
    object, a misnamed file field) -- in one ``ValidationFailed`` whose ``fields`` name them
    all, and nothing is written. The same ``idempotency_key`` from the same account
    returns the case it made the first time (never a second case)."""
    require_login(actor)
    now = now or clock.now()
    key = check_key(idempotency_key)
    service_point, on_behalf, consent_note = check_channel(
        actor=actor,
        version=version,
        applicant=applicant,
        channel=channel,
        service_point=service_point,
        on_behalf=on_behalf,
        consent_note=consent_note,
    )
    spec = version_spec(version)
    found: list[ValidationFailed] = list(problems)
    cleaned: dict[str, Any] = {}
    if not any("form_data" in p.fields for p in found):  # the form was readable
        try:
            cleaned = validate_form(version, form_data or {}, rules=spec.rules)
        except ValidationFailed as exc:
            found.append(exc)
    checked, refused = _inspect_all(spec, files)
    if refused is not None:
        found.append(refused)
    reported = {field for p in found for field in p.fields}
    slots, obtained, missing_non_core, missing = _slots(spec, applicant, reported, checked)
    if missing is not None:
        found.append(missing)
    _refuse(found)
    try:
        with transaction.atomic():
            return _write(
                actor=actor,
                version=version,
                applicant=applicant,
                channel=channel,
                service_point=service_point,
                on_behalf=on_behalf,
                consent_note=consent_note,
                form_data=cleaned,
                slots=slots,
                checked=checked,
                obtained=obtained,
                missing_non_core=missing_non_core,
                key=key,
                now=now,
            )
    except IntegrityError:
        winner = key_winner(actor, key, version, applicant)
        if winner is None:
            raise
        return winner


def _write(
    *,
    actor: Any,
    version: ItemVersion,
    applicant: Applicant,
    channel: str,
    service_point: ServicePoint | None,
    on_behalf: bool,
    consent_note: str,
    form_data: dict[str, Any],
    slots: list[tuple[ItemMaterial, str]],
    checked: Mapping[str, tuple[ItemMaterial, Any, Inspected]],
    obtained: list[str],
    missing_non_core: list[str],
    key: str,
    now: datetime,
) -> Case:
    # A replayed key fails on the unique (created_by, idempotency_key) constraint at the
    # INSERT below, before any file is written; the caller then returns the first case.
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
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    label = case._meta.label_lower

    def event(action: str, summary: str, payload: dict[str, Any]) -> Event:
        return Event(
            action=action,
            actor_id=actor_id,
            object_type=label,
            object_id=str(case.pk),
            summary=summary,
            payload=payload,
        )

    events = [
        event(
            "case.created",
            f"{case.number} {version.name}",
            {
                "item": version.item.code,
                "version": version.number,
                "applicant": applicant.pk,
                "channel": channel,
                "on_behalf": on_behalf,
                "consent_note": consent_note,
                "service_point": service_point.code if service_point else None,
                "obtained": obtained,
                "idempotency_key": key,
                "whole": True,
            },
        )
    ]
    rows: list[CaseMaterial] = []
    for im, source in slots:
        row = CaseMaterial(case=case, item_material=im, material_type=im.material_type)
        if source.startswith("obtained:"):
            row.status = MaterialStatus.OBTAINED
            row.obtained_from = source.removeprefix("obtained:")
        elif source == "upload":
            uploaded, inspected = checked[im.material_type.code][1:]
            name = f"{case.number}-{im.pk}-{inspected.sha256[:16]}.{inspected.extension}"
            row.file.save(name, uploaded, save=False)  # written before commit
            row.original_name = str(getattr(uploaded, "name", "") or "")[:255]
            row.content_type = inspected.content_type
            row.size = inspected.size
            row.sha256 = inspected.sha256
            row.uploaded_at = now
            row.uploaded_by = actor
            row.status = MaterialStatus.UPLOADED
        rows.append(row)
    CaseMaterial.objects.bulk_create(rows)
    for row in rows:
        if row.status != MaterialStatus.UPLOADED:
            continue
        events.append(
            event(
                "case.material_uploaded",
                f"{case.number} {row.material_type.name}",
                {
                    "material": row.pk,
                    "material_type": row.material_type.code,
                    "name": row.material_type.name,
                    "content_type": row.content_type,
                    "size": row.size,
                    "sha256": row.sha256,
                    "replaced": False,
                    "previous_sha256": "",
                    "previous_status": MaterialStatus.PENDING.value,
                },
            )
        )
    record_many(events, at=now)
    hand_over(case, "materials", rows)
    hand_over(case, "notices", [])
    if channel in IN_PERSON_CHANNELS and service_point is not None:
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
    else:
        hand_over(case, "visits", [])
    case.submitted_at = now
    case.received_at = now
    transition = apply_transition(
        case,
        "submit",
        actor=actor,
        target=CaseStatus.SUBMITTED,
        now=now,
        payload={"idempotency_key": key, "missing_non_core": missing_non_core, "whole": True},
        save_fields=("submitted_at", "received_at"),
    )
    hand_over(case, "transitions", [transition])
    notify_applicant(case, "case.submitted", now)
    fault_pause("submit")  # everything written, nothing committed
    return case
