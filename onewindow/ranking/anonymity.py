"""One vote per person per round without storing who voted for what (docs/ranking.md).

The voter proves an identity (here a resident ID number, checked with its check digit); the
round keeps only ``HMAC-SHA256(key, "<round id>:<identity>")`` in ``VoterMarker`` — no time,
a random primary key, no link to the ballot. The key is derived from the server's secret
(``settings.ONEWINDOW["RANKING_VOTER_KEY"]``, else ``SECRET_KEY``) and is never stored in the
database, so a copy of the database alone cannot test identities against the markers.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from onewindow.common.identifiers import normalize_resident_id

_LABEL = b"onewindow.ranking.voter-marker.v1"


def _key() -> bytes:
    secret = str(getattr(settings, "ONEWINDOW", {}).get("RANKING_VOTER_KEY") or settings.SECRET_KEY)
    return hmac.new(secret.encode("utf-8"), _LABEL, hashlib.sha256).digest()


def normalize_identity(resident_id: str) -> str:
    """The checked, upper-cased resident ID (ValidationFailed with a Chinese message)."""
    return normalize_resident_id(resident_id)


def voter_digest(round_id: int, identity: str) -> str:
    """The marker of ``identity`` (already normalised) in round ``round_id``."""
    message = f"{round_id}:{identity}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()
