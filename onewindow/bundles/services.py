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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.bundles.content import IDENTITY_KEYS, full_version, version_to_dict, write_content
from onewindow.bundles.models import Bundle, BundleVersion
from onewindow.bundles.publication import require_publishable
from onewindow.bundles.validation import validate_bundle
from onewindow.catalog.versioning import VersionStatus, Workflow
from onewindow.common.errors import Conflict, ValidationFailed
from onewindow.org.models import Department
from onewindow.org.permissions import require_capability

# The same draft → review → publication steps as items (onewindow/catalog/versioning.py).
WORKFLOW = Workflow(
    owner_model=Bundle,
    version_model=BundleVersion,
    owner_field="bundle",
    department_field="lead_department",
    action_prefix="bundles",
    code_prefix="bundle",
    noun=gettext_lazy("套餐"),
    numbered_summaries=True,
)


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
        version = WORKFLOW.new_version(
            bundle,
            actor=actor,
            number=1,
            change_note=change_note or clean.get("change_note", "") or _("新建套餐"),
        )
        write_content(version, clean, items=items)
        members = [m["item"] for m in clean["members"]]
        WORKFLOW.audit("created", version, actor=actor, items=members)
    return version


def bundle_draft_from_current(
    *, actor: Any, bundle: Bundle, change_note: str = ""
) -> BundleVersion:
    """A new draft copying the published version (members, questions and rules)."""

    def make(locked: Bundle, source_id: int) -> BundleVersion:
        source = full_version(source_id)
        clean, items = validate_bundle(version_to_dict(source))
        version = WORKFLOW.new_version(
            locked,
            actor=actor,
            number=WORKFLOW.next_number(locked),
            change_note=change_note or _("基于第%(n)d版修改") % {"n": source.number},
        )
        write_content(version, clean, items=items)
        WORKFLOW.audit("draft_created", version, actor=actor, base=source.number)
        return version

    return WORKFLOW.start_draft(actor=actor, owner=bundle, base_id=None, make=make)


def bundle_draft_update(
    *, actor: Any, version: BundleVersion, data: Mapping[str, Any]
) -> BundleVersion:
    """Change a draft: ``data`` holds the keys to change (``members``, ``questions`` and
    ``rules`` replace the whole list). Code, kind and lead department do not change."""
    require_capability(actor, "catalog.edit", department=version.bundle.lead_department)
    with transaction.atomic():
        locked = WORKFLOW.lock_version(version)
        WORKFLOW.require_status(locked, "edit")
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
        WORKFLOW.audit("draft_updated", locked, actor=actor, changed=changed)
    return locked


def bundle_submit(*, actor: Any, version: BundleVersion) -> BundleVersion:
    """draft → in_review, after the publication rules are checked (a merged-form conflict
    is reported now, to the administrator, not later to applicants)."""
    return WORKFLOW.submit(actor=actor, version=version, check=require_publishable)


def bundle_reject(*, actor: Any, version: BundleVersion, note: str) -> BundleVersion:
    """in_review → rejected, with the reviewer's reason (required)."""
    return WORKFLOW.reject(actor=actor, version=version, note=note)


def bundle_publish(
    *, actor: Any, version: BundleVersion, note: str = "", skip_review: bool = False
) -> BundleVersion:
    """Publish a version under review (or, with ``skip_review``, a draft) after checking
    the publication rules again; the previous published version is superseded at the same
    instant and the bundle's pointer moves."""
    return WORKFLOW.publish(
        actor=actor, version=version, note=note, skip_review=skip_review, check=require_publishable
    )


def bundle_abolish(*, actor: Any, bundle: Bundle, note: str) -> BundleVersion:
    """Take a bundle off the published list (its current version becomes abolished, an
    open draft is closed as rejected). Items are untouched."""
    return WORKFLOW.abolish(actor=actor, owner=bundle, note=note)


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
        open_draft = WORKFLOW.open_draft(bundle)
        if open_draft is None and bundle.current_version_id is not None:
            open_draft = bundle_draft_from_current(actor=actor, bundle=bundle)
        if open_draft is None:
            raise Conflict(_("该套餐已取消，且没有可发布的草稿"), code="bundle_no_current")
        if open_draft.status == VersionStatus.IN_REVIEW:
            raise Conflict(_("该套餐有待审核的版本，请先审核"), code="bundle_open_draft")
        draft = bundle_draft_update(actor=actor, version=open_draft, data=data)
        return bundle_publish(actor=actor, version=draft, note=note, skip_review=True)
