"""Batch processing (批量办理, ``onewindow.cases.bulk``): the TRANSITIONS table per case,
capability per department, optimistic concurrency, exactly one transition row and one audit
event per case, all or nothing on request, the parallel sign-off's join, a bundle following
its sub-case, and the API's permission matrix.

People: 张三 (zhangsan) applies; 李四 (lisi) accepts at the window; 陈晨 (chenchen) pre-reviews;
韩梅 (hanmei) reviews for 区卫生健康委; 王五 (wangwu) reviews for 区市场监管局 only; 赵六
(zhaoliu) supervises; 钱七 (qianqi) is another applicant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Event, record, record_many
from onewindow.cases import bulk
from onewindow.cases.models import Case, CaseTransition, Task, TaskStatus
from onewindow.cases.states import CaseStatus
from onewindow.cases.steps import processing_steps, state_for
from onewindow.common.errors import ValidationFailed
from onewindow.org.models import Department
from onewindow.org.permissions import forget_roles
from tests.cases.conftest import published
from tests.cases.test_processing_support import at, media_root, reload, submitted_case  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

NOW = at(2026, 3, 2, 10)
CLINIC = "医疗机构执业登记"  # 区卫生健康委: accept → review (approver) → decide → conclude
LICENCE = "营业执照设立登记"  # 区市场监管局: accept → decide → conclude


def submitted(name: str, people: dict[str, Any], n: int) -> list[Case]:
    version = published(name)
    return [submitted_case(version, people["zhangsan"], when=NOW) for _ in range(n)]


def in_processing(name: str, people: dict[str, Any], n: int) -> list[Case]:
    """``n`` cases of ``name`` accepted by 李四 into their first step, a task each."""
    cases = submitted(name, people, n)
    first = processing_steps(cases[0])[0]
    result = bulk.apply_transitions(
        cases=cases,
        name="accept",
        actor=people["lisi"],
        target=state_for(first),
        step=first,
        values={"accepted_at": NOW},
        now=NOW,
    )
    assert [i.code for i in result.items] == ["applied"] * n
    from django.db import transaction

    with transaction.atomic():
        bulk.open_tasks(
            [c.pk for c in cases],
            first,
            now=NOW,
            departments={c.pk: c.department_id for c in cases},
        )
    return [reload(c) for c in cases]


def transitions(case: Case, name: str) -> int:
    return CaseTransition.objects.filter(case=case, name=name).count()


def audits(case: Case, action: str) -> int:
    return AuditEvent.objects.filter(
        object_type="cases.case", object_id=str(case.pk), action=action
    ).count()


# ------------------------------------------------------------------------ transitions


def test_the_table_decides_for_each_case_and_each_move_is_logged_once(
    people: dict[str, Any],
) -> None:
    cases = submitted(CLINIC, people, 4)
    early = bulk.apply_transitions(cases=cases[3:], name="prereview", actor=people["chenchen"])
    assert early.codes() == {cases[3].pk: "applied"}
    result = bulk.apply_transitions(
        cases=[*cases, 987654321], name="prereview", actor=people["chenchen"], note="材料齐全"
    )
    codes = [i.code for i in result.items]
    assert codes == ["applied", "applied", "applied", "illegal_transition", "case_not_found"]
    refused = result.items[3]
    assert not refused.ok
    assert refused.status == CaseStatus.PREREVIEWED
    assert refused.message == "办件当前状态为“已预审，待受理”，不能执行“预审通过”"
    for case in cases[:3]:
        assert case.status == CaseStatus.PREREVIEWED  # the caller's objects follow
        assert reload(case).status == CaseStatus.PREREVIEWED
        row = CaseTransition.objects.get(case=case, name="prereview")
        assert (row.from_status, row.to_status, row.actor, row.note) == (
            "submitted",
            "prereviewed",
            people["chenchen"],
            "材料齐全",
        )
        event = AuditEvent.objects.get(object_id=str(case.pk), action="case.prereview")
        assert event.actor == people["chenchen"]
        assert event.payload["from"] == "submitted"
        assert event.payload["bulk"] is True
        assert event.summary == f"{case.number} 预审通过"
    assert transitions(cases[3], "prereview") == 1  # the earlier one only
    assert audits(cases[3], "case.prereview") == 1


def test_a_transition_the_applicant_performs_is_not_a_batch_action(people: dict[str, Any]) -> None:
    cases = submitted(CLINIC, people, 1)
    with pytest.raises(ValueError, match="applicant's own action"):
        bulk.apply_transitions(cases=cases, name="withdraw", actor=people["lisi"])
    with pytest.raises(ValueError, match="target"):
        bulk.apply_transitions(cases=cases, name="accept", actor=people["lisi"])
    assert reload(cases[0]).status == CaseStatus.SUBMITTED


def test_authority_is_checked_per_department_once_per_batch(people: dict[str, Any]) -> None:
    clinic = in_processing(CLINIC, people, 2)  # 区卫生健康委, in review
    licence = in_processing(LICENCE, people, 1)  # 区市场监管局, in decision
    hanmei = people["hanmei"]
    result = bulk.apply_transitions(
        cases=[*clinic, *licence], name="suspend", actor=hanmei, note="专家评审", now=NOW
    )
    assert [i.code for i in result.items] == ["applied", "applied", "permission_denied"]
    assert result.items[2].message == "您无权对该办件执行“中止（特别程序）”"
    assert reload(licence[0]).status == CaseStatus.IN_DECISION
    assert transitions(licence[0], "suspend") == audits(licence[0], "case.suspend") == 0

    # set-based: the queries do not grow with the number of cases
    def queries(cases: list[Case]) -> int:
        forget_roles()
        with CaptureQueriesContext(connection) as ctx:
            bulk.apply_transitions(cases=cases, name="resume", actor=hanmei, target="in_review")
        return len(ctx.captured_queries)

    more = in_processing(CLINIC, people, 5)
    bulk.apply_transitions(cases=more, name="suspend", actor=hanmei)
    assert queries(clinic[:1]) == queries(more)


def test_a_case_changed_underneath_is_a_conflict_and_the_rest_proceeds(
    people: dict[str, Any],
) -> None:
    cases = submitted(CLINIC, people, 3)
    victim = cases[1]

    def concurrent_withdrawal(execute: Callable, sql: str, params: Any, many: bool, context: Any):
        # Another request withdraws one case between the batch's read and its UPDATE.
        if sql.startswith("UPDATE") and "RETURNING" in sql and not fired:
            fired.append(sql)
            context["cursor"].execute(
                "UPDATE cases_case SET status = %s WHERE id = %s", ["withdrawn", victim.pk]
            )
        return execute(sql, params, many, context)

    fired: list[str] = []
    with connection.execute_wrapper(concurrent_withdrawal):
        result = bulk.apply_transitions(cases=cases, name="prereview", actor=people["chenchen"])
    assert fired
    assert [i.code for i in result.items] == ["applied", "conflict", "applied"]
    assert result.items[1].message == "办件已被他人同时处理，请刷新后重试"
    assert reload(victim).status == CaseStatus.WITHDRAWN
    assert transitions(victim, "prereview") == audits(victim, "case.prereview") == 0
    assert [transitions(c, "prereview") for c in (cases[0], cases[2])] == [1, 1]


def test_all_or_nothing_refuses_the_whole_call(people: dict[str, Any]) -> None:
    cases = submitted(CLINIC, people, 4)
    bulk.apply_transitions(cases=cases[3:], name="prereview", actor=people["chenchen"])
    before = AuditEvent.objects.count(), CaseTransition.objects.count()
    # batches of two: the first batch is fine, the second holds the illegal case
    with pytest.raises(bulk.BulkRefused) as refused:
        bulk.apply_transitions(
            cases=cases,
            name="prereview",
            actor=people["chenchen"],
            all_or_nothing=True,
            batch_size=2,
        )
    assert refused.value.status == 409
    assert refused.value.code == "bulk_refused"
    assert refused.value.fields["items"] == [
        {
            "id": cases[3].pk,
            "code": "illegal_transition",
            "message": "办件当前状态为“已预审，待受理”，不能执行“预审通过”",
        }
    ]
    assert [reload(c).status for c in cases[:3]] == [CaseStatus.SUBMITTED] * 3
    assert (AuditEvent.objects.count(), CaseTransition.objects.count()) == before


def test_without_all_or_nothing_each_batch_commits_on_its_own(people: dict[str, Any]) -> None:
    cases = submitted(CLINIC, people, 3)
    result = bulk.apply_transitions(
        cases=Case.objects.filter(pk__in=[c.pk for c in cases]),  # a queryset works too
        name="prereview",
        actor=people["chenchen"],
        batch_size=2,
    )
    assert [i.code for i in result.items] == ["applied"] * 3
    assert [transitions(c, "prereview") for c in cases] == [1, 1, 1]


PERSONAL = {"phone": "13912345678", "note": "身份证 11010519491231002X"}


def test_record_many_masks_personal_data_like_record(people: dict[str, Any]) -> None:
    from django.db import transaction

    with transaction.atomic():
        written = record_many(
            [
                Event(
                    action="test.bulk",
                    actor_id=people["lisi"].pk,
                    object_type="cases.case",
                    object_id="1",
                    summary="x" * 300,
                    payload=PERSONAL,
                ),
                Event(action="test.bulk", actor_id=None, object_type="", object_id="2"),
            ],
            at=NOW,
        )
    assert written == 2
    first, second = AuditEvent.objects.filter(action="test.bulk").order_by("object_id")
    assert first.payload == {"phone": "139****5678", "note": "身份证 110105********002X"}
    with transaction.atomic():
        single = record(action="test.single", actor=None, payload=PERSONAL, at=NOW)
    assert single.payload == first.payload
    assert (len(first.summary), first.at, first.actor) == (255, NOW, people["lisi"])
    assert (second.payload, second.actor) == ({}, None)


# ------------------------------------------------------------------------------ tasks


def open_task_ids(cases: list[Case], department: Any = None) -> list[int]:
    qs = Task.objects.filter(case__in=cases, status=TaskStatus.OPEN)
    if department is not None:
        qs = qs.filter(department=department)
    return list(qs.order_by("case_id").values_list("pk", flat=True))


def test_a_parallel_sign_off_moves_on_at_its_last_task(people: dict[str, Any]) -> None:
    from django.db import transaction

    cases = in_processing(CLINIC, people, 3)
    health, market = cases[0].department, Department.objects.get(code="SCJGJ")
    review = cases[0].current_step
    with transaction.atomic():  # 区市场监管局 co-signs the review step (并联会签)
        bulk.open_tasks(
            [c.pk for c in cases], review, now=NOW, departments=[market.pk], cancel_others=False
        )
    first = bulk.tasks_complete(
        actor=people["hanmei"], tasks=open_task_ids(cases, health), opinion="同意", now=NOW
    )
    assert [i.code for i in first.items] == ["completed"] * 3
    assert all(reload(c).status == CaseStatus.IN_REVIEW for c in cases)
    last = bulk.tasks_complete(
        actor=people["wangwu"], tasks=open_task_ids(cases, market), opinion="无异议", now=NOW
    )
    assert [(i.code, i.status) for i in last.items] == [("advanced", "in_decision")] * 3
    decide = processing_steps(cases[0])[1]
    for case in cases:
        case = reload(case)
        assert (case.status, case.current_step) == (CaseStatus.IN_DECISION, decide)
        done = case.tasks.filter(step=review).order_by("department_id")
        assert {(t.status, t.assignee.username, t.opinion) for t in done} == {
            ("done", "hanmei", "同意"),
            ("done", "wangwu", "无异议"),
        }
        (task,) = case.tasks.filter(status=TaskStatus.OPEN)
        assert (task.step, task.role, task.department) == (decide, "section_chief", health)
        advance = CaseTransition.objects.get(case=case, name="advance")
        assert (advance.actor, advance.note, advance.step) == (people["wangwu"], "无异议", decide)
        assert audits(case, "case.advance") == 1
        assert audits(case, "case.task_completed") == 1  # 韩梅's: the case waited behind it
        event = AuditEvent.objects.get(object_id=str(case.pk), action="case.advance")
        assert event.payload["from_step"] == review.name
        assert event.payload["task"] in {t.pk for t in done}


def test_a_task_is_refused_for_the_same_reasons_as_on_the_single_path(
    people: dict[str, Any],
) -> None:
    from onewindow.cases.services.processing import task_claim

    cases = in_processing(CLINIC, people, 3)
    licence = in_processing(LICENCE, people, 1)  # its task is a decision task
    tasks = open_task_ids(cases)
    with pytest.raises(ValidationFailed) as err:
        bulk.tasks_complete(actor=people["hanmei"], tasks=tasks, opinion="  ")
    assert err.value.code == "opinion_required"
    assert err.value.status == 422

    other = bulk.tasks_complete(actor=people["wangwu"], tasks=tasks, opinion="同意")
    assert {i.code for i in other.items} == {"task_forbidden"}  # not 区市场监管局's role

    hanmei_only = Task.objects.get(pk=tasks[1])
    task_claim(actor=people["hanmei"], task=hanmei_only, now=NOW)  # 韩梅 claims one
    decision = open_task_ids(licence)
    forget_roles()
    sunli = bulk.tasks_complete(
        actor=people["sunli"], tasks=[*decision, tasks[1], 123456789], opinion="同意"
    )
    assert [i.code for i in sunli.items] == [
        "task_is_decision",
        "task_claimed_by_other",
        "task_not_found",
    ]
    done = bulk.tasks_complete(actor=people["hanmei"], tasks=tasks, opinion="同意")
    assert [i.code for i in done.items] == ["advanced"] * 3
    again = bulk.tasks_complete(actor=people["hanmei"], tasks=tasks[:1], opinion="同意")
    assert [i.code for i in again.items] == ["task_not_open"]
    assert [transitions(c, "advance") for c in cases] == [1, 1, 1]


def test_a_task_taken_meanwhile_is_a_conflict(people: dict[str, Any]) -> None:
    cases = in_processing(CLINIC, people, 2)
    tasks = open_task_ids(cases)
    taken = tasks[0]

    def concurrent_claim(execute: Callable, sql: str, params: Any, many: bool, context: Any):
        if sql.startswith('UPDATE "cases_task"') and "RETURNING" in sql and not fired:
            fired.append(sql)  # 韩梅's colleague claims it between the read and the update
            context["cursor"].execute(
                "UPDATE cases_task SET status = %s, assignee_id = %s WHERE id = %s",
                ["claimed", people["sunli"].pk, taken],
            )
        return execute(sql, params, many, context)

    fired: list[str] = []
    with connection.execute_wrapper(concurrent_claim):
        result = bulk.tasks_complete(actor=people["hanmei"], tasks=tasks, opinion="同意")
    assert fired
    assert [i.code for i in result.items] == ["conflict", "advanced"]
    assert reload(cases[0]).status == CaseStatus.IN_REVIEW
    assert transitions(cases[0], "advance") == 0
    assert Task.objects.get(pk=taken).assignee == people["sunli"]


def test_all_or_nothing_tasks(people: dict[str, Any]) -> None:
    cases = in_processing(CLINIC, people, 2)
    licence = in_processing(LICENCE, people, 1)
    tasks = [*open_task_ids(cases), *open_task_ids(licence)]
    with pytest.raises(bulk.BulkRefused):
        bulk.tasks_complete(
            actor=people["hanmei"], tasks=tasks, opinion="同意", all_or_nothing=True
        )
    assert Task.objects.filter(pk__in=tasks, status=TaskStatus.OPEN).count() == 3
    assert [reload(c).status for c in cases] == [CaseStatus.IN_REVIEW] * 2


# ---------------------------------------------------------------------------- bundles


def test_a_bundle_follows_its_sub_case_as_on_the_single_path(people: dict[str, Any]) -> None:
    """The batch path sends django-fsm's post_transition for a sub-case, as the transition
    method does: the bundle's status follows exactly as after ``apply_transition``."""
    from django.db import transaction
    from django_fsm.signals import post_transition

    from onewindow.bundles.models import Bundle
    from onewindow.cases.models import BundleCase
    from onewindow.cases.workflow import apply_transition

    # the only receiver is the bundle's: the batch path sends the signal for sub-cases only
    receivers = list(post_transition._live_receivers(Case)[0])
    assert [r.__name__ for r in receivers] == ["_follow_sub_case"]

    bundle = Bundle.objects.select_related("current_version").get(
        current_version__name="我要开理发店"
    )
    version = bundle.current_version
    pairs = []
    for _ in range(2):
        (case,) = submitted(CLINIC, people, 1)
        bc = BundleCase.objects.create(
            number=f"BC{case.number}",
            bundle=bundle,
            bundle_version=version,
            applicant=case.applicant,
            status="submitted",
            lead_department=case.department,
            created_by=people["zhangsan"],
            created_at=NOW,
        )
        Case.objects.filter(pk=case.pk).update(bundle_case=bc)
        pairs.append((reload(case), bc))
    (single, single_bc), (batched, batched_bc) = pairs
    with transaction.atomic():
        apply_transition(single, "prereview", actor=people["chenchen"], target="prereviewed")
    bulk.apply_transitions(cases=[batched], name="prereview", actor=people["chenchen"])
    single_bc, batched_bc = (BundleCase.objects.get(pk=b.pk) for b in (single_bc, batched_bc))
    assert batched_bc.status == single_bc.status
    followed = AuditEvent.objects.filter(action="bundle_case.status_followed")
    assert (
        followed.filter(object_id=str(batched_bc.pk)).count()
        == followed.filter(object_id=str(single_bc.pk)).count()
    )


