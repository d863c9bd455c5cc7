"""Valid identifiers for the demo district, computed with the platform's own check functions.

* Departments' USCCs follow GB 32100-2015 for government organs: registration authority
  ``1`` (机构编制), category ``1`` (机关), the district's 6-digit area code, a 9-character
  organisation code (GB 11714, with its own check character) and the USCC check character.
* Resident IDs follow GB 11643-1999: area code, birth date, sequence (odd = male), check.
"""

from __future__ import annotations

from onewindow.common.identifiers import resident_id_check_char, uscc_check_char

# GB 11714-1997 organisation code: 8 characters and a MOD 11 check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_char_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def org_code(base8: str) -> str:
    """Append the GB 11714 check character to an 8-character organisation code body."""
    total = sum(_org_char_value(c) * w for c, w in zip(base8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return base8 + ("X" if check == 10 else "0" if check == 11 else str(check))


def uscc(prefix2: str, area6: str, base8: str) -> str:
    """A complete USCC: ``prefix2`` is registration authority + category (``11`` organ,
    ``91`` enterprise, ``92`` individual business)."""
    first17 = prefix2 + area6 + org_code(base8)
    return first17 + uscc_check_char(first17)


def resident_id(area6: str, birth: str, seq3: str) -> str:
    """A resident ID: ``birth`` as YYYYMMDD, ``seq3`` odd for men, even for women."""
    first17 = area6 + birth + seq3
    return first17 + resident_id_check_char(first17)
