from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One business action, written by the service that performed it, in its transaction.

    Written far more often than read (every transition of every case), so it keeps only
    the indexes its readers use: an object's history ``(object_type, object_id, at)``, the
    time line ``at`` and an actor's actions (the foreign key's index)."""

    action = models.CharField("动作", max_length=64)  # e.g. "catalog.published"
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField("时间", db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象标识", max_length=64, blank=True)
    summary = models.CharField("摘要", max_length=255, blank=True)
    payload = models.JSONField("内容", default=dict, blank=True)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"
