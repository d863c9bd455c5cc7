"""The report pages and downloads: PDF with its text and embedded CJK fonts (pdftotext,
pdffonts), Excel with the right sheets and numbers, and the permission matrix (李四
forbidden, 赵六 everything, 孙丽 only 区市场监管局, another department → 404)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from onewindow.org.models import Department
from onewindow.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

KINDS = {
    "day": "2026-03-05",
    "week": "2026-W10",
    "month": "2026-03",
    "quarter": "2026-Q1",
    "year": "2026",
}


def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed")
def test_monthly_pdf_has_text_and_embedded_fonts(people, march, tmp_path: Path):
    response = client_of(people["zhaoliu"]).get("/supervision/reports/month/pdf/?period=2026-03")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "政务服务月通报（2026年3月）" in text
    assert "区市场监管局" in text
    assert "66.67%" in text  # 区市场监管局's on-time rate
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk
    assert all(" yes " in line.split("CID")[-1] or "yes yes" in line for line in cjk), fonts


def test_monthly_excel_opens_with_the_right_sheets_and_numbers(people, march):
    response = client_of(people["zhaoliu"]).get("/supervision/reports/month/xlsx/?period=2026-03")
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))
    assert wb.sheetnames == ["概况", "部门排名"]
    ws = wb["部门排名"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["名次", "部门", "办结件数", "按时办结率"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True) if r[1]}
    assert rows["区市场监管局"][0] == 1
    assert rows["区市场监管局"][2] == 3
    assert rows["区市场监管局"][3] == pytest.approx(0.6667)
    assert rows["区卫生健康委"][3] == 0.5
    assert ws.cell(row=2, column=4).number_format == "0.00%"
    summary = {r[0]: r[1] for r in wb["概况"].iter_rows(values_only=True) if r and r[0]}
    assert summary["按时办结率"] == "60.00%"


def test_every_report_page_and_download_for_the_supervisor(people, march):
    zhaoliu = client_of(people["zhaoliu"])
    assert zhaoliu.get("/supervision/reports/").status_code == 200
    for kind, period in KINDS.items():
        page = zhaoliu.get(f"/supervision/reports/{kind}/?period={period}")
        assert page.status_code == 200, kind
        assert "区卫生健康委" in page.content.decode()
        assert zhaoliu.get(f"/supervision/reports/{kind}/xlsx/?period={period}").status_code == 200
    bad = zhaoliu.get("/supervision/reports/month/?period=2026-13")
    assert bad.status_code == 422
    assert "报告周期格式不正确" in bad.content.decode()
    assert zhaoliu.get("/supervision/reports/decade/").status_code == 404
    index = zhaoliu.get("/supervision/reports/").content.decode()
    assert "年考核" in index
    assert f"?period={timezone.localdate().year - 1}" in index  # the latest complete year
    # A period not begun yet is refused; the current one has no "next" link.
    future = zhaoliu.get("/supervision/reports/year/?period=2030")
    assert future.status_code == 422
    assert "报告周期（2030年度）尚未开始" in future.content.decode()
    assert zhaoliu.get("/supervision/reports/year/xlsx/?period=2030").status_code == 422
    this_year = timezone.localdate().year
    current = zhaoliu.get(f"/supervision/reports/year/?period={this_year}")
    assert current.status_code == 200
    assert f"?period={this_year + 1}" not in current.content.decode()
    assert "截至" in current.content.decode()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_yearly_pdf_has_the_chinese_title_and_the_departments(people, march, tmp_path: Path):
    client = client_of(people["zhaoliu"])
    with time_machine.travel(datetime(2026, 7, 1, 10, tzinfo=SHANGHAI), tick=False):
        response = client.get("/supervision/reports/year/pdf/?period=2026")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "%E5%B9%B4%E8%80%83%E6%A0%B8-2026.pdf" in response["Content-Disposition"]  # 年考核
    path = tmp_path / "assessment.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "政务服务年度考核（2026年度，截至2026年7月1日）" in text
    for words in ("各部门年度考核综合得分与等级", "区卫生健康委", "区市场监管局", "评分办法"):
        assert words in text


def test_yearly_excel_has_the_department_rows(people, march):
    response = client_of(people["zhaoliu"]).get("/supervision/reports/year/xlsx/?period=2026")
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))
    assert wb.sheetnames == ["概况", "考核排名", "年度指标", "得分明细", "群众评议", "评分办法"]
    ws = wb["考核排名"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["名次", "部门", "综合得分", "等级"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True) if r[1]}
    departments = set(Department.objects.filter(is_active=True).values_list("name", flat=True))
    assert departments | {"合计"} <= set(rows)
    assert isinstance(rows["区市场监管局"][2], float)
    assert rows["区市场监管局"][3] in ("优秀", "良好", "合格", "不合格")
    assert ws.cell(row=2, column=3).number_format == "0.00"
    assert ws.cell(row=2, column=5).number_format == "0.00%"
    figures = {r[0]: r for r in wb["年度指标"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert figures["区卫生健康委"][1:3] == (4, 3)  # accepted, concluded (March's cases)
    weights = [r[1] for r in wb["评分办法"].iter_rows(min_row=2, values_only=True) if r[1]]
    assert sum(weights) == 100


def test_permission_matrix(people, march):
    url = "/supervision/reports/month/?period=2026-03"
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert client_of(people["lisi"]).get(url).status_code == 403
    assert client_of(people["zhangsan"]).get(url).status_code == 403
    assert (
        client_of(people["lisi"]).get("/supervision/reports/month/pdf/?period=2026-03").status_code
        == 403
    )
    # 孙丽: section chief of 区市场监管局 (supervision.view_department): her department only
    sunli = client_of(people["sunli"])
    own = sunli.get(url).content.decode()
    assert "区市场监管局" in own
    assert "区卫生健康委" not in own
    health = Department.objects.get(name="区卫生健康委")
    assert sunli.get(f"{url}&department={health.pk}").status_code == 404
    assert (
        sunli.get(
            f"/supervision/reports/month/xlsx/?period=2026-03&department={health.pk}"
        ).status_code
        == 404
    )
    market = Department.objects.get(name="区市场监管局")
    assert sunli.get(f"{url}&department={market.pk}").status_code == 200


@pytest.mark.parametrize("fmt", ["", "pdf/", "xlsx/"])
def test_yearly_permission_matrix(people, march, fmt):
    url = f"/supervision/reports/year/{fmt}?period=2026"
    assert Client().get(url).status_code == 302
    assert client_of(people["lisi"]).get(url).status_code == 403
    assert client_of(people["zhangsan"]).get(url).status_code == 403
    assert client_of(people["zhaoliu"]).get(url).status_code == 200
    sunli = client_of(people["sunli"])
    health = Department.objects.get(name="区卫生健康委")
    market = Department.objects.get(name="区市场监管局")
    assert sunli.get(f"{url}&department={health.pk}").status_code == 404
    assert sunli.get(f"{url}&department={market.pk}").status_code == 200
    if not fmt:
        own = sunli.get(url).content.decode()
        assert "区市场监管局" in own
        assert "区卫生健康委" not in own
