"""The holder's messages (notify outbox: written in the service's transaction, sent after
commit). Context keys: centre, name (permit or licence name), number, and those named."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from onewindow.notify.services import notify
from onewindow.notify.templates import REGISTRY, register
from onewindow.org.models import Applicant

TEMPLATES = {
    "permit.revoked": (
        _("【{centre}】证照已撤销"),
        _("您的“{name}”（编号{number}）已于{date}被撤销，原因：{reason}。{licence_note}"),
    ),
    "permit.cancelled": (
        _("【{centre}】证照已注销"),
        _("您的“{name}”（编号{number}）已于{date}注销，原因：{reason}。{licence_note}"),
    ),
    "permit.expired": (
        _("【{centre}】证照有效期已届满"),
        _(
            "您的“{name}”（编号{number}）有效期已于{date}届满，如需继续经营请及时办理延续。{licence_note}"
        ),
    ),
    "industry_licence.issued": (
        _("【{centre}】行业综合许可证已核发"),
        _("您的“{name}”（编号{number}）已核发，含{count}项许可，可在“我的证照”中查看和打印。"),
    ),
}


def register_templates() -> None:
    for name, (subject, body) in TEMPLATES.items():
        if name not in REGISTRY:
            register(name, subject, body)


def licence_note(names: list[str]) -> str:
    if not names:
        return ""
    joined = "、".join(f"“{n}”" for n in names)
    return str(_("{names}的状态已同步更新。")).format(names=joined)


def notify_holder(
    holder: Applicant,
    *,
    template: str,
    context: dict[str, Any],
    obj: Any,
    now: datetime | None = None,
) -> None:
    """In-app to every active account of the holder, one SMS to the holder's phone (or the
    first account's). Runs in the caller's transaction; sent after commit."""
    register_templates()
    users = list(holder.users.filter(is_active=True).order_by("pk"))
    phone = holder.phone or next((u.phone for u in users if u.phone), "")
    ctx = {"centre": str(settings.ONEWINDOW.get("CENTRE_NAME", "政务服务中心")), **context}
    if not users:
        if phone:
            notify(phone=phone, channels=("sms",), template=template, context=ctx, obj=obj, now=now)
        return
    for i, user in enumerate(users):
        notify(
            recipient_user=user,
            phone=phone,
            channels=("in_app", "sms") if i == 0 else ("in_app",),
            template=template,
            context=ctx,
            obj=obj,
            now=now,
        )
