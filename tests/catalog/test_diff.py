"""The published list at an instant and its changes between dates."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from onewindow.catalog import services
from onewindow.catalog.diff import published_at, published_diff
from onewindow.catalog.models import ItemVersion, ServiceItem
from tests.catalog.conftest import filing_data, item_data


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def publish(lisi: Any, wangwu: Any, version: ItemVersion) -> ItemVersion:
    services.draft_submit(actor=lisi, version=version)
    return services.version_publish(actor=wangwu, version=version)


@pytest.fixture
def history(lisi: Any, wangwu: Any) -> dict[str, ServiceItem]:
    """A and B published in January; A changed in March; C added and B abolished in April;
    C republished unchanged in May."""
    with time_machine.travel(at(1, 10), tick=False):
        a = publish(lisi, wangwu, services.item_create(actor=lisi, data=item_data())).item
        b = publish(lisi, wangwu, services.item_create(actor=lisi, data=filing_data())).item
    with time_machine.travel(at(3, 1), tick=False):
        draft = services.draft_from_current(actor=lisi, item=a)
        changed = item_data(promised_limit=3)
        changed["materials"] = [changed["materials"][0], {"type": "M0003", "copies": 2}]
        changed["steps"][1]["name"] = "材料审查"
        changed.pop("basic_code"), changed.pop("department")
        services.draft_update(actor=lisi, version=draft, data=changed)
        publish(lisi, wangwu, draft)
    with time_machine.travel(at(4, 1), tick=False):
        c_data = item_data(basic_code="000105009000", name="食品经营许可证核发")
        c = publish(lisi, wangwu, services.item_create(actor=lisi, data=c_data)).item
        services.item_abolish(actor=wangwu, item=b, note="改为告知承诺")
    with time_machine.travel(at(5, 1), tick=False):
        publish(lisi, wangwu, services.draft_from_current(actor=lisi, item=c))
    return {"a": a, "b": b, "c": c}


def codes(qs: Any) -> set[tuple[str, int]]:
    return {(v.item.code, v.number) for v in qs.select_related("item")}


def test_published_at(history: dict[str, ServiceItem]) -> None:
    a, b, c = history["a"].code, history["b"].code, history["c"].code
    assert codes(published_at(at(1, 9))) == set()
    assert codes(published_at(at(1, 10))) == {(a, 1), (b, 1)}  # from the instant of publication
    assert codes(published_at(at(3, 1))) == {(a, 2), (b, 1)}  # superseded at that instant
    assert codes(published_at(at(4, 2))) == {(a, 2), (c, 1)}
    assert codes(published_at(at(6, 1))) == {(a, 2), (c, 2)}


def test_published_diff(history: dict[str, ServiceItem]) -> None:
    diff = published_diff(at(2, 1), at(6, 1))
    assert [r.code for r in diff.added] == [history["c"].code]
    assert [r.code for r in diff.removed] == [history["b"].code]
    assert diff.removed[0].name == "医疗器械经营备案"
    assert len(diff.changed) == 1
    change = diff.changed[0]
    assert (change.code, change.before_number, change.after_number) == (history["a"].code, 1, 2)
    assert change.fields == {"promised_limit": (5, 3)}
    assert [m["type"] for m in change.materials.added] == ["M0003"]
    assert [m["type"] for m in change.materials.removed] == ["M0002"]
    assert change.materials.changed == []
    assert change.steps.changed == [
        {
            "key": 2,
            "before": {
                "kind": "review",
                "name": "审查",
                "role": "approver",
                "limit": 2,
                "description": "",
            },
            "after": {
                "kind": "review",
                "name": "材料审查",
                "role": "approver",
                "limit": 2,
                "description": "",
            },
        }
    ]
    assert not change.form_fields


def test_unchanged_republication_is_not_a_change(history: dict[str, ServiceItem]) -> None:
    diff = published_diff(at(4, 2), at(6, 1))
    assert not diff  # C v1 → v2 with the same content; nothing else moved


def test_catalog_diff_command(history: dict[str, ServiceItem]) -> None:
    out = StringIO()
    call_command("catalog_diff", "2026-02-01", "2026-11-29", stdout=out)
    text = out.getvalue()
    assert "新增 1 项，取消 1 项，变更 1 项" in text
    assert f"+ 新增 {history['c'].code} 食品经营许可证核发" in text
    assert f"- 取消 {history['b'].code} 医疗器械经营备案" in text
    assert "promised_limit: 5 → 3" in text
    assert "申请材料 新增: M0003" in text
    assert "办理环节 2 变更: name: 审查 → 材料审查" in text
    # A date means the end of that day: what was published on 2026-01-10 is on the list.
    out = StringIO()
    call_command("catalog_diff", "2026-01-09", "2026-01-10", stdout=out)
    assert "新增 2 项" in out.getvalue()
