"""The catalogue admin: scoped by department through capabilities, drafts only editable,
saves and actions through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from onewindow.audit.models import AuditEvent
from onewindow.catalog import services
from onewindow.catalog.models import ItemVersion, MaterialType, VersionStatus
from tests.catalog.conftest import item_data


def change_url(version: ItemVersion) -> str:
    return reverse("admin:catalog_itemversion_change", args=[version.pk])


CHANGELIST = "/admin/catalog/itemversion/"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def posted_form(response: Any) -> dict[str, Any]:
    """The POST data a browser would send back from an admin change page, unchanged."""
    data: dict[str, Any] = {}

    def add(form: Any) -> None:
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if isinstance(field, forms.FileField):
                continue
            if isinstance(field, forms.BooleanField):
                if value:
                    data[bound.html_name] = "on"
                continue
            if value is None:
                value = ""
            if isinstance(value, list | tuple):
                data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
            else:
                data[bound.html_name] = str(getattr(value, "pk", value))

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    data["_save"] = "保存"
    return data


@pytest.fixture
def drafts(lisi: Any, sunba: Any) -> dict[str, ItemVersion]:
    """李四's draft in market regulation, 孙八's draft in the health commission."""
    ours = services.item_create(actor=lisi, data=item_data())
    theirs = services.item_create(
        actor=sunba,
        data=item_data(
            basic_code="000106001000", department="WSJKW", name="母婴保健技术服务执业许可"
        ),
    )
    return {"ours": ours, "theirs": theirs}


def test_staff_only_and_menu(people: dict[str, Any], drafts: Any) -> None:
    response = client_for(people["qianqi"]).get(CHANGELIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    response = client_for(people["lisi"]).get("/admin/")
    assert response.status_code == 200
    assert "事项目录" in response.content.decode()


def test_department_admin_sees_only_own_department(lisi: Any, drafts: Any) -> None:
    client = client_for(lisi)
    page = client.get(CHANGELIST).content.decode()
    assert "公共场所卫生许可证核发" in page
    assert "母婴保健技术服务执业许可" not in page
    page = client.get("/admin/catalog/serviceitem/").content.decode()
    assert drafts["ours"].item.code in page
    assert drafts["theirs"].item.code not in page
    # Another department's objects do not exist for them: 404, also when posting.
    assert client.get(change_url(drafts["theirs"])).status_code == 404
    assert client.post(change_url(drafts["theirs"]), {"name": "x"}).status_code == 404
    item_url = reverse("admin:catalog_serviceitem_change", args=[drafts["theirs"].item_id])
    assert client.get(item_url).status_code == 404


def test_centre_admin_sees_everything(wangwu: Any, drafts: Any) -> None:
    page = client_for(wangwu).get(CHANGELIST).content.decode()
    assert "公共场所卫生许可证核发" in page
    assert "母婴保健技术服务执业许可" in page


def test_edit_own_draft_goes_through_the_service(lisi: Any, drafts: Any) -> None:
    client = client_for(lisi)
    url = change_url(drafts["ours"])
    data = posted_form(client.get(url))
    data["promised_limit"] = "3"
    data["change_note"] = "压缩承诺时限"
    data["steps-1-name"] = "材料审查"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    version = ItemVersion.objects.get(pk=drafts["ours"].pk)
    assert version.promised_limit == 3
    assert version.change_note == "压缩承诺时限"
    assert version.steps.get(order=2).name == "材料审查"
    assert AuditEvent.objects.filter(action="catalog.draft_updated", actor=lisi).count() == 1


def test_service_validation_errors_shown_on_the_form(lisi: Any, drafts: Any) -> None:
    client = client_for(lisi)
    url = change_url(drafts["ours"])
    data = posted_form(client.get(url))
    data["kind"] = "filing"  # with review and decide steps: approval disguised as filing
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "备案类事项不得设置审查、决定环节（严禁以备案之名行审批之实）" in page
    assert "事项内容不符合要求" in page
    assert ItemVersion.objects.get(pk=drafts["ours"].pk).kind == "licensing"
    assert not AuditEvent.objects.filter(action="catalog.draft_updated").exists()


def test_published_version_is_read_only(lisi: Any, wangwu: Any, drafts: Any) -> None:
    version = drafts["ours"]
    services.draft_submit(actor=lisi, version=version)
    services.version_publish(actor=wangwu, version=version)
    client = client_for(lisi)
    response = client.get(change_url(version))
    assert response.status_code == 200
    assert 'name="promised_limit"' not in response.content.decode()
    assert (
        client.post(change_url(version), {"promised_limit": "1", "_save": "1"}).status_code == 403
    )


def test_supervisor_may_look_but_not_touch(people: dict[str, Any], drafts: Any) -> None:
    client = client_for(people["zhaoliu"])
    assert client.get(change_url(drafts["theirs"])).status_code == 200
    response = client.post(change_url(drafts["theirs"]), {"name": "x", "_save": "1"})
    assert response.status_code == 403


def act(client: Client, action: str, *versions: ItemVersion, **extra: str) -> Any:
    data = {"action": action, "_selected_action": [str(v.pk) for v in versions], **extra}
    return client.post(CHANGELIST, data, follow=True)


def test_actions_submit_publish_new_draft(lisi: Any, wangwu: Any, drafts: Any) -> None:
    version = drafts["ours"]
    response = act(client_for(lisi), "submit", version)
    assert "已提交审核1个版本" in response.content.decode()
    version.refresh_from_db()
    assert version.status == VersionStatus.IN_REVIEW

    # A department administrator has no publish action; the centre has.
    act(client_for(lisi), "publish", version)
    version.refresh_from_db()
    assert version.status == VersionStatus.IN_REVIEW
    response = act(client_for(wangwu), "publish", version)
    assert "已发布1个版本" in response.content.decode()
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED

    response = act(client_for(lisi), "new_draft", version)
    assert "已新建1份草稿" in response.content.decode()
    draft = version.item.versions.get(status=VersionStatus.DRAFT)
    assert draft.number == 2


def test_action_errors_become_messages(lisi: Any, drafts: Any) -> None:
    version = drafts["ours"]
    services.draft_submit(actor=lisi, version=version)
    response = act(client_for(lisi), "submit", version)
    assert "只有草稿可以提交审核" in response.content.decode()


def test_reject_asks_for_a_reason(lisi: Any, wangwu: Any, drafts: Any) -> None:
    version = drafts["ours"]
    services.draft_submit(actor=lisi, version=version)
    client = client_for(wangwu)
    response = act(client, "reject", version)
    assert response.status_code == 200
    assert "退回理由（必填）" in response.content.decode()
    version.refresh_from_db()
    assert version.status == VersionStatus.IN_REVIEW
    response = act(client, "reject", version, confirm="1", note="收费依据缺失")
    assert "已退回1个版本" in response.content.decode()
    version.refresh_from_db()
    assert version.status == VersionStatus.REJECTED
    assert version.review_note == "收费依据缺失"


def test_action_on_the_change_form(lisi: Any, drafts: Any) -> None:
    version = drafts["ours"]
    client = client_for(lisi)
    response = client.post(
        change_url(version),
        {"CHANGE_FORM-action": "submit", "_selected_action": [str(version.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    version.refresh_from_db()
    assert version.status == VersionStatus.IN_REVIEW


def test_dictionaries_edited_by_the_centre_only(lisi: Any, wangwu: Any) -> None:
    url = reverse("admin:catalog_materialtype_add")
    data = {"code": "M0200", "name": "健康证明", "description": "", "licence_type_code": ""}
    assert client_for(lisi).post(url, data).status_code == 403
    assert client_for(lisi).get(reverse("admin:catalog_materialtype_changelist")).status_code == 200
    response = client_for(wangwu).post(url, data)
    assert response.status_code == 302
    assert MaterialType.objects.get(code="M0200").name == "健康证明"
    assert AuditEvent.objects.filter(action="catalog.material_type_saved").exists()
    # A code the service refuses: its message on the form, nothing saved.
    data = {"code": "M 0201", "name": "无犯罪记录证明", "description": "", "licence_type_code": ""}
    response = client_for(wangwu).post(url, data)
    assert response.status_code == 200
    assert "编码只能包含字母、数字、连字符、点和下划线" in response.content.decode()
    assert not MaterialType.objects.filter(name="无犯罪记录证明").exists()
