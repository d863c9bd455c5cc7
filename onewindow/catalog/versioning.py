"""Versioned publication, shared by the catalogue (``ItemVersion`` of a ``ServiceItem``) and
the bundles (``BundleVersion`` of a ``Bundle``).

Life of a version: draft → in_review → published → superseded (or rejected, abolished).
At most one version of an owner is published and at most one is open (draft or in review);
publishing supersedes the previous published version at the same instant and moves the
owner's ``current_version`` pointer.

* ``PublishableVersion``: the abstract model with the workflow fields; each concrete model
  adds its owner foreign key (``related_name="versions"``) and declares
  ``workflow_constraints(owner_field, prefix)`` in its ``Meta``.
* ``Workflow``: the services' shared steps (status table, submit, reject, publish with
  supersession, abolish, the open-draft checks, the audit payload), parameterised by the
  owner and version models, the audit action prefix, the error code prefix, the owner's
  department field (where capabilities are checked) and the Chinese noun.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.services import record
from onewindow.common import clock
from onewindow.common.errors import Conflict, ValidationFailed
from onewindow.org.permissions import require_capability


class VersionStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("草稿")
    IN_REVIEW = "in_review", gettext_lazy("待审核")
    PUBLISHED = "published", gettext_lazy("已发布")
    SUPERSEDED = "superseded", gettext_lazy("已替代")
    REJECTED = "rejected", gettext_lazy("已退回")
    ABOLISHED = "abolished", gettext_lazy("已取消")


OPEN_STATUSES = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)
# The allowed transitions of a version, in one table (DESIGN.md convention 5).
TRANSITIONS: dict[str, frozenset[str]] = {
    "submit": frozenset({VersionStatus.DRAFT}),
    "reject": frozenset({VersionStatus.IN_REVIEW}),
    "publish": frozenset({VersionStatus.IN_REVIEW}),
    "publish_direct": frozenset({VersionStatus.DRAFT, VersionStatus.IN_REVIEW}),
    "edit": frozenset({VersionStatus.DRAFT}),
}
STATUS_MESSAGES = {
    "submit": gettext_lazy("只有草稿可以提交审核"),
    "reject": gettext_lazy("只有待审核的版本可以退回"),
    "publish": gettext_lazy("只有待审核的版本可以审核发布"),
    "publish_direct": gettext_lazy("只有草稿或待审核的版本可以发布"),
    "edit": gettext_lazy("只有草稿可以修改；已发布的版本不能直接修改，请基于当前版本新建草稿"),
}


class PublishableVersion(models.Model):
    """The workflow fields of a version (its content lives on the concrete model)."""

    number = models.PositiveIntegerField("版本号")
    status = models.CharField(
        "状态", max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="编制人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("编制时间")
    change_note = models.CharField("变更说明", max_length=255, blank=True)
    submitted_at = models.DateTimeField("提交审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.CharField("审核意见", max_length=255, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, db_index=True)
    superseded_at = models.DateTimeField("失效时间", null=True, blank=True, db_index=True)

    class Meta:
        abstract = True


def workflow_constraints(owner_field: str, prefix: str) -> list[models.BaseConstraint]:
    """Unique numbers per owner, one published version, one open draft (names kept as the
    migrations have them: ``<prefix>_version_unique_number`` and so on)."""
    return [
        models.UniqueConstraint(
            fields=[owner_field, "number"], name=f"{prefix}_version_unique_number"
        ),
        models.UniqueConstraint(
            fields=[owner_field],
            condition=models.Q(status="published"),
            name=f"{prefix}_one_published_version",
        ),
        models.UniqueConstraint(
            fields=[owner_field],
            condition=models.Q(status__in=["draft", "in_review"]),
            name=f"{prefix}_one_open_draft",
        ),
    ]


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@dataclass(frozen=True)
class Workflow[O: models.Model, V: PublishableVersion]:
    """The shared steps of one kind of versioned thing (owner ``O``, version ``V``). The
    public services of each app check their own content (``check``) and call these."""

    owner_model: type[O]  # ServiceItem, Bundle
    version_model: type[V]  # ItemVersion, BundleVersion
    owner_field: str  # the version's foreign key to its owner: "item", "bundle"
    department_field: str  # the owner's department for capabilities: "department", ...
    action_prefix: str  # audit actions "<prefix>.submitted", ...
    code_prefix: str  # error codes "<prefix>_bad_status", ...
    noun: str | Promise  # 事项, 套餐
    # Audit summaries carry "v<number>" always (True) or only on publication (False).
    numbered_summaries: bool = False

    # --- reading

    def owner(self, version: Any) -> Any:
        return getattr(version, self.owner_field)

    def department(self, owner: Any) -> Any:
        return getattr(owner, self.department_field)

    def open_draft(self, owner: Any) -> V | None:
        return owner.versions.filter(status__in=OPEN_STATUSES).first()

    def next_number(self, owner: Any) -> int:
        return int(owner.versions.aggregate(n=Max("number"))["n"] or 0) + 1

    def payload(self, version: Any, **extra: Any) -> dict[str, Any]:
        code = self.owner(version).code
        return {"code": code, "number": version.number, "name": version.name, **extra}

    def summary(self, version: Any, *, numbered: bool = False) -> str:
        text = f"{self.owner(version).code} {version.name}"
        return f"{text} v{version.number}" if numbered or self.numbered_summaries else text

    def audit(
        self, event: str, version: Any, *, actor: Any, at: datetime | None = None, **extra: Any
    ) -> None:
        record(
            action=f"{self.action_prefix}.{event}",
            actor=actor,
            obj=version,
            summary=self.summary(version, numbered=event == "published"),
            payload=self.payload(version, **extra),
            at=at,
        )

    # --- locks and checks

    def lock_owner(self, owner: O) -> O:
        """Serialise versioning of one owner (row lock on PostgreSQL; SQLite locks the file)."""
        return (
            self.owner_model._default_manager.select_for_update()
            .select_related(self.department_field)
            .get(pk=owner.pk)
        )

    def lock_version(self, version: V) -> V:
        return (
            self.version_model._default_manager.select_for_update()
            .select_related(f"{self.owner_field}__{self.department_field}")
            .get(pk=version.pk)
        )

    def require_status(self, version: Any, transition: str) -> None:
        if version.status not in TRANSITIONS[transition]:
            raise Conflict(
                str(STATUS_MESSAGES[transition]),
                code=f"{self.code_prefix}_bad_status",
                fields={"status": [version.get_status_display()]},
            )

    def require_no_open_draft(self, owner: Any) -> None:
        draft = self.open_draft(owner)
        if draft is not None:
            raise Conflict(
                _("该%(noun)s已有未完成的草稿（第%(n)d版），请先处理")
                % {"noun": self.noun, "n": draft.number},
                code=f"{self.code_prefix}_open_draft",
            )

    def no_current(self, *, now: bool = False) -> Conflict:
        message = _("该%(noun)s当前没有已发布的版本") if now else _("该%(noun)s没有已发布的版本")
        return Conflict(message % {"noun": self.noun}, code=f"{self.code_prefix}_no_current")

    def new_version(self, owner: O, *, actor: Any, number: int, change_note: str) -> V:
        """An unsaved version of ``owner`` (the caller writes its content)."""
        return self.version_model(
            **{self.owner_field: owner},
            number=number,
            created_by=_user(actor),
            created_at=clock.now(),
            change_note=change_note,
        )

    # --- transitions (each is a whole service step: capability, lock, write, audit)

    def start_draft(
        self, *, actor: Any, owner: O, base_id: int | None, make: Callable[[O, int], V]
    ) -> V:
        """The frame of "new draft from the current version": ``make(locked_owner,
        source_id)`` writes the draft once there is no open draft and a source exists."""
        require_capability(actor, "catalog.edit", department=self.department(owner))
        with transaction.atomic():
            locked: Any = self.lock_owner(owner)
            self.require_no_open_draft(locked)
            source_id = base_id if base_id is not None else locked.current_version_id
            if source_id is None:
                raise self.no_current()
            return make(locked, source_id)

    def submit(self, *, actor: Any, version: V, check: Callable[[V], object]) -> V:
        """draft → in_review, after ``check(locked_version)`` (raises when not publishable)."""
        require_capability(actor, "catalog.edit", department=self.department(self.owner(version)))
        with transaction.atomic():
            locked = self.lock_version(version)
            self.require_status(locked, "submit")
            check(locked)
            locked.status = VersionStatus.IN_REVIEW
            locked.submitted_at = clock.now()
            locked.save(update_fields=["status", "submitted_at"])
            self.audit("submitted", locked, actor=actor)
        return locked

    def reject(self, *, actor: Any, version: V, note: str) -> V:
        """in_review → rejected, with the reviewer's reason (required)."""
        department = self.department(self.owner(version))
        require_capability(actor, "catalog.review", department=department)
        note = (note or "").strip()
        if not note:
            raise ValidationFailed(_("请填写退回理由"), fields={"note": [_("必填")]})
        with transaction.atomic():
            locked = self.lock_version(version)
            self.require_status(locked, "reject")
            locked.status = VersionStatus.REJECTED
            locked.reviewed_by = _user(actor)
            locked.review_note = note[:255]
            locked.save(update_fields=["status", "reviewed_by", "review_note"])
            self.audit("rejected", locked, actor=actor, note=note)
        return locked

    def publish_locked(
        self, version: V, *, actor: Any, note: str = "", now: datetime | None = None
    ) -> V:
        """Publish ``version`` (already checked, its owner locked): supersede the previous
        published version, move the owner's pointer, audit."""
        now = now or clock.now()
        owner: Any = self.owner(version)
        previous = (
            owner.versions.filter(status=VersionStatus.PUBLISHED).exclude(pk=version.pk).first()
        )
        if previous is not None:
            previous.status = VersionStatus.SUPERSEDED
            previous.superseded_at = now
            previous.save(update_fields=["status", "superseded_at"])
        version.status = VersionStatus.PUBLISHED
        version.published_at = now
        version.reviewed_by = _user(actor)
        version.review_note = note[:255]
        version.save(update_fields=["status", "published_at", "reviewed_by", "review_note"])
        owner.current_version = version
        owner.save(update_fields=["current_version"])
        previous_number = previous.number if previous else None
        self.audit("published", version, actor=actor, at=now, previous=previous_number)
        return version

    def publish(
        self,
        *,
        actor: Any,
        version: V,
        note: str,
        skip_review: bool,
        check: Callable[[V], object],
        publish_locked: Callable[..., V] | None = None,
    ) -> V:
        """Approve and publish a version under review (or, with ``skip_review``, a draft)
        after ``check(locked_version)``."""
        department = self.department(self.owner(version))
        require_capability(actor, "catalog.publish", department=department)
        if skip_review:
            require_capability(actor, "catalog.review", department=department)
        with transaction.atomic():
            self.lock_owner(self.owner(version))
            locked = self.lock_version(version)
            self.require_status(locked, "publish_direct" if skip_review else "publish")
            check(locked)
            return (publish_locked or self.publish_locked)(locked, actor=actor, note=note)

    def abolish(self, *, actor: Any, owner: O, note: str) -> V:
        """Take an owner off the published list: its current version becomes abolished
        (dated); an open draft is closed as rejected."""
        require_capability(actor, "catalog.publish", department=self.department(owner))
        note = (note or "").strip()
        if not note:
            raise ValidationFailed(_("请填写取消理由"), fields={"note": [_("必填")]})
        with transaction.atomic():
            locked: Any = self.lock_owner(owner)
            if locked.current_version_id is None:
                raise self.no_current(now=True)
            now = clock.now()
            current = self.version_model._default_manager.select_related(self.owner_field).get(
                pk=locked.current_version_id
            )
            current.status = VersionStatus.ABOLISHED
            current.superseded_at = now
            current.review_note = note[:255]
            current.save(update_fields=["status", "superseded_at", "review_note"])
            locked.versions.filter(status__in=OPEN_STATUSES).update(
                status=VersionStatus.REJECTED,
                review_note=_("%(noun)s已取消") % {"noun": self.noun},
            )
            locked.current_version = None
            locked.save(update_fields=["current_version"])
            self.audit("abolished", current, actor=actor, at=now, note=note)
        return current