# -------------------------------------------------------------------------------- API


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(c: Client, url: str, body: dict[str, Any]) -> Any:
    return c.post(url, body, content_type="application/json")


COMPLETE = "/api/v1/tasks/bulk-complete"
TRANSITION = "/api/v1/cases/bulk-transition"


def test_bulk_complete_over_http_permission_matrix(people: dict[str, Any]) -> None:
    cases = in_processing(CLINIC, people, 2)
    tasks = open_task_ids(cases)
    body = {"task_ids": tasks, "opinion": "同意"}
    assert post(Client(), COMPLETE, body).status_code == 401
    for name in ("zhangsan", "qianqi", "zhaoliu", "lisi"):  # no case.review anywhere
        r = post(client_for(people[name]), COMPLETE, body)
        assert r.status_code == 403, name
        assert r.json()["code"] == "permission_denied"
    # 王五 reviews for another department: 区卫生健康委's tasks are not there for him (404)
    r = post(client_for(people["wangwu"]), COMPLETE, body)
    assert r.status_code == 200
    assert [(i["code"], i["message"]) for i in r.json()["items"]] == [
        ("task_not_found", "未找到该任务")
    ] * 2
    r = post(client_for(people["wangwu"]), COMPLETE, {**body, "all_or_nothing": True})
    assert r.status_code == 409
    assert r.json()["code"] == "bulk_refused"
    assert [i["id"] for i in r.json()["fields"]["items"]] == tasks
    hanmei = client_for(people["hanmei"])
    for bad in ({"task_ids": [], "opinion": "同意"}, {"task_ids": tasks}, {"opinion": "同意"}):
        assert post(hanmei, COMPLETE, bad).status_code == 422
    assert (
        post(hanmei, COMPLETE, {"task_ids": list(range(1, 502)), "opinion": "x"}).status_code == 422
    )
    r = post(hanmei, COMPLETE, {"task_ids": tasks, "opinion": "   "})
    assert r.status_code == 422
    assert r.json()["code"] == "opinion_required"
    assert all(reload(c).status == CaseStatus.IN_REVIEW for c in cases)

    r = post(hanmei, COMPLETE, {"task_ids": [*tasks, tasks[0], 999999], "opinion": "同意"})
    assert r.status_code == 200, r.json()
    out = r.json()
    assert (out["succeeded"], out["failed"]) == (2, 1)
    assert [(i["id"], i["number"], i["code"]) for i in out["items"]] == [
        (tasks[0], cases[0].number, "advanced"),
        (tasks[1], cases[1].number, "advanced"),
        (999999, "", "task_not_found"),
    ]
    assert all(reload(c).status == CaseStatus.IN_DECISION for c in cases)


