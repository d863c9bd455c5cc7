"""Versioned publication: draft → review → publish → new draft → publish supersedes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction

from onewindow.audit.models import AuditEvent
from onewindow.catalog import services
from onewindow.catalog.content import version_to_dict
from onewindow.catalog.models import ItemVersion, ServiceItem, VersionStatus
from onewindow.catalog.signals import item_published
from onewindow.common.errors import Conflict, PermissionDenied, ValidationFailed
from tests.catalog.conftest import item_data

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def publish_new(lisi: Any, wangwu: Any, **changes: Any) -> ItemVersion:
    draft = services.item_create(actor=lisi, data=item_data(**changes))
    services.draft_submit(actor=lisi, version=draft)
    return services.version_publish(actor=wangwu, version=draft, note="同意")


def test_item_create_makes_version_one_draft(lisi: Any) -> None:
    draft = services.item_create(actor=lisi, data=item_data(), change_note="首次编制")
    item = draft.item
    assert draft.number == 1
    assert draft.status == VersionStatus.DRAFT
    assert draft.created_by == lisi
    assert draft.change_note == "首次编制"
    assert item.current_version is None
    # The code follows GB/T 39554: basic code - area - 000 - implementing body USCC - 1 - 00.
    assert item.code == f"000105001000-500102000000-000-{item.department.uscc}-1-00"
    assert item.area_code == "500102000000"
    assert [s.kind for s in draft.steps.order_by("order")] == [
        "accept",
        "review",
        "decide",
        "conclude",
    ]
    assert list(draft.materials.values_list("material_type__code", flat=True)) == [
        "M0001",
        "M0002",
    ]
    assert version_to_dict(draft)["fields"][1] == {
        "field": "area_m2",
        "required": False,
        "constraints": {"min": 10},
    }
    event = AuditEvent.objects.get(action="catalog.item_created")
    assert event.actor == lisi
    assert event.object_id == str(draft.pk)


def test_full_life_draft_review_publish_new_draft_supersedes(
    lisi: Any, wangwu: Any, django_capture_on_commit_callbacks: Any
) -> None:
    received: list[tuple[Any, Any]] = []

    def on_published(sender: Any, item: Any, version: Any, **kwargs: Any) -> None:
        received.append((item.code, version.number))

    item_published.connect(on_published)
    try:
        with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
            v1 = publish_new(lisi, wangwu)
        item = ServiceItem.objects.get(pk=v1.item_id)
        assert item.current_version_id == v1.pk
        v1.refresh_from_db()
        assert v1.status == VersionStatus.PUBLISHED
        assert v1.published_at == T0
        assert v1.reviewed_by == wangwu
        assert received == [(item.code, 1)]

        with time_machine.travel(T1, tick=False):
            v2 = services.draft_from_current(actor=lisi, item=item)
            assert v2.number == 2
            assert version_to_dict(v2) == version_to_dict(v1)
            services.draft_update(
                actor=lisi, version=v2, data={"promised_limit": 3, "change_note": "压缩时限"}
            )
            services.draft_submit(actor=lisi, version=v2)
            with django_capture_on_commit_callbacks(execute=True):
                services.version_publish(actor=wangwu, version=v2)
    finally:
        item_published.disconnect(on_published)

    v1.refresh_from_db()
    v2.refresh_from_db()
    item.refresh_from_db()
    assert v1.status == VersionStatus.SUPERSEDED
    assert v1.superseded_at == T1
    assert v2.status == VersionStatus.PUBLISHED
    assert v2.published_at == T1
    assert v2.change_note == "压缩时限"
    assert item.current_version_id == v2.pk
    # The version a case was accepted under stays reachable, unchanged.
    assert ItemVersion.objects.get(pk=v1.pk).promised_limit == 5
    assert v1.steps.count() == 4
    assert v2.promised_limit == 3
    assert received[-1] == (item.code, 2)
    actions = list(
        AuditEvent.objects.filter(action__startswith="catalog.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "catalog.item_created",
        "catalog.submitted",
        "catalog.published",
        "catalog.draft_created",
        "catalog.draft_updated",
        "catalog.submitted",
        "catalog.published",
    ]


def test_published_version_is_never_edited_in_place(lisi: Any, wangwu: Any) -> None:
    v1 = publish_new(lisi, wangwu)
    with pytest.raises(Conflict) as exc:
        services.draft_update(actor=lisi, version=v1, data={"name": "改名"})
    assert "新建草稿" in exc.value.message
    v1.refresh_from_db()
    assert v1.name == "公共场所卫生许可证核发"


def test_only_one_open_draft(lisi: Any, wangwu: Any) -> None:
    v1 = publish_new(lisi, wangwu)
    services.draft_from_current(actor=lisi, item=v1.item)
    with pytest.raises(Conflict):
        services.draft_from_current(actor=lisi, item=v1.item)
    # The database enforces it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersion.objects.create(
            item=v1.item,
            number=9,
            name="x",
            kind="licensing",
            handling_level="district",
            legal_limit=1,
            promised_limit=1,
            legal_basis="x",
            conditions="x",
            created_at=T0,
        )


def test_reject_needs_reason_and_closes_the_draft(lisi: Any, wangwu: Any) -> None:
    draft = services.item_create(actor=lisi, data=item_data())
    services.draft_submit(actor=lisi, version=draft)
    with pytest.raises(ValidationFailed):
        services.draft_reject(actor=wangwu, version=draft, note="  ")
    with pytest.raises(PermissionDenied):
        services.draft_reject(actor=lisi, version=draft, note="自己退回")
    services.draft_reject(actor=wangwu, version=draft, note="设定依据不完整")
    draft.refresh_from_db()
    assert draft.status == VersionStatus.REJECTED
    assert draft.review_note == "设定依据不完整"
    with pytest.raises(Conflict):
        services.version_publish(actor=wangwu, version=draft)
    # Work continues on a new draft copied from the rejected one.
    v2 = services.draft_from_current(actor=lisi, item=draft.item, base=draft)
    assert v2.number == 2
    assert v2.status == VersionStatus.DRAFT


def test_publish_requires_review_and_capability(lisi: Any, wangwu: Any) -> None:
    draft = services.item_create(actor=lisi, data=item_data())
    with pytest.raises(Conflict):
        services.version_publish(actor=wangwu, version=draft)
    services.draft_submit(actor=lisi, version=draft)
    with pytest.raises(PermissionDenied):
        services.version_publish(actor=lisi, version=draft)
    with pytest.raises(Conflict):
        services.draft_submit(actor=lisi, version=draft)
    services.version_publish(actor=wangwu, version=draft)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED


def test_skip_review_publishes_a_draft_directly(lisi: Any, wangwu: Any) -> None:
    draft = services.item_create(actor=lisi, data=item_data())
    services.version_publish(actor=wangwu, version=draft, skip_review=True)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED


def test_abolish_takes_item_off_the_list(lisi: Any, wangwu: Any) -> None:
    with time_machine.travel(T0, tick=False):
        v1 = publish_new(lisi, wangwu)
        services.draft_from_current(actor=lisi, item=v1.item)
    with time_machine.travel(T1, tick=False):
        with pytest.raises(PermissionDenied):
            services.item_abolish(actor=lisi, item=v1.item, note="取消")
        services.item_abolish(actor=wangwu, item=v1.item, note="国务院决定取消")
    v1.refresh_from_db()
    item = ServiceItem.objects.get(pk=v1.item_id)
    assert v1.status == VersionStatus.ABOLISHED
    assert v1.superseded_at == T1
    assert item.current_version is None
    assert not item.versions.filter(status__in=["draft", "in_review"]).exists()
    with pytest.raises(Conflict):
        services.item_abolish(actor=wangwu, item=item, note="再次")


def test_draft_update_replaces_lists_and_validates_everything(lisi: Any) -> None:
    draft = services.item_create(actor=lisi, data=item_data())
    services.draft_update(
        actor=lisi,
        version=draft,
        data={
            "materials": [{"type": "M0003", "copies": 2}],
            "fields": [],
            "themes": [],
            "service_points": ["SP-D01", "SP-T01"],
        },
    )
    data = version_to_dict(draft)
    assert [m["type"] for m in data["materials"]] == ["M0003"]
    assert data["materials"][0]["copies"] == 2
    assert data["fields"] == []
    assert data["themes"] == []
    assert data["service_points"] == ["SP-D01", "SP-T01"]

    with pytest.raises(ValidationFailed) as exc:
        services.draft_update(
            actor=lisi,
            version=draft,
            data={"promised_limit": 30, "name": "", "department": "WSJKW"},
        )
    assert set(exc.value.fields) == {"department"}
    with pytest.raises(ValidationFailed) as exc:
        services.draft_update(actor=lisi, version=draft, data={"promised_limit": 30, "name": ""})
    assert set(exc.value.fields) == {"promised_limit", "name"}
    draft.refresh_from_db()
    assert draft.promised_limit == 5  # nothing written


def test_duplicate_code_is_refused(lisi: Any) -> None:
    services.item_create(actor=lisi, data=item_data())
    with pytest.raises(ValidationFailed) as exc:
        services.item_create(actor=lisi, data=item_data())
    assert "code" in exc.value.fields
    assert ServiceItem.objects.count() == 1
