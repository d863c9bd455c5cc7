"""Writes to bundles: drafting, review, publication and abolition of bundle versions.
Every service checks the actor's capability in the bundle's *lead department*
(``catalog.edit`` to draft and submit, ``catalog.review`` to reject, ``catalog.publish`` to
publish and abolish), validates, writes and records an audit event ``bundles.*`` in one
transaction. A published version is never edited: changes go into a new draft.

Life of a version: draft → in_review → published → superseded (or rejected, abolished).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.services import record
from onewindow.bundles.content import IDENTITY_KEYS, full_version, version_to_dict, write_content
from onewindow.bundles.models import Bundle, BundleVersion
from onewindow.bundles.publication import require_publishable
from onewindow.bundles.validation import validate_bundle
from onewindow.catalog.models import VersionStatus
from onewindow.common import clock
from onewindow.common.errors import Conflict, ValidationFailed
from onewindow.org.models import Department
from onewindow.org.permissions import require_capability

OPEN_STATUSES = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)
TRANSITIONS: dict[str, frozenset[str]] = {
    "submit": frozenset({VersionStatus.DRAFT}),
    "reject": frozenset({VersionStatus.IN_REVIEW}),
    "publish": frozenset({VersionStatus.IN_REVIEW}),
    "publish_direct": frozenset({VersionStatus.DRAFT, VersionStatus.IN_REVIEW}),
    "edit": frozenset({VersionStatus.DRAFT}),
}
_STATUS_MESSAGES = {
    "submit": gettext_lazy("只有草稿可以提交审核"),
    "reject": gettext_lazy("只有待审核的版本可以退回"),
    "publish": gettext_lazy("只有待审核的版本可以审核发布"),
    "publish_direct": gettext_lazy("只有草稿或待审核的版本可以发布"),
    "edit": gettext_lazy("只有草稿可以修改；已发布的版本不能直接修改，请基于当前版本新建草稿"),
}


def _require_status(version: BundleVersion, transition: str) -> None:
    if version.status not in TRANSITIONS[transition]:
        raise Conflict(
            str(_STATUS_MESSAGES[transition]),
            code="bundle_bad_status",
            fields={"status": [version.get_status_display()]},
        )


def _lock_bundle(bundle: Bundle) -> Bundle:
    return Bundle.objects.select_for_update().select_related("lead_department").get(pk=bundle.pk)


def _lock_version(version: BundleVersion) -> BundleVersion:
    return (
        BundleVersion.objects.select_for_update()
        .select_related("bundle__lead_department")
        .get(pk=version.pk)
    )


def _payload(version: BundleVersion, **extra: Any) -> dict[str, Any]:
    return {"code": version.bundle.code, "number": version.number, "name": version.name, **extra}


def _summary(version: BundleVersion) -> str:
    return f"{version.bundle.code} {version.name} v{version.number}"


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def bundle_create(*, actor: Any, data: Mapping[str, Any], change_note: str = "") -> BundleVersion:
    """A new bundle and its version 1 draft. Needs ``catalog.edit`` in the lead department."""
    clean, items = validate_bundle(data)
    lead = Department.objects.get(code=clean["lead_department"])
    require_capability(actor, "catalog.edit", department=lead)
    with transaction.atomic():
        if Bundle.objects.filter(code=clean["code"]).exists():
            raise ValidationFailed(
                _("套餐编码已存在"),
                fields={"code": [_("套餐编码“%(c)s”已存在") % {"c": clean["code"]}]},
            )
        bundle = Bundle.objects.create(code=clean["code"], kind=clean["kind"], lead_department=lead)
        version = BundleVersion(
            bundle=bundle,
            number=1,
            created_by=_actor(actor),
            created_at=clock.now(),
            change_note=change_note or clean.get("change_note", "") or _("新建套餐"),
        )
        write_content(version, clean, items=items)
        record(
            action="bundles.created",
            actor=actor,
            obj=version,
            summary=_summary(version),
            payload=_payload(version, items=[m["item"] for m in clean["members"]]),
        )
    return version


def bundle_draft_from_current(
    *, actor: Any, bundle: Bundle, change_note: str = ""
) -> BundleVersion:
    """A new draft copying the published version (members, questions and rules)."""
    require_capability(actor, "catalog.edit", department=bundle.lead_department)
    with transaction.atomic():
        bundle = _lock_bundle(bundle)
        open_draft = bundle.versions.filter(status__in=OPEN_STATUSES).first()
        if open_draft is not None:
            raise Conflict(
                _("该套餐已有未完成的草稿（第%(n)d版），请先处理") % {"n": open_draft.number},
                code="bundle_open_draft",
            )
        if bundle.current_version_id is None:
            raise Conflict(_("该套餐没有已发布的版本"), code="bundle_no_current")
        source = full_version(bundle.current_version_id)
        clean, items = validate_bundle(version_to_dict(source))
        number = (bundle.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = BundleVersion(
            bundle=bundle,
            number=number,
            created_by=_actor(actor),
            created_at=clock.now(),
            change_note=change_note or _("基于第%(n)d版修改") % {"n": source.number},
        )
        write_content(version, clean, items=items)
        record(
            action="bundles.draft_created",
            actor=actor,
            obj=version,
            summary=_summary(version),
            payload=_payload(version, base=source.number),
        )
    return version


def bundle_draft_update(
    *, actor: Any, version: BundleVersion, data: Mapping[str, Any]
) -> BundleVersion:
    """Change a draft: ``data`` holds the keys to change (``members``, ``questions`` and
    ``rules`` replace the whole list). Code, kind and lead department do not change."""
    require_capability(actor, "catalog.edit", department=version.bundle.lead_department)
    with transaction.atomic():
        locked = _lock_version(version)
        _require_status(locked, "edit")
        current = version_to_dict(full_version(locked.pk))
        wrong = {
            key: [_("不可修改（套餐编码、类别和牵头部门不随版本变化）")]
            for key in IDENTITY_KEYS
            if key in data and data[key] != current[key]
        }
        if wrong:
            raise ValidationFailed(_("套餐内容不符合要求，请按提示修改"), fields=wrong)
        clean, items = validate_bundle({**current, **data})
        if "change_note" in clean:
            locked.change_note = clean["change_note"]
        write_content(locked, clean, items=items)
        changed = sorted(k for k, v in current.items() if clean.get(k) != v)
        record(
            action="bundles.draft_updated",
            actor=actor,
            obj=locked,
            summary=_summary(locked),
            payload=_payload(locked, changed=changed),
        )
    return locked


def bundle_submit(*, actor: Any, version: BundleVersion) -> BundleVersion:
    """draft → in_review, after the publication rules are checked (a merged-form conflict
    is reported now, to the administrator, not later to applicants)."""
    require_capability(actor, "catalog.edit", department=version.bundle.lead_department)
    with transaction.atomic():
        locked = _lock_version(version)
        _require_status(locked, "submit")
        require_publishable(locked)
        locked.status = VersionStatus.IN_REVIEW
        locked.submitted_at = clock.now()
        locked.save(update_fields=["status", "submitted_at"])
        record(
            action="bundles.submitted",
            actor=actor,
            obj=locked,
            summary=_summary(locked),
            payload=_payload(locked),
        )
    return locked


def bundle_reject(*, actor: Any, version: BundleVersion, note: str) -> BundleVersion:
    """in_review → rejected, with the reviewer's reason (required)."""
    require_capability(actor, "catalog.review", department=version.bundle.lead_department)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("请填写退回理由"), fields={"note": [_("必填")]})
    with transaction.atomic():
        locked = _lock_version(version)
        _require_status(locked, "reject")
        locked.status = VersionStatus.REJECTED
        locked.reviewed_by = _actor(actor)
        locked.review_note = note[:255]
        locked.save(update_fields=["status", "reviewed_by", "review_note"])
        record(
            action="bundles.rejected",
            actor=actor,
            obj=locked,
            summary=_summary(locked),
            payload=_payload(locked, note=note),
        )
    return locked


