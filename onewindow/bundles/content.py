"""A bundle version as a plain dict (the services' input and the draft copy) and back.

Shape (docs/bundles.md)::

    {"code": "B01", "kind": "enterprise_event", "lead_department": "WSJKW",
     "name": "我要开理发店", "description": "...", "audience": "both", "keywords": "...",
     "promised_limit": 5, "visits_required": 1, "on_refusal": "continue_without",
     "lead_note": "", "industry_licence": false, "industry_licence_name": "",
     "members": [{"item": "<implementation code>", "required": true, "essential": true,
                  "early_delivery": false, "joint_inspection": false}, ...],
     "questions": [{"code": "sign", "text": "是否设置门头招牌？", "help_text": "",
                    "type": "yes_no", "choices": []}, ...],
     "rules": [{"question": "sign", "answer": "yes", "items": ["<item code>"]}, ...]}
"""

from __future__ import annotations

from typing import Any

from onewindow.bundles.models import (
    Bundle,
    BundleMember,
    BundleQuestion,
    BundleRule,
    BundleVersion,
)
from onewindow.catalog.models import ServiceItem

IDENTITY_KEYS = ("code", "kind", "lead_department")
VERSION_KEYS = (
    "name",
    "description",
    "audience",
    "keywords",
    "promised_limit",
    "visits_required",
    "on_refusal",
    "lead_note",
    "industry_licence",
    "industry_licence_name",
)
BUNDLE_KEYS = (*IDENTITY_KEYS, *VERSION_KEYS, "members", "questions", "rules")
MEMBER_KEYS = ("item", "required", "essential", "early_delivery", "joint_inspection")
QUESTION_KEYS = ("code", "text", "help_text", "type", "choices")
RULE_KEYS = ("question", "answer", "items")


def version_prefetch() -> list[str]:
    return ["members__item__department", "questions", "rules__question", "rules__member__item"]


def full_version(pk: int) -> BundleVersion:
    return (
        BundleVersion.objects.select_related("bundle__lead_department")
        .prefetch_related(*version_prefetch())
        .get(pk=pk)
    )


def version_to_dict(version: BundleVersion) -> dict[str, Any]:
    bundle = version.bundle
    data: dict[str, Any] = {
        "code": bundle.code,
        "kind": bundle.kind,
        "lead_department": bundle.lead_department.code,
    }
    for key in VERSION_KEYS:
        data[key] = getattr(version, key)
    data["members"] = [
        {
            "item": m.item.code,
            "required": m.required,
            "essential": m.essential,
            "early_delivery": m.early_delivery,
            "joint_inspection": m.joint_inspection,
        }
        for m in version.members.all()
    ]
    data["questions"] = [
        {
            "code": q.code,
            "text": q.text,
            "help_text": q.help_text,
            "type": q.type,
            "choices": list(q.choices or []),
        }
        for q in version.questions.all()
    ]
    grouped: dict[tuple[str, str], list[str]] = {}
    for r in sorted(version.rules.all(), key=lambda r: (r.question.order, r.question.code, r.pk)):
        grouped.setdefault((r.question.code, r.answer), []).append(r.member.item.code)
    data["rules"] = [
        {"question": q, "answer": a, "items": items} for (q, a), items in grouped.items()
    ]
    return data


def write_content(
    version: BundleVersion, clean: dict[str, Any], *, items: dict[str, ServiceItem]
) -> BundleVersion:
    """Save ``version`` with the content of ``clean`` (validated), replacing its members,
    questions and rules."""
    for key in VERSION_KEYS:
        setattr(version, key, clean[key])
    version.save()
    version.rules.all().delete()
    version.questions.all().delete()
    version.members.all().delete()
    members: dict[str, BundleMember] = {}
    for order, m in enumerate(clean["members"], start=1):
        members[m["item"]] = BundleMember.objects.create(
            version=version,
            item=items[m["item"]],
            order=order,
            required=m["required"],
            essential=m["essential"],
            early_delivery=m["early_delivery"],
            joint_inspection=m["joint_inspection"],
        )
    questions: dict[str, BundleQuestion] = {}
    for order, q in enumerate(clean["questions"], start=1):
        questions[q["code"]] = BundleQuestion.objects.create(
            version=version, order=order, **{k: q[k] for k in QUESTION_KEYS}
        )
    BundleRule.objects.bulk_create(
        BundleRule(
            version=version,
            question=questions[r["question"]],
            answer=r["answer"],
            member=members[code],
        )
        for r in clean["rules"]
        for code in r["items"]
    )
    return version


def bundle_label(bundle: Bundle, version: BundleVersion) -> str:
    return f"{bundle.code} {version.name}"
