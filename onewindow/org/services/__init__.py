"""Org services (DESIGN.md convention 1): every write to departments, service points,
windows, staff, roles, applicants and authorisation letters goes through one of these.

Each takes keyword-only arguments and an explicit ``actor`` (``None`` = the system: commands
and the demo loader), validates (``ValidationFailed`` with Chinese messages and per-field
errors), writes, and records an ``org.*`` audit event in the same transaction.
"""

from onewindow.org.services.applicants import (
    applicant_account_create,
    applicant_register,
    applicant_update,
    external_identity_link,
)
from onewindow.org.services.letters import (
    authorisation_letter_issue,
    authorisation_letter_revoke,
)
from onewindow.org.services.places import (
    department_upsert,
    service_point_upsert,
    window_upsert,
)
from onewindow.org.services.staff import (
    role_grant,
    role_revoke,
    staff_create,
    staff_update,
)

__all__ = [
    "applicant_account_create",
    "applicant_register",
    "applicant_update",
    "authorisation_letter_issue",
    "authorisation_letter_revoke",
    "department_upsert",
    "external_identity_link",
    "role_grant",
    "role_revoke",
    "service_point_upsert",
    "staff_create",
    "staff_update",
    "window_upsert",
]
