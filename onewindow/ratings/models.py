"""Ratings (好差评), rectifications of bad ratings, complaints (投诉) and call-backs (回访).

Statuses change only through the services (``onewindow.ratings.services``), which look each
step up in the tables of ``onewindow.ratings.states``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case, Visit
from onewindow.org.models import Applicant, Department, Window
from onewindow.ratings.states import (
    DIMENSIONS,
    FORM_VERSION,
    CallBackResult,
    Channel,
    ComplaintAbout,
    ComplaintStatus,
    Finding,
    Level,
    Mode,
    RectificationStatus,
    Subject,
)


class Rating(models.Model):
    """One applicant's rating of a concluded case or of one window service (a Visit)."""

    subject = models.CharField(_("评价对象"), max_length=8, choices=Subject.choices)
    case = models.ForeignKey(
        Case,
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("窗口服务"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("评价人"), on_delete=models.PROTECT, related_name="ratings"
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    mode = models.CharField(_("评价维度类别"), max_length=8, choices=Mode.choices)
    dimensions = models.JSONField(_("分项评价"), default=dict)
    comment = models.TextField(_("评价内容"), blank=True)
    channel = models.CharField(_("评价渠道"), max_length=16, choices=Channel.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings_received",
    )
    window = models.ForeignKey(
        Window,
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    form_version = models.CharField(_("评价页版本"), max_length=16, default=FORM_VERSION)
    rated_at = models.DateTimeField(_("评价时间"), db_index=True)
    # An upheld appeal (误评、恶意差评): kept, but not counted.
    excluded = models.BooleanField(_("不计入统计"), default=False)

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "applicant"],
                condition=models.Q(case__isnull=False),
                name="rating_one_per_case_applicant",
            ),
            models.UniqueConstraint(
                fields=["visit", "applicant"],
                condition=models.Q(visit__isnull=False),
                name="rating_one_per_visit_applicant",
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="rating_level_1_to_5"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(subject="case", case__isnull=False, visit__isnull=True)
                    | models.Q(subject="visit", visit__isnull=False)
                ),
                name="rating_subject_matches",
            ),
        ]
        indexes = [models.Index(fields=["department", "rated_at"])]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.rated_at:%Y-%m-%d}"

    def dimension_rows(self) -> list[tuple[str, str]]:
        """(dimension name, level name) in the standard's order, for the screens."""
        names = DIMENSIONS.get(self.mode, {})
        return [
            (names.get(k, k), str(Level(v).label) if v in Level.values else str(v))
            for k, v in (self.dimensions or {}).items()
        ]


class Rectification(models.Model):
    """整改: opened with every bad rating, in the rating's transaction."""

    rating = models.OneToOneField(
        Rating, verbose_name=_("差评"), on_delete=models.PROTECT, related_name="rectification"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
        db_index=True,
    )
    opened_at = models.DateTimeField(_("发起时间"), db_index=True)
    due_at = models.DateTimeField(_("整改期限"), db_index=True)
    finding = models.CharField(_("核实结果"), max_length=8, choices=Finding.choices, blank=True)
    finding_reason = models.TextField(_("核实情况"), blank=True)
    action = models.TextField(_("整改措施"), blank=True)
    rectified_at = models.DateTimeField(_("整改时间"), null=True, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    called_back_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_result = models.CharField(
        _("回访结果"), max_length=16, choices=CallBackResult.choices, blank=True
    )
    appeal_reason = models.TextField(_("申诉理由"), blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopened = models.PositiveIntegerField(_("退回次数"), default=0)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["department", "status"])]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.opened_at:%Y-%m-%d}"


class Complaint(models.Model):
    """投诉: about a case, a department or a window; answered by the department in time."""

    number = models.CharField(_("投诉编号"), max_length=32, unique=True)
    about = models.CharField(_("投诉对象"), max_length=16, choices=ComplaintAbout.choices)
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("投诉人"), on_delete=models.PROTECT, related_name="complaints"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    text = models.TextField(_("投诉内容"))
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.OPEN,
        db_index=True,
    )
    submitted_at = models.DateTimeField(_("投诉时间"), db_index=True)
    due_at = models.DateTimeField(_("答复期限"), db_index=True)
    response = models.TextField(_("答复内容"), blank=True)
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    called_back_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_result = models.CharField(
        _("回访结果"), max_length=16, choices=CallBackResult.choices, blank=True
    )
    review_note = models.TextField(_("审核意见"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopened = models.PositiveIntegerField(_("退回次数"), default=0)

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["department", "status"])]

    def __str__(self) -> str:
        return self.number


class CallBack(models.Model):
    """One call-back attempt (回访) about a rectification or a complaint."""

    rectification = models.ForeignKey(
        Rectification, null=True, blank=True, on_delete=models.CASCADE, related_name="callbacks"
    )
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.CASCADE, related_name="callbacks"
    )
    at = models.DateTimeField(_("回访时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("回访结果"), max_length=16, choices=CallBackResult.choices)
    note = models.TextField(_("回访记录"), blank=True)

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(rectification__isnull=False, complaint__isnull=True)
                    | models.Q(rectification__isnull=True, complaint__isnull=False)
                ),
                name="callback_about_one_thing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_result_display()} {self.at:%Y-%m-%d}"


class Rejection(models.Model):
    """One 退回 by the supervisor, with the time of the work it sent back: the call-back's
    (``called_back_at``) and, for a complaint, the answer's (``responded_at``). A reject
    clears the call-back and the redone work gets new times; these rows keep the rounds, so
    that ``ratings.rates`` with ``as_of`` reads what stood at any past instant."""

    rectification = models.ForeignKey(
        Rectification, null=True, blank=True, on_delete=models.CASCADE, related_name="rejections"
    )
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.CASCADE, related_name="rejections"
    )
    rejected_at = models.DateTimeField(_("退回时间"))
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("退回理由"), blank=True)
    called_back_at = models.DateTimeField(_("被退回的回访时间"), null=True, blank=True)
    responded_at = models.DateTimeField(_("被退回的答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("退回记录")
        verbose_name_plural = _("退回记录")
        ordering = ["rejected_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(rectification__isnull=False, complaint__isnull=True)
                    | models.Q(rectification__isnull=True, complaint__isnull=False)
                ),
                name="rejection_about_one_thing",
            )
        ]

    def __str__(self) -> str:
        return f"退回 {self.rejected_at:%Y-%m-%d}"
