"""HJ 633-2012 Technical Regulation on Ambient Air Quality Index (AQI).

Individual air quality index (IAQI) of one pollutant: find the breakpoint segment
``[C_lo, C_hi]`` holding the concentration ``C`` and interpolate linearly between the
segment's index levels ``[I_lo, I_hi]``::

    IAQI = (I_hi - I_lo) / (C_hi - C_lo) * (C - C_lo) + I_lo,  rounded up to an integer

AQI = max IAQI; the primary pollutant(s) are those whose IAQI equals the AQI, named only when
AQI > 50. Units: µg/m³, CO mg/m³.

Pollutant codes used throughout: ``pm2_5, pm10, so2, no2, co, o3`` (1-hour ozone) and
``o3_8h`` (8-hour moving-average ozone).

Rules beyond the plain interpolation (HJ 633-2012 table 1 notes, and the practice of the
national real-time publishing platform):

* a concentration above the top breakpoint gets IAQI 500 (cap);
* SO2 1-hour concentrations above 800 µg/m³ are not rated on the 1-hour table: the national
  platform rates them on the SO2 24-hour table instead;
* an O3 8-hour value above 800 µg/m³ gets no IAQI (the 1-hour O3 IAQI reports ozone).

Every result should carry :data:`STANDARD` as its method version.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TextIO

__all__ = [
    "AVERAGING",
    "BREAKPOINTS",
    "CATEGORIES",
    "IAQI_LEVELS",
    "POLLUTANTS",
    "STANDARD",
    "AqiResult",
    "aqi_csv_stream",
    "breakpoint_rows",
    "breakpoints_seed_csv",
    "category",
    "daily_aqi",
    "hourly_aqi",
    "iaqi",
]

#: Method version to record on every AQI result.
STANDARD = "HJ 633-2012"

#: Pollutant codes in output order.
POLLUTANTS: tuple[str, ...] = ("pm2_5", "pm10", "so2", "no2", "co", "o3", "o3_8h")

#: IAQI levels that the concentration breakpoints map to.
IAQI_LEVELS: tuple[int, ...] = (0, 50, 100, 150, 200, 300, 400, 500)

#: Concentration breakpoints (µg/m³; CO mg/m³) by (pollutant, averaging period). The n-th
#: breakpoint corresponds to ``IAQI_LEVELS[n]``; shorter tables end below IAQI 500.
BREAKPOINTS: dict[tuple[str, str], tuple[int, ...]] = {
    ("so2", "24h"): (0, 50, 150, 475, 800, 1600, 2100, 2620),
    ("so2", "1h"): (0, 150, 500, 650, 800),
    ("no2", "24h"): (0, 40, 80, 180, 280, 565, 750, 940),
    ("no2", "1h"): (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    ("co", "24h"): (0, 2, 4, 14, 24, 36, 48, 60),
    ("co", "1h"): (0, 5, 10, 35, 60, 90, 120, 150),
    ("o3", "1h"): (0, 160, 200, 300, 400, 800, 1000, 1200),
    ("o3_8h", "8h"): (0, 100, 160, 215, 265, 800),
    ("pm10", "24h"): (0, 50, 150, 250, 350, 420, 500, 600),
    ("pm2_5", "24h"): (0, 35, 75, 115, 150, 250, 350, 500),
}

#: Averaging periods each pollutant code has a table for.
AVERAGING: dict[str, tuple[str, ...]] = {
    pollutant: tuple(a for (p, a) in BREAKPOINTS if p == pollutant)
    for pollutant in dict.fromkeys(p for p, _ in BREAKPOINTS)
}

#: AQI categories (upper AQI bound inclusive, Chinese name, level 1-6).
CATEGORIES: tuple[tuple[int, str, int], ...] = (
    (50, "优", 1),
    (100, "良", 2),
    (150, "轻度污染", 3),
    (200, "中度污染", 4),
    (300, "重度污染", 5),
    (10**9, "严重污染", 6),
)

_SO2_1H_LIMIT = 800
_O3_8H_LIMIT = 800
_EPS = 1e-7  # float results within this of an integer are settled exactly


def _as_number(value: float | int | Decimal | Fraction) -> Fraction:
    """Exact value of a concentration. Floats go through their shortest repr, so ``35.2``
    is taken as 35.2 and not as the nearest binary fraction."""
    if isinstance(value, bool):
        raise TypeError("a concentration cannot be a bool")
    if isinstance(value, float):
        return Fraction(repr(value))
    if isinstance(value, (int, Decimal, Fraction)):
        return Fraction(value)
    raise TypeError(f"a concentration must be a number, got {type(value).__name__}")


def _interpolate(table: tuple[int, ...], c: float | int | Decimal | Fraction) -> int:
    """IAQI of concentration ``c`` on one breakpoint table, rounded up; 500 above the top."""
    if c > table[-1]:
        return 500
    for n in range(1, len(table)):
        if c <= table[n]:
            c_lo, c_hi = table[n - 1], table[n]
            i_lo, i_hi = IAQI_LEVELS[n - 1], IAQI_LEVELS[n]
            break
    # Fast float computation; redo exactly when the result is within _EPS of an integer,
    # so that e.g. CO 5.1 -> 51 exactly is not bumped to 52 by binary rounding.
    approx = (i_hi - i_lo) * (float(c) - c_lo) / (c_hi - c_lo) + i_lo
    if abs(approx - round(approx)) > _EPS:
        return math.ceil(approx)
    exact = Fraction(i_hi - i_lo, c_hi - c_lo) * (_as_number(c) - c_lo) + i_lo
    return math.ceil(exact)


def iaqi(
    pollutant: str, concentration: float | int | Decimal | Fraction | None, averaging: str | None = None
) -> int | None:
    """IAQI of one pollutant concentration (µg/m³, CO mg/m³); None when it has none.

    ``averaging`` is ``"1h"``, ``"24h"`` or ``"8h"``; it may be left out when the pollutant
    has one table (``pm2_5``/``pm10`` → 24h, ``o3`` → 1h, ``o3_8h`` → 8h).
    ``("o3", "8h")`` means ``o3_8h``. Missing (None or NaN) → None. Negative → ValueError.
    Above the top breakpoint → 500. SO2 1h above 800 → rated on the SO2 24h table.
    O3 8h above 800 → None (the 1-hour O3 IAQI reports ozone).
    """
    if pollutant == "o3" and averaging == "8h":
        pollutant = "o3_8h"
    tables = AVERAGING.get(pollutant)
    if tables is None:
        raise ValueError(f"unknown pollutant {pollutant!r}; expected one of {', '.join(POLLUTANTS)}")
    if averaging is None:
        if len(tables) != 1:
            raise ValueError(f"{pollutant} has tables for {' and '.join(tables)}: give averaging")
        averaging = tables[0]
    elif averaging not in tables:
        raise ValueError(f"{pollutant} has no {averaging} table (tables: {', '.join(tables)})")
    if concentration is None:
        return None
    if isinstance(concentration, float) and math.isnan(concentration):
        return None
    if isinstance(concentration, Decimal) and concentration.is_nan():
        return None
    if concentration < 0:
        raise ValueError(f"{pollutant} concentration {concentration} is negative")

    if pollutant == "so2" and averaging == "1h" and concentration > _SO2_1H_LIMIT:
        averaging = "24h"
    elif pollutant == "o3_8h" and concentration > _O3_8H_LIMIT:
        return None
    return _interpolate(BREAKPOINTS[(pollutant, averaging)], concentration)


def category(aqi: int | None) -> str | None:
    """AQI category: 优 0-50, 良 51-100, 轻度污染 101-150, 中度污染 151-200,
    重度污染 201-300, 严重污染 > 300; None for None."""
    if aqi is None:
        return None
    for upper, name, _level in CATEGORIES:
        if aqi <= upper:
            return name
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class AqiResult:
    """AQI of one station-hour or station-day.

    ``iaqi`` holds the IAQI of every pollutant that has one; ``aqi`` is their maximum (None
    when no pollutant has a value); ``primary`` the codes whose IAQI equals the AQI, sorted
    alphabetically, empty when AQI ≤ 50.
    """

    iaqi: dict[str, int] = field(hash=False)
    aqi: int | None
    primary: tuple[str, ...]
    category: str | None
    level: int | None
    standard: str = STANDARD

    @property
    def primary_pollutant(self) -> str:
        """Primary pollutant codes joined by ``,`` (empty when none)."""
        return ",".join(self.primary)


_HOURLY = {"pm2_5": "24h", "pm10": "24h", "so2": "1h", "no2": "1h", "co": "1h", "o3": "1h"}
_DAILY = {"pm2_5": "24h", "pm10": "24h", "so2": "24h", "no2": "24h", "co": "24h", "o3": "1h", "o3_8h": "8h"}


def _aggregate(values: Mapping[str, float | int | Decimal | Fraction | None], tables: dict[str, str],
               kind: str) -> AqiResult:
    unknown = sorted(set(values) - set(tables))
    if unknown:
        raise ValueError(
            f"{kind} AQI takes {', '.join(tables)}; got unexpected key(s) {', '.join(unknown)}"
        )
    sub: dict[str, int] = {}
    for pollutant, averaging in tables.items():
        value = iaqi(pollutant, values.get(pollutant), averaging)
        if value is not None:
            sub[pollutant] = value
    if not sub:
        return AqiResult(iaqi={}, aqi=None, primary=(), category=None, level=None)
    aqi = max(sub.values())
    primary = tuple(sorted(p for p, v in sub.items() if v == aqi)) if aqi > 50 else ()
    level = next(lv for upper, _name, lv in CATEGORIES if aqi <= upper)
    return AqiResult(iaqi=sub, aqi=aqi, primary=primary, category=category(aqi), level=level)


def hourly_aqi(values: Mapping[str, float | int | Decimal | Fraction | None]) -> AqiResult:
    """Hourly (real-time) AQI as the national publishing platform computes it.

    ``values`` maps ``pm2_5, pm10, so2, no2, co, o3`` to the current 1-hour concentrations
    (None = missing). PM2.5 and PM10 hourly values are rated on the 24-hour tables, SO2, NO2,
    CO and O3 on the 1-hour tables (SO2 above 800 on the 24-hour table); there is no 8-hour
    O3 term (an ``o3_8h`` key is rejected so that it is not silently ignored).
    """
    return _aggregate(values, _HOURLY, "hourly")


def daily_aqi(values: Mapping[str, float | int | Decimal | Fraction | None]) -> AqiResult:
    """Daily AQI: ``pm2_5, pm10, so2, no2, co`` are 24-hour means rated on the 24-hour
    tables, ``o3`` the daily maximum 1-hour value (1-hour table), ``o3_8h`` the daily
    maximum 8-hour moving average (8-hour table; above 800 it gets no IAQI)."""
    return _aggregate(values, _DAILY, "daily")


# --------------------------------------------------------------------------------------------
# Breakpoint table as rows (dbt seed)
# --------------------------------------------------------------------------------------------

_SEED_COLUMNS = ("pollutant", "averaging", "iaqi_lo", "iaqi_hi", "conc_lo", "conc_hi", "standard")


def breakpoint_rows() -> list[dict[str, str | int]]:
    """One row per breakpoint segment: pollutant, averaging, iaqi_lo, iaqi_hi, c_lo, c_hi.

    The special rules (cap at 500, SO2 1h > 800 rated on 24h, O3 8h > 800 unrated) are not
    rows: apply them in code.
    """
    rows: list[dict[str, str | int]] = []
    for (pollutant, averaging), table in BREAKPOINTS.items():
        for n in range(1, len(table)):
            rows.append({
                "pollutant": pollutant,
                "averaging": averaging,
                "iaqi_lo": IAQI_LEVELS[n - 1],
                "iaqi_hi": IAQI_LEVELS[n],
                "c_lo": table[n - 1],
                "c_hi": table[n],
            })
    return rows


def breakpoints_seed_csv() -> str:
    """The breakpoint table as the dbt seed ``aqi_breakpoints.csv`` (columns pollutant,
    averaging, iaqi_lo, iaqi_hi, conc_lo, conc_hi, standard; LF line ends)."""
    lines = [",".join(_SEED_COLUMNS)]
    for row in breakpoint_rows():
        lines.append(
            f"{row['pollutant']},{row['averaging']},{row['iaqi_lo']},{row['iaqi_hi']},"
            f"{row['c_lo']},{row['c_hi']},{STANDARD}"
        )
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# CSV stream (zteco aqi)
# --------------------------------------------------------------------------------------------

_CSV_POLLUTANTS = POLLUTANTS
_OUTPUT_COLUMNS = ("aqi", "primary_pollutant", "category")


def _parse_concentration(text: str, where: str, column: str) -> Decimal | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{where}, column {column}: {text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{where}, column {column}: {text!r} is not a finite number")
    if value < 0:
        raise ValueError(f"{where}, column {column}: concentration {text} is negative")
    return value


def aqi_csv_stream(inp: TextIO, out: TextIO) -> None:
    """Read concentrations as CSV and write them back with IAQI, AQI, primary pollutant
    and category.

    Input: a header with any of ``pm2_5, pm10, so2, no2, co, o3, o3_8h`` (µg/m³, CO mg/m³;
    an empty field is missing) and optionally ``kind`` (``hourly``, the default when the
    column is absent or empty, or ``daily``); other columns are carried through. Output: the
    input columns unchanged, then ``iaqi_<pollutant>`` for each pollutant column present, then
    ``aqi``, ``primary_pollutant`` (codes, comma-separated, alphabetical; empty when AQI ≤ 50)
    and ``category``. Hourly rows rate ``o3`` as the 1-hour value and give ``o3_8h`` no IAQI.
    Raises ValueError naming the data row (1 = first row after the header), its line in the
    file and the column of a bad value. Blank lines are skipped.
    """
    reader = csv.reader(inp)
    try:
        header = next(reader)
    except StopIteration:
        raise ValueError("input is empty: expected a CSV header") from None
    present = [p for p in _CSV_POLLUTANTS if p in header]
    if not present:
        raise ValueError(f"the CSV header has none of the pollutant columns {', '.join(_CSV_POLLUTANTS)}")
    added = [f"iaqi_{p}" for p in present] + list(_OUTPUT_COLUMNS)
    clash = [c for c in added if c in header]
    if clash:
        raise ValueError(f"input already has output column(s) {', '.join(clash)}; rename them first")
    duplicated = sorted({c for c in header if header.count(c) > 1 and (c in present or c == "kind")})
    if duplicated:
        raise ValueError(f"the CSV header repeats column(s) {', '.join(duplicated)}")
    index = {p: header.index(p) for p in present}
    kind_at = header.index("kind") if "kind" in header else None

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header + added)
    row_no = 0
    for row in reader:
        if not row:
            continue
        row_no += 1
        where = f"data row {row_no} (line {reader.line_num})"
        if len(row) != len(header):
            raise ValueError(f"{where}: {len(row)} fields, the header has {len(header)}")
        kind = row[kind_at].strip().lower() if kind_at is not None else ""
        if kind not in ("", "hourly", "daily"):
            raise ValueError(f"{where}, column kind: {row[kind_at]!r} is neither 'hourly' nor 'daily'")
        values = {p: _parse_concentration(row[i], where, p) for p, i in index.items()}
        if kind == "daily":
            result = daily_aqi(values)
        else:
            values.pop("o3_8h", None)
            result = hourly_aqi(values)
        sub = [result.iaqi.get(p) for p in present]
        writer.writerow(
            row
            + ["" if v is None else str(v) for v in sub]
            + ["" if result.aqi is None else str(result.aqi), result.primary_pollutant, result.category or ""]
        )
