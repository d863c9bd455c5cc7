"""gettext that also works where Django is not configured (the pure calendar, benchmarks)."""

from __future__ import annotations


def _(message: str) -> str:
    try:
        from django.conf import settings

        if settings.configured:
            from django.utils.translation import gettext

            return gettext(message)
    except ImportError:  # pragma: no cover - Django is always installed here
        pass
    return message
