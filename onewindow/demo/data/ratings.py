"""Demo ratings (好差评) and a complaint, made through the services (docs/ratings.md).

Three window services at the district centre (李四 starts a case at his window for the
applicant, which records the visit) rated on the window's rating device (一次一评): two
good, one 不满意 — which opens a rectification for 区卫生健康委 that 韩梅 can work on; and a
complaint of 钱七 about 区公安分局, waiting for its answer. Idempotent: the cases are found
again by their idempotency keys, a rated visit is not rated again, the complaint is not
made twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from onewindow.cases.models import Case
from onewindow.cases.services.submission import case_create_draft
from onewindow.catalog.models import ItemVersion
from onewindow.org.models import Applicant, Department, ServicePoint, User
from onewindow.ratings.models import Complaint, Rating
from onewindow.ratings.services import complaint_submit, rate_visit

CLERK = "lisi"
POINT = "SP-D01"


@dataclass(frozen=True)
class DemoRating:
    key: str  # the idempotency key of the window case
    username: str  # whose applicant
    applicant_kind: str
    item: str
    level: int
    dimensions: dict[str, int] = field(default_factory=dict)
    comment: str = ""


RATINGS = [
    DemoRating(
        "demo-rating-1",
        "qianqi",
        "natural",
        "居民身份证首次申领",
        5,
        {"service_efficiency": 5, "service_level": 5, "attitude": 5},
        "窗口工作人员耐心细致，一次就办好了",
    ),
    DemoRating(
        "demo-rating-2",
        "zhangsan",
        "natural",
        "居民身份证换领",
        4,
        {"service_efficiency": 4, "attitude": 5},
    ),
    DemoRating(
        "demo-rating-3",
        "zhangsan",
        "natural",
        "从业人员预防性健康检查及健康证明办理",
        2,
        {"service_efficiency": 2, "service_level": 2, "attitude": 3},
        "咨询健康证办理时等候四十分钟，窗口说不清要去哪家机构体检",
    ),
]

COMPLAINT_TEXT = "预约办理身份证当天到窗口被告知系统故障，白跑一趟，也没有电话提前通知"


def _case(actor: User, d: DemoRating) -> Case:
    existing = Case.objects.filter(created_by=actor, idempotency_key=d.key).first()
    if existing is not None:
        return existing
    version = ItemVersion.objects.get(name=d.item, status="published")
    applicant = Applicant.objects.filter(
        users__username=d.username, kind=d.applicant_kind
    ).order_by("pk")[0]
    return case_create_draft(
        actor=actor,
        version=version,
        applicant=applicant,
        channel="window",
        service_point=ServicePoint.objects.get(code=POINT),
        idempotency_key=d.key,
    )


def load_ratings() -> str:
    """Load the demo ratings and complaint (inside ``load_demo``'s transaction)."""
    clerk = User.objects.get(username=CLERK)
    made = 0
    for d in RATINGS:
        case = _case(clerk, d)
        visit = case.visits.order_by("at").first()
        if visit is None or Rating.objects.filter(visit=visit).exists():
            continue
        rate_visit(
            actor=clerk,
            visit=visit,
            level=d.level,
            dimensions=d.dimensions,
            comment=d.comment,
            channel="window_device",
        )
        made += 1
    qianqi = User.objects.get(username="qianqi")
    complaint: Any = Complaint.objects.filter(text=COMPLAINT_TEXT).first()
    if complaint is None:
        complaint = complaint_submit(
            actor=qianqi,
            about="department",
            content=COMPLAINT_TEXT,
            department=Department.objects.get(code="GAFJ"),
            contact_phone="13800000007",
        )
    total = Rating.objects.filter(visit__case__idempotency_key__startswith="demo-rating-").count()
    return f"{total} 条（本次新增 {made} 条），投诉 {complaint.number}"
