"""A past period's report does not change when a rectification is closed, a call-back made
or a complaint answered later, or a call-back or answer sent back (退回) and redone later
(``ratings.rates`` with ``as_of`` = the period's end), while
the live board (``rates`` without ``as_of``) shows the current figures.

March 2026 (conftest): 张三's 非常不满意 of 6 March at 区卫生健康委 opened a rectification; it
is rectified and called back in March. A complaint about 区市场监管局 made on 9 March is
answered only in April, and the rectification is closed in April too, by clocks moved with
time-machine (the services read the clock)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from onewindow.org.models import Department
from onewindow.ratings.models import Rectification
from onewindow.ratings.rates import rates_by_department
from onewindow.ratings.services import (
    complaint_call_back,
    complaint_reject,
    complaint_respond,
    complaint_submit,
    rectification_call_back,
    rectification_close,
    rectification_rectify,
    rectification_reject,
)
from onewindow.supervision.reports.build import build
from onewindow.supervision.reports.periods import parse
from tests.supervision_reports.conftest import at, row_of

pytestmark = pytest.mark.django_db

HEALTH, MARKET_DEPT = "区卫生健康委", "区市场监管局"


def report(kind: str, key: str) -> Any:
    return build(
        kind, parse(kind, key), Department.objects.filter(is_active=True), centre_wide=True
    )


def rates_of(kind: str, key: str, table: str) -> dict[str, Any]:
    rows = report(kind, key).table(table).rows
    keys = ("rectifications", "rectification_rate", "callback_rate", "complaint_response_rate")
    return {r["department"]: {k: r.get(k) for k in keys} for r in rows}


def board_row(people: dict[str, Any], department: str) -> dict[str, str]:
    """The board's figures of ``department`` for March, by column heading."""
    client = Client()
    client.force_login(people["zhaoliu"])
    page = client.get("/backoffice/ratings/board/?start=2026-03-01&end=2026-03-31")
    assert page.status_code == 200
    html = page.content.decode()
    headings = re.findall(r'<th scope="col" class="num">([^<]*)</th>', html)
    row = re.search(rf'<th scope="row">{department}</th>(.*?)</tr>', html, re.S)
    assert row, html
    values = re.findall(r'<td class="num">(?:<span[^>]*>)?([^<]*)', row.group(1))
    assert len(values) == len(headings)
    return dict(zip(headings, values, strict=True))


@pytest.fixture
def march_work(people: dict[str, Any], march: dict[str, Any]) -> dict[str, Any]:
    rect = Rectification.objects.get(rating__case=march["h1"])
    hanmei = people["hanmei"]
    with time_machine.travel(at(2026, 3, 20), tick=False):
        rectification_rectify(
            actor=hanmei, rectification=rect, finding="true", finding_reason="属实", action="改进"
        )
    with time_machine.travel(at(2026, 3, 23), tick=False):
        rectification_call_back(actor=hanmei, rectification=rect, result="satisfied")
    complaint = complaint_submit(
        actor=people["zhangsan"],
        about="department",
        content="电话无人接听",
        department=Department.objects.get(name=MARKET_DEPT),
        now=at(2026, 3, 9),
    )
    return {"rectification": rect, "complaint": complaint}


def test_a_past_report_is_unchanged_after_a_later_closing(
    people: dict[str, Any], march_work: dict[str, Any]
) -> None:
    tables = [("month", "2026-03", "部门排名"), ("quarter", "2026-Q1", "部门分析")]
    before = {kind: rates_of(kind, key, table) for kind, key, table in tables}
    assert before["month"][HEALTH] == {
        "rectifications": 1,
        "rectification_rate": 0.0,  # called back, not closed by the supervisor yet
        "callback_rate": 1.0,
        "complaint_response_rate": None,
    }
    assert before["quarter"][MARKET_DEPT]["complaint_response_rate"] == 0.0
    # The board (no as_of) agrees while nothing has changed since March.
    board = board_row(people, HEALTH)
    assert (board["整改率"], board["回访率"]) == ("0.00%", "100.00%")

    # April: the supervisor closes the rectification, the department answers the complaint.
    with time_machine.travel(at(2026, 4, 20), tick=False):
        rectification_close(actor=people["zhaoliu"], rectification=march_work["rectification"])
        complaint_respond(
            actor=people["sunli"], complaint=march_work["complaint"], response="已安排专人值守"
        )
    closed = Rectification.objects.get(pk=march_work["rectification"].pk)
    assert (closed.status, closed.closed_at) == ("closed", at(2026, 4, 20))

    after = {kind: rates_of(kind, key, table) for kind, key, table in tables}
    assert after == before
    # The quarter's trend row for March as well.
    march_trend = report("quarter", "2026-Q1").table("月度趋势").rows[2]
    assert (march_trend["month"], march_trend["rectification_rate"]) == ("2026年3月", 0.0)

    # The live board reads the current states: rectified and answered now.
    health = board_row(people, HEALTH)
    assert (health["整改率"], health["回访率"]) == ("100.00%", "100.00%")
    assert board_row(people, MARKET_DEPT)["投诉答复率"] == "100.00%"
    # ... and so does the report of a period ending after the closing: the second quarter
    # counts nothing (opened in March), the month of April does not see March's items.
    april = row_of(report("month", "2026-04").table("部门排名"), HEALTH)
    assert april["rectifications"] == 0


