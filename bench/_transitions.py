"""Worker of ``bench_transitions``, run in a subprocess against a migrated, throw-away
database (``DATABASE_URL``)::

    python -m bench._transitions N BASELINE_N SINGLE_N [BATCH]   # prints one JSON object

The process: 受理 → 审查 → 三部门并联会签 → 决定 → 办结 → 送达 (6 steps; the sign-off step is
three tasks of three departments that run in parallel and must all be done before 决定).
Each case is created, then driven through 8 user actions (受理, 审查, 会签 ×3, 决定, 办结, 送达),
and saved after each one (9 saves with the creation), on both sides.

*Ours, batch path* (``Ours.run``, the headline): batch processing (``cases.bulk``), BATCH
cases per transaction, step k of the whole batch committed before step k+1:
``apply_transitions`` for 受理, 决定, 办结, 送达 (the TRANSITIONS table per case, the actor's
capability once per department, optimistic UPDATE, one ``CaseTransition`` row and one audit
event per case); ``tasks_complete`` for 审查 and each department's sign-off (its approver's
role in *that* department checked; the completion that leaves no unfinished task in the step
advances the case to 决定 and opens its task); ``open_tasks`` for the co-signing
departments' tasks. Every item a batch refuses is kept in ``problems`` (a failed run).

*Ours, single-case path* (``Ours.run_single``, ``SINGLE_N`` cases): each action one
``transaction.atomic`` with ``workflow.apply_transition`` and ``steps.open_task`` / Task
rows; the sign-off built from Task rows and a check.

*Baseline* (``bench._transitions_baseline``): SpiffWorkflow 3.2 running the equivalent BPMN,
serialised after each user task and stored in the same database -- per batch of BATCH
workflows in one transaction and one statement (the headline), and one transaction per save.

State per case: on SQLite, the sum of ``LENGTH(CAST(column AS BLOB))`` over every column of
the case row, its transition rows and its task rows (the stored bytes of the values, without
page and index overhead) -- audit rows are reported apart (history, not state); on PostgreSQL
``pg_column_size(row)`` summed over the same rows. The baseline's state is the stored JSON:
``LENGTH(CAST(json AS BLOB))`` / ``pg_column_size(json)`` (also ``octet_length``).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from bench._transitions_baseline import OPINION, baseline

SIGN_DEPARTMENTS = ("SCJGJ", "WSJKW", "FGW")
ACTIONS_PER_CASE = 8
SAVES_PER_CASE = ACTIONS_PER_CASE + 1
BATCH = 500  # cases per transaction on the batch path (ours and the baseline)
BATCH_PREFIX, SINGLE_PREFIX = "BENCH", "SINGL"


def catalogue() -> dict[str, Any]:
    steps = [
        ("accept", "受理", "window_clerk"),
        ("review", "审查", "approver"),
        ("review", "三部门并联会签", "approver"),
        ("decide", "决定", "section_chief"),
        ("conclude", "办结", "window_clerk"),
    ]
    from bench._fixture import catalogue as submission_catalogue

    data = submission_catalogue()
    item = data["items"][0]
    item.update(
        basic_code="000199010000",
        name="基准测试事项（三部门并联会签）",
        steps=[{"kind": k, "name": n, "role": r, "limit": 1} for k, n, r in steps],
    )
    return data


# ---------------------------------------------------------------------------- ours


class Ours:
    def __init__(self) -> None:
        from django.test import override_settings

        from onewindow.catalog.importexport import import_catalog
        from onewindow.catalog.models import ServiceItem
        from onewindow.demo.data.org import DEMO_PASSWORD
        from onewindow.demo.loader import load_demo
        from onewindow.org.models import Applicant, Department, User
        from onewindow.org.services import staff_create

        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            load_demo()
            admin = User.objects.get(username="admin")
            import_catalog(catalogue(), actor=admin, publish=True)
            self.departments = {d.code: d for d in Department.objects.all()}
            staff_create(
                actor=admin,
                username="bench_fgw",
                display_name="测试审核人",
                password=DEMO_PASSWORD,
                roles=[("approver", self.departments["FGW"], None)],
                phone="13700009999",
            )
        item = ServiceItem.objects.select_related("current_version").get(basic_code="000199010000")
        self.version = item.current_version
        steps = list(self.version.steps.order_by("order"))
        self.review, self.signoff, self.decide = steps[1], steps[2], steps[3]
        people = {u.username: u for u in User.objects.all()}
        self.clerk = people["lisi"]
        self.approver = people["wangwu"]
        self.chief = people["sunli"]
        self.signers = {"SCJGJ": people["wangwu"], "WSJKW": people["hanmei"]}
        self.signers["FGW"] = people["bench_fgw"]
        self.applicant = Applicant.objects.get(users=people["zhangsan"], kind="natural")
        self.applicant_user = people["zhangsan"]

    def create(self, i: int, prefix: str = SINGLE_PREFIX) -> Any:
        from django.db import transaction

        from onewindow.cases.models import Case
        from onewindow.cases.states import CaseStatus

        with transaction.atomic():
            return Case.objects.create(
                number=f"{prefix}{i:010d}",
                item=self.version.item,
                item_version=self.version,
                department=self.version.item.department,
                applicant=self.applicant,
                created_by=self.applicant_user,
                status=CaseStatus.SUBMITTED,
                created_at=self.now,
                submitted_at=self.now,
                received_at=self.now,
            )

    def drive(self, case: Any) -> None:
        from django.db import transaction

        from onewindow.audit.services import record
        from onewindow.cases.models import Task, TaskStatus
        from onewindow.cases.states import CaseStatus
        from onewindow.cases.steps import open_task
        from onewindow.cases.workflow import apply_transition
        from onewindow.org.permissions import forget_roles, require_capability

        now = self.now
        # Each user action stands for one request: the actor's roles are read afresh (the
        # permission cache lives for one request), never carried over from earlier actions.
        forget_roles()
        with transaction.atomic():  # 受理
            case.accepted_at = now
            apply_transition(
                case,
                "accept",
                actor=self.clerk,
                target=CaseStatus.IN_REVIEW,
                step=self.review,
                now=now,
                save_fields=("accepted_at",),
            )
            open_task(case, self.review, now=now)
        forget_roles()
        with transaction.atomic():  # 审查 → 会签: three departments' tasks
            apply_transition(
                case,
                "advance",
                actor=self.approver,
                target=CaseStatus.IN_REVIEW,
                step=self.signoff,
                note=OPINION,
                now=now,
                save_fields=(),
            )
            case.tasks.filter(status=TaskStatus.OPEN).update(
                status=TaskStatus.DONE, completed_at=now, assignee=self.approver
            )
            Task.objects.bulk_create(
                Task(
                    case=case,
                    step=self.signoff,
                    department=self.departments[code],
                    role="approver",
                    created_at=now,
                )
                for code in SIGN_DEPARTMENTS
            )
        for code in SIGN_DEPARTMENTS:  # each department signs on its own
            signer = self.signers[code]
            forget_roles()
            with transaction.atomic():
                task = (
                    Task.objects.select_for_update(of=("self",))
                    .select_related("department")
                    .get(case=case, step=self.signoff, department=self.departments[code])
                )
                require_capability(signer, "case.review", department=task.department)
                task.status = TaskStatus.DONE
                task.assignee = signer
                task.completed_at = now
                task.opinion = OPINION
                task.save(update_fields=["status", "assignee", "completed_at", "opinion"])
                record(
                    action="case.signed_off",
                    actor=signer,
                    obj=case,
                    at=now,
                    summary=f"{case.number} 会签",
                    payload={"department": code, "opinion": OPINION},
                )
                if not case.tasks.filter(status=TaskStatus.OPEN).exists():  # the join
                    apply_transition(
                        case,
                        "advance",
                        actor=self.approver,
                        target=CaseStatus.IN_DECISION,
                        step=self.decide,
                        note="会签完成",
                        now=now,
                        save_fields=(),
                    )
                    open_task(case, self.decide, now=now)
        forget_roles()
        with transaction.atomic():  # 决定
            case.decided_at = now
            apply_transition(
                case,
                "approve",
                actor=self.chief,
                target=CaseStatus.APPROVED,
                now=now,
                save_fields=("decided_at",),
            )
            case.tasks.filter(status=TaskStatus.OPEN).update(
                status=TaskStatus.DONE, completed_at=now, assignee=self.chief
            )
        forget_roles()
        with transaction.atomic():  # 办结
            case.concluded_at = now
            apply_transition(
                case,
                "conclude",
                actor=self.clerk,
                target=CaseStatus.CONCLUDED,
                save_fields=("concluded_at",),
            )
        forget_roles()
        with transaction.atomic():  # 送达
            case.delivered_at = now
            apply_transition(
                case,
                "deliver",
                actor=self.clerk,
                target=CaseStatus.DELIVERED,
                save_fields=("delivered_at",),
            )

    # ------------------------------------------------------------ the batch path

    def create_batch(self, start: int, count: int) -> list[int]:
        """``count`` submitted cases in one transaction: one multi-row INSERT of the row
        an ORM ``Case(...)`` would store (its values adapted once, the number per case)."""
        from django.db import connection, transaction

        from onewindow.cases.bulk import insert_rows
        from onewindow.cases.models import Case
        from onewindow.cases.states import CaseStatus

        version, now = self.version, self.now
        template = Case(
            number="",
            item=version.item,
            item_version=version,
            department_id=version.item.department_id,
            applicant=self.applicant,
            created_by=self.applicant_user,
            status=CaseStatus.SUBMITTED,
            created_at=now,
            submitted_at=now,
            received_at=now,
        )
        fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
        names = [f.name for f in fields]
        values = [f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields]
        at = names.index("number")
        numbers = [f"{BATCH_PREFIX}{i:010d}" for i in range(start, start + count)]
        rows = [(*values[:at], number, *values[at + 1 :]) for number in numbers]
        with transaction.atomic():
            insert_rows(Case, names, rows)
            return list(
                Case.objects.filter(number__in=numbers).order_by("pk").values_list("pk", flat=True)
            )

    def drive_batch(self, ids: list[int]) -> list[str]:
        """Step k of every case of the batch in one transaction, then step k+1: the same
        8 user actions as ``drive``, through ``cases.bulk``. Returns the failures."""
        from django.db import transaction

        from onewindow.cases import bulk
        from onewindow.cases.bulk import open_tasks
        from onewindow.cases.models import Task, TaskStatus
        from onewindow.cases.states import CaseStatus
        from onewindow.org.permissions import forget_roles

        now, size = self.now, len(ids)
        problems: list[str] = []

        def check(step: str, result: bulk.BulkResult) -> None:
            if result.failed:
                problems.append(f"{step}: {result.failed[:3]} ({len(result.failed)} failed)")

        def open_of(code: str | None = None, step: Any = None) -> list[int]:
            qs = Task.objects.filter(case_id__in=ids, status=TaskStatus.OPEN)
            if code is not None:
                qs = qs.filter(department=self.departments[code])
            if step is not None:
                qs = qs.filter(step=step)
            return list(qs.values_list("pk", flat=True))

        forget_roles()  # each batch action stands for one request: roles read afresh
        with transaction.atomic():  # 受理: the cases enter 审查, a task each
            check(
                "accept",
                bulk.apply_transitions(
                    cases=ids,
                    name="accept",
                    actor=self.clerk,
                    target=CaseStatus.IN_REVIEW,
                    step=self.review,
                    now=now,
                    values={"accepted_at": now},
                    batch_size=size,
                ),
            )
            department = self.version.item.department_id
            open_tasks(ids, self.review, now=now, departments=dict.fromkeys(ids, department))
        forget_roles()
        with transaction.atomic():  # 审查 → 会签: the case's department and two more
            check(
                "review",
                bulk.tasks_complete(
                    actor=self.approver,
                    tasks=open_of(step=self.review),
                    opinion=OPINION,
                    now=now,
                    batch_size=size,
                ),
            )
            others = [self.departments[c].pk for c in SIGN_DEPARTMENTS[1:]]
            open_tasks(ids, self.signoff, now=now, departments=others, cancel_others=False)
        for code in SIGN_DEPARTMENTS:  # each department signs its tasks; the last one joins
            forget_roles()
            result = bulk.tasks_complete(
                actor=self.signers[code],
                tasks=open_of(code, self.signoff),
                opinion=OPINION,
                now=now,
                batch_size=size,
            )
            check(f"sign {code}", result)
        forget_roles()
        with transaction.atomic():  # 决定
            check(
                "approve",
                bulk.apply_transitions(
                    cases=ids,
                    name="approve",
                    actor=self.chief,
                    now=now,
                    values={"decided_at": now, "decided_by": self.chief},
                    batch_size=size,
                ),
            )
            Task.objects.filter(case_id__in=ids, status=TaskStatus.OPEN).update(
                status=TaskStatus.DONE, completed_at=now, assignee=self.chief
            )
        forget_roles()
        check(  # 办结
            "conclude",
            bulk.apply_transitions(
                cases=ids,
                name="conclude",
                actor=self.clerk,
                now=now,
                values={"concluded_at": now},
                batch_size=size,
            ),
        )
        forget_roles()
        check(  # 送达
            "deliver",
            bulk.apply_transitions(
                cases=ids,
                name="deliver",
                actor=self.clerk,
                now=now,
                values={"delivered_at": now},
                batch_size=size,
            ),
        )
        return problems

    def run(self, n: int, batch: int = BATCH) -> dict[str, Any]:
        """The batch path: ``batch`` cases per transaction, each case saved after each of
        its steps (step k of the whole batch committed before step k+1 starts)."""
        from onewindow.common import clock

        self.now = clock.now()
        problems: list[str] = []
        started = time.perf_counter()
        for start in range(0, n, batch):
            problems += self.drive_batch(self.create_batch(start, min(batch, n - start)))
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "batch": batch, "problems": problems[:5], **self.state(n)}

    def run_single(self, n: int) -> dict[str, Any]:
        """The single-case path: one transaction per case per action."""
        from onewindow.common import clock

        self.now = clock.now()
        started = time.perf_counter()
        for i in range(n):
            self.drive(self.create(i))
        seconds = time.perf_counter() - started
        return {"seconds": seconds, **self.state(n, prefix=SINGLE_PREFIX)}

    def state(self, n: int, prefix: str = BATCH_PREFIX) -> dict[str, Any]:
        from django.db import connection
        from django.db.models import Count

        from onewindow.cases.models import Case, CaseTransition, Task

        status = dict(
            Case.objects.filter(number__startswith=prefix)
            .values_list("status")
            .annotate(n=Count("id"))
        )
        case_ids = f"SELECT id FROM cases_case WHERE number LIKE '{prefix}%%'"
        total = 0
        for model, where in (
            (Case, f"id IN ({case_ids})"),
            (CaseTransition, f"case_id IN ({case_ids})"),
            (Task, f"case_id IN ({case_ids})"),
        ):
            total += table_bytes(connection, model._meta.db_table, where)
        audit_where = (
            "object_type = 'cases.case' AND object_id IN (SELECT CAST(id AS TEXT) "
            "FROM cases_case WHERE number LIKE '"
        )
        audit = table_bytes(
            connection,
            "audit_auditevent",
            f"{audit_where}{prefix}%%')",
        )
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM cases_casetransition WHERE case_id IN ({case_ids})")
            transitions = cur.fetchone()[0]
            cur.execute(f"SELECT COUNT(*) FROM cases_task WHERE case_id IN ({case_ids})")
            tasks = cur.fetchone()[0]
            cur.execute(f"SELECT COUNT(*) FROM audit_auditevent WHERE {audit_where}{prefix}%')")
            audit_rows = cur.fetchone()[0]
        return {
            "by_status": status,
            "transitions": transitions,
            "tasks": tasks,
            "audit_rows": audit_rows,
            "state_bytes_per_case": total / n,
            "audit_bytes_per_case": audit / n,
        }


def table_bytes(connection: Any, table: str, where: str) -> int:
    if connection.vendor == "postgresql":
        sql = f"SELECT COALESCE(SUM(pg_column_size(t.*)), 0) FROM {table} t WHERE {where}"
    else:
        with connection.cursor() as cur:
            cur.execute(f'PRAGMA table_info("{table}")')
            columns = [row[1] for row in cur.fetchall()]
        size = " + ".join(f'COALESCE(LENGTH(CAST("{c}" AS BLOB)), 0)' for c in columns)
        sql = f"SELECT COALESCE(SUM({size}), 0) FROM {table} WHERE {where}"
    with connection.cursor() as cur:
        cur.execute(sql.replace("%%", "%"))
        return int(cur.fetchone()[0])


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    from django.db import connection

    n, baseline_n, single_n = int(argv[0]), int(argv[1]), int(argv[2])
    batch = int(argv[3]) if len(argv) > 3 else BATCH
    ours = Ours()
    batched = ours.run(n, batch)
    single = ours.run_single(single_n)
    base = baseline(baseline_n, batch)
    base_single = baseline(baseline_n)
    out = {
        "vendor": connection.vendor,
        "ours": batched,
        "ours_single": single,
        "baseline": base,
        "baseline_single": base_single,
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
