"""Partial refusal, stalls, ending and chasing (docs/bundles.md "Partial refusal").

When a department refuses a sub-case (``case_decide`` refused), ``on_refused`` acts at once,
inside the refusal's transaction, on the member's policy (``BundleMember.essential``,
``BundleVersion.on_refusal``):

* optional member: the applicant is told at once; the bundle waits for them
  (``awaiting_applicant``) until they drop the item (``bundle_member_drop``) — the rest
  goes on — or the lead ends the bundle;
* essential member, ``continue_without``: the applicant and the lead are told; the others
  go on; the outcome lists the refusal;
* essential member, ``end_bundle``: the bundle ends (``end_bundle``): every open sub-case is
  terminated through the ``withdraw`` transition (the applicant agreed to the bundle's rule
  when applying), the applicant and the lead are told.

A sub-case past its promised deadline (``bundle_cases_flag_stalled``, a sweep) is flagged
once; the applicant and the lead are told; an optional one may be dropped (it is then
withdrawn); the lead chases (``bundle_chase``) or ends the bundle (``bundle_case_end``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.bundles.models import BundleMember, RefusalPolicy
from onewindow.cases.models import (
    BundleCase,
    BundleCaseStatus,
    BundleChase,
    BundleIssue,
    Case,
    IssueKind,
    IssueResolution,
    TaskStatus,
)
from onewindow.cases.services.bundle_access import (
    authenticated,
    department_staff,
    require_applicant_side,
    require_lead,
    sub_case_of,
)
from onewindow.cases.services.bundle_messages import one_message, tell_bundle_applicant, tell_staff
from onewindow.cases.services.bundle_status import refresh_status
from onewindow.cases.services.processing import _cancel_tasks, _open_suspension, case_withdraw
from onewindow.cases.states import CLOCK_RUNNING, CLOCK_STOPPED, PRE_ACCEPTANCE, CaseStatus
from onewindow.cases.workflow import apply_transition
from onewindow.common import clock
from onewindow.common.errors import Conflict, ValidationFailed

B = BundleCaseStatus
S = CaseStatus
LIVE = frozenset({B.SUBMITTED, B.ACCEPTED, B.IN_PROGRESS, B.AWAITING_APPLICANT})
# Sub-cases the end of a bundle terminates (before a decision).
TERMINABLE = PRE_ACCEPTANCE | CLOCK_RUNNING | CLOCK_STOPPED | frozenset({S.DRAFT})
STALLING = CLOCK_RUNNING | CLOCK_STOPPED
MESSAGE_MAX = 500


def member_of(bundle_case: BundleCase, case: Case) -> BundleMember | None:
    return BundleMember.objects.filter(
        version_id=bundle_case.bundle_version_id, item_id=case.item_id
    ).first()


def is_essential(bundle_case: BundleCase, case: Case) -> bool:
    member = member_of(bundle_case, case)
    return True if member is None else bool(member.essential)


def _lead_staff(bundle_case: BundleCase) -> list[Any]:
    return department_staff(bundle_case.lead_department_id)


def _reason(case: Case) -> str:
    return (case.decision_reason or _("未说明理由"))[:200]


# ---------------------------------------------------------------------------- refusal


def on_refused(bundle_case: BundleCase, case: Case, *, now: datetime | None = None) -> None:
    """A sub-case has just been refused (inside ``case_decide``'s transaction, the bundle
    locked; the case's new status is not saved yet). Act on the member's policy."""
    now = now or case.decided_at or clock.now()
    essential = is_essential(bundle_case, case)
    policy = bundle_case.bundle_version.on_refusal
    item = case.item_version.name
    if not essential:
        resolution = IssueResolution.OPEN
    elif policy == RefusalPolicy.END_BUNDLE:
        resolution = IssueResolution.ENDED
    else:
        resolution = IssueResolution.CONTINUED
    BundleIssue.objects.update_or_create(
        case=case,
        kind=IssueKind.REFUSED,
        defaults={
            "bundle_case": bundle_case,
            "essential": essential,
            "resolution": resolution,
            "raised_at": now,
            "resolved_at": None if resolution == IssueResolution.OPEN else now,
            "note": _reason(case),
        },
    )
    record(
        action="bundle_case.member_refused",
        actor=None,
        obj=bundle_case,
        at=now,
        summary=f"{bundle_case.number} {item} 不予许可",
        payload={
            "sub_case": case.number,
            "essential": essential,
            "policy": policy,
            "resolution": resolution,
        },
    )
    tell_staff(
        _lead_staff(bundle_case),
        bundle_case,
        "bundle_case.refused_lead",
        now=now,
        item=item,
        reason=_reason(case),
    )
    if resolution == IssueResolution.ENDED:
        reason = _("必办事项“%(item)s”未获许可") % {"item": item}
        end_bundle(bundle_case, actor=None, reason=reason, now=now, spare=case)
    elif resolution == IssueResolution.OPEN:
        tell_bundle_applicant(
            bundle_case, "bundle_case.refused_optional", now=now, item=item, reason=_reason(case)
        )
    else:
        tell_bundle_applicant(
            bundle_case, "bundle_case.refused_continue", now=now, item=item, reason=_reason(case)
        )


# ---------------------------------------------------------------------------- ending


def end_bundle(
    bundle_case: BundleCase,
    *,
    actor: Any,
    reason: str,
    now: datetime,
    spare: Case | None = None,
) -> list[str]:
    """End the (locked) bundle: marked ended first (so that the sub-cases' own transitions
    leave it so), then every open sub-case before its decision is terminated through the
    ``withdraw`` transition (tasks cancelled, an open suspension closed). Decided sub-cases
    stand and are concluded and delivered on their own. The applicant and the lead are
    told once. Returns the terminated sub-case numbers."""
    bundle_case.status = B.ENDED
    bundle_case.ended_at = now
    bundle_case.save(update_fields=["status", "ended_at"])
    terminated: list[str] = []
    note = _("一件事终止：%(reason)s") % {"reason": reason}
    rows = Case.objects.select_for_update().filter(bundle_case=bundle_case, status__in=TERMINABLE)
    if spare is not None:
        rows = rows.exclude(pk=spare.pk)
    with one_message(bundle_case):
        for case in rows.order_by("id"):
            cancelled = _cancel_tasks(case, now=now)
            suspension = _open_suspension(case)
            if suspension is not None:
                suspension.resumed_at = now
                suspension.resumed_by = actor
                suspension.save(update_fields=["resumed_at", "resumed_by"])
            case.withdrawn_at = now
            apply_transition(
                case,
                "withdraw",
                actor=actor,
                target=S.WITHDRAWN,
                note=note[:2000],
                now=now,
                authorised=True,  # the bundle's rule, not the applicant's request
                payload={"bundle_case": bundle_case.number, "cancelled_tasks": cancelled},
                save_fields=("withdrawn_at",),
            )
            terminated.append(case.number)
    record(
        action="bundle_case.ended",
        actor=actor,
        obj=bundle_case,
        at=now,
        summary=f"{bundle_case.number} {reason}",
        payload={"reason": reason, "terminated": terminated},
    )
    tell_bundle_applicant(bundle_case, "bundle_case.ended", now=now, reason=reason)
    tell_staff(
        _lead_staff(bundle_case), bundle_case, "bundle_case.ended_lead", now=now, reason=reason
    )
    return terminated


def bundle_case_end(
    *, actor: Any, bundle_case: BundleCase, reason: str, now: datetime | None = None
) -> BundleCase:
    """The lead ends the bundle (e.g. an essential item stalls for good, or the applicant
    asked at the window): open sub-cases are terminated, the applicant and the lead told."""
    now = now or clock.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("请填写终止理由"), code="reason_required", fields={"reason": _("请填写终止理由")}
        )
    if len(reason) > MESSAGE_MAX:
        raise ValidationFailed(
            _("终止理由不能超过500个字符"), fields={"reason": _("不能超过500个字符")}
        )
    require_lead(actor, bundle_case, what=_("终止一件事"))
    with transaction.atomic():
        fresh = BundleCase.objects.select_for_update().get(pk=bundle_case.pk)
        if fresh.status not in LIVE:
            raise Conflict(
                _("一件事办件当前状态为“%(status)s”，不能终止") % {"status": B(fresh.status).label},
                code="illegal_transition",
                fields={"status": fresh.status, "transition": "end"},
            )
        end_bundle(fresh, actor=actor, reason=reason, now=now)
        fresh.issues.filter(resolution=IssueResolution.OPEN).update(
            resolution=IssueResolution.ENDED, resolved_at=now, resolved_by=actor
        )
    bundle_case.refresh_from_db()
    return bundle_case


# ---------------------------------------------------------------------------- dropping


def bundle_member_drop(
    *,
    actor: Any,
    bundle_case: BundleCase,
    case: Case,
    reason: str = "",
    now: datetime | None = None,
) -> BundleCase:
    """The applicant drops an optional item that was refused or stalls: a refused one
    stays refused (its department concludes it; it is out of the bundle's outcome), a
    stalled one is withdrawn. The rest of the bundle continues."""
    now = now or clock.now()
    reason = (reason or "").strip()[:MESSAGE_MAX]
    require_applicant_side(actor, bundle_case)
    with transaction.atomic():
        fresh = BundleCase.objects.select_for_update().get(pk=bundle_case.pk)
        sub = sub_case_of(fresh, case)
        if fresh.status not in LIVE:
            raise Conflict(
                _("一件事办件当前状态为“%(status)s”，不能放弃事项")
                % {"status": B(fresh.status).label},
                code="illegal_transition",
                fields={"status": fresh.status, "transition": "drop"},
            )
        if is_essential(fresh, sub):
            raise Conflict(
                _("“%(item)s”是本一件事的必办事项，不能放弃") % {"item": sub.item_version.name},
                code="member_essential",
            )
        issues = list(
            BundleIssue.objects.select_for_update().filter(
                case=sub, resolution=IssueResolution.OPEN
            )
        )
        if not issues:
            raise Conflict(
                _("“%(item)s”未被拒绝也未超期，不能放弃") % {"item": sub.item_version.name},
                code="not_droppable",
            )
        with one_message(fresh):
            if sub.status in TERMINABLE:
                case_withdraw(actor=actor, case=sub, reason=reason or _("放弃该事项"), now=now)
        for issue in issues:
            issue.resolution = IssueResolution.DROPPED
            issue.resolved_at = now
            issue.resolved_by = actor
            issue.save(update_fields=["resolution", "resolved_at", "resolved_by"])
        record(
            action="bundle_case.member_dropped",
            actor=actor,
            obj=fresh,
            at=now,
            summary=f"{fresh.number} 放弃{sub.item_version.name}",
            payload={"sub_case": sub.number, "reason": reason, "issues": [i.kind for i in issues]},
        )
        fresh.refresh_from_db()
        refresh_status(fresh, transition="drop", now=now)
        tell_bundle_applicant(
            fresh, "bundle_case.member_dropped", now=now, item=sub.item_version.name
        )
    bundle_case.refresh_from_db()
    return bundle_case


# ---------------------------------------------------------------------------- stalls


def bundle_cases_flag_stalled(*, now: datetime | None = None) -> int:
    """The sweep: sub-cases of live bundles past their promised deadline and still open
    are flagged once (one query finds them); per bundle, the applicant is told once (an
    optional item may be dropped) and the lead once. Returns the number flagged."""
    now = now or clock.now()
    rows = list(
        Case.objects.filter(
            bundle_case__status__in=LIVE,
            status__in=STALLING,
            promised_due_at__lt=now,
        )
        .exclude(bundle_issues__kind=IssueKind.STALLED)
        .select_related("item_version", "bundle_case", "bundle_case__bundle_version")
        .order_by("bundle_case_id", "id")
    )
    by_bundle: dict[int, list[Case]] = defaultdict(list)
    for case in rows:
        by_bundle[case.bundle_case_id].append(case)  # type: ignore[index]
    flagged = 0
    for bundle_id, cases in by_bundle.items():
        with transaction.atomic():
            bundle_case = BundleCase.objects.select_for_update().get(pk=bundle_id)
            if bundle_case.status not in LIVE:
                continue
            names, optional = [], []
            for case in cases:
                essential = is_essential(bundle_case, case)
                _issue, made = BundleIssue.objects.get_or_create(
                    case=case,
                    kind=IssueKind.STALLED,
                    defaults={"bundle_case": bundle_case, "essential": essential, "raised_at": now},
                )
                if made:
                    flagged += 1
                    names.append(case.item_version.name)
                    if not essential:
                        optional.append(case.item_version.name)
            if not names:
                continue
            record(
                action="bundle_case.stalled",
                actor=None,
                obj=bundle_case,
                at=now,
                summary=f"{bundle_case.number} 超期：{'、'.join(names)}",
                payload={"items": names, "optional": optional},
            )
            choice = (
                _("可选事项（%(items)s）可以放弃，其余事项继续办理。")
                % {"items": "、".join(optional)}
                if optional
                else ""
            )
            tell_bundle_applicant(
                bundle_case, "bundle_case.stalled", now=now, item="、".join(names), choice=choice
            )
    return flagged


# ---------------------------------------------------------------------------- chasing


def _task_holders(case: Case) -> list[Any]:
    """Who holds the sub-case's open work: the assignee of a claimed task, else the staff
    of the task's role in its department; without a task, the department's case staff."""
    users: list[Any] = []
    for task in case.tasks.filter(status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED]).select_related(
        "assignee"
    ):
        if task.assignee is not None:
            users.append(task.assignee)
        else:
            users.extend(department_staff(task.department_id, [task.role]))
    return users or department_staff(case.department_id)


def bundle_chase(
    *,
    actor: Any,
    bundle_case: BundleCase,
    case: Case,
    message: str,
    now: datetime | None = None,
) -> BundleChase:
    """督办: the lead department's staff chase a sub-case still open; its department's task
    holders are told in-app. Recorded and shown in the lead view."""
    now = now or clock.now()
    authenticated(actor)
    message = (message or "").strip()
    if not message:
        raise ValidationFailed(
            _("请填写督办内容"), code="message_required", fields={"message": _("请填写督办内容")}
        )
    if len(message) > MESSAGE_MAX:
        raise ValidationFailed(
            _("督办内容不能超过500个字符"), fields={"message": _("不能超过500个字符")}
        )
    require_lead(actor, bundle_case, what=_("督办"))
    with transaction.atomic():
        fresh = BundleCase.objects.select_for_update().get(pk=bundle_case.pk)
        sub = sub_case_of(fresh, case)
        if fresh.status not in LIVE or sub.status not in (
            PRE_ACCEPTANCE | STALLING | {S.APPROVED, S.REFUSED}
        ):
            raise Conflict(
                _("该办件当前状态为“%(status)s”，无需督办") % {"status": S(sub.status).label},
                code="not_chaseable",
            )
        lead = fresh.lead_department.name
        holders = _task_holders(sub)
        chase = BundleChase.objects.create(
            bundle_case=fresh, case=sub, message=message, by=actor, at=now
        )
        chase.recipients = tell_staff(
            holders,
            fresh,
            "bundle_case.chased",
            now=now,
            lead=lead,
            item=sub.item_version.name,
            case=sub.number,
            message=message,
        )
        chase.save(update_fields=["recipients"])
        record(
            action="bundle_case.chased",
            actor=actor,
            obj=fresh,
            at=now,
            summary=f"{fresh.number} 督办{sub.item_version.name}",
            payload={"sub_case": sub.number, "message": message, "recipients": chase.recipients},
        )
    return chase
