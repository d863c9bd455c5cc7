"""The statutory case lifecycle: states and the one table of allowed transitions.

Every status change goes through ``onewindow.cases.workflow.apply_transition``, which looks
the transition up here, checks the actor's capability for the case's department, refuses
an illegal one with ``Conflict`` (409 in the API), and logs it. The model's django-fsm-2
methods are generated from this table (``onewindow.cases.models.Case``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待受理")
    PREREVIEWED = "prereviewed", _("已预审，待受理")
    AWAITING_CORRECTION = "awaiting_correction", _("待补齐材料（已一次性告知）")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    IN_REVIEW = "in_review", _("审查中")
    IN_DECISION = "in_decision", _("决定中")
    SUSPENDED = "suspended", _("中止（特别程序）")
    RETURNED = "returned", _("退回补正")
    APPROVED = "approved", _("准予许可")
    REFUSED = "refused", _("不予许可")
    CONCLUDED = "concluded", _("已办结")
    DELIVERED = "delivered", _("已送达")
    WITHDRAWN = "withdrawn", _("已撤回")


S = CaseStatus

# States in which the statutory clock runs (accepted, not stopped, not decided).
CLOCK_RUNNING = frozenset({S.IN_REVIEW, S.IN_DECISION})
# States in which the clock is stopped after acceptance (Art. 45, corrections).
CLOCK_STOPPED = frozenset({S.SUSPENDED, S.RETURNED})
# Accepted and not yet concluded: supervised by the traffic lights.
OPEN_ACCEPTED = CLOCK_RUNNING | CLOCK_STOPPED | frozenset({S.APPROVED, S.REFUSED})
# Before acceptance.
PRE_ACCEPTANCE = frozenset({S.SUBMITTED, S.PREREVIEWED, S.AWAITING_CORRECTION})
TERMINAL = frozenset({S.NOT_ACCEPTED, S.DELIVERED, S.WITHDRAWN})


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    targets: frozenset[str]  # more than one when the target depends on the case
    capability: str | None  # None: the applicant's own action (checked as ownership)
    label: str


def _t(
    name: str, sources: set[str], targets: set[str], capability: str | None, label: str
) -> Transition:
    return Transition(name, frozenset(sources), frozenset(targets), capability, label)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("submit", {S.DRAFT}, {S.SUBMITTED}, None, "提交申请"),
        _t("prereview", {S.SUBMITTED}, {S.PREREVIEWED}, "case.prereview", "预审通过"),
        _t(
            "request_correction",
            {S.SUBMITTED, S.PREREVIEWED},
            {S.AWAITING_CORRECTION},
            "case.accept",
            "一次性告知补齐材料",
        ),
        _t("resubmit", {S.AWAITING_CORRECTION}, {S.SUBMITTED}, None, "补齐材料后重新提交"),
        _t(
            "accept",
            {S.SUBMITTED, S.PREREVIEWED},
            {S.IN_REVIEW, S.IN_DECISION},
            "case.accept",
            "受理",
        ),
        _t(
            "auto_accept",
            {S.SUBMITTED, S.PREREVIEWED},
            {S.IN_REVIEW, S.IN_DECISION},
            None,
            "逾期未告知，自收到材料之日起视为受理",
        ),
        _t(
            "refuse_acceptance",
            {S.SUBMITTED, S.PREREVIEWED, S.AWAITING_CORRECTION},
            {S.NOT_ACCEPTED},
            "case.accept",
            "不予受理",
        ),
        _t(
            "advance",
            {S.IN_REVIEW},
            {S.IN_REVIEW, S.IN_DECISION},
            "case.review",
            "审查通过，转下一环节",
        ),
        _t(
            "suspend",
            {S.IN_REVIEW, S.IN_DECISION},
            {S.SUSPENDED},
            "case.review",
            "中止（特别程序）",
        ),
        _t("resume", {S.SUSPENDED}, {S.IN_REVIEW, S.IN_DECISION}, "case.review", "恢复办理"),
        _t(
            "return_for_correction",
            {S.IN_REVIEW, S.IN_DECISION},
            {S.RETURNED},
            "case.review",
            "退回补正",
        ),
        _t("correction_supplied", {S.RETURNED}, {S.IN_REVIEW, S.IN_DECISION}, None, "已补正"),
        _t("approve", {S.IN_DECISION}, {S.APPROVED}, "case.decide", "准予许可"),
        _t("refuse", {S.IN_DECISION}, {S.REFUSED}, "case.decide", "不予许可"),
        _t("conclude", {S.APPROVED, S.REFUSED}, {S.CONCLUDED}, "case.accept", "办结"),
        _t("deliver", {S.CONCLUDED}, {S.DELIVERED}, "case.accept", "送达结果"),
        _t(
            "withdraw",
            {
                S.DRAFT,
                S.SUBMITTED,
                S.PREREVIEWED,
                S.AWAITING_CORRECTION,
                S.IN_REVIEW,
                S.IN_DECISION,
                S.SUSPENDED,
                S.RETURNED,
            },
            {S.WITHDRAWN},
            None,
            "申请人撤回",
        ),
    ]
}


def allowed_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]
