"""A submission that fails half-way leaves nothing in the database; the file it had already
written is an orphan, and ``cases_clean_orphans`` removes it (after the grace period)."""

from __future__ import annotations

import os
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.services.submission import case_create_draft, material_upload
from onewindow.demo.data.org import BARBER_USCC
from onewindow.org.models import Applicant
from tests.cases.test_uploads import a_pdf

pytestmark = pytest.mark.django_db


class PowerCut(Exception):
    pass


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def age(path: Path, minutes: int) -> None:
    t = time.time() - minutes * 60
    os.utime(path, (t, t))


def clean(*args: str) -> str:
    out = StringIO()
    call_command("cases_clean_orphans", *args, stdout=out)
    return out.getvalue()


def test_a_failed_submission_leaves_no_case_and_its_file_is_swept(people, hygiene_licence, media):
    zhangsan = people["zhangsan"]
    barber = Applicant.objects.get(uscc=BARBER_USCC)
    cases_before = Case.objects.count()
    made: list[Case] = []

    def submission_that_dies() -> None:
        with transaction.atomic():
            case = case_create_draft(actor=zhangsan, version=hygiene_licence, applicant=barber)
            made.append(case)
            slot = case.materials.get(material_type__name="申请表（书）")
            material_upload(actor=zhangsan, case=case, case_material=slot, uploaded_file=a_pdf())
            raise PowerCut  # the process dies before the commit

    with pytest.raises(PowerCut):
        submission_that_dies()
    (case,) = made
    assert Case.objects.count() == cases_before
    assert not CaseMaterial.objects.filter(case__number=case.number).exists()
    (orphan,) = files(media)
    assert orphan.relative_to(media).as_posix().startswith("cases/")

    # a committed case's file stays; a young orphan is protected by the grace period
    kept_case = case_create_draft(actor=zhangsan, version=hygiene_licence, applicant=barber)
    kept = material_upload(
        actor=zhangsan,
        case=kept_case,
        case_material=kept_case.materials.get(material_type__name="申请表（书）"),
        uploaded_file=a_pdf(),
    )
    kept_path = media / kept.file.name
    age(kept_path, 120)
    assert "共删除孤立文件 0 个" in clean()
    assert orphan.exists()

    age(orphan, 120)
    out = clean("--dry-run")
    assert orphan.relative_to(media).as_posix() in out
    assert orphan.exists()
    out = clean("--older-than-minutes", "60")
    assert "共删除孤立文件 1 个" in out
    assert not orphan.exists()
    assert kept_path.exists()


def test_the_sweep_with_no_upload_directory_does_nothing(media):
    assert "共删除孤立文件 0 个" in clean("--older-than-minutes", "0")
