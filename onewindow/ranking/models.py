"""The public ranking of offices (最难办事科室群众评, docs/ranking.md).

A round (``EvaluationRound``) names the offices in scope (``RoundOffice``: a department, or
one of its sections), is opened to anonymous public votes, closed, and published. A ballot
(``Ballot`` with one ``BallotEntry`` per office named) carries no identity, no link to a
voter and no time finer than the day; "this person has voted in this round" is kept apart
as an HMAC (``VoterMarker``) that nothing links to a ballot. Offices at the top of the
ranking (the hardest) get follow-up records (``FollowUp``: talk, rectification, re-check).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.org.models import Department


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("评议中")
    CLOSED = "closed", _("已结束评议")
    PUBLISHED = "published", _("已公布结果")


class Category(models.TextChoices):
    """The five concrete forms of inaction, slow action and wrong action (冷懒推乱贪)."""

    COLD = "cold", _("冷")
    LAZY = "lazy", _("懒")
    SHIRK = "shirk", _("推")
    ARBITRARY = "arbitrary", _("乱")
    GREEDY = "greedy", _("贪")


CATEGORY_DESCRIPTIONS: dict[str, object] = {
    Category.COLD: _("态度冷漠：门难进、脸难看、话难听，对群众不理不睬、态度生硬"),
    Category.LAZY: _("慵懒拖沓：不作为、慢作为，办事拖拉、敷衍应付、超时限办理"),
    Category.SHIRK: _("推诿扯皮：踢皮球、相互推责，让群众多头跑、来回跑，不担当"),
    Category.ARBITRARY: _("乱作为：随意增设条件和材料、标准不一、乱收费、违规办理"),
    Category.GREEDY: _("吃拿卡要：索取或收受好处、优亲厚友、以权谋私、故意刁难"),
}

CATEGORY_FIELDS: tuple[str, ...] = tuple(Category.values)


class EvaluationRound(models.Model):
    title = models.CharField(_("评议名称"), max_length=128)
    description = models.TextField(_("评议说明"), blank=True)
    period_start = models.DateField(_("评议期间起"))
    period_end = models.DateField(_("评议期间止"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=RoundStatus.choices,
        default=RoundStatus.DRAFT,
        db_index=True,
    )
    # 评议结果列前N的科室公开曝光并整改复查；列前M的科室约谈负责人 (seeds: 10 and 3).
    exposed_count = models.PositiveSmallIntegerField(_("公开曝光并整改的科室数"), default=10)
    talk_count = models.PositiveSmallIntegerField(_("约谈负责人的科室数"), default=3)
    # Filled at closing (the markers are deleted then): how many people voted.
    voter_count = models.PositiveIntegerField(_("参评人数"), default=0)
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("开始评议时间"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("结束评议时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("评议轮次")
        verbose_name_plural = _("评议轮次")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="ranking_round_period",
            )
        ]

    def __str__(self) -> str:
        return self.title


class RoundOffice(models.Model):
    """An office evaluated in a round: a department, or one of its sections (科室)."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="offices")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    section = models.CharField(_("科室"), max_length=64, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("被评议科室")
        verbose_name_plural = _("被评议科室")
        ordering = ["round", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "department", "section"], name="ranking_office_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.department.name} {self.section}".strip()


class VoterMarker(models.Model):
    """ "Someone with this identity has voted in this round": HMAC(key, round, identity).

    No time, a random key, no link to any ballot. Deleted when the round closes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("已参评标记")
        verbose_name_plural = _("已参评标记")
        constraints = [
            models.UniqueConstraint(fields=["round", "digest"], name="ranking_marker_unique")
        ]

    def __str__(self) -> str:
        return self.digest[:12]


class Ballot(models.Model):
    """One anonymous vote: a random key, the round, the day (no finer time)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="ballots")
    cast_on = models.DateField(_("评议日期"))

    class Meta:
        verbose_name = _("评议票")
        verbose_name_plural = _("评议票")

    def __str__(self) -> str:
        return str(self.id)


class BallotEntry(models.Model):
    """One office named on a ballot, the categories chosen for it and the concrete problem."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="entries")
    office = models.ForeignKey(RoundOffice, on_delete=models.PROTECT, related_name="entries")
    cold = models.BooleanField(Category.COLD.label, default=False)
    lazy = models.BooleanField(Category.LAZY.label, default=False)
    shirk = models.BooleanField(Category.SHIRK.label, default=False)
    arbitrary = models.BooleanField(Category.ARBITRARY.label, default=False)
    greedy = models.BooleanField(Category.GREEDY.label, default=False)
    problem = models.CharField(_("具体问题"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("评议内容")
        verbose_name_plural = _("评议内容")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "office"], name="ranking_entry_unique"),
            models.CheckConstraint(
                condition=models.Q(cold=True)
                | models.Q(lazy=True)
                | models.Q(shirk=True)
                | models.Q(arbitrary=True)
                | models.Q(greedy=True),
                name="ranking_entry_has_category",
            ),
        ]

    def __str__(self) -> str:
        return str(self.office_id)


class FollowUpKind(models.TextChoices):
    TALK = "talk", _("约谈")
    RECTIFICATION = "rectification", _("整改")
    RECHECK = "recheck", _("复查")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("待办理")
    RESPONDED = "responded", _("已反馈")
    CLOSED = "closed", _("已办结")


class FollowUp(models.Model):
    """What follows the ranking for one office: a talk with its head (约谈), a
    rectification (整改), a re-check (复查, e.g. 暗访); tracked to closure."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.PROTECT, related_name="follow_ups")
    office = models.ForeignKey(RoundOffice, on_delete=models.PROTECT, related_name="follow_ups")
    kind = models.CharField(_("类型"), max_length=16, choices=FollowUpKind.choices)
    description = models.TextField(_("要求"), blank=True)
    due_on = models.DateField(_("期限"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=FollowUpStatus.choices,
        default=FollowUpStatus.OPEN,
        db_index=True,
    )
    response = models.TextField(_("部门反馈"), blank=True)
    responded_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.TextField(_("办结情况"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("跟踪整改")
        verbose_name_plural = _("跟踪整改")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "office", "kind"], name="ranking_follow_up_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.get_kind_display()}"