def test_a_past_report_is_unchanged_after_later_rejects(
    people: dict[str, Any], march_work: dict[str, Any]
) -> None:
    """March's call-back (23 March) and the complaint's answer (13 March) are sent back twice
    in April (5 and 15 April) and redone after each: March's reports do not move, an
    instant in April between a reject and the redo sees them undone, the board follows."""
    rect, complaint = march_work["rectification"], march_work["complaint"]
    hanmei, sunli, zhaoliu = people["hanmei"], people["sunli"], people["zhaoliu"]
    complaint_respond(actor=sunli, complaint=complaint, response="已安排", now=at(2026, 3, 13))
    complaint_call_back(actor=sunli, complaint=complaint, result="basic", now=at(2026, 3, 20))
    tables = [("month", "2026-03", "部门排名"), ("quarter", "2026-Q1", "部门分析")]
    before = {kind: rates_of(kind, key, table) for kind, key, table in tables}
    assert before["month"][HEALTH]["callback_rate"] == 1.0
    assert before["month"][MARKET_DEPT]["complaint_response_rate"] == 1.0
    health = Department.objects.filter(name=HEALTH)
    market = Department.objects.filter(name=MARKET_DEPT)

    def april(as_of: Any) -> tuple[int, int]:
        """(called back, complaints answered) of March's items at an instant in April."""
        (h,) = rates_by_department(
            date(2026, 3, 1), date(2026, 3, 31), departments=health, as_of=as_of
        )
        (m,) = rates_by_department(
            date(2026, 3, 1), date(2026, 3, 31), departments=market, as_of=as_of
        )
        return h.called_back, m.complaints_responded

    for round_, (rejected, redone) in enumerate(
        [(at(2026, 4, 5), at(2026, 4, 8)), (at(2026, 4, 15), at(2026, 4, 20))], start=1
    ):
        with time_machine.travel(rejected, tick=False):
            rectification_reject(actor=zhaoliu, rectification=rect, note="回访不实")
            complaint_reject(actor=zhaoliu, complaint=complaint, note="答复不完整")
        assert Rectification.objects.get(pk=rect.pk).reopened == round_
        assert {kind: rates_of(kind, key, table) for kind, key, table in tables} == before
        assert board_row(people, HEALTH)["回访率"] == "0.00%"
        with time_machine.travel(redone, tick=False):
            rectification_rectify(
                actor=hanmei,
                rectification=rect,
                finding="true",
                finding_reason="属实",
                action="再改进",
            )
            rectification_call_back(actor=hanmei, rectification=rect, result="satisfied")
            complaint_respond(actor=sunli, complaint=complaint, response="已专人值守")
            complaint_call_back(actor=sunli, complaint=complaint, result="satisfied")
        assert {kind: rates_of(kind, key, table) for kind, key, table in tables} == before
        assert board_row(people, HEALTH)["回访率"] == "100.00%"
    with time_machine.travel(at(2026, 4, 25), tick=False):
        rectification_close(actor=zhaoliu, rectification=rect)
    assert {kind: rates_of(kind, key, table) for kind, key, table in tables} == before
    # March's items at instants in April: undone between a reject and the redo.
    assert april(at(2026, 4, 4)) == (1, 1)
    assert april(at(2026, 4, 6)) == (0, 0)
    assert april(at(2026, 4, 10)) == (1, 1)
    assert april(at(2026, 4, 16)) == (0, 0)
    assert april(at(2026, 4, 30)) == (1, 1)
