"""Bundle cases (一件事一次办, docs/bundles.md "Bundle cases"): the bundle case and what its
running records — partial refusal and stalls, chasing, the joint site inspection, the one
output. Part of the ``cases`` app (re-exported by ``onewindow.cases.models``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm.signals import post_transition

from onewindow.cases.models import Case, Channel, DeliveryStatus, Visit
from onewindow.catalog.models import DeliveryMethod
from onewindow.org.models import Applicant, Department, ServicePoint


class BundleCaseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待受理")
    ACCEPTED = "accepted", _("已受理")
    IN_PROGRESS = "in_progress", _("并联审批中")
    # An optional item was refused: the applicant must drop it (or the lead ends the bundle).
    AWAITING_APPLICANT = "awaiting_applicant", _("待申请人选择")
    CONCLUDED = "concluded", _("已办结")
    DELIVERED = "delivered", _("已送达")
    WITHDRAWN = "withdrawn", _("已撤回")
    ENDED = "ended", _("已终止")


class BundleCase(models.Model):
    """One application for a bundle (一件事一次办): one sub-case (``Case``) per applicable
    member, accepted at one window and approved in parallel. The status follows the
    sub-cases (``onewindow.cases.services.bundle``); see docs/bundles.md."""

    number = models.CharField(_("一件事办件编号"), max_length=32, unique=True)
    bundle = models.ForeignKey(
        "bundles.Bundle", verbose_name=_("一件事"), on_delete=models.PROTECT, related_name="cases"
    )
    bundle_version = models.ForeignKey(
        "bundles.BundleVersion",
        verbose_name=_("一件事版本"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="bundle_cases"
    )
    answers = models.JSONField(_("情形回答"), default=dict, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=24,
        choices=BundleCaseStatus.choices,
        default=BundleCaseStatus.DRAFT,
        db_index=True,
    )
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("牵头部门"),
        on_delete=models.PROTECT,
        related_name="lead_bundle_cases",
    )
    channel = models.CharField(
        _("申请渠道"), max_length=16, choices=Channel.choices, default=Channel.ONLINE
    )
    # 帮办代办 at a window: on whose behalf and with what consent; where it was filed.
    on_behalf = models.BooleanField(_("代为申请"), default=False)
    consent_note = models.CharField(_("申请人授权说明"), max_length=255, blank=True)
    service_point = models.ForeignKey(
        ServicePoint,
        verbose_name=_("受理网点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bundle_cases",
    )
    # The bundle's own in-person visits (filing at a window, the joint site inspection):
    # one visit for the whole bundle, never one per sub-case.
    visits = models.ManyToManyField(
        Visit, verbose_name=_("到现场记录"), blank=True, related_name="bundle_cases"
    )
    promised_limit = models.PositiveIntegerField(_("承诺时限（工作日）"), null=True, blank=True)
    promised_due_at = models.DateTimeField(_("承诺办结期限"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="bundle_cases_created",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    idempotency_key = models.CharField(_("幂等键"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("终止时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("一件事办件")
        verbose_name_plural = _("一件事办件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lead_department", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="bundle_case_idempotency_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class IssueKind(models.TextChoices):
    REFUSED = "refused", _("不予许可")
    STALLED = "stalled", _("超过承诺期限")


class IssueResolution(models.TextChoices):
    OPEN = "open", _("待处理")
    DROPPED = "dropped", _("申请人已放弃该事项")
    CONTINUED = "continued", _("其余事项继续办理")
    ENDED = "ended", _("整件终止")
    SETTLED = "settled", _("已恢复正常")


class BundleIssue(models.Model):
    """A sub-case of a bundle that was refused or stalled (past its promised deadline), and
    what the bundle did about it per the member's policy (docs/bundles.md "Partial
    refusal"). A dropped sub-case stays a real case (counted once as an item) but is out of
    the bundle's outcome."""

    bundle_case = models.ForeignKey(BundleCase, on_delete=models.CASCADE, related_name="issues")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="bundle_issues")
    kind = models.CharField(_("类型"), max_length=16, choices=IssueKind.choices)
    essential = models.BooleanField(_("不可放弃"))
    resolution = models.CharField(
        _("处理"), max_length=16, choices=IssueResolution.choices, default=IssueResolution.OPEN
    )
    raised_at = models.DateTimeField(_("发生时间"))
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("一件事异常事项")
        verbose_name_plural = _("一件事异常事项")
        ordering = ["raised_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="bundle_issue_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.resolution}"


