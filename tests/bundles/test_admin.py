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
