"""Query-count guards on the hot paths (the submission benchmark's requests and
``apply_transition``): a change that adds queries per request shows here first. The limits
are the counts measured when they were set (docs/benchmarks.md), so any new query fails;
raise a limit only on purpose. The responses are checked against the database too: what
the services hand over without reading it again must be what is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onewindow.audit.models import AuditEvent
from onewindow.cases.models import Case, CaseTransition
from onewindow.cases.states import CaseStatus
from onewindow.cases.workflow import apply_transition
from onewindow.org.models import User
from tests.cases.test_api_submission import barber_body, create, upload
from tests.cases.test_submission import BARBER_FORM, CORE_UPLOADS
from tests.cases.test_uploads import pdf_bytes
from tests.org.test_permissions_cache import new_request

pytestmark = pytest.mark.django_db

# Each count includes the session and the user (2 queries of the auth middleware).
CREATE_MAX = 14  # + 3 for the day's first case (its counter row)
UPLOAD_MAX = 10
SUBMIT_MAX = 28  # of which 9 are the notify outbox sending its messages after commit
# role check, case UPDATE, CaseTransition INSERT, audit INSERT (+ the test's savepoint)
TRANSITION_MAX = 6


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def zhangsan(people: dict[str, User]) -> Client:
    c = Client()
    c.force_login(people["zhangsan"])
    return c


def test_create_upload_and_submit_stay_within_their_queries(
    zhangsan, hygiene_licence, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    body = barber_body(hygiene_licence)
    create(zhangsan, body, key="q-first")  # the day's first case also opens its counter
    with django_assert_max_num_queries(CREATE_MAX):
        r = create(zhangsan, body, key="q-create")
    assert r.status_code == 201, r.json()
    created = r.json()
    number = created["number"]
    # what create answered without reading again is what the database now holds
    fresh = zhangsan.get(f"/api/v1/cases/{number}").json()
    assert created == fresh
    assert created["form_data"] == BARBER_FORM
    assert len(created["materials"]) == Case.objects.get(number=number).materials.count()

    by_name = {m["name"]: m for m in created["materials"]}
    for name in CORE_UPLOADS:
        with django_assert_max_num_queries(UPLOAD_MAX):
            r = upload(zhangsan, number, by_name[name]["id"], f"{name}.pdf", pdf_bytes())
        assert r.status_code == 200, r.json()
        assert r.json()["status"] == "uploaded"
        assert r.json()["name"] == name
        assert r.json()["required"] is by_name[name]["required"]

    with (
        django_assert_max_num_queries(SUBMIT_MAX),
        django_capture_on_commit_callbacks(execute=True),  # counted: sending the messages
    ):
        r = zhangsan.post(f"/api/v1/cases/{number}/submit", headers={"Idempotency-Key": "q-s"})
    assert r.status_code == 200, r.json()
    submitted = r.json()
    assert submitted["status"] == "submitted"
    fresh = zhangsan.get(f"/api/v1/cases/{number}").json()
    assert submitted == fresh
    case = Case.objects.get(number=number)
    assert case.submitted_at is not None
    assert case.received_at == case.submitted_at
    assert AuditEvent.objects.filter(object_id=str(case.pk), action="case.submit").count() == 1


def test_apply_transition_stays_within_its_queries(
    zhangsan, people, hygiene_licence, django_assert_max_num_queries
):
    number = create(zhangsan, barber_body(hygiene_licence)).json()["number"]
    case = Case.objects.get(number=number)
    with transaction.atomic():
        apply_transition(case, "submit", actor=people["zhangsan"], target=CaseStatus.SUBMITTED)
    lisi = User.objects.get(username="lisi")
    new_request()  # a request of its own: roles read afresh
    with django_assert_max_num_queries(TRANSITION_MAX), transaction.atomic():
        case.accepted_at = case.created_at
        apply_transition(
            case,
            "accept",
            actor=lisi,
            target=CaseStatus.IN_REVIEW,
            note="材料齐全",
            save_fields=("accepted_at",),
        )
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == CaseStatus.IN_REVIEW
    assert stored.accepted_at == case.created_at
    assert stored.form_data == case.form_data  # untouched fields kept
    row = CaseTransition.objects.filter(case=case).latest("id")
    assert (row.name, row.from_status, row.to_status, row.note) == (
        "accept",
        "submitted",
        "in_review",
        "材料齐全",
    )
    assert AuditEvent.objects.filter(object_id=str(case.pk), action="case.accept").exists()


def test_the_submission_locks_only_its_own_rows(zhangsan, hygiene_licence):
    """A lock taken with a join must name its own table (FOR UPDATE OF): locking the shared
    item version, department or applicant rows as well serialised every upload of every
    case of the item, and could deadlock with a concurrent create, whose INSERT takes a key
    share lock on those rows (PostgreSQL; SQLite has no row locks)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only (scripts/with-postgres.sh)")
    with CaptureQueriesContext(connection) as ctx:
        created = create(zhangsan, barber_body(hygiene_licence)).json()
        number = created["number"]
        by_name = {m["name"]: m for m in created["materials"]}
        for name in CORE_UPLOADS:
            upload(zhangsan, number, by_name[name]["id"], f"{name}.pdf", pdf_bytes())
        r = zhangsan.post(f"/api/v1/cases/{number}/submit")
    assert r.status_code == 200, r.json()
    locking = [q["sql"] for q in ctx.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locking) >= 1 + 2 * len(CORE_UPLOADS)  # counter, case and slot per upload, ...
    joined = [sql for sql in locking if " JOIN " in sql and "FOR UPDATE OF" not in sql]
    assert joined == []


def test_processing_locks_only_its_own_rows(people):
    """The same rule for the processing services and the batch path: reviewing and deciding
    lock the task and the case, not the item version, step or applicant they read with
    them (PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only (scripts/with-postgres.sh)")
    from onewindow.cases import bulk
    from onewindow.cases.services.processing import case_decide, task_complete
    from onewindow.common import clock
    from tests.cases.conftest import published
    from tests.cases.test_processing_support import accepted_case

    clinic = published("医疗机构执业登记")
    hanmei = people["hanmei"]
    one, two = (
        accepted_case(clinic, people["zhangsan"], people["lisi"], when=clock.now())
        for _ in range(2)
    )
    with CaptureQueriesContext(connection) as ctx:
        task_complete(actor=hanmei, task=one.tasks.get(status="open"), opinion="同意")
        case_decide(actor=hanmei, case=one, outcome="approve")
        result = bulk.tasks_complete(
            actor=hanmei, tasks=list(two.tasks.filter(status="open")), opinion="同意"
        )
    assert [i.code for i in result.items] == ["advanced"]
    locking = [q["sql"] for q in ctx.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locking) >= 4  # task and case of the review, case of the decision, the batch
    joined = [sql for sql in locking if " JOIN " in sql and "FOR UPDATE OF" not in sql]
    assert joined == []
