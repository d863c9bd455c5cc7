"""The baseline of ``bench_transitions``: SpiffWorkflow 3.2 running the BPMN equivalent of
the platform's process (user tasks, a parallel gateway and its join), completing each ready
user task with the same data as ours and storing the serialised workflow after each one in
the same database -- one transaction per save, or per batch of workflows (the persistence
the batch path uses on our side). Run by ``bench._transitions``.
"""

from __future__ import annotations

import time
from typing import Any

OPINION = "同意"

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


def baseline(n: int, batch: int | None = None) -> dict[str, Any]:
    """SpiffWorkflow on ``n`` cases. ``batch=None``: each save its own transaction (one
    INSERT or UPDATE). ``batch=B``: the batch path's persistence -- B workflows advanced one
    user task each, serialised, and stored in one transaction with one statement (at
    creation a multi-row INSERT, then one ``UPDATE ... SET state = CASE id ... END``; on
    PostgreSQL both from ``unnest`` of one array per column, as ours writes its rows)."""
    from django.db import connection, transaction
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.util.task import TaskState

    table = "bench_spiff_state" if batch is None else "bench_spiff_batch_state"
    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
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

    def step(workflow: Any) -> None:
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        name = task.task_spec.bpmn_id
        task.data[name] = {"actor": actors[name], "opinion": OPINION}
        task.run()
        workflow.do_engine_steps()

    def start() -> Any:
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        return workflow

    postgres = connection.vendor == "postgresql"
    saves = 0
    started = time.perf_counter()
    if batch is None:
        for i in range(n):
            workflow = start()
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(
                    f"INSERT INTO {table} (id, state) VALUES (%s, %s)",
                    [i, serializer.serialize_json(workflow)],
                )
            saves += 1
            while not workflow.is_completed():
                step(workflow)
                with transaction.atomic(), connection.cursor() as cur:
                    cur.execute(
                        f"UPDATE {table} SET state = %s WHERE id = %s",
                        [serializer.serialize_json(workflow), i],
                    )
                saves += 1
    else:
        for first in range(0, n, batch):
            ids = list(range(first, min(n, first + batch)))
            flows = {i: start() for i in ids}
            rows = [(i, serializer.serialize_json(flows[i])) for i in ids]
            with transaction.atomic(), connection.cursor() as cur:
                if postgres:  # as ours: one array parameter per column
                    cur.execute(
                        f"INSERT INTO {table} (id, state) "
                        "SELECT * FROM unnest(%s::integer[], %s::text[])",
                        [list(c) for c in zip(*rows, strict=True)],
                    )
                else:
                    cur.execute(
                        f"INSERT INTO {table} (id, state) VALUES "
                        + ", ".join(["(%s, %s)"] * len(rows)),
                        [v for row in rows for v in row],
                    )
            saves += len(rows)
            while not all(f.is_completed() for f in flows.values()):
                rows = []
                for i, workflow in flows.items():
                    if not workflow.is_completed():
                        step(workflow)
                        rows.append((i, serializer.serialize_json(workflow)))
                with transaction.atomic(), connection.cursor() as cur:
                    if postgres:
                        cur.execute(
                            f"UPDATE {table} t SET state = v.state FROM unnest(%s::integer[], "
                            "%s::text[]) AS v(id, state) WHERE t.id = v.id",
                            [list(c) for c in zip(*rows, strict=True)],
                        )
                    else:
                        whens = " ".join(["WHEN %s THEN %s"] * len(rows))
                        marks = ", ".join(["%s"] * len(rows))
                        cur.execute(
                            f"UPDATE {table} SET state = CASE id {whens} END WHERE id IN ({marks})",
                            [v for row in rows for v in row] + [i for i, _ in rows],
                        )
                saves += len(rows)
    seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        sizes = "SUM(pg_column_size(state)), SUM(octet_length(state))"
    else:
        sizes = "SUM(LENGTH(CAST(state AS BLOB))), SUM(LENGTH(CAST(state AS BLOB)))"
    with connection.cursor() as cur:
        cur.execute(f"SELECT {sizes} FROM {table}")
        stored, raw = cur.fetchone()
    return {
        "seconds": seconds,
        "saves": saves,
        "state_bytes_per_case": int(stored) / n,
        "json_bytes_per_case": int(raw) / n,
    }
