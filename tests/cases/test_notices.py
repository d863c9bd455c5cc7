"""The written notices: numbered, dated PDFs with embedded CJK fonts, audited, notified."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from onewindow.audit.models import AuditEvent
from onewindow.cases import notices
from onewindow.cases.models import Notice, NoticeKind
from onewindow.cases.notices import issue_notice, notice_pdf_for
from onewindow.common.errors import NotFound
from onewindow.notify.models import Notification
from onewindow.workdays.calendar import SHANGHAI
from tests.cases.test_acceptance import media_root, submitted_case  # noqa: F401

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)


def pdf_text(path: str) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", path, "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_fonts(path: str) -> str:
    return subprocess.run(["pdffonts", path], check=True, capture_output=True, text=True).stdout


def test_issue_notice_renders_a_real_pdf(
    people: dict[str, Any], hygiene_licence: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = submitted_case(hygiene_licence, people["zhangsan"], at=NOW)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notice = issue_notice(
            case=case,
            kind=NoticeKind.ONE_TIME,
            actor=people["hanmei"],
            content={"problems": [{"material": "营业执照", "reason": "复印件不清晰"}]},
            now=NOW,
        )
    notice.refresh_from_db()
    assert notice.number.startswith("示卫健补告字〔2026〕第")
    assert notice.number.endswith("号")
    path = notice.pdf.path
    assert Path(path).read_bytes()[:5] == b"%PDF-"
    import hashlib

    assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == notice.sha256
    fonts = pdf_fonts(path)
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    assert all(" yes " in line for line in cjk)
    text = pdf_text(path)
    for expected in ("补正材料一次性告知书", notice.number, "张三", "2026年11月27日", "（印章）"):
        assert expected in text.replace(" ", ""), expected
    assert "复印件不清晰" in text
    event = AuditEvent.objects.get(action="case.notice_issued", object_id=str(case.pk))
    assert event.payload["number"] == notice.number
    rows = Notification.objects.filter(template="notice.issued", object_id=str(notice.pk))
    assert {r.channel for r in rows} == {"in_app", "sms"}
    assert all(r.state == "sent" for r in rows)
    assert notice.number in rows.get(channel="in_app").body


def test_numbers_are_sequential_per_department_kind_and_year(
    people: dict[str, Any], hygiene_licence: Any
) -> None:
    case = submitted_case(hygiene_licence, people["zhangsan"], at=NOW)
    with transaction.atomic():
        numbers = [
            issue_notice(
                case=case, kind="suspension", actor=None, content={"reason": "现场核查"}, now=NOW
            ).number
            for _ in range(3)
        ]
        other = issue_notice(case=case, kind="refusal", actor=None, content={}, now=NOW).number
    seqs = [int(n.split("第")[1].rstrip("号")) for n in numbers]
    assert seqs == [seqs[0], seqs[0] + 1, seqs[0] + 2]
    assert len(set(numbers)) == 3
    assert "不许字" in other
    assert other.endswith(f"第{1:06d}号")


def test_a_failing_render_leaves_nothing(
    people: dict[str, Any], hygiene_licence: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = submitted_case(hygiene_licence, people["zhangsan"], at=NOW)

    def broken(html: str) -> bytes:
        raise OSError("字体缺失")

    monkeypatch.setattr(notices, "render_pdf", broken)
    audit_before = AuditEvent.objects.count()
    with pytest.raises(OSError, match="字体缺失"), transaction.atomic():
        issue_notice(case=case, kind="acceptance", actor=None, content={}, now=NOW)
    assert not Notice.objects.filter(case=case).exists()
    assert AuditEvent.objects.count() == audit_before
    assert not Notification.objects.filter(template="notice.issued").exists()


def test_download_only_for_those_who_see_the_case(
    people: dict[str, Any], hygiene_licence: Any
) -> None:
    case = submitted_case(hygiene_licence, people["zhangsan"], at=NOW)
    with transaction.atomic():
        notice = issue_notice(case=case, kind="acceptance", actor=None, content={}, now=NOW)
    assert notice_pdf_for(people["zhangsan"], case.number, notice.pk) == notice
    assert notice_pdf_for(people["hanmei"], case.number, notice.pk) == notice
    for outsider in ("qianqi", "wangwu"):  # another applicant; another department's approver
        with pytest.raises(NotFound):
            notice_pdf_for(people[outsider], case.number, notice.pk)
    with pytest.raises(NotFound):
        notice_pdf_for(people["zhangsan"], case.number, notice.pk + 999)


class PowerCut(Exception):
    pass


def test_a_rolled_back_notice_leaves_an_orphan_pdf_that_the_sweep_removes(
    people: dict[str, Any], hygiene_licence: Any
) -> None:
    import os
    from io import StringIO

    from django.core.management import call_command

    case = submitted_case(hygiene_licence, people["zhangsan"], at=NOW)
    problems = {"problems": [{"material": "营业执照", "reason": "复印件不清晰"}]}
    with transaction.atomic():
        kept = issue_notice(
            case=case, kind=NoticeKind.ONE_TIME, actor=people["hanmei"], content=problems, now=NOW
        )
    lost: list[Notice] = []

    def dying_issue() -> None:
        with transaction.atomic():
            lost.append(
                issue_notice(
                    case=case,
                    kind=NoticeKind.ONE_TIME,
                    actor=people["hanmei"],
                    content=problems,
                    now=NOW,
                )
            )
            raise PowerCut  # the server dies before the commit

    with pytest.raises(PowerCut):
        dying_issue()
    lost_path = Path(lost[0].pdf.path)
    assert lost_path.exists()
    assert not Notice.objects.filter(number=lost[0].number).exists()
    for path in (lost_path, Path(kept.pdf.path)):
        os.utime(path, (0, 0))  # older than any grace period
    out = StringIO()
    call_command("cases_clean_orphans", stdout=out)
    assert "共删除孤立文件 1 个" in out.getvalue()
    assert not lost_path.exists()
    assert Path(kept.pdf.path).exists()
