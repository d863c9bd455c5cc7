"""The bundles' Django admin: scoped by lead department, actions through the services."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.bundles.models import BundleVersion
from onewindow.bundles.services import bundle_create, bundle_submit
from onewindow.catalog.models import VersionStatus
from tests.bundles.conftest import bundle_data

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_lead_department_sees_and_edits_other_departments_do_not(world):
    v = bundle_create(actor=world["fengjing"], data=bundle_data(world))
    url = f"/admin/bundles/bundleversion/{v.pk}/change/"
    page = logged_in(world["fengjing"]).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "成员事项" in html
    assert "情形规则" in html
    assert 'name="promised_limit"' in html  # a draft of the lead department is editable
    assert logged_in(world["zhenghua"]).get(url).status_code == 404
    listing = logged_in(world["zhenghua"]).get("/admin/bundles/bundleversion/")
    assert "我要开理发店" not in listing.content.decode()


def test_publish_action_runs_the_service_and_reports_its_errors(world):
    v = bundle_create(actor=world["fengjing"], data=bundle_data(world))
    bundle_submit(actor=world["fengjing"], version=v)
    bad = bundle_create(actor=world["wangwu"], data=bundle_data(world, code="T02"))
    client = logged_in(world["wangwu"])
    r = client.post(
        "/admin/bundles/bundleversion/",
        {"action": "publish", "_selected_action": [v.pk, bad.pk]},
        follow=True,
    )
    html = r.content.decode()
    assert "已发布1个版本" in html
    assert "只有待审核的版本可以审核发布" in html
    assert BundleVersion.objects.get(pk=v.pk).status == VersionStatus.PUBLISHED
    assert BundleVersion.objects.get(pk=bad.pk).status == VersionStatus.DRAFT


def _inline(prefix: str, rows: list[dict], initial: int) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                data[f"{prefix}-{i}-{key}"] = "on"
            elif value is not False:
                data[f"{prefix}-{i}-{key}"] = str(value)
    return data


def form_data(v: BundleVersion, **changes: str) -> dict:
    """The admin change form of draft ``v`` as posted, with ``changes``."""
    members = list(v.members.all())
    questions = list(v.questions.all())
    rules = list(v.rules.all())
    data = {
        "change_note": v.change_note,
        "name": v.name,
        "description": v.description,
        "audience": v.audience,
        "keywords": "",
        "promised_limit": str(v.promised_limit),
        "visits_required": "1",
        "on_refusal": "continue_without",
        "lead_note": "",
        "industry_licence_name": "",
    }
    flags = ("required", "essential", "early_delivery", "joint_inspection")
    member_rows = [
        {"id": m.pk, "version": v.pk, "item": m.item_id} | {k: getattr(m, k) for k in flags}
        for m in members
    ]
    question_rows = [
        {"id": q.pk, "version": v.pk, "code": q.code, "text": q.text, "type": q.type}
        | {"help_text": "", "choices": "[]"}
        for q in questions
    ]
    rule_rows = [
        {"id": r.pk, "version": v.pk, "question": r.question_id, "answer": r.answer}
        | {"member": r.member_id}
        for r in rules
    ]
    data |= _inline("members", member_rows, len(members))
    data |= _inline("questions", question_rows, len(questions))
    data |= _inline("rules", rule_rows, len(rules))
    return data | changes


def test_saving_a_draft_in_the_admin_goes_through_the_service(world):
    v = bundle_create(actor=world["fengjing"], data=bundle_data(world))
    client = logged_in(world["fengjing"])
    url = f"/admin/bundles/bundleversion/{v.pk}/change/"
    r = client.post(url, form_data(v, promised_limit="3", change_note="缩短时限"))
    assert r.status_code == 302
    v.refresh_from_db()
    assert v.promised_limit == 3
    assert v.change_note == "缩短时限"
    assert v.rules.count() == 2
    # an answer the question does not take is refused by the service, nothing is written
    r = client.post(url, form_data(v, promised_limit="1", **{"rules-0-answer": "maybe"}))
    assert r.status_code == 200
    assert "回答“maybe”无效，可选：是、否" in r.content.decode()
    v.refresh_from_db()
    assert v.promised_limit == 3
