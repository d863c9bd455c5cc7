"""Cases (办件): one application for one service item, and everything that happens to it.

The status field is a protected django-fsm-2 field: it changes only through the transition
methods below, which are generated from the one table in ``onewindow.cases.states`` and are
called only by ``onewindow.cases.workflow.apply_transition``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from onewindow.cases.states import TRANSITIONS, CaseStatus
from onewindow.catalog.models import (
    DeliveryMethod,
    ItemMaterial,
    ItemStep,
    ItemVersion,
    LimitUnit,
    MaterialType,
    ServiceItem,
)
from onewindow.org.models import Applicant, Department, ServicePoint, Window


def _fsm(name: str) -> Any:
    t = TRANSITIONS[name]
    return transition(
        field="status", source=sorted(t.sources), target=RETURN_VALUE(*sorted(t.targets))
    )


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    WINDOW = "window", _("窗口申请")
    ASSISTED = "assisted", _("帮办（工作人员代为填报）")
    PROXY = "proxy", _("代办（代办员代为申请）")
    KIOSK = "kiosk", _("自助终端")


class Counter(models.Model):
    """Gap-free numbering (case numbers, notice numbers) per key, taken under a row lock."""

    key = models.CharField(max_length=64, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class Case(models.Model):
    number = models.CharField(_("办件编号"), max_length=32, unique=True)
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="cases"
    )
    item_version = models.ForeignKey(
        ItemVersion, verbose_name=_("事项版本"), on_delete=models.PROTECT, related_name="cases"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("办理部门"), on_delete=models.PROTECT, related_name="cases"
    )
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="cases"
    )
    status = FSMField(
        _("状态"),
        max_length=24,
        choices=CaseStatus.choices,
        default=CaseStatus.DRAFT,
        protected=True,
        db_index=True,
    )
    current_step = models.ForeignKey(
        ItemStep,
        verbose_name=_("当前环节"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("申请渠道"), max_length=16, choices=Channel.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        on_delete=models.PROTECT,
        related_name="cases_created",
    )
    # 帮办代办: who filed on the applicant's behalf, and the consent given.
    on_behalf = models.BooleanField(_("代为申请"), default=False)
    consent_note = models.CharField(_("申请人授权说明"), max_length=255, blank=True)
    service_point = models.ForeignKey(
        ServicePoint,
        verbose_name=_("受理网点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    form_data = models.JSONField(_("申请表内容"), default=dict, blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=64, blank=True)

    created_at = models.DateTimeField(_("创建时间"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # When complete materials were received (Art. 32: without a one-time notice within 5
    # working days the application counts as accepted from this day).
    received_at = models.DateTimeField(_("收件时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True, db_index=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_reason = models.TextField(_("决定理由"), blank=True)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    # Both clocks, computed by onewindow.workdays at acceptance and after every suspension.
    # For day limits the deadline is the end of the due date (local time).
    limit_unit = models.CharField(
        _("时限单位"), max_length=16, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAY
    )
    promised_limit = models.PositiveIntegerField(_("承诺时限"), null=True, blank=True)
    legal_limit = models.PositiveIntegerField(_("法定时限"), null=True, blank=True)
    promised_due_at = models.DateTimeField(_("承诺办结期限"), null=True, blank=True, db_index=True)
    legal_due_at = models.DateTimeField(_("法定办结期限"), null=True, blank=True, db_index=True)
    deadlines_provisional = models.BooleanField(_("期限待日历确认"), default=False)
    suspended_workdays = models.PositiveIntegerField(_("中止不计时工作日"), default=0)
    # 一件事一次办: the bundle case this case is a sub-case of (docs/bundles.md).
    bundle_case = models.ForeignKey(
        "BundleCase",
        verbose_name=_("一件事办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_cases",
    )

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="case_idempotency_key_unique",
            ),
        ]
        indexes = [models.Index(fields=["department", "status"])]

    def __str__(self) -> str:
        return self.number

    # Transition methods: generated from onewindow.cases.states.TRANSITIONS. Each returns
    # the target state chosen by the workflow (RETURN_VALUE), so one table rules them all.
    @_fsm("submit")
    def t_submit(self, target: str) -> str:
        return target

    @_fsm("prereview")
    def t_prereview(self, target: str) -> str:
        return target

    @_fsm("request_correction")
    def t_request_correction(self, target: str) -> str:
        return target

    @_fsm("resubmit")
    def t_resubmit(self, target: str) -> str:
        return target

    @_fsm("accept")
    def t_accept(self, target: str) -> str:
        return target

    @_fsm("auto_accept")
    def t_auto_accept(self, target: str) -> str:
        return target

    @_fsm("refuse_acceptance")
    def t_refuse_acceptance(self, target: str) -> str:
        return target

    @_fsm("advance")
    def t_advance(self, target: str) -> str:
        return target

    @_fsm("suspend")
    def t_suspend(self, target: str) -> str:
        return target

    @_fsm("resume")
    def t_resume(self, target: str) -> str:
        return target

    @_fsm("return_for_correction")
    def t_return_for_correction(self, target: str) -> str:
        return target

    @_fsm("correction_supplied")
    def t_correction_supplied(self, target: str) -> str:
        return target

    @_fsm("approve")
    def t_approve(self, target: str) -> str:
        return target

    @_fsm("refuse")
    def t_refuse(self, target: str) -> str:
        return target

    @_fsm("conclude")
    def t_conclude(self, target: str) -> str:
        return target

    @_fsm("deliver")
    def t_deliver(self, target: str) -> str:
        return target

    @_fsm("withdraw")
    def t_withdraw(self, target: str) -> str:
        return target


class CaseTransition(models.Model):
    """The transition log: every status change, who, when, why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField(_("操作"), max_length=32)
    from_status = models.CharField(_("原状态"), max_length=24)
    to_status = models.CharField(_("新状态"), max_length=24)
    step = models.ForeignKey(
        ItemStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("状态变更记录")
        verbose_name_plural = _("状态变更记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.name} {self.from_status}→{self.to_status}"


class MaterialStatus(models.TextChoices):
    PENDING = "pending", _("待提交")
    UPLOADED = "uploaded", _("已上传")
    OBTAINED = "obtained", _("免提交（数据跑腿）")
    MISSING_ALLOWED = "missing_allowed", _("容缺后补")
    DEFECTIVE = "defective", _("需补正")
    VERIFIED = "verified", _("已核验")


class CaseMaterial(models.Model):
    """One material slot of a case (one per material the item's version asks)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    item_material = models.ForeignKey(ItemMaterial, on_delete=models.PROTECT, related_name="+")
    material_type = models.ForeignKey(MaterialType, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=16, choices=MaterialStatus.choices, default=MaterialStatus.PENDING
    )
    file = models.FileField(_("文件"), upload_to="cases/%Y/%m/", blank=True)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Where an obtained material came from (e.g. the e-licence number), 数据跑腿.
    obtained_from = models.CharField(_("调取来源"), max_length=128, blank=True)
    due_date = models.DateField(_("补交期限"), null=True, blank=True)  # 容缺
    note = models.CharField(_("说明"), max_length=255, blank=True)  # defect reason

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["case", "item_material__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "item_material"], name="case_material_unique")
        ]

    def __str__(self) -> str:
        return f"{self.material_type} ({self.get_status_display()})"


class NoticeKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("受理通知书")
    ACCEPTANCE_MISSING = "acceptance_missing", _("容缺受理通知书")
    ONE_TIME = "one_time", _("补正材料一次性告知书")
    NON_ACCEPTANCE = "non_acceptance", _("不予受理通知书")
    APPROVAL = "approval", _("准予行政许可决定书")
    REFUSAL = "refusal", _("不予行政许可决定书")
    SUSPENSION = "suspension", _("特别程序告知书")


class Notice(models.Model):
    """A dated, numbered written notice (三书一单 and the others), kept as a PDF."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("文书类型"), max_length=24, choices=NoticeKind.choices)
    number = models.CharField(_("文号"), max_length=64, unique=True)
    issued_at = models.DateTimeField(_("出具时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    content = models.JSONField(_("内容"), default=dict)  # reasons, lists, remedies, dates
    pdf = models.FileField(_("PDF"), upload_to="notices/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["case", "issued_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class SuspensionKind(models.TextChoices):
    EXPERT_REVIEW = "expert_review", _("专家评审")
    SITE_INSPECTION = "site_inspection", _("现场核查")
    PUBLIC_NOTICE = "public_notice", _("公示")
    HEARING = "hearing", _("听证")
    TESTING = "testing", _("检验、检测、检疫、鉴定")
    CORRECTION = "correction", _("退回补正")
    OTHER = "other", _("其他特别程序")


class Suspension(models.Model):
    """A stop of the clock after acceptance (Art. 45 special procedures, corrections)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    kind = models.CharField(_("类型"), max_length=16, choices=SuspensionKind.choices)
    reason = models.TextField(_("原因"))
    expected_days = models.PositiveIntegerField(_("预计所需工作日"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    resumed_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resume_status = models.CharField(_("恢复后状态"), max_length=24)  # where the case returns

    class Meta:
        verbose_name = _("中止记录")
        verbose_name_plural = _("中止记录")
        ordering = ["case", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(resumed_at__isnull=True),
                name="one_open_suspension_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待认领")
    CLAIMED = "claimed", _("办理中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class Task(models.Model):
    """The work of one step of a case, in a department's inbox for a role."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    step = models.ForeignKey(ItemStep, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="tasks")
    role = models.CharField(_("岗位"), max_length=32)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=TaskStatus.choices,
        default=TaskStatus.OPEN,
        db_index=True,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    created_at = models.DateTimeField(_("创建时间"))
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    opinion = models.TextField(_("办理意见"), blank=True)

    class Meta:
        verbose_name = _("环节任务")
        verbose_name_plural = _("环节任务")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["department", "role", "status"])]

    def __str__(self) -> str:
        return f"{self.step} {self.get_status_display()}"


class Visit(models.Model):
    """An in-person visit the applicant actually made (跑动次数 is measured from these)."""

    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="visits"
    )
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="visits")
    service_point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    purpose = models.CharField(_("事由"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("到现场记录")
        verbose_name_plural = _("到现场记录")
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.purpose}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待送达")
    DISPATCHED = "dispatched", _("已寄出")
    DELIVERED = "delivered", _("已送达")


class Delivery(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="delivery")
    method = models.CharField(_("送达方式"), max_length=16, choices=DeliveryMethod.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    recipient = models.CharField(_("收件人"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    carrier = models.CharField(_("快递公司"), max_length=32, blank=True)
    tracking_number = models.CharField(_("运单号"), max_length=64, blank=True)
    dispatched_at = models.DateTimeField(_("寄出时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    result_file = models.FileField(_("结果文件"), upload_to="results/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("结果送达")
        verbose_name_plural = _("结果送达")

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.get_status_display()}"


# ---------------------------------------------------------------------------- bundle cases
# Defined in ``bundle_models`` (this module stays small); imported here so that the app's
# models are all reachable as ``onewindow.cases.models.<Name>``.
from onewindow.cases.bundle_models import (  # noqa: E402
    BundleCase,
    BundleCaseStatus,
    BundleChase,
    BundleDelivery,
    BundleIssue,
    FindingResult,
    InspectionFinding,
    InspectionStatus,
    IssueKind,
    IssueResolution,
    JointInspection,
)

__all__ = [
    "BundleCase",
    "BundleCaseStatus",
    "BundleChase",
    "BundleDelivery",
    "BundleIssue",
    "Case",
    "CaseMaterial",
    "CaseTransition",
    "Channel",
    "Counter",
    "Delivery",
    "DeliveryStatus",
    "FindingResult",
    "InspectionFinding",
    "InspectionStatus",
    "IssueKind",
    "IssueResolution",
    "JointInspection",
    "MaterialStatus",
    "Notice",
    "NoticeKind",
    "Suspension",
    "SuspensionKind",
    "Task",
    "TaskStatus",
    "Visit",
]
