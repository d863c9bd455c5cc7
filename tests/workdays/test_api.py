"""GET /api/v1/workdays/deadline and /days through Django's test client."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/workdays/deadline"


def get(client, **params):
    return client.get(URL, params)


def test_deadline_in_working_days(client):
    r = get(client, start="2024-02-09T10:00:00+08:00", days="2")
    assert r.status_code == 200
    assert r.json() == {
        "start": "2024-02-09T10:00:00+08:00",
        "limit": 2,
        "unit": "workdays",
        "deadline": "2024-02-19",
        "provisional": False,
    }


def test_start_in_another_timezone_or_naive_or_a_plain_date(client):
    assert get(client, start="2024-03-01T15:59:00Z", days=1).json()["deadline"] == "2024-03-04"
    assert get(client, start="2024-03-03T16:00:00Z", days=1).json()["deadline"] == "2024-03-05"
    assert get(client, start="2024-03-01 23:00", days=1).json()["deadline"] == "2024-03-04"
    assert get(client, start="2024-03-01", days=1).json()["start"] == "2024-03-01T00:00:00+08:00"
    # An unencoded "+08:00" arrives as " 08:00" in a query string.
    r = client.get(URL + "?start=2024-02-09T10:00:00+08:00&days=1")
    assert r.json()["deadline"] == "2024-02-18"


def test_provisional_into_2027(client):
    body = get(client, start="2026-12-21T09:00:00+08:00", days=9).json()
    assert body["deadline"] == "2027-01-01"
    assert body["provisional"] is True


def test_deadline_in_hours_with_default_and_service_point_office_hours(client, town):
    body = get(client, start="2024-03-01T11:30:00+08:00", hours="1").json()
    assert body == {
        "start": "2024-03-01T11:30:00+08:00",
        "limit": 1,
        "unit": "hours",
        "deadline": "2024-03-01T14:00:00+08:00",
        "provisional": False,
    }
    body = get(client, start="2024-03-01T16:30:00+08:00", hours="1").json()
    assert body["deadline"] == "2024-03-04T09:30:00+08:00"
    body = get(client, start="2024-03-01T11:30:00+08:00", hours="1.5", service_point="T01").json()
    assert body["deadline"] == "2024-03-01T14:00:00+08:00"  # 08:30-12:00, 13:00-17:30
    assert body["limit"] == 1.5


@pytest.mark.parametrize(
    ("params", "field", "fragment"),
    [
        ({"start": "2024-02-30T10:00", "days": "1"}, "start", "时间格式不正确"),
        ({"start": "昨天", "days": "1"}, "start", "时间格式不正确"),
        ({"days": "1"}, "start", "请提供开始时间"),
        ({"start": "2024-03-01", "days": "1", "hours": "2"}, "days", "二选一"),
        ({"start": "2024-03-01"}, "hours", "二选一"),
        ({"start": "2024-03-01", "days": "-1"}, "days", "不能为负数"),
        ({"start": "2024-03-01", "days": "1.5"}, "days", "须为整数"),
        ({"start": "2024-03-01", "days": "1000000"}, "days", "期限过大"),
        ({"start": "2024-03-01", "hours": "0"}, "hours", "须大于零"),
        ({"start": "2024-03-01", "hours": "nan"}, "hours", "有限的数字"),
        ({"start": "2024-03-01", "hours": "99999"}, "hours", "期限过大"),
        ({"start": "2029-06-01", "days": "1"}, "start", "超出工作日历范围"),
        ({"start": "2028-12-01", "days": "60"}, "days", "以后年度"),
        ({"start": "2024-03-01", "hours": "1", "service_point": "NOPE"}, "service_point", "不存在"),
    ],
)
def test_invalid_input_is_a_422_in_chinese(client, params, field, fragment):
    r = get(client, **params)
    assert r.status_code == 422, r.content
    body = r.json()
    assert set(body) == {"code", "message", "fields"}
    assert fragment in body["message"]
    assert field in body["fields"]


def test_list_days(client):
    r = client.get("/api/v1/workdays/days", {"from": "2024-02-09", "to": "2024-02-19"})
    assert r.status_code == 200
    body = r.json()
    assert (body["from"], body["to"]) == ("2024-02-09", "2024-02-19")
    days = body["days"]
    assert len(days) == 11
    assert days[0] == {
        "date": "2024-02-09",
        "is_workday": True,
        "kind": "workday",
        "kind_label": "工作日",
        "holiday_name": "",
        "confirmed": True,
    }
    assert [d["is_workday"] for d in days] == [True] + [False] * 8 + [True, True]
    assert days[9]["kind"] == "makeup"
    assert days[1]["holiday_name"] == "春节"
    r = client.get("/api/v1/workdays/days", {"from": "2027-01-01", "to": "2027-01-01"})
    assert r.json()["days"][0]["confirmed"] is False


@pytest.mark.parametrize(
    ("params", "field", "fragment"),
    [
        ({"from": "2024-01-01", "to": "2025-12-31"}, "to", "最多 400 天"),
        ({"from": "2024-03-01", "to": "2024-02-01"}, "to", "不能早于"),
        ({"from": "2024-13-01", "to": "2024-12-31"}, "from", "日期格式不正确"),
        ({"to": "2024-12-31"}, "from", "请提供日期"),
        ({"from": "2028-12-01", "to": "2029-01-31"}, "to", "超出工作日历范围"),
    ],
)
def test_list_days_refuses_bad_ranges(client, params, field, fragment):
    r = client.get("/api/v1/workdays/days", params)
    assert r.status_code == 422
    body = r.json()
    assert fragment in body["message"]
    assert field in body["fields"]
