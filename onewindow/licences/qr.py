"""The QR code of an industry licence (segno): it encodes the absolute public URL of the
licence's page, ``{ONEWINDOW["PUBLIC_URL"]}/licences/industry/<token>/``."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.urls import reverse

from onewindow.licences.models import IndustryLicence

# Error correction M (15%): readable when printed small or slightly soiled.
ERROR = "m"


def public_url(licence: IndustryLicence) -> str:
    base = str(settings.ONEWINDOW.get("PUBLIC_URL", "")).rstrip("/")
    return base + reverse("licences:industry_public", args=[licence.token])


def qr(url: str) -> segno.QRCode:
    return segno.make_qr(url, error=ERROR)


def qr_png(url: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    qr(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_svg(url: str, *, scale: int = 4) -> bytes:
    buffer = io.BytesIO()
    qr(url).save(buffer, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True)
    return buffer.getvalue()


def qr_svg_data_uri(url: str) -> str:
    """For the PDF: an SVG data URI (vector, sharp at any print size)."""
    return str(qr(url).svg_data_uri(scale=4, border=4))
