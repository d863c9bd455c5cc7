"""The printable A4 PDF of an industry licence (WeasyPrint, fonts-noto-cjk embedded, like
the cases' notices). No seal: electronic signing comes with the e-licence issue
(docs/licences.md); the document says that the QR code shows the current state."""

from __future__ import annotations

from datetime import date

from django.template.loader import render_to_string

from onewindow.cases.notices import centre_name, chinese_date, render_pdf
from onewindow.licences.models import IndustryLicence
from onewindow.licences.qr import public_url, qr_svg_data_uri
from onewindow.licences.selectors import licence_view, today


def industry_licence_html(licence: IndustryLicence, on: date | None = None) -> str:
    on = on or today()
    view = licence_view(licence, on)
    url = public_url(licence)
    return render_to_string(
        "licences/industry_licence_pdf.html",
        {
            "view": view,
            "centre": centre_name(),
            "issued": chinese_date(view.issued_at),
            "printed": chinese_date(on),
            "url": url,
            "qr": qr_svg_data_uri(url),
            "components": [
                {
                    "permit": c,
                    "valid_from": chinese_date(c.valid_from),
                    "valid_until": chinese_date(c.valid_until) if c.valid_until else "",
                }
                for c in view.components
            ],
        },
    )


def industry_licence_pdf(licence: IndustryLicence, on: date | None = None) -> bytes:
    return render_pdf(industry_licence_html(licence, on))
