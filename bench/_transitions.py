"""Worker of ``bench_transitions``, run in a subprocess against a migrated, throw-away
database (``DATABASE_URL``)::

    python -m bench._transitions N BASELINE_N   # prints one JSON object

The process: 受理 → 审查 → 三部门并联会签 → 决定 → 办结 → 送达 (6 steps; the sign-off step is
three tasks of three departments that run in parallel and must all be done before 决定).
Each case is created, then driven through 8 user actions (受理, 审查, 会签 ×3, 决定, 办结, 送达),
and saved after each one (9 saves with the creation), on both sides.

*Ours*: the platform's models and state machine. Each action is one ``transaction.atomic``
calling ``workflow.apply_transition`` (the TRANSITIONS table, the actor's capability for the
case's department, the case row, a ``CaseTransition`` row and an audit event) and
``steps.open_task`` / Task rows. The cases module has no parallel construct, so the sign-off
is built here from what it has: entering the 会签 step opens three Task rows (one per
department, role approver); each department's approver (capability ``case.review`` in *that*
department, checked) completes its task with an opinion and an audit event; the completion
that finds no other open sign-off task advances the case to 决定 in the same transaction.

*Baseline*: SpiffWorkflow 3.2 running the equivalent BPMN (below: user tasks, a parallel
gateway and its join), completing each ready user task programmatically with the same data
(actor, opinion), and after each one serialising the workflow with
``BpmnWorkflowSerializer.serialize_json`` and storing the JSON in a table of the same database
(``bench_spiff_state``: one row per case, updated), in one transaction per save.

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

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="defs" targetNamespace="https://onewindow.example/bench">
  <bpmn:process id="licence" name="行政许可（三部门并联会签）" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="accept" name="受理"/>
    <bpmn:userTask id="review" name="审查"/>
    <bpmn:parallelGateway id="fork"/>
    <bpmn:userTask id="sign_scjgj" name="会签：区市场监管局"/>
    <bpmn:userTask id="sign_wsjkw" name="会签：区卫生健康委"/>
    <bpmn:userTask id="sign_fgw" name="会签：区发展改革委"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:userTask id="decide" name="决定"/>
    <bpmn:userTask id="conclude" name="办结"/>
    <bpmn:userTask id="deliver" name="送达"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="accept"/>
    <bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="review"/>
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="fork"/>
    <bpmn:sequenceFlow id="f4" sourceRef="fork" targetRef="sign_scjgj"/>
    <bpmn:sequenceFlow id="f5" sourceRef="fork" targetRef="sign_wsjkw"/>
    <bpmn:sequenceFlow id="f6" sourceRef="fork" targetRef="sign_fgw"/>
    <bpmn:sequenceFlow id="f7" sourceRef="sign_scjgj" targetRef="join"/>
    <bpmn:sequenceFlow id="f8" sourceRef="sign_wsjkw" targetRef="join"/>
    <bpmn:sequenceFlow id="f9" sourceRef="sign_fgw" targetRef="join"/>
    <bpmn:sequenceFlow id="f10" sourceRef="join" targetRef="decide"/>
    <bpmn:sequenceFlow id="f11" sourceRef="decide" targetRef="conclude"/>
    <bpmn:sequenceFlow id="f12" sourceRef="conclude" targetRef="deliver"/>
    <bpmn:sequenceFlow id="f13" sourceRef="deliver" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

SIGN_DEPARTMENTS = ("SCJGJ", "WSJKW", "FGW")
ACTIONS_PER_CASE = 8
SAVES_PER_CASE = ACTIONS_PER_CASE + 1
OPINION = "同意"
BATCH = 500  # cases created per setup transaction (untimed), and driven per round


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

    def create(self, i: int) -> Any:
        from django.db import transaction

        from onewindow.cases.models import Case
        from onewindow.cases.states import CaseStatus

        with transaction.atomic():
            return Case.objects.create(
                number=f"BENCH{i:010d}",
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

    def run(self, n: int) -> dict[str, Any]:
        from onewindow.common import clock

        self.now = clock.now()
        started = time.perf_counter()
        for i in range(n):
            self.drive(self.create(i))
        seconds = time.perf_counter() - started
        return {"seconds": seconds, **self.state(n)}

    def state(self, n: int) -> dict[str, Any]:
        from django.db import connection
        from django.db.models import Count

        from onewindow.cases.models import Case, CaseTransition, Task

        status = dict(
            Case.objects.filter(number__startswith="BENCH")
            .values_list("status")
            .annotate(n=Count("id"))
        )
        case_ids = "SELECT id FROM cases_case WHERE number LIKE 'BENCH%%'"
        total = 0
        for model, where in (
            (Case, f"id IN ({case_ids})"),
            (CaseTransition, f"case_id IN ({case_ids})"),
            (Task, f"case_id IN ({case_ids})"),
        ):
            total += table_bytes(connection, model._meta.db_table, where)
        audit = table_bytes(
            connection,
            "audit_auditevent",
            "object_type = 'cases.case' AND object_id IN (SELECT CAST(id AS TEXT) "
            "FROM cases_case WHERE number LIKE 'BENCH%%')",
        )
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM cases_casetransition WHERE case_id IN ({case_ids})")
            transitions = cur.fetchone()[0]
            cur.execute(f"SELECT COUNT(*) FROM cases_task WHERE case_id IN ({case_ids})")
            tasks = cur.fetchone()[0]
        return {
            "by_status": status,
            "transitions": transitions,
            "tasks": tasks,
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


# ---------------------------------------------------------------------------- baseline


def baseline(n: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.util.task import TaskState

    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_spiff_state (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
    parser = BpmnParser()
    parser.add_bpmn_str(BPMN.encode())
    spec = parser.get_spec("licence")
    serializer = BpmnWorkflowSerializer()
    actors = {
        "accept": "lisi",
        "review": "wangwu",
        "sign_scjgj": "wangwu",
        "sign_wsjkw": "hanmei",
        "sign_fgw": "bench_fgw",
        "decide": "sunli",
        "conclude": "lisi",
        "deliver": "lisi",
    }
    saves = 0
    started = time.perf_counter()
    for i in range(n):
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "INSERT INTO bench_spiff_state (id, state) VALUES (%s, %s)",
                [i, serializer.serialize_json(workflow)],
            )
        saves += 1
        while not workflow.is_completed():
            task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
            name = task.task_spec.bpmn_id
            task.data[name] = {"actor": actors[name], "opinion": OPINION}
            task.run()
            workflow.do_engine_steps()
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(
                    "UPDATE bench_spiff_state SET state = %s WHERE id = %s",
                    [serializer.serialize_json(workflow), i],
                )
            saves += 1
    seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        sizes = "SUM(pg_column_size(state)), SUM(octet_length(state))"
    else:
        sizes = "SUM(LENGTH(CAST(state AS BLOB))), SUM(LENGTH(CAST(state AS BLOB)))"
    with connection.cursor() as cur:
        cur.execute(f"SELECT {sizes} FROM bench_spiff_state")
        stored, raw = cur.fetchone()
    return {
        "seconds": seconds,
        "saves": saves,
        "state_bytes_per_case": int(stored) / n,
        "json_bytes_per_case": int(raw) / n,
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    from django.db import connection

    n, baseline_n = int(argv[0]), int(argv[1])
    ours = Ours().run(n)
    base = baseline(baseline_n)
    print(json.dumps({"vendor": connection.vendor, "ours": ours, "baseline": base}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
