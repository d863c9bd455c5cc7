"""Ways in: creating cases online, at the window, assisted and by proxy; idempotency; the
数据跑腿 hook; materials; submitting and resubmitting; visits."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from onewindow.audit.models import AuditEvent
from onewindow.cases import sources
from onewindow.cases.models import Case, CaseMaterial, MaterialStatus, Visit
from onewindow.cases.services.submission import (
    case_create_draft,
    case_resubmit,
    case_submit,
    case_update_draft,
    material_upload,
    record_visit,
)
from onewindow.cases.states import CaseStatus
from onewindow.cases.workflow import apply_transition
from onewindow.catalog.models import ItemVersion
from onewindow.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.demo.data.org import BARBER_USCC
from onewindow.org.models import Applicant, ServicePoint, User, Window
from tests.cases.conftest import published
from tests.cases.test_uploads import a_jpeg, a_pdf, a_png

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 5, 11, 9, 30))
BARBER_FORM = {
    "applicant_name": "张三理发店",
    "uscc": BARBER_USCC,
    "legal_representative": "张三",
    "phone": "13900000001",
    "business_address": "示范区城东大道96号",
    "business_area_m2": "45",
    "public_place_type": "理发店",
    "employees_count": 3,
}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def barber(people: dict[str, User]) -> Applicant:
    return Applicant.objects.get(uscc=BARBER_USCC, users=people["zhangsan"])


def draft(people: dict[str, User], version: ItemVersion, applicant: Applicant, **kw: Any) -> Case:
    kw.setdefault("actor", people["zhangsan"])
    kw.setdefault("now", NOW)
    return case_create_draft(version=version, applicant=applicant, **kw)


def slot(case: Case, name: str) -> CaseMaterial:
    return case.materials.get(material_type__name=name)


CORE_UPLOADS = ["申请表（书）", "经营场所使用证明（房屋租赁合同或产权证明）", "经营场所平面布局图"]


def upload_core(case: Case, actor: User) -> None:
    for name in CORE_UPLOADS:
        material_upload(
            actor=actor, case=case, case_material=slot(case, name), uploaded_file=a_pdf()
        )


# ------------------------------------------------------------------ creating


def test_zhangsan_opens_a_draft_for_his_barber_shop(people, barber, hygiene_licence):
    case = draft(people, hygiene_licence, barber, form_data={"public_place_type": "理发店"})
    assert case.number == "50010220260511" + case.number[-6:]
    assert int(case.number[-6:]) >= 1
    assert case.status == CaseStatus.DRAFT
    assert (case.channel, case.on_behalf, case.service_point) == ("online", False, None)
    assert case.department.name == "区卫生健康委"
    assert case.form_data == {"public_place_type": "理发店"}
    assert case.materials.count() == hygiene_licence.materials.count() == 8
    licence = slot(case, "营业执照")
    assert licence.status == MaterialStatus.OBTAINED
    assert licence.obtained_from == f"营业执照 {BARBER_USCC}"
    others = case.materials.exclude(pk=licence.pk)
    assert set(others.values_list("status", flat=True)) == {MaterialStatus.PENDING}
    event = AuditEvent.objects.get(action="case.created", object_id=str(case.pk))
    assert event.payload["obtained"] == ["营业执照"]
    assert not Visit.objects.filter(case=case).exists()


def test_case_numbers_follow_each_other_within_a_day(people, barber, hygiene_licence):
    a = draft(people, hygiene_licence, barber)
    b = draft(people, hygiene_licence, barber)
    assert int(b.number[-6:]) == int(a.number[-6:]) + 1
    assert b.number[:14] == a.number[:14]


def test_the_same_idempotency_key_returns_the_same_case(people, barber, hygiene_licence):
    first = draft(people, hygiene_licence, barber, idempotency_key="k-123")
    again = draft(people, hygiene_licence, barber, idempotency_key="k-123")
    assert again.pk == first.pk
    assert Case.objects.filter(created_by=people["zhangsan"]).count() == 1
    other = published("公共场所卫生许可证延续")
    with pytest.raises(Conflict) as exc:
        draft(people, other, barber, idempotency_key="k-123")
    assert exc.value.code == "idempotency_key_reused"
    assert exc.value.status == 409
    # a key is per account: 钱七 may use the same text
    qianqi = Applicant.objects.get(users=people["qianqi"])
    mine = draft(
        people,
        published("个体工商户设立登记"),
        qianqi,
        actor=people["qianqi"],
        idempotency_key="k-123",
    )
    assert mine.pk != first.pk


def test_an_applicant_may_not_file_for_someone_else(people, zhangsan_applicant, hygiene_licence):
    natural_item = published("个体工商户设立登记")
    with pytest.raises(PermissionDenied):
        draft(people, natural_item, zhangsan_applicant, actor=people["qianqi"])
    with pytest.raises(PermissionDenied):  # nor pretend to be a window
        draft(people, natural_item, zhangsan_applicant, channel="window")
    assert not Case.objects.exists()


def test_subject_type_must_match(people, zhangsan_applicant, barber, hygiene_licence):
    with pytest.raises(ValidationFailed) as exc:
        draft(people, hygiene_licence, zhangsan_applicant)
    assert exc.value.code == "subject_type_mismatch"
    assert "仅面向法人及其他组织" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        draft(people, published("个体工商户设立登记"), barber)
    assert exc.value.code == "subject_type_mismatch"
    assert "仅面向自然人" in exc.value.message


def test_only_a_published_version_can_be_applied_for(people, barber, hygiene_licence):
    hygiene_licence.status = "superseded"
    with pytest.raises(ValidationFailed) as exc:
        draft(people, hygiene_licence, barber)
    assert exc.value.code == "item_not_published"


def test_a_natural_person_is_not_offered_a_business_licence(people, zhangsan_applicant):
    case = draft(people, published("个体工商户变更登记"), zhangsan_applicant)
    licence = slot(case, "营业执照")
    assert licence.status == MaterialStatus.PENDING
    assert not licence.obtained_from


def test_a_registered_source_obtains_its_material(people, barber, hygiene_licence):
    @sources.register("test_health_certificates")
    def health(applicant, material_type):
        if material_type.licence_type_code == "health_certificate":
            return f"健康证明 {applicant.uscc[-6:]}"
        return None

    try:
        item = hygiene_licence.materials.get(material_type__name="从业人员健康证明")
        item.source = "department"
        item.save()
        case = draft(people, hygiene_licence, barber)
    finally:
        sources.unregister("test_health_certificates")
    assert slot(case, "从业人员健康证明").status == MaterialStatus.OBTAINED
    # a source is asked only for materials the centre obtains, not for uploads
    assert "test_health_certificates" not in sources.registered()


# ------------------------------------------------------------------ window, assisted, proxy


def test_a_clerk_creates_a_case_at_the_window_and_the_visit_is_counted(
    people, barber, hygiene_licence
):
    case = draft(people, hygiene_licence, barber, actor=people["lisi"], channel="window")
    assert case.created_by == people["lisi"]
    assert case.service_point.code == "SP-D01"  # 李四's service point
    assert not case.on_behalf
    visit = Visit.objects.get(case=case)
    assert (visit.applicant, visit.recorded_by, visit.purpose) == (
        barber,
        people["lisi"],
        "窗口申请",
    )


def test_assisted_and_proxy_need_the_applicants_consent(people, barber, hygiene_licence):
    lisi = people["lisi"]
    for channel in ("assisted", "proxy"):
        with pytest.raises(ValidationFailed) as exc:
            draft(people, hygiene_licence, barber, actor=lisi, channel=channel)
        assert exc.value.code == "consent_required"
        assert exc.value.message == "需注明申请人的授权或同意"
    assisted = draft(
        people,
        hygiene_licence,
        barber,
        actor=lisi,
        channel="assisted",
        consent_note="张三当面口头同意，由窗口帮办填报",
    )
    assert assisted.on_behalf
    assert assisted.consent_note.startswith("张三当面")
    assert Visit.objects.filter(case=assisted).count() == 1
    proxy = draft(
        people,
        hygiene_licence,
        barber,
        actor=lisi,
        channel="proxy",
        consent_note="张三签署代办委托书",
    )
    assert proxy.on_behalf
    assert not Visit.objects.filter(case=proxy).exists()  # the applicant did not come
    with pytest.raises(ValidationFailed) as exc:
        draft(people, hygiene_licence, barber, actor=lisi, channel="window", on_behalf=True)
    assert exc.value.code == "invalid_channel"


def test_window_creation_needs_acceptance_rights_at_that_point(people, barber, hygiene_licence):
    with pytest.raises(PermissionDenied):  # an approver does not accept cases
        draft(
            people,
            hygiene_licence,
            barber,
            actor=people["wangwu"],
            channel="window",
            service_point=ServicePoint.objects.get(code="SP-D01"),
        )
    town_clerk = User.objects.get(username="jiangfang")  # clerk of 城东街道 (SP-T01)
    with pytest.raises(PermissionDenied):
        draft(
            people,
            hygiene_licence,
            barber,
            actor=town_clerk,
            channel="window",
            service_point=ServicePoint.objects.get(code="SP-D01"),
        )
    case = draft(people, hygiene_licence, barber, actor=town_clerk, channel="window")
    assert case.service_point.code == "SP-T01"


# ------------------------------------------------------------------ the form


def test_the_draft_form_is_saved_in_parts(people, barber, hygiene_licence):
    case = draft(people, hygiene_licence, barber)
    case = case_update_draft(
        actor=people["zhangsan"], case=case, form_data={"business_area_m2": 45}
    )
    case = case_update_draft(
        actor=people["zhangsan"],
        case=case,
        form_data={"employees_count": "3", "business_area_m2": ""},
    )
    assert case.form_data == {"employees_count": 3}
    with pytest.raises(ValidationFailed) as exc:
        case_update_draft(
            actor=people["zhangsan"], case=case, form_data={"employees_count": -1, "phone": "123"}
        )
    assert set(exc.value.fields) == {"employees_count", "phone"}
    assert Case.objects.get(pk=case.pk).form_data == {"employees_count": 3}
    with pytest.raises(NotFound):
        case_update_draft(actor=people["qianqi"], case=case, form_data={"employees_count": 4})
    assert (
        AuditEvent.objects.filter(action="case.form_updated", object_id=str(case.pk)).count() == 2
    )


# ------------------------------------------------------------------ materials


def test_upload_stores_the_checked_file_and_a_replacement_is_audited(
    people, barber, hygiene_licence, media, django_capture_on_commit_callbacks
):
    case = draft(people, hygiene_licence, barber)
    plan = slot(case, "经营场所平面布局图")
    first = material_upload(
        actor=people["zhangsan"], case=case, case_material=plan, uploaded_file=a_png("平面图.png")
    )
    assert first.status == MaterialStatus.UPLOADED
    assert (first.content_type, first.original_name) == ("image/png", "平面图.png")
    assert first.file.name.startswith("cases/")
    assert first.file.name.endswith(".png")
    old_path = media / first.file.name
    assert old_path.exists()
    assert old_path.stat().st_size == first.size
    with django_capture_on_commit_callbacks(execute=True):
        second = material_upload(
            actor=people["zhangsan"],
            case=case,
            case_material=plan,
            uploaded_file=a_jpeg("平面图-新.jpg"),
        )
    assert second.content_type == "image/jpeg"
    assert not old_path.exists()  # the replaced file goes once the change is committed
    assert (media / second.file.name).exists()
    events = AuditEvent.objects.filter(action="case.material_uploaded", object_id=str(case.pk))
    assert [e.payload["replaced"] for e in events.order_by("id")] == [False, True]
    assert events.order_by("id").last().payload["previous_sha256"] == first.sha256


def test_a_refused_file_stores_nothing(people, barber, hygiene_licence, media):
    case = draft(people, hygiene_licence, barber)
    plan = slot(case, "经营场所平面布局图")
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationFailed) as exc:
        material_upload(
            actor=people["zhangsan"],
            case=case,
            case_material=plan,
            uploaded_file=SimpleUploadedFile("图.pdf", a_png().read()),
        )
    assert exc.value.code == "file_content_mismatch"
    plan.refresh_from_db()
    assert plan.status == MaterialStatus.PENDING
    assert not plan.file
    assert not any(p.is_file() for p in media.rglob("*"))


def test_obtained_materials_need_no_upload_and_others_cannot_upload(
    people, barber, hygiene_licence
):
    case = draft(people, hygiene_licence, barber)
    with pytest.raises(Conflict) as exc:
        material_upload(
            actor=people["zhangsan"],
            case=case,
            case_material=slot(case, "营业执照"),
            uploaded_file=a_pdf(),
        )
    assert exc.value.code == "material_obtained"
    with pytest.raises(NotFound):
        material_upload(
            actor=people["qianqi"],
            case=case,
            case_material=slot(case, "申请表（书）"),
            uploaded_file=a_pdf(),
        )


# ------------------------------------------------------------------ submitting


def test_submit_lists_the_missing_core_materials(people, barber, hygiene_licence):
    case = draft(people, hygiene_licence, barber, form_data=BARBER_FORM)
    material_upload(
        actor=people["zhangsan"],
        case=case,
        case_material=slot(case, "申请表（书）"),
        uploaded_file=a_pdf(),
    )
    with pytest.raises(ValidationFailed) as exc:
        case_submit(actor=people["zhangsan"], case=case, now=NOW)
    assert exc.value.code == "materials_missing"
    assert exc.value.message == (
        "以下材料尚未提交：经营场所使用证明（房屋租赁合同或产权证明）、经营场所平面布局图"
    )
    assert len(exc.value.fields) == 2
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.DRAFT
    assert case.submitted_at is None


def test_submit_with_missing_non_core_materials_is_allowed(
    people, barber, hygiene_licence, django_capture_on_commit_callbacks
):
    case = draft(people, hygiene_licence, barber, form_data=BARBER_FORM)
    upload_core(case, people["zhangsan"])
    later = NOW.replace(hour=10)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_submit(actor=people["zhangsan"], case=case, now=later, idempotency_key="s-1")
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.SUBMITTED
    assert case.submitted_at == case.received_at == later
    assert slot(case, "营业执照").status == MaterialStatus.OBTAINED  # never uploaded
    t = case.transitions.get()
    assert (t.name, t.from_status, t.to_status, t.actor) == (
        "submit",
        "draft",
        "submitted",
        people["zhangsan"],
    )
    event = AuditEvent.objects.get(action="case.submit", object_id=str(case.pk))
    assert event.payload["missing_non_core"] == [
        "卫生管理制度",
        "从业人员健康证明",
        "公共场所卫生检测（评价）报告",
    ]
    from onewindow.notify.models import Notification

    sent = Notification.objects.filter(template="case.submitted", object_id=str(case.pk))
    assert sent.filter(recipient=people["zhangsan"]).exists()


def test_submit_checks_the_whole_form(people, barber, hygiene_licence):
    case = draft(people, hygiene_licence, barber, form_data={"public_place_type": "理发店"})
    upload_core(case, people["zhangsan"])
    with pytest.raises(ValidationFailed) as exc:
        case_submit(actor=people["zhangsan"], case=case, now=NOW)
    assert exc.value.code == "form_invalid"
    assert exc.value.fields["business_area_m2"] == "请填写经营面积"
    assert "public_place_type" not in exc.value.fields


def test_a_retried_submit_is_harmless_and_a_new_one_is_refused(people, barber, hygiene_licence):
    case = draft(people, hygiene_licence, barber, form_data=BARBER_FORM)
    upload_core(case, people["zhangsan"])
    case_submit(actor=people["zhangsan"], case=case, now=NOW, idempotency_key="s-1")
    again = case_submit(actor=people["zhangsan"], case=case, now=NOW, idempotency_key="s-1")
    assert again.status == CaseStatus.SUBMITTED
    assert case.transitions.count() == 1
    with pytest.raises(Conflict) as exc:
        case_submit(actor=people["zhangsan"], case=case, now=NOW, idempotency_key="s-2")
    assert exc.value.code == "illegal_transition"
    with pytest.raises(NotFound):
        case_submit(actor=people["qianqi"], case=case, now=NOW)


def submitted(people: dict[str, User], version: ItemVersion, applicant: Applicant) -> Case:
    case = draft(people, version, applicant, form_data=BARBER_FORM)
    upload_core(case, people["zhangsan"])
    return case_submit(actor=people["zhangsan"], case=case, now=NOW)


def test_after_submission_only_missing_or_defective_materials_may_come(
    people, barber, hygiene_licence
):
    case = submitted(people, hygiene_licence, barber)
    rules = slot(case, "卫生管理制度")
    with pytest.raises(Conflict) as exc:
        material_upload(
            actor=people["zhangsan"], case=case, case_material=rules, uploaded_file=a_pdf()
        )
    assert exc.value.code == "material_upload_closed"
    with pytest.raises(Conflict) as exc:
        case_update_draft(actor=people["zhangsan"], case=case, form_data={"employees_count": 4})
    assert exc.value.code == "case_not_editable"
    # 容缺受理 (the acceptance engineer's service marks the slot; simulated here)
    CaseMaterial.objects.filter(pk=rules.pk).update(status=MaterialStatus.MISSING_ALLOWED)
    with transaction.atomic():
        apply_transition(case, "accept", actor=people["lisi"], target=CaseStatus.IN_REVIEW, now=NOW)
    supplied = material_upload(
        actor=people["zhangsan"],
        case=case,
        case_material=slot(case, "卫生管理制度"),
        uploaded_file=a_pdf(),
    )
    assert supplied.status == MaterialStatus.UPLOADED


def test_resubmit_after_a_one_time_notice_needs_the_defective_material_replaced(
    people, barber, hygiene_licence
):
    case = submitted(people, hygiene_licence, barber)
    plan = slot(case, "经营场所平面布局图")
    CaseMaterial.objects.filter(pk=plan.pk).update(
        status=MaterialStatus.DEFECTIVE, note="未标明消毒间位置"
    )
    with transaction.atomic():
        apply_transition(
            case,
            "request_correction",
            actor=people["lisi"],
            target=CaseStatus.AWAITING_CORRECTION,
            now=NOW,
        )
    case = Case.objects.get(pk=case.pk)
    later = NOW.replace(day=13)
    with pytest.raises(ValidationFailed) as exc:
        case_resubmit(actor=people["zhangsan"], case=case, now=later)
    assert exc.value.code == "materials_missing"
    assert "经营场所平面布局图" in exc.value.message
    material_upload(actor=people["zhangsan"], case=case, case_material=plan, uploaded_file=a_png())
    case = case_resubmit(actor=people["zhangsan"], case=case, now=later, idempotency_key="r-1")
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.SUBMITTED
    assert case.received_at == later
    assert case.submitted_at == NOW
    assert case_resubmit(actor=people["zhangsan"], case=case, now=later, idempotency_key="r-1")
    assert case.transitions.filter(name="resubmit").count() == 1


# ------------------------------------------------------------------ visits


def test_visits_are_recorded_by_staff_only(people, barber, hygiene_licence):
    centre = ServicePoint.objects.get(code="SP-D01")
    window = Window.objects.get(service_point=centre, number="3")
    case = draft(people, hygiene_licence, barber)
    visit = record_visit(
        actor=people["lisi"],
        applicant=barber,
        service_point=centre,
        window=window,
        case=case,
        purpose="补交材料",
        now=NOW,
    )
    assert (visit.window, visit.case, visit.at) == (window, case, NOW)
    assert AuditEvent.objects.filter(action="case.visit_recorded", object_id=str(visit.pk)).exists()
    record_visit(actor=people["chenchen"], applicant=barber, service_point=centre, purpose="预审")
    with pytest.raises(PermissionDenied):
        record_visit(actor=people["zhangsan"], applicant=barber, service_point=centre, purpose="x")
    with pytest.raises(PermissionDenied):  # 李四 serves the district centre only
        record_visit(
            actor=people["lisi"],
            applicant=barber,
            service_point=ServicePoint.objects.get(code="SP-T01"),
            purpose="咨询",
        )
    other_window = Window.objects.get(service_point__code="SP-D02", number="1")
    with pytest.raises(ValidationFailed) as exc:
        record_visit(
            actor=people["lisi"],
            applicant=people_applicant(people),
            service_point=centre,
            window=other_window,
            case=case,
            purpose="",
        )
    assert set(exc.value.fields) == {"purpose", "window", "case"}
    assert Visit.objects.filter(applicant=barber).count() == 2


def people_applicant(people: dict[str, User]) -> Applicant:
    return Applicant.objects.get(users=people["qianqi"])