def bundle_publish(
    *, actor: Any, version: BundleVersion, note: str = "", skip_review: bool = False
) -> BundleVersion:
    """Publish a version under review (or, with ``skip_review``, a draft) after checking
    the publication rules again; the previous published version is superseded at the same
    instant and the bundle's pointer moves."""
    lead = version.bundle.lead_department
    require_capability(actor, "catalog.publish", department=lead)
    if skip_review:
        require_capability(actor, "catalog.review", department=lead)
    with transaction.atomic():
        bundle = _lock_bundle(version.bundle)
        locked = _lock_version(version)
        _require_status(locked, "publish_direct" if skip_review else "publish")
        require_publishable(locked)
        now = clock.now()
        previous = (
            bundle.versions.filter(status=VersionStatus.PUBLISHED).exclude(pk=locked.pk).first()
        )
        if previous is not None:
            previous.status = VersionStatus.SUPERSEDED
            previous.superseded_at = now
            previous.save(update_fields=["status", "superseded_at"])
        locked.status = VersionStatus.PUBLISHED
        locked.published_at = now
        locked.reviewed_by = _actor(actor)
        locked.review_note = note[:255]
        locked.save(update_fields=["status", "published_at", "reviewed_by", "review_note"])
        bundle.current_version = locked
        bundle.save(update_fields=["current_version"])
        record(
            action="bundles.published",
            actor=actor,
            obj=locked,
            summary=_summary(locked),
            payload=_payload(locked, previous=previous.number if previous else None),
            at=now,
        )
    return locked


