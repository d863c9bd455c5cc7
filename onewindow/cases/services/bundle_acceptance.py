"""Acceptance of a bundle with missing materials (容缺) and the one-time notice (一次性告知)
at bundle level (docs/bundles.md "Acceptance with missing materials").

The applicant uploads each material type once for the whole bundle, so the officer names
material *types*: every sub-case slot of that type is concerned. The cases' own services do
the work on each sub-case concerned (one notice per sub-case: each department's own
numbered notice), in one transaction; the applicant gets ONE message for the bundle.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypedDict

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.cases.models import BundleCase, BundleCaseStatus, Case, CaseMaterial
from onewindow.cases.services.acceptance import PRESENT, Problem, case_request_correction
from onewindow.cases.services.bundle import accept_sub_cases, is_bundle_applicant, sub_cases_of
from onewindow.cases.services.bundle_access import authenticated, not_found, require_window
from onewindow.cases.services.bundle_messages import one_message, tell_bundle_applicant
from onewindow.cases.services.submission import case_resubmit
from onewindow.cases.states import PRE_ACCEPTANCE, CaseStatus
from onewindow.common import clock
from onewindow.common.errors import Conflict, ValidationFailed

B = BundleCaseStatus


class BundleProblem(TypedDict, total=False):
    material_type: str | None  # a material type code; None: a problem of every sub-case
    reason: str


def _slots(bundle_case: BundleCase, code: str) -> list[CaseMaterial]:
    return list(
        CaseMaterial.objects.filter(
            case__bundle_case=bundle_case,
            case__status__in=PRE_ACCEPTANCE,
            material_type__code=code,
        )
        .select_related("case", "material_type", "item_material")
        .order_by("case_id", "id")
    )


def _not_in_bundle(field: str, code: str) -> ValidationFailed:
    msg = _("本一件事没有待受理的“%(code)s”材料") % {"code": code}
    return ValidationFailed(msg, code="material_not_in_bundle", fields={field: [msg]})


def bundle_case_accept_with_missing(
    *,
    actor: Any,
    bundle_case: BundleCase,
    missing: list[tuple[str, date]],
    now: datetime | None = None,
) -> BundleCase:
    """容缺受理 of the whole bundle: ``missing`` lists material type codes and the date each
    is due (a working day, after today, within three months). Every sub-case with a slot of
    such a type still missing is accepted with ``case_accept_with_missing`` (its own 容缺
    notice; a core material cannot be missing); the others with ``case_accept``. All or
    none; ONE message to the applicant."""
    require_window(actor, bundle_case)
    if not missing:
        msg = _("请列出容缺的材料及补交期限")
        raise ValidationFailed(msg, code="missing_required", fields={"missing": [msg]})
    by_case: dict[int, list[tuple[CaseMaterial, Any]]] = {}
    seen: set[str] = set()
    for i, (code, due) in enumerate(missing):
        field = f"missing[{i}].material_type"
        if code in seen:
            msg = _("“%(code)s”重复列出") % {"code": code}
            raise ValidationFailed(msg, fields={field: [msg]})
        seen.add(code)
        slots = [s for s in _slots(bundle_case, code) if s.status not in PRESENT]
        if not slots:
            raise _not_in_bundle(field, code)
        for slot in slots:
            by_case.setdefault(slot.case_id, []).append((slot, due))
    return accept_sub_cases(actor=actor, bundle_case=bundle_case, missing=by_case, now=now)


def bundle_case_request_correction(
    *,
    actor: Any,
    bundle_case: BundleCase,
    problems: list[BundleProblem],
    now: datetime | None = None,
) -> BundleCase:
    """一次性告知 for the whole bundle: each problem names a material type (every sub-case
    slot of that type is marked defective) or none (the form: every sub-case). Each
    sub-case concerned gets its department's one-time notice; the others wait, submitted;
    the applicant gets ONE message listing everything. All or none."""
    require_window(actor, bundle_case)
    now = now or clock.now()
    if not problems:
        msg = _("请列出需要补正的全部材料及原因")
        raise ValidationFailed(msg, code="problems_required", fields={"problems": [msg]})
    with transaction.atomic():
        fresh = BundleCase.objects.select_for_update().get(pk=bundle_case.pk)
        if fresh.status != B.SUBMITTED:
            raise Conflict(
                _("一件事办件当前状态为“%(status)s”，不能一次性告知")
                % {"status": B(fresh.status).label},
                code="illegal_transition",
                fields={"status": fresh.status, "transition": "request_correction"},
            )
        subs = [c for c in sub_cases_of(fresh) if c.status in PRE_ACCEPTANCE]
        per_case: dict[int, list[Problem]] = {c.pk: [] for c in subs}
        names: list[str] = []
        for i, p in enumerate(problems):
            reason = str(p.get("reason") or "").strip()
            if not reason:
                msg = _("请填写原因")
                raise ValidationFailed(msg, fields={f"problems[{i}].reason": [msg]})
            code = p.get("material_type")
            if not code:
                for c in subs:
                    per_case[c.pk].append({"material": None, "reason": reason})
                names.append(_("申请表"))
                continue
            slots = _slots(fresh, code)
            if not slots:
                raise _not_in_bundle(f"problems[{i}].material_type", code)
            for slot in slots:
                per_case[slot.case_id].append({"material": slot, "reason": reason})
            names.append(slots[0].material_type.name)
        concerned: list[Case] = [c for c in subs if per_case[c.pk]]
        with one_message(fresh):
            for case in concerned:
                case_request_correction(actor=actor, case=case, problems=per_case[case.pk], now=now)
        record(
            action="bundle_case.correction_requested",
            actor=actor,
            obj=fresh,
            at=now,
            summary=f"{fresh.number} 一次性告知 {len(problems)}项",
            payload={
                "problems": [
                    {"material_type": p.get("material_type"), "reason": p.get("reason")}
                    for p in problems
                ],
                "sub_cases": [c.number for c in concerned],
            },
        )
        tell_bundle_applicant(
            fresh, "bundle_case.one_time_notice", now=now, materials="、".join(names)
        )
    return bundle_case


def bundle_case_resubmit(
    *, actor: Any, bundle_case: BundleCase, now: datetime | None = None
) -> BundleCase:
    """After the one-time notice: every sub-case awaiting correction is resubmitted
    (``case_resubmit``: its defective materials replaced), all or none; the bundle can then
    be accepted at one window."""
    authenticated(actor)
    now = now or clock.now()
    if not is_bundle_applicant(actor, bundle_case):
        raise not_found()
    with transaction.atomic():
        fresh = BundleCase.objects.select_for_update().get(pk=bundle_case.pk)
        waiting = [c for c in sub_cases_of(fresh) if c.status == CaseStatus.AWAITING_CORRECTION]
        if fresh.status != B.SUBMITTED or not waiting:
            raise Conflict(
                _("一件事办件没有待补齐材料的事项"),
                code="illegal_transition",
                fields={"status": fresh.status, "transition": "resubmit"},
            )
        with one_message(fresh):
            for case in waiting:
                case_resubmit(actor=actor, case=case, now=now)
        record(
            action="bundle_case.resubmitted",
            actor=actor,
            obj=fresh,
            at=now,
            summary=fresh.number,
            payload={"sub_cases": [c.number for c in waiting]},
        )
        tell_bundle_applicant(fresh, "bundle_case.submitted", now=now, count=len(waiting))
    return bundle_case
