"""The applicant's in-app messages (消息): unread first; mark one or all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from onewindow.common.errors import NotFound
from onewindow.notify.models import Notification
from onewindow.notify.services import inbox_for, mark_read, unread_for
from onewindow.portal.applicant_common import PAGE_SIZE
from onewindow.portal.selectors import header_for


@login_required
@require_safe
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(n, (n.context or {}).get("number", "")) for n in page.object_list]
    # the header's count: one query for the page and the header
    context = {"page": page, "rows": rows, "unread": header_for(request).unread}
    return render(request, "portal/cases/notifications.html", context)


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    row = Notification.objects.filter(pk=notification_id, recipient_id=request.user.pk).first()
    if row is None:
        raise Http404(_("未找到该消息"))
    try:
        mark_read(actor=request.user, notification=row)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return redirect("portal:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    for row in list(unread_for(request.user)[:500]):
        mark_read(actor=request.user, notification=row)
    messages.success(request, _("已全部标为已读。"))
    return redirect("portal:notifications")
