"""The notification templates: a registry of Chinese subject/body pairs by name.

Each template is rendered with ``str.format_map`` from the context a service passes (only
JSON values, stored with the row so a message can be re-rendered or audited). Other apps add
their own with ``register`` at import time (e.g. in their ``apps.py`` ``ready``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Template:
    name: str
    subject: str | Promise
    body: str | Promise


REGISTRY: dict[str, Template] = {}

# An SMS is the subject followed by the body (``sms_text``); the subject is the signature
# 【...】 the gateways require. One segment holds 70 Chinese characters (UCS-2), the
# signature included; longer texts go out as 67-character parts, each billed. Templates
# meant for SMS alone (e.g. ``supervision.red.sms``) keep within one segment.
SMS_SEGMENT_CHARS = 70


def sms_text(subject: str, body: str) -> str:
    """The text of an SMS row as the adapters send it."""
    return f"{subject}{body}"


def register(name: str, subject: str | Promise, body: str | Promise) -> Template:
    """Add (or replace) the template ``name``."""
    tpl = Template(name, subject, body)
    REGISTRY[name] = tpl
    return tpl


class _Defaults(dict[str, Any]):
    """format_map mapping: a missing key is a programming error, named precisely."""

    def __init__(self, name: str, context: dict[str, Any]) -> None:
        super().__init__(context)
        self.name = name

    def __missing__(self, key: str) -> Any:
        raise KeyError(f"notification template {self.name!r} needs {key!r} in its context")


def render(name: str, context: dict[str, Any]) -> tuple[str, str]:
    """The subject and body of template ``name`` (in the installation's language)."""
    try:
        tpl = REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown notification template {name!r}") from None
    values = _Defaults(name, context)
    with translation.override(settings.LANGUAGE_CODE):
        return str(tpl.subject).format_map(values), str(tpl.body).format_map(values)


# The cases' messages. Context keys: number (case number), item (item name), and the extras
# named in each body.
register(
    "case.submitted",
    _("【{centre}】申请已提交"),
    _("您申请的“{item}”（办件编号{number}）已提交，我们将在5个工作日内作出是否受理的决定。"),
)
register(
    "case.accepted",
    _("【{centre}】申请已受理"),
    _(
        "您申请的“{item}”（办件编号{number}）已于{accepted_on}受理，"
        "承诺办结期限为{promised_due}，法定办结期限为{legal_due}。"
    ),
)
register(
    "case.accepted_missing",
    _("【{centre}】申请已容缺受理"),
    _(
        "您申请的“{item}”（办件编号{number}）已容缺受理。请于{due_dates}前补交：{materials}。"
        "承诺办结期限为{promised_due}。"
    ),
)
register(
    "case.one_time_notice",
    _("【{centre}】请补齐申请材料"),
    _(
        "您申请的“{item}”（办件编号{number}）材料不齐全或不符合法定形式，"
        "需补正以下{count}项：{materials}。请一次性补齐后重新提交，详见补正材料一次性告知书。"
    ),
)
register(
    "case.not_accepted",
    _("【{centre}】申请不予受理"),
    _(
        "您申请的“{item}”（办件编号{number}）不予受理，理由：{reasons}。"
        "如不服，可依法申请行政复议或者提起行政诉讼，详见不予受理通知书。"
    ),
)
register(
    "case.decided",
    _("【{centre}】办件已作出决定"),
    _("您申请的“{item}”（办件编号{number}）已作出决定：{decision}。"),
)
register(
    "case.concluded",
    _("【{centre}】办件已办结"),
    _("您申请的“{item}”（办件编号{number}）已办结，办理结果：{result}。"),
)
register(
    "case.suspended",
    _("【{centre}】办件进入特别程序"),
    _("您申请的“{item}”（办件编号{number}）因{reason}进入特别程序，所需时间不计入办理时限。"),
)
register(
    "case.resumed",
    _("【{centre}】办件恢复办理"),
    _("您申请的“{item}”（办件编号{number}）已恢复办理，承诺办结期限为{promised_due}。"),
)
register(
    "case.delivered",
    _("【{centre}】办理结果已送达"),
    _("您申请的“{item}”（办件编号{number}）的办理结果已送达（{method}）。"),
)
register(
    "notice.issued",
    _("【{centre}】{title}已出具"),
    _(
        "您申请的“{item}”（办件编号{number}）的{title}（文号{notice_number}）已出具，"
        "请登录查看或下载。"
    ),
)
