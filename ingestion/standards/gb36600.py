"""GB 36600-2018 Soil environmental quality — Risk control standard for soil contamination of
development land (土壤环境质量 建设用地土壤污染风险管控标准（试行）), the heavy metals of table 1.

Land types: ``type1`` (第一类用地: housing, schools, hospitals, parks...) and ``type2`` (第二类用地:
industrial, logistics, roads...). Units: mg/kg. Only the seven inorganic basic items are assessed
here: As, Cd, Cr6+ (``cr6``), Cu, Pb, Hg, Ni (total Cr and Zn are not items of table 1).

Classification of one item (standard §5):

* content ≤ screening value → ``below_screening`` (risk generally ignorable);
* screening < content ≤ control value → ``above_screening`` (detailed investigation and risk
  assessment needed);
* content > control value → ``above_control`` (risk generally unacceptable: control or remediation).

A point takes its worst item; a value below the detection limit is ``below_screening``.
"""

from __future__ import annotations

from dataclasses import dataclass

STANDARD = "GB 36600-2018"
METALS = ("as", "cd", "cr6", "cu", "pb", "hg", "ni")
LAND_TYPES = ("type1", "type2")
CLASSES = ("below_screening", "above_screening", "above_control")
CLASS_ZH = {"below_screening": "低于筛选值", "above_screening": "超筛选值未超管制值", "above_control": "超管制值"}

# metal -> (screening type1, screening type2, control type1, control type2)
LIMITS: dict[str, tuple[float, float, float, float]] = {
    "as": (20, 60, 120, 140),
    "cd": (20, 65, 47, 172),
    "cr6": (3.0, 5.7, 30, 78),
    "cu": (2000, 18000, 8000, 36000),
    "pb": (400, 800, 800, 2500),
    "hg": (8, 38, 33, 82),
    "ni": (150, 900, 600, 2000),
}


def limits(metal: str, land_type: str) -> tuple[float, float]:
    """(screening, control) of a metal for a land type."""
    if land_type not in LAND_TYPES:
        raise ValueError(f"land type {land_type!r} is not one of {LAND_TYPES}")
    if metal not in LIMITS:
        raise ValueError(f"{metal!r} is not a heavy-metal item of GB 36600-2018 table 1")
    v = LIMITS[metal]
    k = LAND_TYPES.index(land_type)
    return v[k], v[2 + k]


def classify_metal(metal: str, value: float | None, land_type: str) -> str:
    screening, control = limits(metal, land_type)
    if value is None or value <= screening:
        return "below_screening"
    if value <= control:
        return "above_screening"
    return "above_control"


@dataclass(frozen=True)
class PointClass:
    soil_class: str
    deciding_metal: str | None
    metal_classes: dict[str, str]


def classify_point(values: dict[str, float | None], land_type: str) -> PointClass:
    classes = {m: classify_metal(m, values[m], land_type) for m in METALS if m in values}
    worst, deciding = "below_screening", None
    for m, c in classes.items():
        if CLASSES.index(c) > CLASSES.index(worst):
            worst, deciding = c, m
    return PointClass(worst, deciding, classes)


def limit_rows() -> list[dict]:
    return [{"metal": m, "land_type": t, "screening_value": limits(m, t)[0], "control_value": limits(m, t)[1]}
            for m in METALS for t in LAND_TYPES]