class BundleChase(models.Model):
    """督办: the lead department chases a cooperating department's sub-case."""

    bundle_case = models.ForeignKey(BundleCase, on_delete=models.CASCADE, related_name="chases")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="chases")
    message = models.CharField(_("督办内容"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("督办时间"))
    recipients = models.PositiveIntegerField(_("通知人数"), default=0)

    class Meta:
        verbose_name = _("一件事督办")
        verbose_name_plural = _("一件事督办")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.at:%Y-%m-%d}"


class InspectionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class FindingResult(models.TextChoices):
    PASS = "pass", _("符合要求")
    RECTIFY = "rectify", _("限期整改")
    FAIL = "fail", _("不符合要求")


class JointInspection(models.Model):
    """联合踏勘: one site visit of every department of the bundle that inspects; it counts
    as one visit of the bundle."""

    bundle_case = models.ForeignKey(
        BundleCase, on_delete=models.CASCADE, related_name="inspections"
    )
    scheduled_at = models.DateTimeField(_("踏勘时间"))
    place = models.CharField(_("踏勘地点"), max_length=255)
    departments = models.ManyToManyField(
        Department, verbose_name=_("参加部门"), related_name="joint_inspections"
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=InspectionStatus.choices,
        default=InspectionStatus.SCHEDULED,
    )
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("安排时间"))
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("联合踏勘")
        verbose_name_plural = _("联合踏勘")
        ordering = ["scheduled_at", "id"]

    def __str__(self) -> str:
        return f"{self.bundle_case_id} {self.scheduled_at:%Y-%m-%d}"


class InspectionFinding(models.Model):
    inspection = models.ForeignKey(
        JointInspection, on_delete=models.CASCADE, related_name="findings"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("踏勘结论"), max_length=16, choices=FindingResult.choices)
    note = models.CharField(_("意见"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("踏勘意见")
        verbose_name_plural = _("踏勘意见")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "department"], name="one_finding_per_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.result}"


class BundleDelivery(models.Model):
    """统一出件: the one delivery of a bundle's results (every live concluded sub-case not
    delivered early)."""

    bundle_case = models.OneToOneField(BundleCase, on_delete=models.CASCADE, related_name="outcome")
    method = models.CharField(_("送达方式"), max_length=16, choices=DeliveryMethod.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    cases = models.ManyToManyField(Case, verbose_name=_("出件的子办件"), related_name="+")
    recipient = models.CharField(_("收件人"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    carrier = models.CharField(_("快递公司"), max_length=32, blank=True)
    tracking_number = models.CharField(_("运单号"), max_length=64, blank=True)
    issued_at = models.DateTimeField(_("出件时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dispatched_at = models.DateTimeField(_("寄出时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("一件事统一出件")
        verbose_name_plural = _("一件事统一出件")

    def __str__(self) -> str:
        return f"{self.bundle_case_id} {self.method} {self.status}"


def _follow_sub_case(sender: Any, instance: Case, name: str, **kwargs: Any) -> None:
    """A sub-case changed state: its bundle case's status follows (same transaction)."""
    if instance.bundle_case_id is None or kwargs.get("exception") is not None:
        return
    from onewindow.cases.services.bundle_status import follow_sub_case

    follow_sub_case(instance, transition=name.removeprefix("t_"), target=instance.status)


post_transition.connect(_follow_sub_case, sender=Case, dispatch_uid="cases.follow_sub_case")


def _measured(version: Any) -> dict[str, Any] | None:
    from onewindow.cases.bundle_selectors import measured_figures_for

    return measured_figures_for(version)


def _register_measured() -> None:
    """The bundles' guide shows the figures measured from bundle cases (bundles cannot
    import cases: the source is registered here)."""
    from onewindow.bundles.selectors import set_measured_source

    set_measured_source(_measured)


_register_measured()
