""" "One thing, done once" (一件事一次办): bundles of items of several departments, versioned
like items (docs/bundles.md).

``Bundle`` is the stable identity (code, kind, lead department). Everything the guide shows
lives on ``BundleVersion``: draft → in_review → published → superseded (or rejected,
abolished), exactly like ``ItemVersion``. A bundle case keeps the ``BundleVersion`` it was
accepted under. Members point at ``ServiceItem`` (not at an item version): a member follows
its item's current published version, so that a bundle never shows an outdated guide.

Partial refusal (defined here, carried out by the bundle cases):
* ``BundleMember.essential``: an essential member cannot be dropped; a non-essential one
  (可选) may be dropped by the applicant when its department refuses it, and the rest goes on.
* ``BundleVersion.on_refusal``: what happens when an *essential* member is refused:
  ``continue_without`` (the others continue and conclude, the outcome lists the refusal) or
  ``end_bundle`` (the bundle ends; open sub-cases are terminated).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import ServiceItem, SubjectType
from onewindow.catalog.versioning import PublishableVersion, workflow_constraints
from onewindow.org.models import Department


class BundleKind(models.TextChoices):
    LIFE_EVENT = "life_event", _("个人生活事件")
    ENTERPRISE_EVENT = "enterprise_event", _("企业经营事件")


class RefusalPolicy(models.TextChoices):
    CONTINUE_WITHOUT = "continue_without", _("其余事项继续办理")
    END_BUNDLE = "end_bundle", _("整件终止办理")


class QuestionType(models.TextChoices):
    YES_NO = "yes_no", _("是/否")
    CHOICE = "choice", _("单选")


class Bundle(models.Model):
    """The stable identity of a bundle: its code, kind and lead department (牵头部门)."""

    code = models.CharField("套餐编码", max_length=32, unique=True)
    kind = models.CharField(
        "类别", max_length=24, choices=BundleKind.choices, default=BundleKind.ENTERPRISE_EVENT
    )
    lead_department = models.ForeignKey(
        Department, verbose_name="牵头部门", on_delete=models.PROTECT, related_name="led_bundles"
    )
    # Cached pointer to the version on public display; kept by the publish service only.
    current_version = models.OneToOneField(
        "BundleVersion",
        verbose_name="当前发布版本",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "一件事套餐"
        verbose_name_plural = "一件事套餐"
        ordering = ["code"]

    def __str__(self) -> str:
        current = self.current_version if self.current_version_id else None
        return f"{self.code} {current.name if current is not None else ''}".strip()


class BundleVersion(PublishableVersion):
    """One version of a bundle: its members, questions, rules, limit and refusal policy (the
    workflow fields come from ``PublishableVersion``)."""

    bundle = models.ForeignKey(
        Bundle, verbose_name="套餐", on_delete=models.CASCADE, related_name="versions"
    )
    name = models.CharField("套餐名称", max_length=128, db_index=True)
    description = models.TextField("简介", blank=True)
    audience = models.CharField(
        "服务对象", max_length=16, choices=SubjectType.choices, default=SubjectType.BOTH
    )
    keywords = models.CharField("关键词", max_length=255, blank=True)
    # Working days after acceptance, for the whole bundle (parallel approval).
    promised_limit = models.PositiveIntegerField("套餐承诺时限（工作日）")
    visits_required = models.PositiveSmallIntegerField("到现场次数", default=1)
    on_refusal = models.CharField(
        "必办事项被拒时",
        max_length=24,
        choices=RefusalPolicy.choices,
        default=RefusalPolicy.CONTINUE_WITHOUT,
    )
    lead_note = models.CharField(
        "牵头说明",
        max_length=255,
        blank=True,
        help_text="牵头部门不是任一成员事项的实施部门时，须说明理由",
    )
    industry_licence = models.BooleanField("一业一证", default=False)
    industry_licence_name = models.CharField("行业综合许可证名称", max_length=128, blank=True)

    class Meta:
        verbose_name = "套餐版本"
        verbose_name_plural = "套餐版本"
        ordering = ["bundle", "-number"]
        constraints = workflow_constraints("bundle", "bundle")

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    @property
    def code(self) -> str:
        return self.bundle.code


class BundleMember(models.Model):
    """An item of the bundle. ``required``: always included; otherwise conditional, included
    when a rule matches the applicant's answers. The member's role (lead or cooperating
    department) is derived from its item's department."""

    version = models.ForeignKey(
        BundleVersion, verbose_name="套餐版本", on_delete=models.CASCADE, related_name="members"
    )
    item = models.ForeignKey(
        ServiceItem, verbose_name="事项", on_delete=models.PROTECT, related_name="bundle_members"
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)
    required = models.BooleanField("必办", default=True, help_text="否：按申请人的回答决定是否办理")
    essential = models.BooleanField(
        "不可放弃", default=True, help_text="否：被拒时申请人可放弃该事项，其余事项继续办理"
    )
    early_delivery = models.BooleanField("可先行出件", default=False)
    joint_inspection = models.BooleanField("参加联合踏勘", default=False)

    class Meta:
        verbose_name = "成员事项"
        verbose_name_plural = "成员事项"
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "item"], name="bundle_member_unique_item")
        ]

    def __str__(self) -> str:
        return str(self.item)


class BundleQuestion(models.Model):
    """A question put to the applicant to decide which conditional members apply."""

    version = models.ForeignKey(
        BundleVersion, verbose_name="套餐版本", on_delete=models.CASCADE, related_name="questions"
    )
    code = models.CharField("问题编码", max_length=32)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    text = models.CharField("问题", max_length=255)
    help_text = models.CharField("说明", max_length=255, blank=True)
    type = models.CharField(
        "类型", max_length=16, choices=QuestionType.choices, default=QuestionType.YES_NO
    )
    choices = models.JSONField("选项", default=list, blank=True)

    class Meta:
        verbose_name = "情形问题"
        verbose_name_plural = "情形问题"
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="bundle_question_unique_code")
        ]

    def __str__(self) -> str:
        return self.text


class BundleRule(models.Model):
    """One line of the decision table: when ``question`` is answered ``answer``, include
    ``member``. A conditional member is included when any of its lines matches."""

    version = models.ForeignKey(
        BundleVersion, verbose_name="套餐版本", on_delete=models.CASCADE, related_name="rules"
    )
    question = models.ForeignKey(
        BundleQuestion, verbose_name="问题", on_delete=models.CASCADE, related_name="rules"
    )
    answer = models.CharField("回答", max_length=64)
    member = models.ForeignKey(
        BundleMember, verbose_name="增加办理的事项", on_delete=models.CASCADE, related_name="rules"
    )

    class Meta:
        verbose_name = "情形规则"
        verbose_name_plural = "情形规则"
        ordering = ["version", "question__order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "answer", "member"], name="bundle_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question.code}={self.answer} → {self.member}"
