"""Screens of the licences: the public page of an industry licence (no login, reached by its
QR code), its QR code, and the holder's 我的证照 (list, detail, PDF)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from onewindow.common.errors import NotFound
from onewindow.licences import selectors
from onewindow.licences.documents import industry_licence_pdf
from onewindow.licences.models import IndustryLicence
from onewindow.licences.qr import public_url, qr_png, qr_svg


def _public(token: str) -> IndustryLicence:
    try:
        return selectors.licence_by_token(token)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_safe
@cache_control(no_cache=True)
def industry_public(request: HttpRequest, token: str) -> HttpResponse:
    """行业综合许可证查验: anyone with the QR code sees each permit and the current state."""
    licence = _public(token)
    view = selectors.licence_view(licence)
    return render(
        request,
        "licences/industry_public.html",
        {"view": view, "url": public_url(licence), "own": False},
    )


@require_safe
def industry_qr(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    if fmt not in ("png", "svg"):
        raise Http404
    licence = _public(token)
    url = public_url(licence)
    if fmt == "png":
        return HttpResponse(qr_png(url), content_type="image/png")
    return HttpResponse(qr_svg(url), content_type="image/svg+xml")


@login_required
@require_safe
def my_licences(request: HttpRequest) -> HttpResponse:
    """我的证照: the industry licences and permits of the applicants the user acts for."""
    on = selectors.today()
    licences = [selectors.licence_view(x, on) for x in selectors.licences_of(request.user)]
    permits = [
        (selectors.permit_view(p, on), p.holder.name) for p in selectors.permits_of(request.user)
    ]
    return render(request, "licences/mine.html", {"licences": licences, "permits": permits})


@login_required
@require_safe
def my_industry_licence(request: HttpRequest, token: str) -> HttpResponse:
    try:
        licence = selectors.own_licence(request.user, token)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    view = selectors.licence_view(licence)
    return render(
        request,
        "licences/industry_public.html",
        {"view": view, "url": public_url(licence), "own": True},
    )


@login_required
@require_safe
def my_industry_licence_pdf(request: HttpRequest, token: str) -> HttpResponse:
    try:
        licence = selectors.own_licence(request.user, token)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    response = HttpResponse(industry_licence_pdf(licence), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="industry-licence-{licence.pk}.pdf"'
    return response