def bundle_abolish(*, actor: Any, bundle: Bundle, note: str) -> BundleVersion:
    """Take a bundle off the published list (its current version becomes abolished, an
    open draft is closed as rejected). Items are untouched."""
    require_capability(actor, "catalog.publish", department=bundle.lead_department)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("请填写取消理由"), fields={"note": [_("必填")]})
    with transaction.atomic():
        bundle = _lock_bundle(bundle)
        if bundle.current_version_id is None:
            raise Conflict(_("该套餐当前没有已发布的版本"), code="bundle_no_current")
        now = clock.now()
        current = BundleVersion.objects.select_related("bundle").get(pk=bundle.current_version_id)
        current.status = VersionStatus.ABOLISHED
        current.superseded_at = now
        current.review_note = note[:255]
        current.save(update_fields=["status", "superseded_at", "review_note"])
        bundle.versions.filter(status__in=OPEN_STATUSES).update(
            status=VersionStatus.REJECTED, review_note=_("套餐已取消")
        )
        bundle.current_version = None
        bundle.save(update_fields=["current_version"])
        record(
            action="bundles.abolished",
            actor=actor,
            obj=current,
            summary=_summary(current),
            payload=_payload(current, note=note),
            at=now,
        )
    return current


def bundle_upsert_published(
    *, actor: Any, data: Mapping[str, Any], note: str = ""
) -> BundleVersion | None:
    """Make the published version of bundle ``data["code"]`` say ``data`` (the demo loader
    and imports): nothing is written when it already does (returns ``None``); otherwise a
    new version is drafted and published directly (needs review and publish rights)."""
    bundle = Bundle.objects.select_related("lead_department").filter(code=data.get("code")).first()
    if bundle is None:
        version = bundle_create(actor=actor, data=data)
        return bundle_publish(actor=actor, version=version, note=note, skip_review=True)
    clean, _items = validate_bundle(data)
    if bundle.current_version_id is not None:
        current = version_to_dict(full_version(bundle.current_version_id))
        if {k: clean[k] for k in current} == current:
            return None
    with transaction.atomic():
        open_draft = bundle.versions.filter(status__in=OPEN_STATUSES).first()
        if open_draft is None and bundle.current_version_id is not None:
            open_draft = bundle_draft_from_current(actor=actor, bundle=bundle)
        if open_draft is None:
            raise Conflict(_("该套餐已取消，且没有可发布的草稿"), code="bundle_no_current")
        if open_draft.status == VersionStatus.IN_REVIEW:
            raise Conflict(_("该套餐有待审核的版本，请先审核"), code="bundle_open_draft")
        draft = bundle_draft_update(actor=actor, version=open_draft, data=data)
        return bundle_publish(actor=actor, version=draft, note=note, skip_review=True)
