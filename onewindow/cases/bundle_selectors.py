"""Reads of bundle cases (一件事一次办, docs/bundles.md "Bundle cases").

* The applicant's side (the filing account, accounts linked to the bundle's applicant or to
  a sub-case's applicant) sees the whole bundle, drafts too.
* Staff of the lead department (a case capability there, or centre-wide) see the whole
  bundle once submitted: every sub-case with its department, status, step and deadlines.
* Staff of a cooperating department see only their own sub-case, through the ordinary case
  selectors; the bundle detail is 404 for them (numbers cannot be probed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from onewindow.cases.models import (
    BundleCase,
    BundleCaseStatus,
    BundleChase,
    BundleDelivery,
    BundleIssue,
    Case,
    CaseMaterial,
    IssueResolution,
    JointInspection,
    Visit,
)
from onewindow.cases.selectors import staff_departments
from onewindow.cases.services.bundle import is_bundle_applicant, sub_cases_of
from onewindow.cases.states import CaseStatus
from onewindow.common.errors import NotFound
from onewindow.workdays.selectors import get_calendar


def _authenticated(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def bundle_cases_for_lead(actor: Any) -> QuerySet[BundleCase]:
    """The submitted bundle cases led by a department where ``actor`` holds a case
    capability, the bundle's own promised deadline first."""
    if not _authenticated(actor):
        return BundleCase.objects.none()
    return (
        BundleCase.objects.filter(lead_department__in=staff_departments(actor).values("pk"))
        .exclude(status=BundleCaseStatus.DRAFT)
        .select_related("bundle_version", "lead_department", "applicant")
        .annotate(sub_case_count=Count("sub_cases"))
        .order_by("promised_due_at", "-created_at", "-id")
    )


@dataclass(frozen=True)
class SubCaseView:
    case: Case
    lead: bool  # the sub-case of the lead department

    @property
    def step_name(self) -> str:
        step = self.case.current_step
        return step.name if step is not None else ""

    @property
    def promised_due_at(self) -> datetime | None:
        return self.case.promised_due_at

    @property
    def legal_due_at(self) -> datetime | None:
        return self.case.legal_due_at


@dataclass(frozen=True)
class BundleCaseDetail:
    bundle_case: BundleCase
    sub_cases: list[SubCaseView]
    as_applicant: bool
    # Partial refusal and stalls, the lead's chases, joint inspections, the one output.
    issues: list[BundleIssue] = field(default_factory=list)
    chases: list[BundleChase] = field(default_factory=list)
    inspections: list[JointInspection] = field(default_factory=list)
    outcome: BundleDelivery | None = None
    dropped: frozenset[int] = frozenset()  # ids of dropped sub-cases
    as_lead: bool = False  # the actor is the lead department's staff

    def droppable(self) -> list[Case]:
        """Sub-cases the applicant may drop now (an optional item refused or stalled)."""
        open_ = {
            i.case_id
            for i in self.issues
            if not i.essential and i.resolution == IssueResolution.OPEN
        }
        return [v.case for v in self.sub_cases if v.case.pk in open_]


def _may_see_as_lead(actor: Any, bundle_case: BundleCase) -> bool:
    if bundle_case.status == BundleCaseStatus.DRAFT:
        return False
    return staff_departments(actor).filter(pk=bundle_case.lead_department_id).exists()


def bundle_case_for(actor: Any, number: str) -> BundleCase:
    """The bundle case ``number`` if ``actor`` is on its applicant's side or leads it;
    otherwise NotFound (never 403)."""
    bundle_case = (
        BundleCase.objects.filter(number=number)
        .select_related("bundle", "bundle_version", "lead_department", "applicant")
        .first()
    )
    if bundle_case is None or not _authenticated(actor):
        raise NotFound("未找到该一件事办件", code="bundle_case_not_found")
    if not (is_bundle_applicant(actor, bundle_case) or _may_see_as_lead(actor, bundle_case)):
        raise NotFound("未找到该一件事办件", code="bundle_case_not_found")
    return bundle_case


def bundle_case_detail(actor: Any, number: str) -> BundleCaseDetail:
    """The whole bundle: every sub-case with its department, status, current step and
    both deadlines."""
    bundle_case = bundle_case_for(actor, number)
    lead_id = bundle_case.lead_department_id
    views = [SubCaseView(c, c.department_id == lead_id) for c in sub_cases_of(bundle_case)]
    issues = list(bundle_case.issues.select_related("case").order_by("raised_at", "id"))
    as_applicant = is_bundle_applicant(actor, bundle_case)
    return BundleCaseDetail(
        bundle_case,
        views,
        as_applicant,
        issues=issues,
        chases=list(bundle_case.chases.select_related("case", "by").order_by("-at", "-id")),
        inspections=list(
            bundle_case.inspections.prefetch_related(
                "departments", "findings__department"
            ).order_by("scheduled_at", "id")
        ),
        outcome=BundleDelivery.objects.filter(bundle_case=bundle_case).first(),
        dropped=frozenset(i.case_id for i in issues if i.resolution == IssueResolution.DROPPED),
        as_lead=_may_see_as_lead(actor, bundle_case),
    )


