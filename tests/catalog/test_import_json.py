"""JSON import: all or nothing, every error located, unchanged items left alone, round trip."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from onewindow.audit.models import AuditEvent
from onewindow.catalog.importexport import (
    FORMAT,
    ImportFailed,
    export_catalog,
    import_catalog,
)
from onewindow.catalog.models import (
    FieldDefinition,
    ItemVersion,
    MaterialType,
    ServiceItem,
    Theme,
    VersionStatus,
)
from onewindow.common.errors import PermissionDenied
from tests.catalog.conftest import filing_data, item_data


def catalogue(**item_changes: Any) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "material_types": [
            {"code": "M0100", "name": "卫生管理制度", "description": "", "licence_type_code": ""}
        ],
        "fields": [
            {
                "code": "staff_count",
                "label": "从业人数",
                "type": "integer",
                "constraints": {"min": 1},
                "unit": "人",
                "help_text": "",
            }
        ],
        "themes": [{"code": "E02", "name": "准营准办", "audience": "enterprise", "order": 2}],
        "items": [
            item_data(
                materials=[
                    *item_data()["materials"],
                    {"type": "M0100", "copies": 1, "core": False},
                ],
                themes=["E01", "E02"],
                **item_changes,
            ),
            filing_data(fields=[{"field": "staff_count", "required": True}]),
        ],
    }


def wipe_catalogue() -> None:
    ServiceItem.objects.all().delete()
    MaterialType.objects.all().delete()
    FieldDefinition.objects.all().delete()
    Theme.objects.all().delete()


def test_import_creates_and_publishes(wangwu: Any) -> None:
    report = import_catalog(catalogue(), actor=wangwu, publish=True)
    assert len(report.created) == 2
    assert report.published == report.created
    assert ServiceItem.objects.filter(current_version__status=VersionStatus.PUBLISHED).count() == 2
    assert MaterialType.objects.filter(code="M0100").exists()
    item = ServiceItem.objects.get(basic_code="000105001000")
    assert item.current_version.materials.count() == 3
    assert sorted(item.current_version.themes.values_list("code", flat=True)) == ["E01", "E02"]
    assert AuditEvent.objects.filter(action="catalog.imported").count() == 1


def test_import_without_publish_makes_drafts(wangwu: Any) -> None:
    report = import_catalog(catalogue(), actor=wangwu, publish=False)
    assert len(report.created) == 2
    assert report.published == []
    assert set(ItemVersion.objects.values_list("status", flat=True)) == {VersionStatus.DRAFT}


def test_unchanged_item_makes_no_new_version_changed_one_does(wangwu: Any) -> None:
    import_catalog(catalogue(), actor=wangwu, publish=True)
    before = ItemVersion.objects.count()
    events = AuditEvent.objects.count()
    report = import_catalog(catalogue(), actor=wangwu, publish=True)
    assert len(report.unchanged) == 2
    assert report.created == report.drafted == []
    assert not report.changed
    assert ItemVersion.objects.count() == before
    assert AuditEvent.objects.count() == events  # an import that changed nothing leaves no trace

    report = import_catalog(catalogue(promised_limit=3), actor=wangwu, publish=False)
    assert len(report.drafted) == 1
    assert len(report.unchanged) == 1
    item = ServiceItem.objects.get(basic_code="000105001000")
    draft = item.versions.get(status=VersionStatus.DRAFT)
    assert draft.number == 2
    assert draft.promised_limit == 3
    assert item.current_version.promised_limit == 5  # still the published one

    # Importing again the same change updates nothing; a further change updates the draft.
    import_catalog(catalogue(promised_limit=3), actor=wangwu, publish=False)
    assert item.versions.count() == 2
    import_catalog(catalogue(promised_limit=4), actor=wangwu, publish=False)
    assert item.versions.count() == 2
    draft.refresh_from_db()
    assert draft.promised_limit == 4

    report = import_catalog(catalogue(promised_limit=4), actor=wangwu, publish=True)
    assert report.published == [item.code]
    item.refresh_from_db()
    assert item.current_version_id == draft.pk
    assert item.versions.get(number=1).status == VersionStatus.SUPERSEDED


def test_several_wrong_items_all_reported_nothing_written(wangwu: Any) -> None:
    data = catalogue()
    data["material_types"].append({"code": "M0101", "name": ""})
    data["items"][0]["legal_limit"] = "二十"
    data["items"][0]["kind"] = "approval"
    data["items"][1]["steps"].insert(1, {"kind": "review", "name": "审查"})
    data["items"].append(item_data(basic_code="000105003000", department="NOPE"))
    with pytest.raises(ImportFailed) as exc:
        import_catalog(data, actor=wangwu, publish=True)
    issues = [str(i) for i in exc.value.issues]
    code0 = data["items"][0].get("code") or "000105001000"
    assert any("材料类型“M0101”（第2项） · name：必填" in i for i in issues), issues
    assert any(f"事项“{code0}”（第1项） · legal_limit：应为整数" in i for i in issues), issues
    assert any("第1项） · kind：取值“approval”无效" in i for i in issues), issues
    assert any("第2项） · steps：备案类事项不得设置审查、决定环节" in i for i in issues), issues
    assert any("第3项） · department：部门“NOPE”不存在" in i for i in issues), issues
    assert len(issues) == 5
    assert exc.value.status == 422
    assert ServiceItem.objects.count() == 0
    assert not MaterialType.objects.filter(code="M0100").exists()
    assert not AuditEvent.objects.exists()


def test_file_level_errors(wangwu: Any) -> None:
    with pytest.raises(ImportFailed) as exc:
        import_catalog({"format": "other", "items": {}, "extra": 1}, actor=wangwu)
    messages = [str(i) for i in exc.value.issues]
    assert any("格式标识应为“onewindow.catalog/1”" in m for m in messages)
    assert any(m.startswith("事项：应为列表") for m in messages)
    assert any(m.startswith("extra：未知字段") for m in messages)


def test_duplicate_codes_and_identity_changes(wangwu: Any) -> None:
    import_catalog(catalogue(), actor=wangwu, publish=True)
    item = ServiceItem.objects.get(basic_code="000105001000")
    # The same code moved to another department, and given twice in one file.
    data = catalogue(code=item.code, department="WSJKW")
    data["items"].append(item_data())
    with pytest.raises(ImportFailed) as exc:
        import_catalog(data, actor=wangwu, publish=True)
    text = "\n".join(str(i) for i in exc.value.issues)
    assert f"事项“{item.code}”（第1项） · department：实施主体不可变更（现为“SCJGJ”）" in text
    assert "事项“000105001000”（第3项） · code：实施编码与第1项重复" in text
    assert len(exc.value.issues) == 2


def test_item_under_review_is_not_overwritten(wangwu: Any, lisi: Any) -> None:
    from onewindow.catalog import services

    import_catalog(catalogue(), actor=wangwu, publish=False)
    draft = ItemVersion.objects.get(item__basic_code="000105001000")
    services.draft_submit(actor=lisi, version=draft)
    with pytest.raises(ImportFailed) as exc:
        import_catalog(catalogue(promised_limit=2), actor=wangwu, publish=False)
    assert "有待审核的版本" in str(exc.value.issues[0])


def test_only_importers_may_import(lisi: Any, wangwu: Any) -> None:
    with pytest.raises(PermissionDenied):
        import_catalog(catalogue(), actor=lisi, publish=False)
    assert ServiceItem.objects.count() == 0


def test_json_round_trip_is_exact(wangwu: Any) -> None:
    import_catalog(catalogue(), actor=wangwu, publish=True)
    first = export_catalog()
    assert first["format"] == FORMAT
    assert [i["basic_code"] for i in first["items"]] == ["000105001000", "000105002000"]
    # Through text, into an empty catalogue, and out again.
    text = json.dumps(first, ensure_ascii=False)
    wipe_catalogue()
    report = import_catalog(json.loads(text), actor=wangwu, publish=True)
    assert len(report.created) == 2
    assert export_catalog() == first
    # Into the same catalogue: nothing changes.
    versions = ItemVersion.objects.count()
    report = import_catalog(copy.deepcopy(first), actor=wangwu, publish=True)
    assert len(report.unchanged) == 2
    assert report.dictionaries_changed == 0
    assert ItemVersion.objects.count() == versions


def test_two_hundred_items_in_bounded_queries(
    wangwu: Any, django_assert_max_num_queries: Any
) -> None:
    data = catalogue()
    base = data["items"][0]
    data["items"] = []
    for n in range(200):
        item = copy.deepcopy(base)
        item["basic_code"] = f"0001{n:08d}"
        item["name"] = f"示范事项{n}"
        data["items"].append(item)
    with django_assert_max_num_queries(200 * 20):
        report = import_catalog(data, actor=wangwu, publish=True)
    assert len(report.published) == 200


def test_commands_import_export(wangwu: Any, tmp_path: Any, capsys: Any) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(catalogue(), ensure_ascii=False), encoding="utf-8")
    call_command("catalog_import", str(source), "--publish", "--user", "wangwu")
    assert "导入完成" in capsys.readouterr().out
    out_json, out_xlsx = tmp_path / "out.json", tmp_path / "out.xlsx"
    call_command("catalog_export", str(out_json))
    call_command("catalog_export", str(out_xlsx))
    assert json.loads(out_json.read_text(encoding="utf-8")) == export_catalog()
    assert out_xlsx.read_bytes()[:2] == b"PK"

    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON 文件"):
        call_command("catalog_import", str(bad), "--user", "wangwu")
    wrong = tmp_path / "wrong.json"
    data = catalogue(legal_limit=0)
    wrong.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="导入失败"):
        call_command("catalog_import", str(wrong), "--user", "wangwu")
    assert "legal_limit：不能小于1" in capsys.readouterr().err
