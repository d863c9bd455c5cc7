"""Rendering a bundle's merged guide (一次告知): a bundle of 10 items from 10 departments with
60 form fields and 40 materials once merged, rendered as the public guide page.

Setup (not timed; a throw-away SQLite database made here, migrated): ten departments, a
centre administrator, the catalogue imported through the catalogue import (60 field
definitions, 40 material types, 10 published items: each with 6 fields of its own, 3
fields every item asks with different limits -- the stricter one wins in the merged form --
4 materials of its own and 2 every item asks, de-duplicated in the merged list), and the
bundle published through the bundle services (two members conditional on a question).

Measured: ``GET /bundles/<code>/`` through Django's test client (the whole request:
reading the bundle, its members' published versions, merging materials, fields and limits
into one guide, the reduction figures, the template), ``RUNS`` times after a warm-up; the
median and p95. Also the merge alone (``bundles.selectors.bundle_guide``).

Baseline, in the same process: the ten items' own guide pages ``GET /items/<code>/``, one
after the other -- what an applicant reads without the bundle. ``ratio`` = baseline ÷ ours.

Requirement (issue 4): the bundle's guide renders in under 50 ms (median).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ITEMS, OWN_FIELDS, SHARED_FIELDS, OWN_MATERIALS, SHARED_MATERIALS = 10, 6, 3, 4, 2
FULL_RUNS, QUICK_RUNS = 200, 20
LIMIT_MS = 50.0


def catalogue() -> tuple[dict[str, Any], list[str]]:
    """The catalogue to import and the departments' codes."""
    departments = [f"BG{d:02d}" for d in range(ITEMS)]
    fields = [
        {"code": f"bg_f{n:02d}", "label": f"字段{n:02d}", "type": "text", "constraints": {}}
        for n in range(ITEMS * OWN_FIELDS)
    ]
    materials = [
        {"code": f"BG-M{n:02d}", "name": f"材料{n:02d}", "description": "", "licence_type_code": ""}
        for n in range(ITEMS * OWN_MATERIALS)
    ]
    items = []
    for i, dept in enumerate(departments):
        own_fields = [f"bg_f{i * OWN_FIELDS + k:02d}" for k in range(OWN_FIELDS)]
        shared_fields = [f"bg_f{k:02d}" for k in range(SHARED_FIELDS)]
        own_materials = [f"BG-M{i * OWN_MATERIALS + k:02d}" for k in range(OWN_MATERIALS)]
        shared_materials = [f"BG-M{k:02d}" for k in range(SHARED_MATERIALS)]
        item_materials = list(dict.fromkeys(own_materials + shared_materials))
        item_fields = list(dict.fromkeys(own_fields + shared_fields))
        items.append(
            {
                "basic_code": f"0009{i:02d}001000",
                "department": dept,
                "name": f"基准事项{i:02d}",
                "kind": "licensing",
                "handling_level": "district",
                "subject_type": "both",
                "keywords": "基准",
                "themes": [],
                "limit_unit": "working_day",
                "legal_limit": 20,
                "promised_limit": 3 + i % 5,
                "is_instant": False,
                "visits_required": 1,
                "online_level": "fully_online",
                "fee_yuan": "0.00",
                "fee_basis": "不收费",
                "legal_basis": f"基准测试依据第{i}条",
                "conditions": f"基准事项{i:02d}的受理条件：" + "申请人应当具备相应条件。" * 5,
                "delivery_methods": ["window", "electronic"],
                "result_name": f"基准结果{i:02d}",
                "commitment_allowed": False,
                "cross_district": False,
                "cross_province": False,
                "service_points": [],
                "consult_phone": "023-00000000",
                "complaint_phone": "12345",
                "notes": "",
                "steps": [
                    {"kind": "accept", "name": "受理", "role": "window_clerk", "limit": 1},
                    {"kind": "review", "name": "审查", "role": "approver", "limit": 1},
                    {"kind": "decide", "name": "决定", "role": "section_chief", "limit": 1},
                    {"kind": "conclude", "name": "办结", "role": "window_clerk", "limit": 1},
                ],
                "materials": [
                    {
                        "type": code,
                        "required": True,
                        "core": n % 3 != 2,
                        "originals": 1,
                        "copies": n % 2,
                        "paper_required": False,
                        "source": "applicant",
                        "requirements": f"{code}的填报要求",
                    }
                    for n, code in enumerate(item_materials)
                ],
                "fields": [
                    {
                        "field": code,
                        "required": True,
                        # the shared fields' limits differ: the merged form takes the stricter
                        "constraints": {"max_length": 40 + i} if code in shared_fields else {},
                    }
                    for code in item_fields
                ],
            }
        )
    data = {
        "format": "onewindow.catalog/1",
        "material_types": materials,
        "fields": fields,
        "themes": [],
        "items": items,
    }
    return data, departments


