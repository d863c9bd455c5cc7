"""Capabilities in the services: drafting is scoped to the item's department; reviewing,
publishing, abolishing, dictionaries and imports belong to the centre."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.catalog import services
from onewindow.catalog.models import ItemVersion, VersionStatus
from onewindow.common.errors import PermissionDenied
from tests.catalog.conftest import item_data

HEALTH_ITEM = {
    "basic_code": "000106001000",
    "department": "WSJKW",
    "name": "母婴保健技术服务执业许可",
}


@pytest.fixture
def health_draft(sunba: Any) -> ItemVersion:
    return services.item_create(actor=sunba, data=item_data(**HEALTH_ITEM))


def test_department_admin_cannot_touch_another_departments_item(
    lisi: Any, wangwu: Any, sunba: Any, health_draft: ItemVersion
) -> None:
    with pytest.raises(PermissionDenied):
        services.item_create(actor=lisi, data=item_data(**HEALTH_ITEM, code="X-1"))
    with pytest.raises(PermissionDenied):
        services.draft_update(actor=lisi, version=health_draft, data={"promised_limit": 1})
    with pytest.raises(PermissionDenied):
        services.draft_submit(actor=lisi, version=health_draft)
    services.draft_submit(actor=sunba, version=health_draft)
    services.version_publish(actor=wangwu, version=health_draft)
    with pytest.raises(PermissionDenied):
        services.draft_from_current(actor=lisi, item=health_draft.item)
    health_draft.refresh_from_db()
    assert health_draft.promised_limit == 5
    assert not health_draft.item.versions.filter(status=VersionStatus.DRAFT).exists()
    # Their own department's item is fine.
    own = services.item_create(actor=lisi, data=item_data())
    services.draft_update(actor=lisi, version=own, data={"promised_limit": 4})


def test_people_without_catalogue_roles(people: dict[str, Any], health_draft: ItemVersion) -> None:
    for name in ("zhaoliu", "qianqi"):
        user = people[name]
        with pytest.raises(PermissionDenied) as exc:
            services.item_create(actor=user, data=item_data())
        assert exc.value.message == "您没有执行此操作的权限"
        with pytest.raises(PermissionDenied):
            services.draft_update(actor=user, version=health_draft, data={"name": "x"})
    with pytest.raises(PermissionDenied):
        services.item_create(actor=None, data=item_data())


def test_centre_admin_may_draft_everywhere(wangwu: Any, health_draft: ItemVersion) -> None:
    services.draft_update(actor=wangwu, version=health_draft, data={"promised_limit": 2})
    health_draft.refresh_from_db()
    assert health_draft.promised_limit == 2


def test_review_and_publish_are_not_department_rights(
    sunba: Any, health_draft: ItemVersion
) -> None:
    services.draft_submit(actor=sunba, version=health_draft)
    with pytest.raises(PermissionDenied):
        services.draft_reject(actor=sunba, version=health_draft, note="自审")
    with pytest.raises(PermissionDenied):
        services.version_publish(actor=sunba, version=health_draft)
    with pytest.raises(PermissionDenied):
        services.theme_upsert(actor=sunba, data={"code": "P9", "name": "x", "audience": "person"})
    health_draft.refresh_from_db()
    assert health_draft.status == VersionStatus.IN_REVIEW
