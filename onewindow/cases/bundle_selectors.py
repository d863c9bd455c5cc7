"""Reads of bundle cases (一件事一次办, docs/bundles.md "Bundle cases").

* The applicant's side (the filing account, accounts linked to the bundle's applicant or to
  a sub-case's applicant) sees the whole bundle, drafts too.
* Staff of the lead department (a case capability there, or centre-wide) see the whole
  bundle once submitted: every sub-case with its department, status, step and deadlines.
* Staff of a cooperating department see only their own sub-case, through the ordinary case
  selectors; the bundle detail is 404 for them (numbers cannot be probed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet

from onewindow.cases.models import BundleCase, BundleCaseStatus, Case
from onewindow.cases.selectors import staff_departments
from onewindow.cases.services.bundle import is_bundle_applicant, sub_cases_of
from onewindow.cases.states import CaseStatus
from onewindow.common.errors import NotFound


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
    return BundleCaseDetail(bundle_case, views, is_bundle_applicant(actor, bundle_case))


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
