"""Load the demo district through the platform's own services (DESIGN.md convention 1).

``load_demo`` is idempotent: every service it calls is an upsert that writes nothing (and
records no audit event) when nothing changes, and the catalogue is imported only when the
published catalogue differs from the demo data. Running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from onewindow.bundles.services import bundle_upsert_published
from onewindow.catalog.importexport import import_catalog
from onewindow.demo.data import bundles as bundle_data
from onewindow.demo.data import org as data
from onewindow.demo.data.build import Item, all_items, build_catalog, build_steps
from onewindow.demo.data.ratings import load_ratings
from onewindow.org import services as org
from onewindow.org.models import Department, ServicePoint, User

ADMIN_USERNAME = "admin"
ADMIN_DISPLAY_NAME = "系统管理员"


@dataclass
class LoadReport:
    admin_created: bool = False
    departments: int = 0
    service_points: int = 0
    windows: int = 0
    items: int = 0
    catalog: str = ""
    staff: list[str] = field(default_factory=list)
    applicants_created: list[str] = field(default_factory=list)
    letter: str = ""
    bundles: str = ""

    def lines(self) -> list[str]:
        return [
            f"系统管理员账号：{'已创建' if self.admin_created else '已存在'}",
            f"部门 {self.departments} 个，服务网点 {self.service_points} 个，"
            f"窗口 {self.windows} 个",
            f"政务服务事项 {self.items} 项：{self.catalog}",
            f"工作人员账号 {len(self.staff)} 个；新建申请人账号 {len(self.applicants_created)} 个",
            f"授权书：{self.letter}",
            f"一件事套餐：{self.bundles}",
        ]


def area_code() -> str:
    return str(settings.ONEWINDOW["AREA_CODE"])


def ensure_admin() -> tuple[User, bool]:
    """The one bootstrap account, made with Django's ``create_superuser`` (every later write
    is a service call with this account as the actor)."""
    admin = User.objects.filter(username=ADMIN_USERNAME).first()
    if admin is not None:
        return admin, False
    admin = User.objects.create_superuser(
        ADMIN_USERNAME,
        email="",
        password=data.DEMO_PASSWORD,
        display_name=ADMIN_DISPLAY_NAME,
    )
    return admin, True


def load_org(actor: User, report: LoadReport) -> tuple[dict[str, Department], dict[str, Any]]:
    departments: dict[str, Department] = {}
    for order, d in enumerate(data.DEPARTMENTS, start=1):
        departments[d.code] = org.department_upsert(
            actor=actor,
            code=d.code,
            name=d.name,
            short_name=d.short_name,
            uscc=d.uscc,
            phone=d.phone,
            order=order * 10,
        )
    points: dict[str, ServicePoint] = {}
    for p in data.SERVICE_POINTS:
        points[p.code] = org.service_point_upsert(
            actor=actor,
            code=p.code,
            name=p.name,
            level=p.level,
            parent=points[p.parent] if p.parent else None,
            area_code=p.area_code,
            address=p.address,
            phone=p.phone,
            office_hours=[list(span) for span in p.office_hours],
            opening_note=p.opening_note,
        )
    for w in data.WINDOWS:
        org.window_upsert(
            actor=actor,
            service_point=points[w.point],
            number=w.number,
            name=w.name,
            kind=w.kind,
            departments=[departments[c] for c in w.departments],
        )
    report.departments, report.service_points = len(departments), len(points)
    report.windows = len(data.WINDOWS)
    return departments, points


def load_catalog(actor: User, report: LoadReport) -> dict[str, Any]:
    catalog = build_catalog(area_code())
    report.items = len(catalog["items"])
    result = import_catalog(catalog, actor=actor, publish=True)
    report.catalog = result.summary() if result.changed else "与已发布目录一致，未导入"
    return catalog


def letter_item_codes(catalog: dict[str, Any]) -> list[str]:
    """The simple (two-step, decided on the spot) non-filing items of the letter's
    department: what its chief representative may decide alone (一人一章)."""
    by_name = {(i["department"], i["name"]): i["code"] for i in catalog["items"]}
    codes = []
    for item in all_items():
        if item.dept == data.LETTER_DEPARTMENT and _decided_on_the_spot(item):
            codes.append(by_name[(item.dept, item.name)])
    return sorted(codes)


def _decided_on_the_spot(item: Item) -> bool:
    return item.kind != "filing" and len(build_steps(item)) == 2


def load_people(
    actor: User, departments: dict[str, Department], points: dict[str, Any], report: LoadReport
) -> dict[str, User]:
    users: dict[str, User] = {}
    for s in data.STAFF:
        users[s.username] = org.staff_create(
            actor=actor,
            username=s.username,
            display_name=s.display_name,
            password=data.DEMO_PASSWORD,
            roles=[
                (role, departments[d] if d else None, points[p] if p else None)
                for role, d, p in s.roles
            ],
            phone=s.phone,
        )
        report.staff.append(s.username)
    for a in data.APPLICANTS:
        existing = User.objects.filter(username=a.username).first()
        if existing is not None:
            users[a.username] = existing
            continue
        users[a.username] = org.applicant_account_create(
            actor=actor,
            username=a.username,
            password=data.DEMO_PASSWORD,
            display_name=a.display_name,
            phone=a.phone,
            kind=a.kind,
            name=a.name,
            resident_id=a.resident_id,
            uscc=a.uscc,
            legal_representative=a.legal_representative,
        )
        report.applicants_created.append(a.username)
    for b in data.LINKED_APPLICANTS:  # idempotent: an existing, linked applicant is kept as is
        org.applicant_register(
            actor=actor,
            kind=b.kind,
            name=b.name,
            uscc=b.uscc,
            legal_representative=b.legal_representative,
            phone=b.phone,
            address=b.address,
            user=users[b.username],
        )
    return users


def load_bundles(actor: User, catalog: dict[str, Any], report: LoadReport) -> None:
    """Publish the eight "一件事一次办" bundles (a bundle already published as it is
    stays untouched)."""
    code_of = {i["name"]: i["code"] for i in catalog["items"]}
    published = [
        bundle_upsert_published(actor=actor, data=bundle_data.bundle_data(b, code_of))
        for b in bundle_data.BUNDLES
    ]
    changed = sum(1 for v in published if v is not None)
    report.bundles = f"{len(published)} 个，本次发布 {changed} 个"


def load_demo() -> LoadReport:
    """Load (or re-load) the whole demo district. All or nothing."""
    report = LoadReport()
    with transaction.atomic():
        admin, report.admin_created = ensure_admin()
        departments, points = load_org(admin, report)
        catalog = load_catalog(admin, report)
        users = load_people(admin, departments, points, report)
        letter = org.authorisation_letter_issue(
            actor=admin,
            number=data.LETTER_NUMBER,
            department=departments[data.LETTER_DEPARTMENT],
            officer=users[data.LETTER_OFFICER],
            item_codes=letter_item_codes(catalog),
            valid_from=data.LETTER_VALID_FROM,
            valid_until=data.LETTER_VALID_UNTIL,
            note=data.LETTER_NOTE,
        )
        report.letter = f"{letter.number}（{letter.items.count()}项）"
        load_bundles(admin, catalog, report)
        load_ratings()  # 好差评 and a complaint (onewindow/demo/data/ratings.py)
    return report
