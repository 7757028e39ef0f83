"""GB 3838-2002 Environmental Quality Standards for Surface Water: class of a water sample.

Limits (mg/L; pH dimensionless) of table 1, classes I..V. A parameter's class is the best class
whose limit the value meets: ``value <= limit`` for the "not more than" items, ``value >= limit``
for dissolved oxygen, ``6 <= pH <= 9`` for pH (all classes). A value meeting no class is
劣V (class 6). Where two classes share a limit (COD 15 for I and II) the better class wins.

The sample's class is the worst single-parameter class (单因子评价); the deciding parameter is
the first parameter, in the standard's order, that has that class. Rivers exclude total
nitrogen; lakes and reservoirs use the lake total-phosphorus limits and include total nitrogen
(water temperature and faecal coliform are never used, as in the national assessment practice).

A value is compared with the limits after rounding half up to ``DECIMALS`` (6) decimal places
(through 9 decimals, as the SQL macro ``round_half_up`` does), 1e-6 mg/L,
finer than every limit of the table (Hg 0.00005): a mean is a floating-point sum whose last bits
depend on the order it was added in (0.1 + 0.2 = 0.30000000000000004, and a parallel SQL ``avg``
adds in any order), and a mean that equals a limit must meet it every time.

The same table is the dbt seed ``gb3838_limits.csv`` (tests/unit/test_gb3838.py checks that they
agree); classes I-III count as good (优良).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

STANDARD = "GB 3838-2002"
WORST = 6  # 劣V
DECIMALS = 6  # values are rounded to this many decimal places before they meet the limits
CLASS_LABELS = {1: "Ⅰ类", 2: "Ⅱ类", 3: "Ⅲ类", 4: "Ⅳ类", 5: "Ⅴ类", 6: "劣Ⅴ类"}

# parameter: (name_zh, HJ 212 code, kind, {water_body: (I, II, III, IV, V)})
# kind: "max" (value <= limit), "min" (value >= limit), "range" (6 <= pH <= 9)
_ALL = "all"
PARAMETERS: dict[str, tuple[str, str, str, dict[str, tuple[float, ...]]]] = {
    "ph": ("pH", "w01001", "range", {_ALL: (6, 9)}),
    "do": ("溶解氧", "w01009", "min", {_ALL: (7.5, 6, 5, 3, 2)}),
    "codmn": ("高锰酸盐指数", "w01019", "max", {_ALL: (2, 4, 6, 10, 15)}),
    "cod": ("化学需氧量", "w01018", "max", {_ALL: (15, 15, 20, 30, 40)}),
    "bod5": ("五日生化需氧量", "w01017", "max", {_ALL: (3, 3, 4, 6, 10)}),
    "nh3n": ("氨氮", "w21003", "max", {_ALL: (0.15, 0.5, 1.0, 1.5, 2.0)}),
    "tp": ("总磷", "w21011", "max", {"river": (0.02, 0.1, 0.2, 0.3, 0.4),
                                   "lake": (0.01, 0.025, 0.05, 0.1, 0.2)}),
    "tn": ("总氮", "w21001", "max", {"lake": (0.2, 0.5, 1.0, 1.5, 2.0)}),
    "cu": ("铜", "w20122", "max", {_ALL: (0.01, 1, 1, 1, 1)}),
    "zn": ("锌", "w20123", "max", {_ALL: (0.05, 1, 1, 2, 2)}),
    "as": ("砷", "w20119", "max", {_ALL: (0.05, 0.05, 0.05, 0.1, 0.1)}),
    "hg": ("汞", "w20111", "max", {_ALL: (0.00005, 0.00005, 0.0001, 0.001, 0.001)}),
    "cd": ("镉", "w20115", "max", {_ALL: (0.001, 0.005, 0.005, 0.005, 0.01)}),
    "cr6": ("六价铬", "w20117", "max", {_ALL: (0.01, 0.05, 0.05, 0.05, 0.1)}),
    "pb": ("铅", "w20120", "max", {_ALL: (0.01, 0.01, 0.05, 0.05, 0.1)}),
}
WATER_BODIES = ("river", "lake")


def limits(parameter: str, water_body: str) -> tuple[float, ...] | None:
    """The five class limits of a parameter for a water body, None when it is not assessed there."""
    if water_body not in WATER_BODIES:
        raise ValueError(f"water body must be river or lake, not {water_body!r}")
    table = PARAMETERS[parameter][3]
    return table.get(water_body) or table.get(_ALL)


def _rounded(value: float) -> float:
    """``value`` rounded half up to DECIMALS places, through 9 places as SQL's cast to DECIMAL(38, 9)."""
    nine = Decimal(value).quantize(Decimal("1e-9"), ROUND_HALF_UP)
    return float(nine.quantize(Decimal(1).scaleb(-DECIMALS), ROUND_HALF_UP))


def parameter_class(parameter: str, value: float, water_body: str) -> int | None:
    """Class 1..5 of one value, 6 for 劣V, None when the parameter is not assessed for the water body."""
    lim = limits(parameter, water_body)
    if lim is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    kind = PARAMETERS[parameter][2]
    value = _rounded(value)
    if kind == "range":
        return 1 if lim[0] <= value <= lim[1] else WORST
    for k, limit in enumerate(lim, start=1):
        if (value >= limit) if kind == "min" else (value <= limit):
            return k
    return WORST


@dataclass(frozen=True)
class WaterClass:
    water_class: int | None        # 1..6, None when no parameter was assessed
    deciding_parameter: str | None
    parameter_classes: dict[str, int]

    @property
    def label(self) -> str | None:
        return CLASS_LABELS.get(self.water_class) if self.water_class else None

    @property
    def is_good(self) -> bool | None:
        return None if self.water_class is None else self.water_class <= 3


def classify(values: Mapping[str, float | None], water_body: str,
             exclude: tuple[str, ...] = ()) -> WaterClass:
    """Worst single-parameter class of a sample (values in mg/L, pH dimensionless)."""
    classes: dict[str, int] = {}
    for p in PARAMETERS:  # standard order decides ties
        if p in exclude or p not in values:
            continue
        c = parameter_class(p, values[p], water_body)
        if c is not None:
            classes[p] = c
    if not classes:
        return WaterClass(None, None, classes)
    worst = max(classes.values())
    deciding = next(p for p, c in classes.items() if c == worst)
    return WaterClass(worst, deciding, classes)


def seed_rows() -> list[dict]:
    """The limits as rows of the dbt seed gb3838_limits.csv."""
    rows = []
    for order, (p, (name, code, kind, table)) in enumerate(PARAMETERS.items(), start=1):
        for body, lim in table.items():
            for k in range(1, 6):
                if kind == "range":
                    lower, upper = lim[0], lim[1]
                elif kind == "min":
                    lower, upper = lim[k - 1], None
                else:
                    lower, upper = None, lim[k - 1]
                rows.append({"parameter": p, "name_zh": name, "hj212_code": code, "water_body": body,
                             "water_class": k, "lower_limit": lower, "upper_limit": upper, "sort_order": order})
    return rows
