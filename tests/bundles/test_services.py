"""Bundle services: versioning, publication rules, capabilities by lead department, audit."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.bundles import selectors
from onewindow.bundles.models import Bundle, BundleVersion
from onewindow.bundles.services import (
    bundle_abolish,
    bundle_create,
    bundle_draft_from_current,
    bundle_draft_update,
    bundle_publish,
    bundle_reject,
    bundle_submit,
)
from onewindow.catalog.models import ItemField, VersionStatus
from onewindow.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tests.bundles.conftest import bundle_data

pytestmark = pytest.mark.django_db


def published(world: dict[str, Any], **changes: Any) -> BundleVersion:
    v = bundle_create(actor=world["fengjing"], data=bundle_data(world, **changes))
    bundle_submit(actor=world["fengjing"], version=v)
    return bundle_publish(actor=world["wangwu"], version=v)


def test_lead_department_admin_drafts_and_submits_centre_admin_publishes(world):
    v = bundle_create(actor=world["fengjing"], data=bundle_data(world))
    assert (v.number, v.status) == (1, VersionStatus.DRAFT)
    bundle_submit(actor=world["fengjing"], version=v)
    with pytest.raises(PermissionDenied):  # a department administrator cannot publish
        bundle_publish(actor=world["fengjing"], version=v)
    bundle_publish(actor=world["wangwu"], version=v)
    bundle = Bundle.objects.get(code="T01")
    assert bundle.current_version_id == v.pk
    actions = list(
        AuditEvent.objects.filter(action__startswith="bundles.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["bundles.created", "bundles.submitted", "bundles.published"]
    assert [b.bundle.code for b in selectors.published_bundles()] == ["T01"]


def test_administrator_of_a_non_lead_department_cannot_touch_the_bundle(world):
    with pytest.raises(PermissionDenied):
        bundle_create(actor=world["zhenghua"], data=bundle_data(world))
    v = published(world)
    with pytest.raises(PermissionDenied):
        bundle_draft_from_current(actor=world["zhenghua"], bundle=v.bundle)
    draft = bundle_draft_from_current(actor=world["fengjing"], bundle=v.bundle)
    with pytest.raises(PermissionDenied):
        bundle_draft_update(actor=world["zhenghua"], version=draft, data={"promised_limit": 5})
    with pytest.raises(PermissionDenied):
        bundle_submit(actor=world["zhenghua"], version=draft)
    with pytest.raises(PermissionDenied):
        bundle_submit(actor=world["zhaoliu"], version=draft)  # supervisors only look
    draft.refresh_from_db()
    assert draft.promised_limit == 4


def test_new_version_supersedes_the_old_one_and_published_versions_are_never_edited(world):
    v1 = published(world)
    with pytest.raises(Conflict):
        bundle_draft_update(actor=world["fengjing"], version=v1, data={"promised_limit": 5})
    v2 = bundle_draft_from_current(actor=world["fengjing"], bundle=v1.bundle)
    assert v2.number == 2
    assert v2.members.count() == 4
    assert v2.rules.count() == 2
    with pytest.raises(Conflict):
        bundle_draft_from_current(actor=world["fengjing"], bundle=v1.bundle)
    with pytest.raises(ValidationFailed) as exc:
        bundle_draft_update(actor=world["fengjing"], version=v2, data={"lead_department": "CGJ"})
    assert "lead_department" in exc.value.fields
    bundle_draft_update(actor=world["fengjing"], version=v2, data={"promised_limit": 3})
    assert selectors.bundle_guide("T01").version.promised_limit == 4  # drafts are not public
    v2 = bundle_publish(actor=world["wangwu"], version=v2, skip_review=True)
    v1.refresh_from_db()
    assert v1.status == VersionStatus.SUPERSEDED
    assert v1.superseded_at == v2.published_at
    assert selectors.bundle_guide("T01").version.promised_limit == 3


def test_reject_needs_a_reason_and_abolish_takes_the_bundle_off_the_list(world):
    v = bundle_create(actor=world["fengjing"], data=bundle_data(world))
    bundle_submit(actor=world["fengjing"], version=v)
    with pytest.raises(ValidationFailed):
        bundle_reject(actor=world["wangwu"], version=v, note=" ")
    bundle_reject(actor=world["wangwu"], version=v, note="时限请再核实")
    v.refresh_from_db()
    assert v.status == VersionStatus.REJECTED
    p = published(world, code="T02")
    bundle_abolish(actor=world["wangwu"], bundle=p.bundle, note="并入其他套餐")
    with pytest.raises(NotFound):
        selectors.bundle_guide("T02")


def errors_of(world: dict[str, Any], **changes: Any) -> dict[str, list[str]]:
    v = bundle_create(actor=world["wangwu"], data=bundle_data(world, **changes))
    with pytest.raises(ValidationFailed) as exc:
        bundle_submit(actor=world["wangwu"], version=v)
    assert exc.value.message == "套餐不符合发布条件，请按提示修改"
    BundleVersion.objects.filter(pk=v.pk).update(status=VersionStatus.DRAFT)
    v.refresh_from_db()
    assert v.status == VersionStatus.DRAFT  # nothing changed
    return exc.value.fields


def test_a_bundle_needs_two_published_items(world):
    items = world["items"]
    fields = errors_of(world, members=[{"item": items["hygiene"].code}], questions=[], rules=[])
    assert fields["members"] == ["套餐至少包括两个事项"]
    items["open"].current_version = None
    items["open"].save()
    fields = errors_of(world, code="T03")
    assert f"事项“{items['open'].code}”当前没有已发布的版本，不能纳入套餐" in fields["members"]


def test_lead_department_must_run_a_member_or_say_why(world):
    items = world["items"]
    members = [{"item": items["open"].code}, {"item": items["sign"].code}]
    fields = errors_of(world, members=members, questions=[], rules=[], promised_limit=1)
    assert "不实施本套餐的任何事项" in fields["lead_department"][0]
    v = bundle_create(
        actor=world["wangwu"],
        data=bundle_data(
            world,
            code="T09",
            members=members,
            questions=[],
            rules=[],
            promised_limit=1,
            lead_note="区政府指定卫生健康委统筹",
        ),
    )
    assert bundle_submit(actor=world["wangwu"], version=v).status == VersionStatus.IN_REVIEW


def test_promised_limit_between_the_slowest_promise_and_the_sum_of_legal_limits(world):
    fields = errors_of(world, promised_limit=2)
    assert fields["promised_limit"] == [
        "套餐承诺时限（2个工作日）不能短于成员事项“公共场所卫生许可证核发”的承诺时限"
        "（3个工作日）：各事项并联办理，仍按各自的承诺时限办结"
    ]
    fields = errors_of(world, code="T04", promised_limit=49)
    assert fields["promised_limit"] == [
        "套餐承诺时限（49个工作日）不能超过各成员事项法定时限之和（48个工作日）"
    ]


def test_at_least_one_member_is_essential_and_every_question_decides_something(world):
    items = world["items"]
    members = [
        {"item": items["open"].code, "essential": False},
        {"item": items["hygiene"].code, "essential": False},
    ]
    questions = [{"code": "q", "text": "是否连锁经营？"}]
    fields = errors_of(world, members=members, questions=questions, rules=[])
    assert fields["members"] == ["至少要有一个不可放弃的事项（否则所有事项被拒后套餐仍在办理）"]
    assert fields["questions"] == ["问题“是否连锁经营？”没有任何情形规则，不决定办理哪些事项"]


def test_a_field_conflict_blocks_publication_with_the_field_and_items_named(world):
    sign = world["items"]["sign"]
    ItemField.objects.filter(version=sign.current_version).update(constraints={"max": 15})
    fields = errors_of(world)
    assert fields["fields"] == [
        "字段“经营面积”（area）在“个体工商户设立登记”、“公共场所卫生许可证核发”、"
        "“户外广告设施设置备案”中的规则无法合并：合并后最小值 20 大于最大值 15"
    ]


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        (
            {"rules": [{"question": "nope", "answer": "yes", "items": []}]},
            "rules[0].question",
            "问题“nope”不存在",
        ),
        (
            {"rules": [{"question": "sign", "answer": "maybe", "items": []}]},
            "rules[0].answer",
            "回答“maybe”无效，可选：是、否",
        ),
        (
            {"questions": [{"code": "k", "text": "规模", "type": "choice", "choices": ["大"]}]},
            "questions[0].choices",
            "单选问题须给出至少两个互不相同的选项",
        ),
        ({"members": [{"item": "NO-SUCH"}]}, "members[0].item", "事项“NO-SUCH”不存在"),
    ],
)
def test_structure_is_checked_on_every_write_in_chinese(world, change, key, message):
    with pytest.raises(ValidationFailed) as exc:
        bundle_create(actor=world["wangwu"], data=bundle_data(world, **change))
    assert message in exc.value.fields[key]
    assert not Bundle.objects.exists()


def test_a_member_cannot_be_both_required_and_conditional(world):
    items = world["items"]
    rules = [{"question": "sign", "answer": "yes", "items": [items["open"].code]}]
    with pytest.raises(ValidationFailed) as exc:
        bundle_create(actor=world["wangwu"], data=bundle_data(world, rules=rules))
    assert exc.value.fields["rules[0].items"] == [
        f"事项“{items['open'].code}”是必办事项，不能同时按情形办理；请改为“按情形办理”"
    ]
    # the two conditional members now have no rule
    assert exc.value.fields["members[2].required"] == [
        "按情形办理的事项须至少有一条情形规则（哪个回答时办理）"
    ]
