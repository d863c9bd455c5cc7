"""The ratings' notification templates (registered at start-up, ``apps.py``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.notify.templates import register


def register_templates() -> None:
    register(
        "ratings.invite",
        _("【{centre}】请评价本次服务"),
        _(
            "【{centre}】您的办件{number}（{item}）已办结。欢迎对本次服务进行评价"
            "（{days}个工作日内有效）：{link}"
        ),
    )
    register(
        "ratings.rectification_opened",
        _("差评待整改"),
        _("收到一条“{level}”评价，请核实整改并回访，整改期限{due}。"),
    )
    register(
        "ratings.complaint_received",
        _("投诉待答复：{number}"),
        _("收到投诉{number}，请于{due}前答复。"),
    )
