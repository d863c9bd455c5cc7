"""Demo ratings (好差评) and a complaint, made through the services (docs/ratings.md).

Three window services at the district centre, recorded by 李四 (``record_visit``, a visit
without a case: 咨询) and rated on the window's rating device (一次一评): two good, one
不满意 at the 市场监管首席代表窗口 — which opens a rectification for 区市场监管局 that 孙丽,
郑华 or 周强 can work on; and a complaint of 钱七 about 区卫生健康委 (韩梅 answers it).
Idempotent: a visit is found again by its applicant and purpose, a rated visit is not rated
again, the complaint is not made twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from onewindow.cases.models import Visit
from onewindow.cases.services.submission import record_visit
from onewindow.org.models import Applicant, Department, ServicePoint, User, Window
from onewindow.ratings.models import Complaint, Rating
from onewindow.ratings.services import complaint_submit, rate_visit

CLERK = "lisi"
POINT = "SP-D01"


@dataclass(frozen=True)
class DemoRating:
    username: str  # whose (natural-person) applicant
    window: str  # window number at the district centre
    purpose: str  # unique per demo visit (how a reload finds it)
    level: int
    dimensions: dict[str, int] = field(default_factory=dict)
    comment: str = ""


RATINGS = [
    DemoRating(
        "qianqi",
        "18",
        "咨询居民身份证首次申领（演示）",
        5,
        {"service_efficiency": 5, "service_level": 5, "attitude": 5},
        "窗口工作人员耐心细致，一次就讲清楚了",
    ),
    DemoRating(
        "zhangsan",
        "22",
        "咨询社会保险个人参保登记（演示）",
        4,
        {"service_efficiency": 4, "attitude": 5},
    ),
    DemoRating(
        "zhangsan",
        "24",
        "咨询食品经营许可证办理（演示）",
        2,
        {"service_efficiency": 2, "service_level": 2, "attitude": 3},
        "等候四十分钟，窗口说不清需要哪些材料，让我回去再问",
    ),
]

COMPLAINT_TEXT = "健康证办理说明与实际不符，体检机构说没有收到预约，白跑一趟，也没有人提前通知"


def _visit(clerk: User, point: ServicePoint, d: DemoRating) -> Visit:
    applicant = Applicant.objects.filter(users__username=d.username, kind="natural").order_by("pk")[
        0
    ]
    existing = Visit.objects.filter(applicant=applicant, purpose=d.purpose).first()
    if existing is not None:
        return existing
    return record_visit(
        actor=clerk,
        applicant=applicant,
        service_point=point,
        window=Window.objects.get(service_point=point, number=d.window),
        purpose=d.purpose,
    )


def load_ratings() -> str:
    """Load the demo ratings and complaint (inside ``load_demo``'s transaction)."""
    clerk = User.objects.get(username=CLERK)
    point = ServicePoint.objects.get(code=POINT)
    made = 0
    for d in RATINGS:
        visit = _visit(clerk, point, d)
        if Rating.objects.filter(visit=visit).exists():
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
    complaint: Any = Complaint.objects.filter(text=COMPLAINT_TEXT).first()
    if complaint is None:
        complaint = complaint_submit(
            actor=User.objects.get(username="qianqi"),
            about="department",
            content=COMPLAINT_TEXT,
            department=Department.objects.get(code="WSJKW"),
            contact_phone="13800000007",
        )
    return f"{len(RATINGS)} 条（本次新增 {made} 条），投诉 {complaint.number}"
