"""Domain errors (DESIGN.md convention 6): a code, a Chinese message, optional field errors.

The API turns them into ``{"code", "message", "fields"}`` with ``status``; screens show
``message`` and the per-field messages next to their inputs.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused an action. Subclasses set a default code and HTTP status."""

    code: str = "domain_error"
    status: int = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.fields: dict[str, Any] = fields or {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class ValidationFailed(DomainError):
    code = "validation_failed"
    status = 422


class NotFound(DomainError):
    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403


class Conflict(DomainError):
    """An illegal state transition or a concurrent change."""

    code = "conflict"
    status = 409