def setup() -> str:
    from onewindow.bundles.services import bundle_upsert_published
    from onewindow.catalog.importexport import import_catalog
    from onewindow.catalog.models import ServiceItem
    from onewindow.demo.data.codes import uscc
    from onewindow.org.models import Role
    from onewindow.org.services import department_upsert, staff_create

    data, departments = catalogue()
    for n, code in enumerate(departments):
        department_upsert(
            actor=None,
            code=code,
            name=f"基准部门{n:02d}",
            uscc=uscc("11", "500102", f"9{n:07d}"),
            order=n,
        )
    admin = staff_create(
        actor=None,
        username="bench_admin",
        display_name="基准管理员",
        password="Onewindow-2026",
        roles=[(Role.CENTRE_ADMIN, None, None)],
    )
    import_catalog(data, actor=admin, publish=True)
    codes = [ServiceItem.objects.get(basic_code=item["basic_code"]).code for item in data["items"]]
    bundle = {
        "code": "BG01",
        "kind": "enterprise_event",
        "lead_department": departments[0],
        "name": "基准一件事（十个事项）",
        "description": "基准测试用",
        "audience": "both",
        "keywords": "基准",
        "promised_limit": 8,
        "visits_required": 1,
        "on_refusal": "continue_without",
        "lead_note": "",
        "industry_licence": False,
        "industry_licence_name": "",
        "members": [
            {
                "item": code,
                "required": n < ITEMS - 2,
                "essential": n < ITEMS - 2,
                "early_delivery": False,
                "joint_inspection": n % 2 == 0,
            }
            for n, code in enumerate(codes)
        ],
        "questions": [
            {"code": "extra", "text": "是否需要附加事项？", "help_text": "", "type": "yes_no"}
        ],
        "rules": [{"question": "extra", "answer": "yes", "items": codes[ITEMS - 2 :]}],
    }
    bundle_upsert_published(actor=admin, data=bundle)
    return codes[0]


def measure(runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client

    from onewindow.bundles.models import Bundle
    from onewindow.bundles.selectors import bundle_guide
    from onewindow.catalog.models import ServiceItem

    setup()
    client = Client()
    bundle_url = "/bundles/BG01/"
    item_urls = [
        f"/items/{code}/"
        for code in ServiceItem.objects.filter(basic_code__startswith="0009")
        .order_by("basic_code")
        .values_list("code", flat=True)
    ]

    def timed(fn: Any) -> list[float]:
        fn()  # warm-up
        out = []
        for _ in range(runs):
            began = time.perf_counter()
            fn()
            out.append(time.perf_counter() - began)
        return out

    def get_bundle() -> None:
        r = client.get(bundle_url, {"extra": "yes"})
        if r.status_code != 200:
            raise RuntimeError(f"bundle guide: HTTP {r.status_code}")

    def get_items() -> None:
        for url in item_urls:
            r = client.get(url)
            if r.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {r.status_code}")

    page = client.get(bundle_url, {"extra": "yes"}).content.decode()
    guide = bundle_guide("BG01", {"extra": "yes"})
    checks = {
        "items": len(guide.applicable),
        "materials": len(guide.materials),
        "fields": len(guide.fields),
        "conflicts": len(guide.conflicts),
    }
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):  # the test client resets connection.queries
        get_bundle()
    ours = timed(get_bundle)
    merge = timed(lambda: bundle_guide("BG01", {"extra": "yes"}))
    baseline = timed(get_items)
    p50 = statistics.median(ours)
    base50 = statistics.median(baseline)
    failed = []
    if checks != {"items": ITEMS, "materials": 40, "fields": 60, "conflicts": 0}:
        failed.append(f"the merged guide is not 10 items / 40 materials / 60 fields: {checks}")
    if "材料39" not in page or "字段59" not in page:
        failed.append("the page does not list every material and field")
    if p50 * 1000 >= LIMIT_MS:
        failed.append(f"median {p50 * 1000:.1f} ms >= {LIMIT_MS} ms")
    assert Bundle.objects.filter(code="BG01").exists()
    return {
        "name": "bundle_guide",
        "n": runs,
        "ours_s": round(p50, 5),
        "ours_p50_ms": round(p50 * 1000, 2),
        "ours_p95_ms": round(sorted(ours)[int(len(ours) * 0.95) - 1] * 1000, 2),
        "merge_only_p50_ms": round(statistics.median(merge) * 1000, 2),
        "queries": len(queries),
        "merged": checks,
        "baseline": "the 10 items' own guide pages, one after the other",
        "baseline_s": round(base50, 5),
        "ratio": round(base50 / p50, 2),
        "ok": not failed,
        **({"failed": "; ".join(failed)} if failed else {}),
    }


def run(quick: bool) -> list[dict[str, Any]]:
    runs = QUICK_RUNS if quick else FULL_RUNS
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="onewindow-bench-guide-") as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/guide.sqlite3",
            "MEDIA_ROOT": str(Path(tmp) / "media"),
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "onewindow.settings",
            "PYTHONPATH": str(root),
        }
        subprocess.run(
            [sys.executable, str(root / "manage.py"), "migrate", "--noinput", "-v0"],
            env=env,
            check=True,
            cwd=root,
        )
        out = subprocess.run(
            [sys.executable, "-m", "bench.bench_bundle_guide", "--child", str(runs)],
            env=env,
            check=True,
            cwd=root,
            capture_output=True,
            text=True,
        )
    return [json.loads(out.stdout.strip().splitlines()[-1])]


if __name__ == "__main__" and "--child" in sys.argv:
    import django

    django.setup()
    print(json.dumps(measure(int(sys.argv[-1])), ensure_ascii=False))
