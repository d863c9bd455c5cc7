"""The public face of an industry licence (no login): its page, the API, the QR code that
decodes to the page's absolute URL; the holder's 我的证照, its API and the printable PDF."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from django.test import Client, override_settings
from PIL import Image

from onewindow.licences.documents import industry_licence_pdf
from onewindow.licences.models import IndustryLicence, Permit
from onewindow.licences.qr import public_url
from onewindow.licences.services import permit_revoke
from onewindow.org.models import Applicant, User
from tests.licences.conftest import DONE

pytestmark = pytest.mark.django_db

HYGIENE = "公共场所卫生许可证核发"


def personal_data(users: dict[str, User]) -> list[str]:
    """What must never appear publicly: 张三's resident ID, phones, addresses."""
    zhangsan = Applicant.objects.get(users=users["zhangsan"], kind="natural")
    secrets = [zhangsan.resident_id, "13900000001", "城东大道96号"]
    secrets += [a.phone for a in Applicant.objects.filter(users=users["zhangsan"]) if a.phone]
    return [s for s in secrets if s]


def decode(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return str(results[0].text)


def test_the_public_page_shows_every_permit_and_the_state_without_login(
    licence: IndustryLicence, users: dict[str, User], client: Client
) -> None:
    url = f"/licences/industry/{licence.token}/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert licence.number in html
    assert "张三理发店" in html
    assert licence.holder.uscc in html  # the USCC is public
    assert "美容美发行业综合许可证" in html
    for permit in Permit.objects.filter(components__licence=licence).select_related("department"):
        assert permit.number in html
        assert permit.name in html
        assert permit.department.name in html
    assert "长期" in html
    assert 'data-state="valid"' in html
    for secret in personal_data(users):
        assert secret not in html
    assert client.get("/licences/industry/no-such-token/").status_code == 404

    hygiene = Permit.objects.get(components__licence=licence, case__item_version__name=HYGIENE)
    permit_revoke(actor=users["hanmei"], permit=hygiene, reason="以欺骗手段取得许可")
    html = client.get(url).content.decode()
    assert "部分许可失效" in html
    assert "已撤销" in html
    assert "以欺骗手段取得许可" in html


def test_the_public_api(licence: IndustryLicence, users: dict[str, User], client: Client) -> None:
    response = client.get(f"/api/v1/licences/industry/{licence.token}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == licence.number
    assert body["holder"] == "张三理发店"
    assert body["holder_id"] == licence.holder.uscc
    assert body["state"] == "valid"
    assert body["url"] == f"http://127.0.0.1:8000/licences/industry/{licence.token}/"
    assert len(body["components"]) == 5
    first = body["components"][0]
    assert {"number", "name", "department", "valid_from", "valid_until", "state"} <= set(first)
    assert first["valid_from"] == "2026-12-02"  # ISO 8601 in the API
    assert body["events"][0]["kind"] == "issued"
    text = response.content.decode()
    for secret in personal_data(users):
        assert secret not in text
    missing = client.get("/api/v1/licences/industry/nope")
    assert missing.status_code == 404
    assert missing.json()["code"] == "licence_not_found"


def test_the_qr_code_decodes_to_the_public_url(licence: IndustryLicence, client: Client) -> None:
    png = client.get(f"/licences/industry/{licence.token}/qr.png")
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    assert decode(png.content) == f"http://127.0.0.1:8000/licences/industry/{licence.token}/"
    svg = client.get(f"/licences/industry/{licence.token}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.lstrip().startswith(b"<svg")
    assert client.get(f"/licences/industry/{licence.token}/qr.gif").status_code == 404
    assert client.get("/licences/industry/nope/qr.png").status_code == 404
    public = {"AREA_NAME": "示范区", "PUBLIC_URL": "https://zwfw.example.gov.cn"}
    with override_settings(ONEWINDOW=public):
        png = client.get(f"/licences/industry/{licence.token}/qr.png")
        assert (
            decode(png.content) == f"https://zwfw.example.gov.cn/licences/industry/{licence.token}/"
        )


def test_my_licences_for_the_holder_only(
    licence: IndustryLicence, users: dict[str, User], client: Client
) -> None:
    mine = "/my/licences/"
    detail = f"/my/licences/industry/{licence.token}/"
    pdf = f"/my/licences/industry/{licence.token}/pdf/"
    for url in (mine, detail, pdf):
        assert client.get(url).status_code == 302  # to the login page
    assert client.get("/api/v1/licences/mine").status_code == 401

    client.force_login(users["zhangsan"])
    page = client.get(mine)
    assert page.status_code == 200
    html = page.content.decode()
    assert "我的证照" in html
    assert licence.number in html
    assert "公共场所卫生许可证" in html
    assert client.get(detail).status_code == 200
    assert client.get(pdf)["Content-Type"] == "application/pdf"
    body = client.get("/api/v1/licences/mine").json()
    assert [x["number"] for x in body["industry_licences"]] == [licence.number]
    assert len(body["permits"]) >= 5

    client.force_login(users["qianqi"])  # another applicant
    assert licence.number not in client.get(mine).content.decode()
    assert client.get(detail).status_code == 404
    assert client.get(pdf).status_code == 404
    body = client.get("/api/v1/licences/mine").json()
    assert body == {"industry_licences": [], "permits": []}


def test_revoke_api_permissions(
    licence: IndustryLicence, users: dict[str, User], client: Client
) -> None:
    hygiene = Permit.objects.get(components__licence=licence, case__item_version__name=HYGIENE)
    url = f"/api/v1/licences/permits/{hygiene.number}/revoke"
    body = {"reason": "以欺骗手段取得许可"}
    cancel = url.replace("revoke", "cancel")
    for endpoint in (url, cancel):
        client.logout()
        assert client.post(endpoint, body, content_type="application/json").status_code == 401
        for name in ("sunli", "lisi", "zhangsan"):  # other department, no capability, applicant
            client.force_login(users[name])
            denied = client.post(endpoint, body, content_type="application/json")
            assert denied.status_code == 404
            assert denied.json()["code"] == "permit_not_found"
    client.force_login(users["hanmei"])
    blank = client.post(url, {"reason": ""}, content_type="application/json")
    assert blank.status_code == 422
    done = client.post(url, body, content_type="application/json")
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["state_label"]) == ("revoked", "已撤销")
    again = client.post(cancel, body, content_type="application/json")
    assert again.status_code == 409


def test_the_pdf_has_the_text_embedded_fonts_and_a_readable_qr(
    licence: IndustryLicence, tmp_path: Path, **_: Any
) -> None:
    path = tmp_path / "licence.pdf"
    path.write_bytes(industry_licence_pdf(licence, DONE.date()))
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    flat = "".join(text.split())
    for expected in ["美容美发行业综合许可证", licence.number, "张三理发店", licence.holder.uscc]:
        assert expected in flat
    for permit in Permit.objects.filter(components__licence=licence):
        assert permit.number in flat
    assert "区卫生健康委" in flat
    assert "扫描二维码查验" in flat
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    assert fonts
    assert all(line.split()[-5] == "yes" for line in fonts), fonts  # emb column
    assert any("CJK" in line for line in fonts), fonts
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
        check=True,
    )
    page = next(tmp_path.glob("p*.png")).read_bytes()
    assert decode(page) == public_url(licence)
