"""GB 15618-2018 Soil environmental quality — Risk control standard for soil contamination of
agricultural land (土壤环境质量 农用地土壤污染风险管控标准（试行）).

Risk screening values (table 1) depend on the metal, the soil pH band and, for some metals, the
land use; risk control values (table 3) exist for Cd, Hg, As, Pb and Cr only. Units: mg/kg.

pH bands, exactly as the standard's table headers write them (upper bound inclusive):
``pH ≤ 5.5``, ``5.5 < pH ≤ 6.5``, ``6.5 < pH ≤ 7.5``, ``pH > 7.5``. So pH 5.5 is band 1 and
pH 6.5 is band 2.

Land use: ``paddy`` (水田) has its own values for Cd, Hg, As, Pb and Cr; ``orchard`` (果园) has its
own value for Cu only; every other use (and orchards for the other metals) is ``other`` (其他).

Classification of one metal (standard §5-§7):

* content ≤ screening value → ``priority_protection`` (优先保护类, risk low, generally ignorable);
* screening < content ≤ control value → ``safe_use`` (安全利用类, risk possible: agronomic measures);
* content > control value → ``strict_control`` (严格管控类, risk high).

Cu, Ni and Zn have no control value: above screening they are ``safe_use`` at worst. A point takes
its worst metal (the deciding metal; ties go to the first metal in :data:`METALS`). A value below
the laboratory's detection limit is ``priority_protection``: the detection limits of the methods
used (e.g. Cd 0.01 mg/kg, Hg 0.002 mg/kg) are far below every screening value.
"""

from __future__ import annotations

from dataclasses import dataclass

STANDARD = "GB 15618-2018"
METALS = ("cd", "hg", "as", "pb", "cr", "cu", "ni", "zn")
LAND_USES = ("paddy", "orchard", "other")
CLASSES = ("priority_protection", "safe_use", "strict_control")
CLASS_ZH = {"priority_protection": "优先保护类", "safe_use": "安全利用类", "strict_control": "严格管控类"}
BAND_LABELS = ("pH≤5.5", "5.5<pH≤6.5", "6.5<pH≤7.5", "pH>7.5")

# (metal, land-use key) -> screening values of the four pH bands; land-use key 'paddy'/'orchard'/'other'/'any'.
SCREENING: dict[tuple[str, str], tuple[float, float, float, float]] = {
    ("cd", "paddy"): (0.3, 0.4, 0.6, 0.8),
    ("cd", "other"): (0.3, 0.3, 0.3, 0.6),
    ("hg", "paddy"): (0.5, 0.5, 0.6, 1.0),
    ("hg", "other"): (1.3, 1.8, 2.4, 3.4),
    ("as", "paddy"): (30, 30, 25, 20),
    ("as", "other"): (40, 40, 30, 25),
    ("pb", "paddy"): (80, 100, 140, 240),
    ("pb", "other"): (70, 90, 120, 170),
    ("cr", "paddy"): (250, 250, 300, 350),
    ("cr", "other"): (150, 150, 200, 250),
    ("cu", "orchard"): (150, 150, 200, 200),
    ("cu", "other"): (50, 50, 100, 100),
    ("ni", "any"): (60, 70, 100, 190),
    ("zn", "any"): (200, 200, 250, 300),
}
CONTROL: dict[str, tuple[float, float, float, float]] = {
    "cd": (1.5, 2.0, 3.0, 4.0),
    "hg": (2.0, 2.5, 4.0, 6.0),
    "as": (200, 150, 120, 100),
    "pb": (400, 500, 700, 1000),
    "cr": (800, 850, 1000, 1300),
}


def ph_band(ph: float) -> int:
    """0..3 for pH ≤ 5.5, 5.5 < pH ≤ 6.5, 6.5 < pH ≤ 7.5, pH > 7.5."""
    if not 0 <= ph <= 14:
        raise ValueError(f"pH {ph} is outside 0-14")
    if ph <= 5.5:
        return 0
    if ph <= 6.5:
        return 1
    if ph <= 7.5:
        return 2
    return 3


def _use_key(metal: str, land_use: str) -> str:
    if land_use not in LAND_USES:
        raise ValueError(f"land use {land_use!r} is not one of {LAND_USES}")
    if metal in ("ni", "zn"):
        return "any"
    if metal == "cu":
        return "orchard" if land_use == "orchard" else "other"
    return "paddy" if land_use == "paddy" else "other"


def screening_value(metal: str, ph: float, land_use: str) -> float:
    return SCREENING[(metal, _use_key(metal, land_use))][ph_band(ph)]


def control_value(metal: str, ph: float) -> float | None:
    values = CONTROL.get(metal)
    return None if values is None else values[ph_band(ph)]


def classify_metal(metal: str, value: float | None, ph: float, land_use: str) -> str:
    """Class of one metal; ``value`` None means below the detection limit."""
    if metal not in METALS:
        raise ValueError(f"{metal!r} is not a GB 15618-2018 basic item")
    screening = screening_value(metal, ph, land_use)
    if value is None or value <= screening:
        return "priority_protection"
    control = control_value(metal, ph)
    if control is None or value <= control:
        return "safe_use"
    return "strict_control"


@dataclass(frozen=True)
class PointClass:
    soil_class: str
    deciding_metal: str | None  # None when every metal is ≤ its screening value
    metal_classes: dict[str, str]


def classify_point(values: dict[str, float | None], ph: float, land_use: str) -> PointClass:
    """Worst class over the metals given (missing metals are not assessed)."""
    classes = {m: classify_metal(m, values[m], ph, land_use) for m in METALS if m in values}
    worst, deciding = "priority_protection", None
    for m, c in classes.items():
        if CLASSES.index(c) > CLASSES.index(worst):
            worst, deciding = c, m
    return PointClass(worst, deciding, classes)


def limit_rows() -> list[dict]:
    """The table as seed rows: metal, land_use, ph_band (0-3), screening, control."""
    out = []
    for (metal, use), values in SCREENING.items():
        for band, screening in enumerate(values):
            control = CONTROL.get(metal)
            out.append({"metal": metal, "land_use": use, "ph_band": band, "ph_band_label": BAND_LABELS[band],
                        "screening_value": screening, "control_value": None if control is None else control[band]})
    return out
