"""Acceptance decisions end to end on the demo district (the four outcomes and instant)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from django.db import transaction
from django.test import override_settings

from onewindow.cases.models import Case, CaseMaterial, MaterialStatus
from onewindow.cases.states import CaseStatus
from onewindow.cases.workflow import apply_transition, next_number
from onewindow.catalog.models import ItemVersion
from onewindow.org.models import Applicant, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path) -> Iterator[Path]:
    """Notices and outbox files go to a temporary folder."""
    with override_settings(MEDIA_ROOT=tmp_path / "media", NOTIFY_OUTBOX_DIR=tmp_path / "outbox"):
        yield tmp_path


def submitted_case(
    version: ItemVersion,
    user: User,
    *,
    at: datetime,
    uploaded: bool = True,
    applicant: Applicant | None = None,
) -> Case:
    """A submitted online case of ``user``'s applicant with every material slot uploaded
    (or pending)."""
    applicant = applicant or Applicant.objects.filter(users=user).order_by("pk").first()
    assert applicant is not None
    with transaction.atomic():
        seq = next_number(f"test-case:{at.year}")
        case = Case.objects.create(
            number=f"T{at:%Y%m%d}{seq:06d}",
            item=version.item,
            item_version=version,
            department=version.item.department,
            applicant=applicant,
            channel="online",
            created_by=user,
            created_at=at,
        )
        for m in version.materials.order_by("order", "id"):
            CaseMaterial.objects.create(
                case=case,
                item_material=m,
                material_type=m.material_type,
                status=MaterialStatus.UPLOADED if uploaded else MaterialStatus.PENDING,
                uploaded_at=at if uploaded else None,
            )
        apply_transition(case, "submit", actor=user, target=CaseStatus.SUBMITTED, now=at)
        case.submitted_at = case.received_at = at
        case.save(update_fields=["submitted_at", "received_at"])
    return case
