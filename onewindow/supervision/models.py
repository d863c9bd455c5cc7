"""Traffic lights (红黄绿三色管理): one light per open case, sub-case and bundle case.

A light stores its thresholds as instants (microseconds since the Unix epoch, so that a
sweep decides every colour in SQL by comparing "now" with stored numbers):

* ``yellow_at``: from this instant the light is yellow (warning);
* ``red_at``: the promised deadline; *after* it the light is red;
* ``legal_at``: the legal deadline; *after* it the light is "past the legal deadline";
* ``paused_at``: while the clock is stopped (suspension, return for correction) the colour
  is evaluated at this instant instead of now, so it does not move.

The thresholds are computed with the working-day calendar (``onewindow.supervision.sync``)
whenever the copied deadline fields (``src_*``) differ from the case's. See
docs/supervision.md.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import BundleCase, Case
from onewindow.org.models import Department, ServicePoint


class Colour(models.IntegerChoices):
    GREEN = 0, _("绿灯（正常）")
    YELLOW = 1, _("黄灯（预警）")
    RED = 2, _("红灯（超过承诺时限）")
    LEGAL = 3, _("超过法定时限")


class LightKind(models.TextChoices):
    CASE = "case", _("办件")
    SUB_CASE = "sub_case", _("一件事子办件")
    BUNDLE = "bundle", _("一件事")


class CaseLight(models.Model):
    kind = models.CharField(_("类型"), max_length=8, choices=LightKind.choices)
    case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="light"
    )
    # unique where set (a partial constraint: the lights of cases, nearly all of them, keep
    # no entry in it, which spares each of their updates one index insertion)
    bundle_case = models.ForeignKey(
        BundleCase,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="lights",
        db_index=False,
    )
    # (department: the board index below leads with it; service point: filtered rarely)
    department = models.ForeignKey(
        Department,
        verbose_name=_("办理部门"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    service_point = models.ForeignKey(
        ServicePoint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    active = models.BooleanField(_("在办"), default=True)
    # Copies of the source fields the thresholds were computed from (change detection).
    src_status = models.CharField(max_length=24, blank=True)
    src_step_id = models.BigIntegerField(null=True, blank=True)
    src_promised_due_at = models.DateTimeField(_("承诺办结期限"), null=True, blank=True)
    src_legal_due_at = models.DateTimeField(_("法定办结期限"), null=True, blank=True)
    limit_unit = models.CharField(max_length=16, blank=True)
    promised_limit = models.PositiveIntegerField(null=True, blank=True)
    # Thresholds, microseconds since the epoch (see the module docstring).
    yellow_at = models.BigIntegerField(null=True, blank=True)
    red_at = models.BigIntegerField(null=True, blank=True)
    legal_at = models.BigIntegerField(null=True, blank=True)
    paused_at = models.BigIntegerField(null=True, blank=True)
    escalate1_at = models.BigIntegerField(null=True, blank=True)
    escalate2_at = models.BigIntegerField(null=True, blank=True)
    # State written by the sweep.
    colour = models.SmallIntegerField(_("颜色"), choices=Colour.choices, default=Colour.GREEN)
    prev_colour = models.SmallIntegerField(choices=Colour.choices, default=Colour.GREEN)
    colour_since = models.DateTimeField(_("变色时间"), null=True, blank=True)
    escalation = models.SmallIntegerField(_("督办升级级别"), default=0)
    prev_escalation = models.SmallIntegerField(default=0)
    # The next instant at which a threshold passes (0: evaluate at the next sweep; NEVER:
    # nothing can change until the case does). The sweep looks only at lights whose time
    # has come, through its index.
    next_change_at = models.BigIntegerField(default=0)
    seq = models.PositiveIntegerField(default=0)  # events recorded so far
    mark = models.BigIntegerField(default=0)  # the sweep step that last changed it
    moved_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("红黄绿灯")
        verbose_name_plural = _("红黄绿灯")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(case__isnull=False) & models.Q(bundle_case__isnull=True))
                | (models.Q(case__isnull=True) & models.Q(bundle_case__isnull=False)),
                name="light_one_subject",
            ),
            models.UniqueConstraint(
                fields=["bundle_case"],
                condition=models.Q(bundle_case__isnull=False),
                name="light_bundle_case_once",
            ),
        ]
        indexes = [
            # partial: PostgreSQL's sweep never sets ``mark`` (services.decide_and_record)
            models.Index(fields=["mark"], condition=models.Q(mark__gt=0), name="light_mark"),
            models.Index(
                fields=["next_change_at"], condition=models.Q(active=True), name="light_next"
            ),
            models.Index(fields=["department", "active", "colour"], name="light_board"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id or self.bundle_case_id} {self.get_colour_display()}"

    @property
    def paused(self) -> bool:
        return self.paused_at is not None


class EventKind(models.TextChoices):
    COLOUR = "colour", _("变色")
    ESCALATION = "escalation", _("督办升级")


class LightEvent(models.Model):
    """One colour change or escalation of a light, recorded exactly once: ``(light, seq)``
    is unique and the sweep inserts with ON CONFLICT DO NOTHING. Alerts are keyed on it
    (``alerted_at``)."""

    # Few indexes: each event is written by the sweep (unique (light, seq) serves the light).
    # No foreign-key constraints in the database: the sweep's one INSERT copies the light's
    # own id, department, case and bundle case from the light row (whose constraints hold
    # them), and the databases' per-row checks of four constraints were ~40% of a sweep
    # that records 25,000 changes. Deletions still cascade through the ORM.
    light = models.ForeignKey(
        CaseLight,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    seq = models.PositiveIntegerField()
    kind = models.CharField(_("类型"), max_length=12, choices=EventKind.choices)
    from_colour = models.SmallIntegerField(choices=Colour.choices)
    to_colour = models.SmallIntegerField(choices=Colour.choices)
    from_level = models.SmallIntegerField(default=0)
    level = models.SmallIntegerField(_("督办级别"), default=0)
    at = models.DateTimeField(_("时间"))
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    bundle_case = models.ForeignKey(
        BundleCase,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    alerted_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("提醒人数"), default=0)
    # Set with ``alerted_at``: the people reached per configured channel, e.g.
    # {"in_app": 4, "sms": 3}; a channel that reached fewer than ``recipients`` met people
    # without a phone number or e-mail address (they got the other channels). NULL until
    # alerted (the sweep's INSERT leaves it out).
    reached = models.JSONField(_("各渠道提醒人数"), null=True, blank=True)

    class Meta:
        verbose_name = _("亮灯记录")
        verbose_name_plural = _("亮灯记录")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["light", "seq"], name="light_event_once"),
        ]
        indexes = [
            models.Index(
                fields=["at"],
                condition=models.Q(alerted_at__isnull=True),
                name="light_event_unalerted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.light_id}#{self.seq} {self.kind} {self.from_colour}→{self.to_colour}"


class SweepState(models.Model):
    """Where the incremental sync stands: the case transitions it has looked at.

    ``watermark`` is the highest ``CaseTransition`` id seen by the last sweep that saw new
    ones and ``lagged`` the one before it; a sweep re-reads the cases of every transition
    after ``lagged`` (two sweeps' worth), so a transaction that committed a lower id after
    a sweep had passed it is still seen. ``full_pending`` asks the next sweep to compare
    every light (set when a calendar year is loaded; the nightly ``--full`` sweep too)."""

    key = models.CharField(max_length=16, primary_key=True, default="lights")
    watermark = models.BigIntegerField(default=0)
    lagged = models.BigIntegerField(default=0)
    full_pending = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("亮灯同步位置")
        verbose_name_plural = _("亮灯同步位置")

    def __str__(self) -> str:
        return f"{self.key}: {self.lagged}/{self.watermark}"


class SweepRun(models.Model):
    """One sweep: when, at which "now", and what it did."""

    started_at = models.DateTimeField(_("开始时间"))
    now = models.DateTimeField(_("计算时点"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    resynced = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    events = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("亮灯扫描")
        verbose_name_plural = _("亮灯扫描")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"sweep {self.pk} @ {self.now:%Y-%m-%d %H:%M}"
