"""GB 3096-2008 Environmental quality standard for noise (声环境质量标准), table 1.

Equivalent continuous A-weighted sound level limits, dB(A), by acoustic function zone class;
day is 06:00-22:00, night 22:00-06:00. A measurement complies when Leq ≤ limit (the standard
says the level "shall not exceed" the limit, so a value equal to the limit complies). Leq is
compared as reported (to 0.1 dB), without rounding.
"""

from __future__ import annotations

import unicodedata

STANDARD = "GB 3096-2008"
ZONE_CLASSES = ("0", "1", "2", "3", "4a", "4b")
PERIODS = ("day", "night")
LIMITS: dict[str, tuple[float, float]] = {
    "0": (50, 40),
    "1": (55, 45),
    "2": (60, 50),
    "3": (65, 55),
    "4a": (70, 55),
    "4b": (70, 60),
}


def zone_class(text: str) -> str:
    """'2类', '4a类', '4A', '2' -> the class code; ValueError when it is none of table 1."""
    t = unicodedata.normalize("NFKC", str(text)).strip().lower()
    t = t.removesuffix("区").removesuffix("类").removesuffix("声环境功能").strip()
    if t not in LIMITS:
        raise ValueError(f"{text!r} is not a GB 3096-2008 function zone class (0, 1, 2, 3, 4a, 4b)")
    return t


def limit(zone: str, period: str) -> float:
    if period not in PERIODS:
        raise ValueError(f"period {period!r} is not day or night")
    return LIMITS[zone_class(zone)][PERIODS.index(period)]


def complies(leq: float, zone: str, period: str) -> bool:
    return leq <= limit(zone, period)


def limit_rows() -> list[dict]:
    return [{"zone_class": z, "period": p, "limit_db": LIMITS[z][i]} for z in ZONE_CLASSES for i, p in enumerate(PERIODS)]