def bundle_statistics() -> dict[str, Any]:
    """Counts that never double count: each bundle case once as a bundle, each case (a
    sub-case or a case applied for alone) once as an item. Drafts are not applications
    and are left out. ``items.total`` equals the number of non-draft ``Case`` rows and the
    sum of ``items.by_item``."""
    bundles = BundleCase.objects.exclude(status=BundleCaseStatus.DRAFT)
    cases = Case.objects.exclude(status=CaseStatus.DRAFT)
    by_bundle = (
        bundles.values("bundle__code", "bundle_version__name")
        .annotate(n=Count("id"))
        .order_by("bundle__code")
    )
    by_item = (
        cases.values("item__code", "item_version__name")
        .annotate(n=Count("id"), in_bundles=Count("bundle_case"))
        .order_by("item__code")
    )
    by_status = bundles.values("status").annotate(n=Count("id")).order_by("status")
    in_bundles = cases.exclude(bundle_case=None).count()
    total = cases.count()
    return {
        "bundles": {
            "total": bundles.count(),
            "by_status": {row["status"]: row["n"] for row in by_status},
            "by_bundle": [
                {"code": r["bundle__code"], "name": r["bundle_version__name"], "count": r["n"]}
                for r in by_bundle
            ],
        },
        "items": {
            "total": total,
            "in_bundles": in_bundles,
            "standalone": total - in_bundles,
            "by_item": [
                {
                    "code": r["item__code"],
                    "name": r["item_version__name"],
                    "count": r["n"],
                    "in_bundles": r["in_bundles"],
                }
                for r in by_item
            ],
        },
    }


# ---------------------------------------------------------------------------- measured


def _working_days(rows: Any) -> tuple[int, int]:
    """Σ working days and count over rows of (start date, end date, n) — grouped by date
    pair in SQL, so the loop is over distinct pairs, not cases."""
    calendar = get_calendar()
    total = count = 0
    for start, end, n in rows:
        if start is None or end is None:
            continue
        total += calendar.workdays_elapsed(start, end) * n
        count += n
    return total, count


def _day_pairs(cases: QuerySet[Any], start: str, end: str, *group: str) -> Any:
    tz = timezone.get_current_timezone()
    return (
        cases.annotate(d0=TruncDate(start, tzinfo=tz), d1=TruncDate(end, tzinfo=tz))
        .values(*group, "d0", "d1")
        .annotate(n=Count("id"))
        .values_list(*group, "d0", "d1", "n")
    )


def _avg(total: float, n: int) -> float | None:
    return round(total / n, 1) if n else None


def measured_figures_for(version: Any) -> dict[str, Any] | None:
    """The figures measured from real cases for the bundle of ``version`` (docs/bundles.md
    "Measured reduction"): per concluded bundle case, the visits actually made (the
    bundle's own visits and any visit of a sub-case, each once), the working days from
    submission to conclusion and the materials actually uploaded (one per material type:
    a shared material is uploaded once); next to them the same items applied for
    separately (concluded cases outside bundles): the per-item averages added up. ``None``
    while no bundle case of this bundle has concluded."""
    done = BundleCase.objects.filter(
        bundle_id=version.bundle_id,
        status__in=[BundleCaseStatus.CONCLUDED, BundleCaseStatus.DELIVERED],
        concluded_at__isnull=False,
    )
    n = done.count()
    if n == 0:
        return None
    visits = (
        Visit.objects.filter(Q(bundle_cases__in=done) | Q(case__bundle_case__in=done))
        .distinct()
        .count()
    )
    materials = (
        CaseMaterial.objects.filter(case__bundle_case__in=done, uploaded_at__isnull=False)
        .values("case__bundle_case", "material_type")
        .distinct()
        .count()
    )
    days, _n = _working_days(
        (d0, d1, k) for d0, d1, k in _day_pairs(done, "submitted_at", "concluded_at")
    )
    items = list(version.members.values_list("item_id", flat=True))
    alone = Case.objects.filter(
        item_id__in=items,
        bundle_case__isnull=True,
        status__in=[CaseStatus.CONCLUDED, CaseStatus.DELIVERED],
        concluded_at__isnull=False,
    )
    per_item = {r["item_id"]: r["n"] for r in alone.values("item_id").annotate(n=Count("id"))}
    separately: dict[str, Any] | None = None
    if per_item:
        item_visits = dict(
            Visit.objects.filter(case__in=alone)
            .values("case__item_id")
            .annotate(n=Count("id"))
            .values_list("case__item_id", "n")
        )
        item_materials = dict(
            CaseMaterial.objects.filter(case__in=alone, uploaded_at__isnull=False)
            .values("case__item_id")
            .annotate(n=Count("id"))
            .values_list("case__item_id", "n")
        )
        item_days: dict[int, list[int]] = {}
        for item_id, d0, d1, k in _day_pairs(alone, "submitted_at", "concluded_at", "item_id"):
            total, count = _working_days([(d0, d1, k)])
            acc = item_days.setdefault(item_id, [0, 0])
            acc[0] += total
            acc[1] += count
        separately = {
            "items_with_data": len(per_item),
            "items": len(items),
            "cases": sum(per_item.values()),
            "visits": round(sum(item_visits.get(i, 0) / c for i, c in per_item.items()), 1),
            "materials": round(sum(item_materials.get(i, 0) / c for i, c in per_item.items()), 1),
            "days": round(
                sum(t / c for t, c in (item_days.get(i, [0, 1]) for i in per_item) if c), 1
            ),
        }
    return {
        "bundle_cases": n,
        "visits": _avg(visits, n),
        "days": _avg(days, n),
        "materials": _avg(materials, n),
        "separately": separately,
    }
