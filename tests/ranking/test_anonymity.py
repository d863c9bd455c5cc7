"""Anonymity by construction: nothing in the schema links a ballot to a voter, ballots carry
no time finer than the day, the has-voted markers are keyed HMACs with no time, and closing
a round deletes the markers and rewrites the ballots in a new random order."""

from __future__ import annotations

import hashlib

from django.db import connection, models

from onewindow.audit.models import AuditEvent
from onewindow.ranking import services as svc
from onewindow.ranking.anonymity import voter_digest
from onewindow.ranking.models import Ballot, BallotEntry, VoterMarker
from tests.ranking.conftest import NOW, office, voter

BALLOT_MODELS = (Ballot, BallotEntry)


def _columns(model: type[models.Model]) -> set[str]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, model._meta.db_table)
    return {c.name for c in description}


def test_ballot_tables_hold_no_identity_no_time_and_no_link_to_markers(db):
    assert _columns(Ballot) == {"id", "round_id", "cast_on"}
    assert _columns(BallotEntry) == {
        "id",
        "ballot_id",
        "office_id",
        "cold",
        "lazy",
        "shirk",
        "arbitrary",
        "greedy",
        "problem",
    }
    assert _columns(VoterMarker) == {"id", "round_id", "digest"}
    for model in (*BALLOT_MODELS, VoterMarker):
        fields = model._meta.get_fields()
        assert not any(isinstance(f, models.DateTimeField) for f in fields), model
        assert isinstance(model._meta.pk, models.UUIDField), model  # no insertion sequence
        related = {f.related_model for f in fields if f.is_relation}
        assert VoterMarker not in related or model is VoterMarker
        assert not related & {Ballot, BallotEntry} or model is not VoterMarker
        assert "org.user" not in {
            getattr(m, "_meta", None) and m._meta.label_lower for m in related
        }


def _references(cursor, table: str) -> set[str]:
    relations = connection.introspection.get_relations(cursor, table)
    return {ref[1] for ref in relations.values()}  # (column, table[, on_delete])


def test_no_table_references_both_ballots_and_markers(db):
    from onewindow.ranking.models import EvaluationRound, RoundOffice

    ballots = {Ballot._meta.db_table, BallotEntry._meta.db_table}
    marker = VoterMarker._meta.db_table
    with connection.cursor() as cursor:
        assert _references(cursor, Ballot._meta.db_table) == {EvaluationRound._meta.db_table}
        assert _references(cursor, BallotEntry._meta.db_table) == {
            Ballot._meta.db_table,
            RoundOffice._meta.db_table,
        }
        assert _references(cursor, marker) == {EvaluationRound._meta.db_table}
        for table in connection.introspection.table_names(cursor):
            refs = _references(cursor, table)
            assert not (marker in refs and refs & ballots), table


def test_the_marker_is_a_keyed_hmac_not_a_hash_of_the_identity(open_round):
    identity = voter(7)
    svc.vote_cast(
        round=open_round,
        resident_id=identity,
        choices=[svc.Choice(office_id=office(open_round, "WSJK").pk, categories=("lazy",))],
        now=NOW,
    )
    marker = VoterMarker.objects.get()
    assert marker.digest == voter_digest(open_round.pk, identity)
    assert identity not in marker.digest
    for plain in (identity, f"{open_round.pk}:{identity}"):
        assert marker.digest != hashlib.sha256(plain.encode()).hexdigest()
    # the identity is stored nowhere: not in the audit either (votes are not audited)
    assert not AuditEvent.objects.filter(payload__icontains=identity[-6:]).exists()
    assert not AuditEvent.objects.filter(action__contains="vote").exists()
    assert not AuditEvent.objects.filter(object_type__in=["ranking.ballot", "ranking.ballotentry"])


def test_closing_deletes_markers_and_reshuffles_ballots_keeping_the_counts(people, open_round):
    health, tax = office(open_round, "WSJK"), office(open_round, "SW", "办税服务厅")
    for n in range(12):
        choices = [svc.Choice(office_id=health.pk, categories=("lazy", "shirk")[: 1 + n % 2])]
        if n % 3 == 0:
            choices.append(svc.Choice(office_id=tax.pk, categories=("cold",), problem=f"问题{n}"))
        svc.vote_cast(round=open_round, resident_id=voter(n), choices=choices, now=NOW)
    before_ids = set(Ballot.objects.values_list("id", flat=True))
    before = sorted(
        BallotEntry.objects.values_list("office_id", "lazy", "shirk", "cold", "problem")
    )
    assert VoterMarker.objects.filter(round=open_round).count() == 12

    svc.round_close(round=open_round, actor=people["wumin"], now=NOW)

    assert VoterMarker.objects.filter(round=open_round).count() == 0
    assert open_round.voter_count == 12
    after_ids = set(Ballot.objects.values_list("id", flat=True))
    assert len(after_ids) == 12
    assert not before_ids & after_ids
    after = sorted(BallotEntry.objects.values_list("office_id", "lazy", "shirk", "cold", "problem"))
    assert after == before
