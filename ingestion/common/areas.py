"""County names as sources spell them → six-digit administrative codes.

The alias table is ``dbt_project/seeds/county_aliases.csv`` — the single source of truth shared
with the warehouse (a new spelling is one seed row, used by every loader and by dbt alike).
Comparison is after trimming, NFKC (full-width → ASCII) and lower-casing, as the seed says.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from ingestion.common.home import REPO_ROOT

ALIASES_CSV = REPO_ROOT / "dbt_project" / "seeds" / "county_aliases.csv"
CITY_CODE = "530600"
# Leading parts of a full address path that name the province or the city, not the county.
_PREFIXES = ("云南省", "云南", "yunnan province", "yunnan", "昭通市", "昭通", "zhaotong city", "zhaotong")
_SEPARATORS = re.compile(r"[\s\-—/,，·、>]+")


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


@lru_cache(maxsize=4)
def load_aliases(path: Path = ALIASES_CSV) -> dict[str, str]:
    with path.open(encoding="utf-8") as f:
        return {_key(r["alias"]): r["area_code"] for r in csv.DictReader(f)}


def area_code(value: object, aliases: dict[str, str] | None = None) -> str | None:
    """The area code of ``value`` (a name, an alias, a code, a number such as 530602.0), or None.

    A full path ("云南省昭通市昭阳区", "云南省-昭通市-水富县") resolves to its last part; the city
    itself (530600) is returned only when nothing more specific is given.
    """
    aliases = aliases if aliases is not None else load_aliases()
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _key(str(value))
    if not text:
        return None
    if text in aliases:
        return aliases[text]
    compact = _SEPARATORS.sub("", text)
    if compact in aliases:
        return aliases[compact]
    rest = compact
    stripped = True
    while stripped and rest:
        stripped = False
        for p in _PREFIXES:
            p = p.replace(" ", "")
            if rest.startswith(p) and len(rest) > len(p):
                rest = rest[len(p):]
                stripped = True
                break
    return aliases.get(rest)


def county_code(value: object, aliases: dict[str, str] | None = None) -> str | None:
    """Like :func:`area_code` but only a county (not the city) counts."""
    code = area_code(value, aliases)
    return code if code and code != CITY_CODE else None
