"""Licences fixtures: the demo district (package-scoped, rolled back) and a barber bundle case
(我要开理发店, marked as an industry: 美容美发行业综合许可证) of 张三 and 张三理发店, built
through the real case services up to every sub-case approved and concluded — once for the
package; each test runs in its own savepoint.

People: 张三 (zhangsan, applicant), 钱七 (qianqi, another applicant), 李四 (lisi, window
clerk), 王五 (wangwu, approver of 区市场监管局), 孙丽 (sunli, section chief of 区市场监管局),
韩梅 (hanmei, section chief of 区卫生健康委), 赵六 (zhaoliu, supervisor), admin (superuser).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from onewindow.bundles.models import Bundle
from onewindow.bundles.selectors import published_version
from onewindow.cases.models import BundleCase, Case, CaseMaterial, MaterialStatus, Task
from onewindow.cases.services.bundle import (
    bundle_case_accept,
    bundle_case_create,
    bundle_case_submit,
    bundle_material_upload,
)
from onewindow.cases.services.delivery import case_conclude
from onewindow.cases.services.processing import case_decide, task_complete
from onewindow.cases.signals import bundle_outcome_issued
from onewindow.cases.states import CaseStatus
from onewindow.demo.data.org import BARBER_USCC
from onewindow.demo.loader import load_demo
from onewindow.licences.models import IndustryLicence
from onewindow.org.models import Applicant, User
from onewindow.workdays.calendar import SHANGHAI
from tests.cases.conftest import people, zhangsan_applicant  # noqa: F401
from tests.demo.conftest import FAST_HASHERS

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)  # a Friday
DONE = datetime(2026, 12, 2, 15, 0, tzinfo=SHANGHAI)
NAMES = ["zhangsan", "qianqi", "lisi", "wangwu", "sunli", "hanmei", "zhaoliu", "admin"]


@pytest.fixture(scope="package")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    """The demo district, loaded once for the whole package (the cases' pattern, one scope
    up: every module here reads the same district) and rolled back at the end."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        yield load_demo()
        transaction.set_rollback(True)


@pytest.fixture(scope="package")
def module_media(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("licences")
    with override_settings(MEDIA_ROOT=root / "media", NOTIFY_OUTBOX_DIR=root / "outbox"):
        yield root


def a_pdf(name: str = "材料.pdf") -> Any:
    from tests.cases.test_uploads import a_pdf as make

    return make(name)


def finish(
    case: Case,
    actor: User,
    *,
    outcome: str = "approve",
    clerk: User | None = None,
    now: datetime = DONE,
) -> Case:
    """Work ``case`` through its review steps, decide (``actor``) and conclude it (``clerk``,
    default ``actor``) through the real services."""
    for _ in range(10):
        case = Case.objects.get(pk=case.pk)
        if case.status == CaseStatus.IN_REVIEW:
            task = Task.objects.get(case=case, status__in=["open", "claimed"])
            task_complete(actor=actor, task=task, opinion="材料齐全，符合条件", now=now)
        elif case.status == CaseStatus.IN_DECISION:
            reason = "" if outcome == "approve" else "经营场所不符合卫生要求"
            case_decide(actor=actor, case=case, outcome=outcome, reason=reason, now=now)
        elif case.status in (CaseStatus.APPROVED, CaseStatus.REFUSED):
            case_conclude(actor=clerk or actor, case=case, delivery_method="window", now=now)
        else:
            return case
    raise AssertionError(f"{case.number} stuck in {case.status}")


def barber_bundle_case(users: dict[str, User], *, answers: dict[str, str]) -> BundleCase:
    """张三's 我要开理发店, submitted and accepted at one window (李四)."""
    bundle = Bundle.objects.get(current_version__name="我要开理发店")
    version = published_version(bundle.code)
    zhangsan = Applicant.objects.get(users=users["zhangsan"], kind="natural")
    shop = Applicant.objects.get(users=users["zhangsan"], kind="legal", uscc=BARBER_USCC)
    form = {
        "person_name": zhangsan.name,
        "resident_id": zhangsan.resident_id,
        "phone": "13900000001",
        "business_name": "张三理发店",
        "business_address": "示范区城东大道96号",
        "business_scope": "理发、美发服务",
        "employees_count": 3,
        "applicant_name": "张三理发店",
        "uscc": BARBER_USCC,
        "legal_representative": "张三",
        "business_area_m2": "45",
        "public_place_type": "理发店",
    }
    if answers.get("sign") == "yes":
        form.update(sign_location="城东大道96号门头", sign_size="3米×0.8米")
    bc = bundle_case_create(
        actor=users["zhangsan"],
        bundle_version=version,
        applicant=zhangsan,
        business=shop,
        answers=answers,
        form_data=form,
        now=NOW,
    )
    codes = sorted(
        set(
            CaseMaterial.objects.filter(case__bundle_case=bc, status=MaterialStatus.PENDING)
            .exclude(item_material__required=False)
            .values_list("material_type__code", flat=True)
        )
    )
    for code in codes:
        bundle_material_upload(
            actor=users["zhangsan"],
            bundle_case=bc,
            material_type_code=code,
            uploaded_file=a_pdf(),
            now=NOW,
        )
    bundle_case_submit(actor=users["zhangsan"], bundle_case=bc, now=NOW)
    bundle_case_accept(actor=users["lisi"], bundle_case=bc, now=NOW)
    return BundleCase.objects.get(pk=bc.pk)


@pytest.fixture(scope="package")
def concluded_barber(
    demo: Any,
    module_media: Path,
    django_db_blocker: Any,
) -> BundleCase:
    """Every sub-case approved and concluded (the permits exist; no outcome issued yet).
    With the sign question answered yes: 户外广告设施设置备案 is an optional member."""
    with django_db_blocker.unblock():
        users = {u.username: u for u in User.objects.filter(username__in=NAMES)}
        bc = barber_bundle_case(users, answers={"sign": "yes", "staff": "no"})
        for case in bc.sub_cases.order_by("pk"):
            finish(case, users["admin"])
        return BundleCase.objects.get(pk=bc.pk)


@pytest.fixture
def users(people: dict[str, User]) -> dict[str, User]:  # noqa: F811
    return people


@pytest.fixture(autouse=True)
def _media(module_media: Path) -> Path:
    return module_media


def issue_outcome(bundle_case: BundleCase, actor: User, now: datetime = DONE) -> None:
    """What the lead's outcome service does at its end: the domain signal, in a transaction."""
    with transaction.atomic():
        bundle_outcome_issued.send(sender=BundleCase, bundle_case=bundle_case, actor=actor, now=now)


@pytest.fixture
def licence(concluded_barber: BundleCase, users: dict[str, User]) -> IndustryLicence:
    issue_outcome(concluded_barber, users["hanmei"])
    return IndustryLicence.objects.get(bundle_case=concluded_barber)
