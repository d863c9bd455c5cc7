"""Bundle cases (一件事一次办) on the demo district: 张三 opens 我要开理发店 (lead: 区卫生健康委)
— one application fans out into real sub-cases, one upload per shared material, submit all
or nothing, one acceptance at one window, the lead's view, withdrawal, statistics."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from onewindow.audit.models import AuditEvent
from onewindow.bundles.models import BundleVersion
from onewindow.bundles.selectors import published_version
from onewindow.cases.bundle_selectors import (
    bundle_case_detail,
    bundle_cases_for_lead,
    bundle_statistics,
)
from onewindow.cases.inbox import inbox
from onewindow.cases.models import (
    BundleCase,
    BundleCaseStatus,
    Case,
    CaseMaterial,
    MaterialStatus,
    Task,
)
from onewindow.cases.selectors import case_for
from onewindow.cases.services.bundle import (
    bundle_case_accept,
    bundle_case_create,
    bundle_case_submit,
    bundle_case_withdraw,
    bundle_material_upload,
    derive_status,
)
from onewindow.cases.states import CaseStatus
from onewindow.cases.steps import processing_steps
from onewindow.common.errors import Conflict, NotFound, ValidationFailed
from onewindow.org.models import Applicant, User
from onewindow.workdays.calendar import SHANGHAI
from tests.cases.test_submission import BARBER_USCC
from tests.cases.test_uploads import a_pdf, pdf_bytes, upload

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)  # a Friday
HYGIENE = "公共场所卫生许可证核发"
INDIVIDUAL = "个体工商户设立登记"
HEALTH = "从业人员预防性健康检查及健康证明办理"
TAX = "一照一码户涉税信息确认"
SIGN = "户外广告设施设置备案"
SOCIAL = "单位参保登记（社会保险登记）"
NO_NO = {"sign": "no", "staff": "no"}


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path) -> Iterator[Path]:
    with override_settings(MEDIA_ROOT=tmp_path / "media", NOTIFY_OUTBOX_DIR=tmp_path / "outbox"):
        yield tmp_path


@pytest.fixture
def barber(demo: Any, db: Any) -> BundleVersion:
    from onewindow.bundles.models import Bundle

    bundle = Bundle.objects.get(current_version__name="我要开理发店")
    return published_version(bundle.code)


@pytest.fixture
def shop(people: dict[str, User]) -> Applicant:
    return Applicant.objects.get(users=people["zhangsan"], kind="legal", uscc=BARBER_USCC)


def merged_form(zhangsan: Applicant) -> dict[str, Any]:
    """The one merged form of the barber bundle, filled once."""
    return {
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
        "sign_location": "城东大道96号门头",
        "sign_size": "3米×0.8米",
    }


def create(
    people: dict[str, User],
    barber: BundleVersion,
    zhangsan: Applicant,
    shop: Applicant,
    answers: dict[str, str] = NO_NO,
    form: dict[str, Any] | None = None,
) -> BundleCase:
    data = merged_form(zhangsan) if form is None else form
    if answers.get("sign") != "yes":
        data = {k: v for k, v in data.items() if not k.startswith("sign_")}
    return bundle_case_create(
        actor=people["zhangsan"],
        bundle_version=barber,
        applicant=zhangsan,
        business=shop,
        answers=answers,
        form_data=data,
        now=NOW,
    )


def subs(bc: BundleCase) -> dict[str, Case]:
    return {c.item_version.name: c for c in bc.sub_cases.select_related("item_version")}


def upload_everything(people: dict[str, User], bc: BundleCase) -> list[str]:
    """Each material type the bundle still needs, uploaded once; returns their codes."""
    codes = sorted(
        set(
            CaseMaterial.objects.filter(case__bundle_case=bc, status=MaterialStatus.PENDING)
            .exclude(item_material__required=False)
            .values_list("material_type__code", flat=True)
        )
    )
    for code in codes:
        bundle_material_upload(
            actor=people["zhangsan"],
            bundle_case=bc,
            material_type_code=code,
            uploaded_file=a_pdf(),
            now=NOW,
        )
    return codes


def submitted(people: dict[str, User], barber: BundleVersion, zs: Applicant, shop: Applicant):
    bc = create(people, barber, zs, shop)
    upload_everything(people, bc)
    return bundle_case_submit(actor=people["zhangsan"], bundle_case=bc, now=NOW)


# --------------------------------------------------------------------------- the tests


def test_the_answers_decide_the_sub_cases_and_each_gets_exactly_its_own_fields(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    bc = create(people, barber, zhangsan_applicant, shop)
    assert bc.status == BundleCaseStatus.DRAFT
    assert bc.lead_department.name == "区卫生健康委"
    by_name = subs(bc)
    assert set(by_name) == {INDIVIDUAL, HYGIENE, HEALTH, TAX}
    for case in by_name.values():
        assert case.status == CaseStatus.DRAFT
        own = {f.field.code for f in case.item_version.fields.all()}
        assert set(case.form_data) <= own  # nothing of another item's form
    assert by_name[HEALTH].form_data == {
        "person_name": "张三",
        "resident_id": zhangsan_applicant.resident_id,
        "phone": "13900000001",
    }
    assert by_name[HYGIENE].form_data["business_area_m2"] == "45"
    # The individual business is registered by 张三; the permits go to 张三理发店.
    assert by_name[INDIVIDUAL].applicant == zhangsan_applicant
    assert by_name[HYGIENE].applicant == shop
    assert by_name[TAX].applicant == shop
    assert AuditEvent.objects.filter(action="bundle_case.created", object_id=str(bc.pk)).exists()

    more = create(people, barber, zhangsan_applicant, shop, answers={"sign": "yes", "staff": "yes"})
    assert set(subs(more)) == {INDIVIDUAL, HYGIENE, HEALTH, TAX, SIGN, SOCIAL}
    assert subs(more)[SIGN].form_data["sign_size"] == "3米×0.8米"


def test_a_bad_answer_or_an_invalid_field_creates_nothing(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    before = (BundleCase.objects.count(), Case.objects.count())
    with pytest.raises(ValidationFailed) as bad:
        create(people, barber, zhangsan_applicant, shop, answers={"sign": "maybe", "staff": "no"})
    assert "answers.sign" in bad.value.fields
    form = merged_form(zhangsan_applicant) | {"business_area_m2": "-3", "nonsense": "x"}
    with pytest.raises(ValidationFailed) as invalid:
        create(people, barber, zhangsan_applicant, shop, form=form)
    assert invalid.value.code == "form_invalid"
    assert {"business_area_m2", "nonsense"} <= set(invalid.value.fields)
    assert (BundleCase.objects.count(), Case.objects.count()) == before


def test_a_shared_material_is_uploaded_once_and_lands_on_every_sub_case_needing_it(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    bc = create(people, barber, zhangsan_applicant, shop)
    # 经营场所使用证明 (M0003) is asked by the individual registration and the hygiene licence.
    stored = bundle_material_upload(
        actor=people["zhangsan"],
        bundle_case=bc,
        material_type_code="M0003",
        uploaded_file=a_pdf("租赁合同.pdf"),
        now=NOW,
    )
    assert {m.case.item_version.name for m in stored} == {INDIVIDUAL, HYGIENE}
    slots = CaseMaterial.objects.filter(case__bundle_case=bc, material_type__code="M0003")
    assert slots.count() == 2
    assert {s.status for s in slots} == {MaterialStatus.UPLOADED}
    assert len({s.sha256 for s in slots}) == 1
    assert len({s.file.name for s in slots}) == 2  # each sub-case owns its copy
    assert all(
        Path(s.file.path).read_bytes() == Path(slots[0].file.path).read_bytes() for s in slots
    )
    # The content check still holds: a PNG named .pdf is refused and nothing is replaced.
    from tests.cases.test_uploads import image_bytes

    with pytest.raises(ValidationFailed):
        bundle_material_upload(
            actor=people["zhangsan"],
            bundle_case=bc,
            material_type_code="M0003",
            uploaded_file=upload("假.pdf", image_bytes("PNG"), "application/pdf"),
            now=NOW,
        )
    assert {s.sha256 for s in slots.all()} == {stored[0].sha256}
    # A material type the bundle does not ask, and someone else's bundle: 404.
    with pytest.raises(NotFound):
        bundle_material_upload(
            actor=people["zhangsan"],
            bundle_case=bc,
            material_type_code="M9999",
            uploaded_file=a_pdf(),
            now=NOW,
        )
    with pytest.raises(NotFound):
        bundle_material_upload(
            actor=people["qianqi"],
            bundle_case=bc,
            material_type_code="M0003",
            uploaded_file=upload("x.pdf", pdf_bytes(), "application/pdf"),
            now=NOW,
        )


def test_submit_is_all_or_nothing(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    form = merged_form(zhangsan_applicant)
    del form["public_place_type"]  # only the hygiene licence asks it: that sub-case is invalid
    bc = create(people, barber, zhangsan_applicant, shop, form=form)
    upload_everything(people, bc)
    with pytest.raises(ValidationFailed):
        bundle_case_submit(actor=people["zhangsan"], bundle_case=bc, now=NOW)
    assert {c.status for c in bc.sub_cases.all()} == {CaseStatus.DRAFT}
    assert BundleCase.objects.get(pk=bc.pk).status == BundleCaseStatus.DRAFT

    ok = submitted(people, barber, zhangsan_applicant, shop)
    assert ok.status == BundleCaseStatus.SUBMITTED
    assert ok.submitted_at == NOW
    assert {c.status for c in ok.sub_cases.all()} == {CaseStatus.SUBMITTED}
    with pytest.raises(Conflict):
        bundle_case_submit(actor=people["zhangsan"], bundle_case=ok, now=NOW)


def test_one_acceptance_at_one_window_fans_out_to_each_departments_inbox(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    bc = submitted(people, barber, zhangsan_applicant, shop)
    bundle_case_accept(actor=people["lisi"], bundle_case=bc, now=NOW)
    bc = BundleCase.objects.get(pk=bc.pk)
    assert bc.status == BundleCaseStatus.ACCEPTED
    assert bc.accepted_by == people["lisi"]
    assert bc.promised_limit == 5
    # Friday 2026-11-27 + 5 working days = Friday 2026-12-04 (end of day).
    assert bc.promised_due_at == datetime(2026, 12, 4, 23, 59, 59, tzinfo=SHANGHAI)
    by_name = subs(bc)
    hygiene = by_name[HYGIENE]
    assert hygiene.status in (CaseStatus.IN_REVIEW, CaseStatus.IN_DECISION)
    assert hygiene.promised_limit == 3
    assert hygiene.legal_limit == 20
    assert hygiene.promised_due_at == datetime(2026, 12, 2, 23, 59, 59, tzinfo=SHANGHAI)
    assert hygiene.legal_due_at is not None
    assert hygiene.legal_due_at > bc.promised_due_at
    for case in by_name.values():
        assert case.accepted_at == NOW
        assert case.promised_due_at is not None
        if processing_steps(case):
            task = Task.objects.get(case=case, status="open")
            assert task.department == case.department
        else:  # an on-the-spot item without steps waits for its department's decision
            assert case.status == CaseStatus.IN_DECISION
            assert case.current_step is None
    assert Task.objects.filter(case__bundle_case=bc, status="open").count() >= 2
    # Each department's own inbox: 王五 (区市场监管局) never sees 区卫生健康委's sub-cases.
    wangwu_cases = {t.case.number for t in inbox(people["wangwu"])}
    assert hygiene.number not in wangwu_cases
    assert by_name[HEALTH].number not in wangwu_cases
    hanmei_cases = {t.case.number for t in inbox(people["hanmei"])}
    assert {hygiene.number, by_name[HEALTH].number} <= hanmei_cases
    with pytest.raises(Conflict):
        bundle_case_accept(actor=people["lisi"], bundle_case=bc, now=NOW)


def test_the_lead_sees_the_whole_bundle_cooperating_staff_only_their_sub_case(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    bc = submitted(people, barber, zhangsan_applicant, shop)
    bundle_case_accept(actor=people["lisi"], bundle_case=bc, now=NOW)
    detail = bundle_case_detail(people["hanmei"], bc.number)  # lead department staff
    assert {v.case.item_version.name for v in detail.sub_cases} == {
        INDIVIDUAL,
        HYGIENE,
        HEALTH,
        TAX,
    }
    lead = {v.case.item_version.name for v in detail.sub_cases if v.lead}
    assert lead == {HYGIENE, HEALTH}
    assert all(v.promised_due_at and v.legal_due_at for v in detail.sub_cases)
    steps_shown = {v.case.item_version.name: v.step_name for v in detail.sub_cases}
    assert steps_shown[HYGIENE]  # the step it is at (step-less on-the-spot items: "")
    assert bc.number in {b.number for b in bundle_cases_for_lead(people["hanmei"])}
    # 王五 of 区市场监管局 co-operates: his sub-case yes, the bundle no (404, not 403).
    with pytest.raises(NotFound):
        bundle_case_detail(people["wangwu"], bc.number)
    assert bc.number not in {b.number for b in bundle_cases_for_lead(people["wangwu"])}
    individual = subs(bc)[INDIVIDUAL]
    assert case_for(people["wangwu"], individual.number) == individual
    with pytest.raises(NotFound):
        case_for(people["wangwu"], subs(bc)[HYGIENE].number)
    # The applicant sees all; another applicant nothing.
    assert len(bundle_case_detail(people["zhangsan"], bc.number).sub_cases) == 4
    with pytest.raises(NotFound):
        bundle_case_detail(people["qianqi"], bc.number)


def test_withdrawal_withdraws_every_open_sub_case(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    bc = submitted(people, barber, zhangsan_applicant, shop)
    bundle_case_accept(actor=people["lisi"], bundle_case=bc, now=NOW)
    with pytest.raises(NotFound):
        bundle_case_withdraw(actor=people["qianqi"], bundle_case=bc, now=NOW)
    bundle_case_withdraw(actor=people["zhangsan"], bundle_case=bc, reason="不开了", now=NOW)
    bc = BundleCase.objects.get(pk=bc.pk)
    assert bc.status == BundleCaseStatus.WITHDRAWN
    assert bc.withdrawn_at == NOW
    assert {c.status for c in bc.sub_cases.all()} == {CaseStatus.WITHDRAWN}
    assert not Task.objects.filter(case__bundle_case=bc, status__in=["open", "claimed"]).exists()
    with pytest.raises(Conflict):
        bundle_case_withdraw(actor=people["zhangsan"], bundle_case=bc, now=NOW)


def test_statistics_count_the_bundle_once_and_each_sub_case_once(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    before = bundle_statistics()
    create(people, barber, zhangsan_applicant, shop)  # a draft is not an application
    bc = submitted(people, barber, zhangsan_applicant, shop)
    after = bundle_statistics()
    assert after["bundles"]["total"] == before["bundles"]["total"] + 1
    assert after["items"]["total"] == before["items"]["total"] + 4
    assert after["items"]["in_bundles"] == before["items"]["in_bundles"] + 4
    assert after["items"]["standalone"] == before["items"]["standalone"]
    non_draft = Case.objects.exclude(status=CaseStatus.DRAFT).count()
    assert after["items"]["total"] == non_draft
    assert sum(r["count"] for r in after["items"]["by_item"]) == non_draft
    assert sum(r["count"] for r in after["bundles"]["by_bundle"]) == after["bundles"]["total"]
    barber_rows = [r for r in after["bundles"]["by_bundle"] if r["code"] == bc.bundle.code]
    assert sum(r["count"] for r in barber_rows) >= 1


def test_the_bundle_status_follows_its_sub_cases() -> None:
    s, b = CaseStatus, BundleCaseStatus
    assert derive_status([s.DRAFT, s.DRAFT], b.DRAFT, progressed=False) == b.DRAFT
    assert derive_status([s.IN_REVIEW, s.SUBMITTED], b.SUBMITTED, progressed=False) == b.SUBMITTED
    assert derive_status([s.IN_REVIEW, s.IN_DECISION], b.SUBMITTED, progressed=False) == b.ACCEPTED
    assert derive_status([s.IN_REVIEW, s.IN_DECISION], b.ACCEPTED, progressed=True) == b.IN_PROGRESS
    assert derive_status([s.CONCLUDED, s.IN_DECISION], b.IN_PROGRESS, progressed=True) == (
        b.IN_PROGRESS
    )
    # A refused sub-case that is concluded counts as concluded; a withdrawn one drops out.
    assert derive_status([s.CONCLUDED, s.WITHDRAWN], b.IN_PROGRESS, progressed=True) == (
        b.CONCLUDED
    )
    assert derive_status([s.DELIVERED, s.DELIVERED], b.CONCLUDED, progressed=True) == b.DELIVERED
    assert derive_status([s.NOT_ACCEPTED, s.WITHDRAWN], b.SUBMITTED, progressed=True) == b.ENDED
    assert derive_status([s.IN_REVIEW], b.WITHDRAWN, progressed=True) == b.WITHDRAWN


def test_the_bundle_moves_on_when_a_department_works_on_its_sub_case(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    from onewindow.cases.services.processing import case_decide, task_complete

    bc = submitted(people, barber, zhangsan_applicant, shop)
    bundle_case_accept(actor=people["lisi"], bundle_case=bc, now=NOW)
    hygiene = subs(bc)[HYGIENE]
    task = Task.objects.get(case=hygiene, status="open")
    if hygiene.status == CaseStatus.IN_REVIEW:
        task_complete(actor=people["hanmei"], task=task, opinion="材料齐全，符合条件", now=NOW)
    else:
        case_decide(actor=people["hanmei"], case=hygiene, outcome="approve", now=NOW)
    bc = BundleCase.objects.get(pk=bc.pk)
    assert bc.status == BundleCaseStatus.IN_PROGRESS
    followed = AuditEvent.objects.filter(
        action="bundle_case.status_followed", object_id=str(bc.pk)
    ).order_by("id")
    assert [e.payload["to"] for e in followed][-1] == BundleCaseStatus.IN_PROGRESS
