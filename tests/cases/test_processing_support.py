"""Helpers of the processing tests (no tests here): a submitted case of the demo district
built directly (the submission services are tested in their own files), accepted through
the real ``case_accept``, and keep notices and outbox files in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import override_settings

from onewindow.cases.models import Case, CaseMaterial, MaterialStatus
from onewindow.cases.services.acceptance import case_accept
from onewindow.cases.states import CaseStatus
from onewindow.cases.workflow import apply_transition, next_number
from onewindow.catalog.models import ItemVersion
from onewindow.org.models import Applicant, ServicePoint, User

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def media_root(tmp_path: Path) -> Iterator[Path]:
    with override_settings(MEDIA_ROOT=tmp_path / "media", NOTIFY_OUTBOX_DIR=tmp_path / "outbox"):
        yield tmp_path


def submitted_case(
    version: ItemVersion,
    user: User,
    *,
    when: datetime,
    applicant: Applicant | None = None,
    form_data: dict | None = None,
) -> Case:
    """A submitted online case of ``user``'s applicant, every material uploaded."""
    applicant = applicant or Applicant.objects.filter(users=user).order_by("pk").first()
    assert applicant is not None
    with transaction.atomic():
        seq = next_number(f"test-processing:{when.year}")
        case = Case.objects.create(
            number=f"P{when:%Y%m%d}{seq:06d}",
            item=version.item,
            item_version=version,
            department=version.item.department,
            applicant=applicant,
            channel="online",
            created_by=user,
            created_at=when,
            service_point=ServicePoint.objects.get(code="SP-D01"),
            form_data=form_data or {},
        )
        for m in version.materials.order_by("order", "id"):
            CaseMaterial.objects.create(
                case=case,
                item_material=m,
                material_type=m.material_type,
                status=MaterialStatus.UPLOADED,
                uploaded_at=when,
            )
        apply_transition(case, "submit", actor=user, target=CaseStatus.SUBMITTED, now=when)
        case.submitted_at = case.received_at = when
        case.save(update_fields=["submitted_at", "received_at"])
    return case


def accepted_case(
    version: ItemVersion,
    user: User,
    clerk: User,
    *,
    when: datetime,
    applicant: Applicant | None = None,
    form_data: dict | None = None,
) -> Case:
    """A case accepted by ``clerk`` at ``when`` (``case_accept``: the clock started, the
    first step's task open, the 受理通知书 issued)."""
    case = submitted_case(version, user, when=when, applicant=applicant, form_data=form_data)
    case_accept(actor=clerk, case=case, now=when)
    return reload(case)


def reload(case: Case) -> Case:
    """The case as stored (``refresh_from_db`` cannot set the protected status field)."""
    return Case.objects.get(pk=case.pk)
