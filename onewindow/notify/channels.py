"""Channel adapters: one interface, ``send(notification) -> provider_id``.

An adapter delivers one outbox row and returns the provider's receipt (message id); on any
failure it raises ``ChannelError`` and the sender retries later. Which adapter serves which
channel is ``settings.NOTIFY_CHANNELS`` (channel → dotted path); see docs/notify.md for how to
plug a real SMS gateway.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from onewindow.common import clock
from onewindow.notify.templates import sms_text

if TYPE_CHECKING:
    from onewindow.notify.models import Notification

DEFAULT_CHANNELS = {
    "in_app": "onewindow.notify.channels.InAppChannel",
    "sms": "onewindow.notify.channels.FileSmsChannel",
    "email": "onewindow.notify.channels.EmailChannel",
}


class ChannelError(Exception):
    """Delivery failed; ``str(error)`` is stored as the row's last error."""


class Channel:
    """The adapter interface. Subclasses implement ``send``."""

    def send(self, notification: Notification) -> str:
        raise NotImplementedError


class InAppChannel(Channel):
    """In-app messages live in the outbox itself: nothing to transmit."""

    def send(self, notification: Notification) -> str:
        if notification.recipient_id is None:
            raise ChannelError("站内消息没有接收账号")
        return f"inapp-{notification.pk}"


def outbox_dir() -> Path:
    return Path(
        getattr(settings, "NOTIFY_OUTBOX_DIR", None) or Path(settings.BASE_DIR) / "var" / "outbox"
    )


_file_lock = threading.Lock()


class FileSmsChannel(Channel):
    """The demo's SMS: one JSON line per message appended to var/outbox/sms.log."""

    def send(self, notification: Notification) -> str:
        if not notification.address:
            raise ChannelError("短信没有手机号码")
        provider_id = f"file-sms-{notification.pk}"
        line = {
            "id": provider_id,
            "at": clock.now().isoformat(),
            "to": notification.address,
            "text": sms_text(notification.subject, notification.body),
        }
        try:
            path = outbox_dir() / "sms.log"
            path.parent.mkdir(parents=True, exist_ok=True)
            with _file_lock, path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise ChannelError(f"写入短信发件箱失败：{exc}") from exc
        return provider_id


class ConsoleSmsChannel(Channel):
    """SMS printed to standard output (development)."""

    def send(self, notification: Notification) -> str:
        if not notification.address:
            raise ChannelError("短信没有手机号码")
        text = sms_text(notification.subject, notification.body)
        sys.stdout.write(f"[短信 → {notification.address}] {text}\n")
        return f"console-sms-{notification.pk}"


class EmailChannel(Channel):
    """E-mail through Django's mail framework (``settings.EMAIL_BACKEND``)."""

    def send(self, notification: Notification) -> str:
        if not notification.address:
            raise ChannelError("电子邮件没有收件地址")
        message_id = f"<notification-{notification.pk}@onewindow>"
        message = EmailMessage(
            subject=notification.subject,
            body=notification.body,
            to=[notification.address],
            headers={"Message-ID": message_id},
        )
        try:
            sent = message.send(fail_silently=False)
        except Exception as exc:  # SMTP and backend errors of any kind
            raise ChannelError(f"邮件发送失败：{exc}") from exc
        if not sent:
            raise ChannelError("邮件发送失败：没有发出")
        return message_id


def channel_for(kind: str) -> Channel:
    """The adapter configured for channel ``kind``."""
    paths = {**DEFAULT_CHANNELS, **getattr(settings, "NOTIFY_CHANNELS", {})}
    try:
        path = paths[kind]
    except KeyError:
        raise ChannelError(f"未配置渠道 {kind}") from None
    adapter = import_string(path)()
    if not isinstance(adapter, Channel) and not hasattr(adapter, "send"):
        raise ChannelError(f"{path} 不是渠道适配器")
    return adapter
