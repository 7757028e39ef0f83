"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), organisation type (1), administrative division code
(6), organisation code per GB 11714 (9, the last being its own check character), and a check
character over the first 17. The alphabet excludes I, O, Z, S and V.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters, value = index
VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]  # GB 11714-1997 organisation code


def check_char(first17: str) -> str:
    """Check character of the 18th position (GB 32100-2015 §5)."""
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_char(first8: str) -> str:
    """Check character of a GB 11714 organisation code (digits and A-Z valued 10-35)."""
    total = sum(int(c, 36) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def problem(code: str | None) -> str | None:
    """Why ``code`` is not a valid credit code, or None when it is."""
    if code is None or not code.strip():
        return "credit code is empty"
    code = code.strip().upper()
    if len(code) != 18:
        return f"credit code {code!r} has {len(code)} characters, not 18"
    bad = [c for c in code if c not in VALUE]
    if bad:
        return f"credit code {code!r} contains {''.join(bad)!r}, not in the GB 32100 alphabet"
    if not code[2:8].isdigit():
        return f"credit code {code!r}: positions 3-8 must be an administrative division code"
    expected = check_char(code[:17])
    if code[17] != expected:
        return f"credit code {code!r}: check character is {code[17]}, GB 32100-2015 gives {expected}"
    return None


def is_valid(code: str | None) -> bool:
    return problem(code) is None


def make(division: str, org_base: str, authority: str = "9", org_type: str = "1") -> str:
    """Build a valid code from a 6-digit division code and an 8-character organisation code base."""
    org = org_base + org_check_char(org_base)
    first17 = authority + org_type + division + org
    return first17 + check_char(first17)
