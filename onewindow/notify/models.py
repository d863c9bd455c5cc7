"""The notification outbox. A service adds rows in its transaction; a sender delivers them
after commit through a channel adapter (in-app, SMS, email), retrying failures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    IN_APP = "in_app", _("站内消息")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败，待重试")
    DEAD = "dead", _("多次失败，已放弃")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=ChannelKind.choices)
    address = models.CharField(_("发送地址"), max_length=128, blank=True)  # phone or email
    template = models.CharField(_("模板"), max_length=64)
    context = models.JSONField(_("模板参数"), default=dict)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    object_type = models.CharField(_("关联对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("关联对象"), max_length=64, blank=True, db_index=True)
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=DeliveryState.choices,
        default=DeliveryState.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=255, blank=True)
    provider_id = models.CharField(_("网关回执"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.subject}"
