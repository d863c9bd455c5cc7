"""Database side of the submission benchmark and the fault tests, run in a subprocess with
the target ``DATABASE_URL`` (the harness process keeps its own settings)::

    python -m bench._fixture setup CLIENTS   # demo district + the bench item + accounts
    python -m bench._fixture verify          # is every case whole? (JSON on stdout)

``setup`` loads the demo district through its services (``load_demo``), imports one item
of 区市场监管局 with five required, core materials the applicant uploads (and no form
fields, so that a case is exactly: create, five uploads, submit) through the catalogue
import (published), and opens ``CLIENTS`` applicant accounts (natural persons). It prints
``{"item": code, "users": [...], "password": ...}``.

``verify`` checks every case: a submitted case has its five materials uploaded (each file
present in ``MEDIA_ROOT``), one ``case.created``, five ``case.material_uploaded`` and one
``case.submit`` audit event and one transition; it prints the counts and the problems.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ITEM_BASIC_CODE = "000199009000"
MATERIALS = [
    ("BENCH-M1", "申请书"),
    ("BENCH-M2", "身份证明"),
    ("BENCH-M3", "场所证明"),
    ("BENCH-M4", "平面布局图"),
    ("BENCH-M5", "承诺书"),
]
PASSWORD = "Onewindow-2026"
PROBLEMS_SHOWN = 20


def catalogue() -> dict[str, Any]:
    return {
        "format": "onewindow.catalog/1",
        "material_types": [
            {"code": code, "name": name, "description": "", "licence_type_code": ""}
            for code, name in MATERIALS
        ],
        "fields": [],
        "themes": [],
        "items": [
            {
                "basic_code": ITEM_BASIC_CODE,
                "department": "SCJGJ",
                "name": "基准测试事项（五份材料）",
                "kind": "licensing",
                "handling_level": "district",
                "subject_type": "natural",
                "keywords": "基准测试",
                "themes": [],
                "limit_unit": "working_day",
                "legal_limit": 20,
                "promised_limit": 5,
                "is_instant": False,
                "visits_required": 0,
                "online_level": "fully_online",
                "fee_yuan": "0.00",
                "fee_basis": "不收费",
                "legal_basis": "基准测试用，无实际法律依据",
                "conditions": "基准测试用",
                "delivery_methods": ["electronic"],
                "result_name": "基准测试结果",
                "commitment_allowed": False,
                "cross_district": False,
                "cross_province": False,
                "service_points": [],
                "consult_phone": "023-00000000",
                "complaint_phone": "12345",
                "notes": "",
                "steps": [
                    {"kind": "accept", "name": "受理", "role": "window_clerk", "limit": 1},
                    {"kind": "review", "name": "审查", "role": "approver", "limit": 2},
                    {"kind": "decide", "name": "决定", "role": "section_chief", "limit": 1},
                    {"kind": "conclude", "name": "办结", "role": "window_clerk", "limit": 1},
                ],
                "materials": [
                    {
                        "type": code,
                        "required": True,
                        "core": True,
                        "originals": 1,
                        "copies": 0,
                        "paper_required": False,
                        "source": "applicant",
                        "requirements": "",
                    }
                    for code, _name in MATERIALS
                ],
                "fields": [],
            }
        ],
    }


def setup(clients: int) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.test import override_settings

    from onewindow.catalog.importexport import import_catalog
    from onewindow.catalog.models import ServiceItem
    from onewindow.demo.data.codes import resident_id
    from onewindow.demo.data.org import AREA6
    from onewindow.demo.loader import load_demo
    from onewindow.org.models import User
    from onewindow.org.services import applicant_account_create

    # The demo's staff passwords are hashed with a fast hasher (nobody logs in as them
    # here; PBKDF2 would cost 0.35 s per account), and the bench accounts share one
    # PBKDF2 hash of PASSWORD made once, so that the server's login checks it normally.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        load_demo()
    admin = User.objects.get(username="admin")
    import_catalog(catalogue(), actor=admin, publish=True)
    item = ServiceItem.objects.get(basic_code=ITEM_BASIC_CODE)
    users = []
    for i in range(clients):
        username = f"bench{i:03d}"
        applicant_account_create(
            actor=None,
            username=username,
            password=None,
            display_name=f"测试{i:03d}",
            phone=f"137{i:08d}",
            kind="natural",
            name=f"测试{i:03d}",
            resident_id=resident_id(AREA6, "19900101", f"{i:03d}"),
        )
        users.append(username)
    User.objects.filter(username__in=users).update(password=make_password(PASSWORD))
    return {"item": item.code, "users": users, "password": PASSWORD}


def verify() -> dict[str, Any]:
    from django.conf import settings

    from onewindow.audit.models import AuditEvent
    from onewindow.cases.models import Case, CaseMaterial, CaseTransition

    media = Path(settings.MEDIA_ROOT)
    cases = {c.pk: c for c in Case.objects.only("pk", "number", "status")}
    by_status = Counter(c.status for c in cases.values())
    materials: dict[int, list[tuple[str, str]]] = {pk: [] for pk in cases}
    for case_id, status, name in CaseMaterial.objects.values_list("case_id", "status", "file"):
        materials.setdefault(case_id, []).append((status, name))
    events: dict[str, Counter[str]] = {}
    for object_id, action in AuditEvent.objects.filter(object_type="cases.case").values_list(
        "object_id", "action"
    ):
        events.setdefault(object_id, Counter())[action] += 1
    transitions = Counter(CaseTransition.objects.values_list("case_id", flat=True))
    problems: list[str] = []
    orphan_rows = set(materials) - set(cases)
    if orphan_rows:
        problems.append(f"材料行没有办件: {sorted(orphan_rows)[:PROBLEMS_SHOWN]}")
    for pk, case in cases.items():
        rows = materials.get(pk, [])
        audit = events.get(str(pk), Counter())
        if len(rows) != len(MATERIALS):
            problems.append(f"{case.number}: {len(rows)} 个材料槽位")
        if audit["case.created"] != 1:
            problems.append(f"{case.number}: case.created ×{audit['case.created']}")
        uploaded = [name for status, name in rows if status == "uploaded"]
        if audit["case.material_uploaded"] < len(uploaded):
            problems.append(f"{case.number}: 上传留痕少于已上传材料")
        if any(not (media / name).is_file() for name in uploaded):
            problems.append(f"{case.number}: 已上传材料的文件缺失")
        if case.status == "submitted":
            if len(uploaded) != len(MATERIALS):
                problems.append(f"{case.number}: 已提交但只有 {len(uploaded)} 份材料")
            if audit["case.submit"] != 1 or transitions[pk] != 1:
                problems.append(f"{case.number}: 已提交但提交留痕或流转记录不全")
            if audit["case.material_uploaded"] != len(MATERIALS):
                problems.append(
                    f"{case.number}: 上传留痕 {audit['case.material_uploaded']} 条（应为5条）"
                )
        elif case.status == "draft":
            if audit["case.submit"] or transitions[pk]:
                problems.append(f"{case.number}: 草稿却有提交留痕")
        else:
            problems.append(f"{case.number}: 意外的状态 {case.status}")
    return {
        "cases": len(cases),
        "by_status": dict(by_status),
        "material_rows": sum(len(v) for v in materials.values()),
        "audit_events": sum(sum(c.values()) for c in events.values()),
        "problems": problems[:PROBLEMS_SHOWN],
        "problem_count": len(problems),
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    if argv[:1] == ["setup"]:
        print(json.dumps(setup(int(argv[1]))))
    elif argv[:1] == ["verify"]:
        print(json.dumps(verify(), ensure_ascii=False))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
