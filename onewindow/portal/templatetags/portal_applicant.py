"""Display helpers of the applicant's screens (my cases, the application form)."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

from onewindow.portal.selectors import ApplicantHeader, applicant_header, header_for

register = template.Library()


@register.filter
def cn_date(value: date | datetime | None) -> str:
    """2026年12月4日 (a datetime in local time); empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def cn_datetime(value: datetime | None) -> str:
    """2026年5月11日 09:30 (local time)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


@register.filter
def file_size(size: int | None) -> str:
    """1536 → 1.5 KB; 2_500_000 → 2.4 MB."""
    if not size:
        return "0 B"
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@register.simple_tag(takes_context=True)
def applicant_links(context: template.Context) -> ApplicantHeader:
    """The header's applicant links for the page's user: whether to show them and the unread
    messages' count, in one query per request (``portal.selectors.header_for``)."""
    request = context.get("request")
    if request is not None:
        return header_for(request)
    return applicant_header(context.get("user"))
