"""The eight bundles of the seeds, loaded by ``load_demo``: published, conflict-free,
idempotent, with their decision tables."""

from __future__ import annotations

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.bundles import selectors
from onewindow.bundles.models import Bundle, BundleVersion
from onewindow.bundles.publication import publication_errors
from onewindow.catalog.models import VersionStatus
from onewindow.demo.data.bundles import BUNDLES
from onewindow.demo.loader import load_demo

pytestmark = pytest.mark.django_db


def test_the_eight_bundles_are_published(demo):
    assert "8 个" in demo.bundles
    published = selectors.published_bundles()
    assert [v.bundle.code for v in published] == [b.code for b in BUNDLES]
    for version in published:
        assert version.status == VersionStatus.PUBLISHED
        assert version.department_count >= 2


@pytest.mark.parametrize("data", BUNDLES, ids=[b.name for b in BUNDLES])
def test_each_demo_bundle_merges_without_conflict_and_meets_the_rules(demo, data):
    guide = selectors.bundle_guide(data.code)
    assert guide.conflicts == []
    assert guide.unavailable == []
    assert publication_errors(guide.version) == {}
    assert guide.bundle.lead_department.code == data.lead
    r = guide.reduction
    assert r.materials_after <= r.materials_before
    assert r.fields_after < r.fields_before
    assert r.days_after <= max(r.days_before, 1)  # never slower than applying separately


def test_loading_again_changes_nothing(demo):
    versions, events = BundleVersion.objects.count(), AuditEvent.objects.count()
    report = load_demo()
    assert "本次发布 0 个" in report.bundles
    assert BundleVersion.objects.count() == versions
    assert AuditEvent.objects.count() == events
    assert Bundle.objects.filter(current_version__isnull=False).count() == 8
