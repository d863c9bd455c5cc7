"""数据跑腿: materials the centre obtains itself, so the applicant need not upload them.

A *material source* is a callable ``(applicant, material_type) -> str | None``: it returns
a reference to the document the centre can obtain (an e-licence number, a register entry)
or None. When a case is created, every material the item's version marks as obtained by
the centre (``source`` ``elicence`` or ``department``) is offered to the registered sources
in order; the first reference wins and the material is marked OBTAINED with that reference
(``CaseMaterial.obtained_from``). A material no source can obtain waits for an upload.

Register a source (e.g. from an app's ``AppConfig.ready``)::

    from onewindow.cases import sources

    @sources.register("elicence")
    def from_elicence_library(applicant, material_type):
        licence = ...  # look the applicant's valid e-licence of that type up
        return f"{licence.type_name} {licence.number}" if licence else None

A source must be quick and must not write; it runs inside the case's transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from onewindow.catalog.models import MaterialType
from onewindow.org.models import Applicant, ApplicantKind

type MaterialSource = Callable[[Applicant, MaterialType], str | None]

_SOURCES: dict[str, MaterialSource] = {}


def register(name: str) -> Callable[[MaterialSource], MaterialSource]:
    """Decorator: register ``fn`` under ``name`` (registering a name again replaces it)."""

    def decorator(fn: MaterialSource) -> MaterialSource:
        _SOURCES[name] = fn
        return fn

    return decorator


def unregister(name: str) -> None:
    _SOURCES.pop(name, None)


def registered() -> dict[str, MaterialSource]:
    return dict(_SOURCES)


def obtain(applicant: Applicant, material_type: MaterialType) -> tuple[str, str] | None:
    """``(source name, reference)`` of the first source that can obtain the material."""
    for name, source in list(_SOURCES.items()):
        reference = source(applicant, material_type)
        if reference:
            return name, str(reference)[:128]
    return None


# Registration authority 9 (市场监管/工商) issues business licences: enterprises (91),
# individual businesses (92) and farmers' cooperatives (93) (GB 32100-2015).
MARKET_REGISTRATION_AUTHORITY = "9"


@register("market_register")
def business_licence_from_market_register(
    applicant: Applicant, material_type: MaterialType
) -> str | None:
    """The business licence (营业执照) of a market entity, from the market-regulation
    register: every legal person whose USCC was issued by the market-regulation authority
    holds one, identified by the USCC itself."""
    if material_type.licence_type_code != "business_licence":
        return None
    if applicant.kind != ApplicantKind.LEGAL or not applicant.uscc:
        return None
    if not applicant.uscc.startswith(MARKET_REGISTRATION_AUTHORITY):
        return None
    return f"营业执照 {applicant.uscc}"