def test_bulk_transition_over_http_permission_matrix(people: dict[str, Any]) -> None:
    cases = submitted(CLINIC, people, 2)
    numbers = [c.number for c in cases]
    body = {"numbers": numbers, "transition": "prereview"}
    assert post(Client(), TRANSITION, body).status_code == 401
    for name in ("zhangsan", "hanmei", "wangwu", "zhaoliu"):  # no case.prereview
        assert post(client_for(people[name]), TRANSITION, body).status_code == 403, name
    chenchen = client_for(people["chenchen"])
    for bad in ({**body, "transition": "approve"}, {**body, "numbers": []}, {"numbers": numbers}):
        assert post(chenchen, TRANSITION, bad).status_code == 422
    r = post(chenchen, TRANSITION, {**body, "numbers": [*numbers, "NOPE"], "note": "齐全"})
    assert r.status_code == 200, r.json()
    assert [(i["number"], i["code"], i["status"]) for i in r.json()["items"]] == [
        (numbers[0], "applied", "prereviewed"),
        (numbers[1], "applied", "prereviewed"),
        ("NOPE", "case_not_found", ""),
    ]
    r = post(chenchen, TRANSITION, body)  # again: the table refuses each
    assert [i["code"] for i in r.json()["items"]] == ["illegal_transition"] * 2
    r = post(chenchen, TRANSITION, {**body, "all_or_nothing": True})
    assert r.status_code == 409
    assert r.json()["code"] == "bulk_refused"
    assert [transitions(c, "prereview") for c in cases] == [1, 1]


def test_the_bulk_endpoints_are_in_the_openapi(people: dict[str, Any]) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths[COMPLETE]
    assert "post" in paths[TRANSITION]
    schema = paths[COMPLETE]["post"]
    assert schema["summary"] == "批量完成审查任务（批量办理、批量会签）"
