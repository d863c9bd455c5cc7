"""The vocabulary of ratings (levels, dimensions, channels) and the two state machines
(rectification, complaint), each in one table. ``transition`` is the one check: an illegal
step raises ``Conflict`` (HTTP 409)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.common.errors import Conflict

# The content of the rating page is versioned (GB/T 39734): stored with every rating.
FORM_VERSION = "2026.1"


class Level(models.IntegerChoices):
    """The national five levels (国办发〔2019〕51号)."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASIC = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


BAD_LEVELS = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})
# 满意率: 非常满意, 满意 and 基本满意 count as satisfied.
SATISFIED_MIN = Level.BASIC


class Channel(models.TextChoices):
    ONLINE = "online", _("网上办事大厅")
    KIOSK = "kiosk", _("自助终端")
    SMS = "sms", _("短信链接")
    WINDOW_DEVICE = "window_device", _("窗口评价器")


class Mode(models.TextChoices):
    """Which dimensions apply: online services (一事一评) or on site (一次一评)."""

    ONLINE = "online", _("网上办事")
    OFFLINE = "offline", _("现场办事")


DIMENSIONS: dict[str, dict[str, str]] = {
    Mode.ONLINE: {
        "overall": "整体满意度",
        "efficiency": "办事效率",
        "guide_accuracy": "办事指南精确度",
        "convenience": "办事便捷度",
        "usability": "平台操作性",
    },
    Mode.OFFLINE: {
        "overall": "整体满意度",
        "service_efficiency": "服务效率",
        "service_level": "服务水平",
        "attitude": "服务态度",
    },
}

COMMENT_MAX = 500


class Subject(models.TextChoices):
    CASE = "case", _("办件")
    VISIT = "visit", _("窗口服务")


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("待核实整改")
    RECTIFIED = "rectified", _("已整改，待回访")
    CALLED_BACK = "called_back", _("已回访，待审核")
    CLOSED = "closed", _("已办结")
    APPEALED = "appealed", _("申诉审核中")
    VOIDED = "voided", _("申诉成立，评价不计")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    RESPONDED = "responded", _("已答复，待回访")
    CALLED_BACK = "called_back", _("已回访，待审核")
    CLOSED = "closed", _("已办结")


class Finding(models.TextChoices):
    TRUE = "true", _("属实")
    FALSE = "false", _("不属实")


class CallBackResult(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")
    UNREACHABLE = "unreachable", _("未接通")
    DECLINED = "declined", _("拒绝回访")


# Results that complete the call-back (回访); 未接通 is an attempt only, until the
# ``UNREACHABLE_ATTEMPTS``-th one, which completes it as "无法联系".
UNREACHABLE_ATTEMPTS = 3


class ComplaintAbout(models.TextChoices):
    CASE = "case", _("办件")
    DEPARTMENT = "department", _("部门")
    WINDOW = "window", _("窗口")


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    capability: str
    label: str


def _t(name: str, sources: set[str], target: str, capability: str, label: str) -> Transition:
    return Transition(name, frozenset(sources), target, capability, label)


R = RectificationStatus
RECTIFICATION: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("rectify", {R.OPEN}, R.RECTIFIED, "ratings.handle", "核实并整改"),
        _t("call_back", {R.RECTIFIED}, R.CALLED_BACK, "ratings.handle", "回访"),
        _t("close", {R.CALLED_BACK}, R.CLOSED, "ratings.close", "审核通过，办结"),
        _t("reject", {R.CALLED_BACK}, R.OPEN, "ratings.close", "审核不通过，退回重办"),
        _t("appeal", {R.OPEN}, R.APPEALED, "ratings.handle", "申诉（误评、恶意差评）"),
        _t("uphold_appeal", {R.APPEALED}, R.VOIDED, "ratings.close", "申诉成立"),
        _t("dismiss_appeal", {R.APPEALED}, R.OPEN, "ratings.close", "申诉不成立"),
    ]
}

C = ComplaintStatus
COMPLAINT: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("respond", {C.OPEN}, C.RESPONDED, "ratings.handle", "答复"),
        _t("call_back", {C.RESPONDED}, C.CALLED_BACK, "ratings.handle", "回访"),
        _t("close", {C.CALLED_BACK}, C.CLOSED, "ratings.close", "审核通过，办结"),
        _t("reject", {C.CALLED_BACK}, C.OPEN, "ratings.close", "审核不通过，退回重办"),
    ]
}

RECTIFICATION_UNFINISHED = frozenset({R.OPEN, R.RECTIFIED, R.CALLED_BACK, R.APPEALED})
COMPLAINT_UNFINISHED = frozenset({C.OPEN, C.RESPONDED, C.CALLED_BACK})


def transition(table: dict[str, Transition], name: str, status: str) -> Transition:
    """The transition ``name`` if the table allows it from ``status``; else ``Conflict``."""
    t = table[name]
    if status not in t.sources:
        raise Conflict(
            f"当前状态下不能执行“{t.label}”",
            code="illegal_transition",
            fields={"status": status, "transition": name},
        )
    return t
