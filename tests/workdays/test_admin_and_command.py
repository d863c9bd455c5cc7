"""The admin screens (Chinese) and the workdays_load_year command."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from onewindow.audit.models import AuditEvent
from onewindow.workdays.models import CalendarDay, CalendarYear
from tests.workdays.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOAD_URL = "/admin/workdays/calendaryear/load/"
SAMPLE = "onewindow/workdays/schedules/2027.example.json"

FORM = {
    "year": "2027",
    "source": "国办发明电（测试）",
    "holidays": "元旦 2027-01-01 2027-01-03\n春节 2027-02-05 至 2027-02-13\n端午 2027-06-09\n",
    "makeup_days": "2027-02-20, 2027-02-21",
}


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_centre_admin_loads_a_year_from_the_admin_form(
    client, zhouba, django_capture_on_commit_callbacks
):
    login(client, zhouba)
    page = client.get(LOAD_URL)
    assert page.status_code == 200
    assert "载入年度放假安排" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(LOAD_URL, FORM)
    assert r.status_code == 302
    assert r["Location"] == "/admin/workdays/calendaryear/"
    assert CalendarYear.objects.get(year=2027).confirmed
    assert not CalendarDay.objects.get(date=date(2027, 6, 9)).is_workday
    assert CalendarDay.objects.get(date=date(2027, 2, 21)).kind == "makeup"
    assert AuditEvent.objects.get(action="workdays.year_loaded").actor == zhouba
    listing = client.get(r["Location"]).content.decode()
    assert "已载入 2027 年放假安排" in listing
    assert LOAD_URL in listing  # the button on the list of years


def test_the_form_shows_the_services_errors_in_chinese(client, zhouba):
    login(client, zhouba)
    form = {**FORM, "makeup_days": "2027-02-17", "holidays": "春节 2027-02-13 2027-02-05"}
    r = client.post(LOAD_URL, form)
    assert r.status_code == 200
    html = r.content.decode()
    assert "年度放假安排有误，未作任何修改" in html
    assert "第 1 项：" in html
    assert "晚于结束日期" in html
    assert "不是周六或周日" in html
    assert not CalendarYear.objects.get(year=2027).confirmed


def test_unparseable_lines_are_reported_with_their_line_number(client, zhouba):
    login(client, zhouba)
    r = client.post(LOAD_URL, {**FORM, "holidays": "元旦 2027-01-01\n春节\n", "makeup_days": "x"})
    html = r.content.decode()
    assert "第 2 行" in html
    assert "不是日期" in html


def test_calendar_screens_are_listed_for_the_centre_admin(client, zhouba):
    login(client, zhouba)
    r = client.get("/admin/workdays/calendarday/", {"year": "2024", "kind": "makeup"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "2024年2月4日" in html
    assert "8 日历日" in html  # the eight makeup days of 2024
    assert html.count('<td class="field-kind">调休上班</td>') == 8
    assert client.get("/admin/workdays/calendaryear/").status_code == 200
    # Days are changed only through the load service: no add/change screens.
    assert client.get("/admin/workdays/calendarday/add/").status_code == 403


def test_a_window_clerk_is_refused(client, lisi):
    login(client, lisi)
    assert client.get(LOAD_URL).status_code == 403
    assert client.post(LOAD_URL, FORM).status_code == 403
    assert client.get("/admin/workdays/calendaryear/").status_code == 403
    assert not CalendarYear.objects.get(year=2027).confirmed


def test_anonymous_users_are_sent_to_the_login(client):
    assert client.get(LOAD_URL).status_code == 302


def test_command_loads_the_sample_file(capsys):
    call_command("workdays_load_year", "2027", "--file", SAMPLE)
    assert "已载入 2027 年放假安排" in capsys.readouterr().out
    year = CalendarYear.objects.get(year=2027)
    assert year.confirmed
    event = AuditEvent.objects.get(action="workdays.year_loaded")
    assert event.actor is None
    assert not CalendarDay.objects.get(date=date(2027, 10, 7)).is_workday


def test_command_refuses_bad_files(tmp_path):
    with pytest.raises(CommandError, match="不一致"):
        call_command("workdays_load_year", "2028", "--file", SAMPLE)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="不是合法的 JSON"):
        call_command("workdays_load_year", "2027", "--file", str(bad))
    wrong = tmp_path / "wrong.json"
    wrong.write_text(
        json.dumps(
            {
                "year": 2027,
                "source": "测试",
                "holidays": [{"name": "春节", "from": "2027-02-31", "to": "2027-02-13"}],
                "makeup_days": ["2027-02-17"],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"holidays\[0\]"):
        call_command("workdays_load_year", "2027", "--file", str(wrong))
    midweek = tmp_path / "midweek.json"
    midweek.write_text(
        json.dumps(
            {
                "year": 2027,
                "source": "测试",
                "holidays": [{"name": "春节", "from": "2027-02-05", "to": "2027-02-13"}],
                "makeup_days": ["2027-02-17"],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="不是周六或周日"):
        call_command("workdays_load_year", "2027", "--file", str(midweek))
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("workdays_load_year", "2027", "--file", str(tmp_path / "missing.json"))
    assert not CalendarYear.objects.get(year=2027).confirmed
