"""The bundle case's status follows its sub-cases (docs/bundles.md "Bundle cases").

``follow_sub_case`` runs on every sub-case transition (connected to django-fsm's
``post_transition`` in ``onewindow.cases.models``), under the bundle case's row lock, so two
departments concluding the last two sub-cases at the same time still leave the bundle
``concluded``. Dropped sub-cases (partial refusal) are out of the count.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from onewindow.audit.services import record
from onewindow.cases.models import (
    BundleCase,
    BundleCaseStatus,
    BundleIssue,
    Case,
    IssueKind,
    IssueResolution,
)
from onewindow.cases.states import PRE_ACCEPTANCE, CaseStatus
from onewindow.common import clock

B = BundleCaseStatus
S = CaseStatus
# Sub-case states that count as finished for the bundle.
FINISHED = frozenset({S.CONCLUDED, S.DELIVERED})
DROPPED = frozenset({S.WITHDRAWN, S.NOT_ACCEPTED})
# A sub-case transition after which the bundle is no longer just "accepted".
ACCEPTING = frozenset({"accept", "auto_accept"})


def derive_status(
    statuses: Iterable[str], current: str, *, progressed: bool, awaiting: bool = False
) -> str:
    """The bundle's status from its sub-cases' (pure). Withdrawn and ended bundles stay so;
    withdrawn / not-accepted / dropped sub-cases are out of the count (the caller leaves
    dropped ones out). ``awaiting``: an optional item was refused and the applicant has
    not chosen yet — the bundle waits for them (and cannot conclude)."""
    if current in (B.WITHDRAWN, B.ENDED):
        return current
    all_ = list(statuses)
    live = [s for s in all_ if s not in DROPPED]
    if not all_:
        return current
    if not live:
        return B.WITHDRAWN if all(s == S.WITHDRAWN for s in all_) else B.ENDED
    if all(s == S.DRAFT for s in live):
        return B.DRAFT
    if any(s == S.DRAFT or s in PRE_ACCEPTANCE for s in live):
        return B.SUBMITTED
    if awaiting:
        return B.AWAITING_APPLICANT
    if all(s == S.DELIVERED for s in live):
        return B.DELIVERED
    if all(s in FINISHED for s in live):
        return B.CONCLUDED
    if current == B.ACCEPTED and not progressed:
        return B.ACCEPTED
    if current == B.SUBMITTED and not progressed:
        return B.ACCEPTED
    return B.IN_PROGRESS


def dropped_ids(bundle_case_id: int) -> set[int]:
    return set(
        BundleIssue.objects.filter(
            bundle_case_id=bundle_case_id, resolution=IssueResolution.DROPPED
        ).values_list("case_id", flat=True)
    )


def is_awaiting(bundle_case_id: int) -> bool:
    """An optional item was refused and the applicant has not dropped it yet."""
    return BundleIssue.objects.filter(
        bundle_case_id=bundle_case_id,
        kind=IssueKind.REFUSED,
        essential=False,
        resolution=IssueResolution.OPEN,
    ).exists()


def refresh_status(
    bundle_case: BundleCase,
    *,
    changed: tuple[Case, str] | None = None,
    transition: str = "",
    now: datetime | None = None,
) -> str:
    """Recompute the (locked) bundle's status from its live sub-cases; ``changed``: a
    sub-case whose new status is not saved yet (inside its transition). Audited when it
    changes (``bundle_case.status_followed``)."""
    dropped = dropped_ids(bundle_case.pk)
    rows = Case.objects.filter(bundle_case_id=bundle_case.pk).exclude(pk__in=dropped)
    if changed is not None:
        rows = rows.exclude(pk=changed[0].pk)
    statuses = list(rows.values_list("status", flat=True))
    if changed is not None and changed[0].pk not in dropped:
        statuses.append(changed[1])
    new = derive_status(
        statuses,
        bundle_case.status,
        progressed=transition not in ACCEPTING,
        awaiting=is_awaiting(bundle_case.pk),
    )
    if new == bundle_case.status:
        return new
    at = now or clock.now()
    old = bundle_case.status
    bundle_case.status = new
    fields = ["status"]
    if new in (B.CONCLUDED, B.DELIVERED) and bundle_case.concluded_at is None:
        bundle_case.concluded_at = at
        fields.append("concluded_at")
    if new == B.DELIVERED and bundle_case.delivered_at is None:
        bundle_case.delivered_at = at
        fields.append("delivered_at")
    if new == B.ENDED and bundle_case.ended_at is None:
        bundle_case.ended_at = at
        fields.append("ended_at")
    bundle_case.save(update_fields=fields)
    record(
        action="bundle_case.status_followed",
        actor=None,
        obj=bundle_case,
        at=at,
        summary=f"{bundle_case.number} {old} → {new}",
        payload={
            "from": old,
            "to": new,
            "sub_case": changed[0].number if changed else None,
            "transition": transition,
        },
    )
    return new


def follow_sub_case(case: Case, *, transition: str, target: str) -> None:
    """Keep the bundle's status in step with a sub-case that has just changed (inside the
    sub-case's transaction; the bundle row is locked first). A refusal is acted on at once
    per the member's policy (``bundle_refusal.on_refused``)."""
    if not case.bundle_case_id:
        return
    bundle_case = BundleCase.objects.select_for_update().get(pk=case.bundle_case_id)
    if transition == "refuse" and bundle_case.status not in (B.WITHDRAWN, B.ENDED):
        from onewindow.cases.services.bundle_refusal import on_refused

        on_refused(bundle_case, case)
        bundle_case.refresh_from_db()
    refresh_status(bundle_case, changed=(case, target), transition=transition)
