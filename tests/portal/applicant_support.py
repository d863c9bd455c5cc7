"""Shared helpers of the applicant screen tests (tests/portal/test_applicant_*.py): real
files (a PDF written by pypdf, a PNG drawn by Pillow), the barber shop's filled form, and
cases brought into each state through the real services."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from pypdf import PdfWriter

from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.services.acceptance import case_accept, case_request_correction
from onewindow.cases.services.submission import case_create_draft, case_submit, material_upload
from onewindow.catalog.models import ItemVersion
from onewindow.demo.data.org import BARBER_USCC
from onewindow.org.models import Applicant, User

BARBER_FORM: dict[str, Any] = {
    "applicant_name": "张三理发店",
    "uscc": BARBER_USCC,
    "legal_representative": "张三",
    "phone": "13900000001",
    "business_address": "示范区城东大道96号",
    "business_area_m2": "45",
    "public_place_type": "理发店",
    "employees_count": "3",
}
CORE_UPLOADS = ["申请表（书）", "经营场所使用证明（房屋租赁合同或产权证明）", "经营场所平面布局图"]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pdf_file(name: str = "申请表.pdf") -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="application/pdf")


def png_file(name: str = "平面图.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 16, 46)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def disguised_file(name: str = "租赁合同.pdf") -> SimpleUploadedFile:
    """A ZIP archive wearing a PDF's name."""
    return SimpleUploadedFile(name, b"PK\x03\x04" + b"\x00" * 200, content_type="application/pdf")


def barber(people: dict[str, User]) -> Applicant:
    return Applicant.objects.get(uscc=BARBER_USCC, users=people["zhangsan"])


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def slot(case: Case, name: str) -> CaseMaterial:
    return case.materials.get(material_type__name=name)


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def a_draft(people: dict[str, User], version: ItemVersion, **form: Any) -> Case:
    data = {**BARBER_FORM, **form}
    return case_create_draft(
        actor=people["zhangsan"], version=version, applicant=barber(people), form_data=data
    )


def a_submitted(people: dict[str, User], version: ItemVersion, *, complete: bool = False) -> Case:
    """Submitted with the core materials (``complete``: every required one)."""
    case = a_draft(people, version)
    for m in case.materials.select_related("item_material", "material_type"):
        wanted = m.material_type.name in CORE_UPLOADS or (complete and m.item_material.required)
        if wanted and m.status == "pending":
            material_upload(
                actor=people["zhangsan"], case=case, case_material=m, uploaded_file=pdf_file()
            )
    return case_submit(actor=people["zhangsan"], case=case)


def a_corrected(people: dict[str, User], version: ItemVersion) -> tuple[Case, CaseMaterial]:
    """Submitted, then a one-time notice naming the floor plan as defective."""
    case = a_submitted(people, version)
    plan = slot(case, "经营场所平面布局图")
    case_request_correction(
        actor=people["lisi"],
        case=case,
        problems=[{"material": plan, "reason": "平面布局图未标注消毒间位置"}],
    )
    return reload(case), plan


def an_accepted(people: dict[str, User], version: ItemVersion) -> Case:
    """Submitted with every required material, accepted by 李四 (clock started)."""
    case = a_submitted(people, version, complete=True)
    case_accept(actor=people["lisi"], case=case)
    return reload(case)
