"""Authentication.

* ``OneWindowBackend``: password login for local accounts. Applicants may type their
  username, their mobile number or their resident ID number in the one "account" box.
* ``IdentityProviderBackend``: the seam for the provincial unified identity platform
  (统一身份认证). A deployment subclasses it (setting ``provider``), adds it to
  ``AUTHENTICATION_BACKENDS``, and its OIDC/SAML callback view calls
  ``django.contrib.auth.authenticate(request, identity_provider=..., subject=...,
  claims=...)`` then ``login``. The subject maps to ``User.external_subject`` (unique per
  provider); a first login opens an applicant account from the verified claims. See
  docs/org.md.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from onewindow.org.models import Applicant, User
from onewindow.org.validation import MOBILE_RE


def resolve_login_name(login: str) -> str:
    """The username behind what a person typed: a username, a mobile number or a resident
    ID number (case-insensitive X). Unknown names come back unchanged."""
    login = (login or "").strip()
    if not login or User.objects.filter(username=login).exists():
        return login
    if MOBILE_RE.match(login):
        users = list(User.objects.filter(phone=login).values_list("username", flat=True)[:2])
        if len(users) == 1:
            return users[0]
    if len(login) == 18:
        users = list(
            User.objects.filter(
                applicants__kind="natural", applicants__resident_id=login.upper()
            ).values_list("username", flat=True)[:2]
        )
        if len(users) == 1:
            return users[0]
    return login


class OneWindowBackend(ModelBackend):
    """Django's model backend, accepting a mobile number or resident ID as the login name."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        return super().authenticate(
            request, username=resolve_login_name(username), password=password
        )


class IdentityProviderBackend(ModelBackend):
    """Log in people proven by an external identity provider. Subclass and set ``provider``.

    ``claims`` are what the provider vouches for: ``name``, ``resident_id``, ``phone`` for a
    natural person; for a legal person also ``kind="legal"``, ``uscc`` and
    ``legal_representative``. Accounts it opens have no usable password.
    """

    provider: str = ""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        identity_provider: str | None = None,
        subject: str | None = None,
        claims: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        if not self.provider or identity_provider != self.provider or not subject:
            return None
        user = User.objects.filter(
            identity_provider=self.provider, external_subject=subject
        ).first()
        if user is None:
            user = self.open_account(subject, claims or {})
        return user if self.user_can_authenticate(user) else None

    def username_for(self, subject: str) -> str:
        digest = hashlib.sha256(f"{self.provider}\n{subject}".encode()).hexdigest()[:20]
        return f"{self.provider}-{digest}"[:150]

    def open_account(self, subject: str, claims: dict[str, str]) -> User:
        """First login: an applicant account from the verified claims (raises
        ``ValidationFailed`` if the claims are unusable, e.g. no resident ID)."""
        from onewindow.org.services import applicant_account_create, external_identity_link

        kind = claims.get("kind", "natural")
        existing = None
        if kind == "natural" and claims.get("resident_id"):
            existing = Applicant.objects.filter(
                kind="natural", resident_id=claims["resident_id"].upper()
            ).first()
        if existing is not None and existing.users.exists():
            # A person who registered locally first: the provider proves who they are, so
            # their local account is linked to the subject instead of a second account.
            user = existing.users.order_by("pk").first()
            if user is not None and not user.external_subject:
                return external_identity_link(
                    actor=None,
                    user=user,
                    identity_provider=self.provider,
                    external_subject=subject,
                )
        return applicant_account_create(
            actor=None,
            username=self.username_for(subject),
            password=None,
            display_name=claims.get("agent_name") or claims.get("name", ""),
            phone=claims.get("phone", ""),
            kind=kind,
            name=claims.get("name", ""),
            resident_id=claims.get("resident_id", ""),
            uscc=claims.get("uscc", ""),
            legal_representative=claims.get("legal_representative", ""),
            identity_provider=self.provider,
            external_subject=subject,
        )
