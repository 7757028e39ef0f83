"""GB 15618-2018, GB 36600-2018 and GB 3096-2008 classifiers against values worked out by hand from
the standards' tables (DOMAIN.md §4), and the dbt seeds against the same tables."""

import csv

import pytest

from ingestion.common.home import REPO_ROOT
from ingestion.standards import gb3096, gb15618, gb36600

SEEDS = REPO_ROOT / "dbt_project" / "seeds"


@pytest.mark.parametrize(("ph", "band"), [(4.0, 0), (5.5, 0), (5.51, 1), (6.5, 1), (6.51, 2), (7.5, 2), (7.51, 3),
                                          (14.0, 3), (0.0, 0)])
def test_ph_bands_are_upper_inclusive(ph, band):
    # table headers: pH<=5.5, 5.5<pH<=6.5, 6.5<pH<=7.5, pH>7.5
    assert gb15618.ph_band(ph) == band


@pytest.mark.parametrize("ph", [-0.1, 14.01])
def test_ph_outside_0_14_is_rejected(ph):
    with pytest.raises(ValueError):
        gb15618.ph_band(ph)


@pytest.mark.parametrize(("metal", "value", "ph", "use", "expected"), [
    # Cd paddy, 5.5<pH<=6.5: screening 0.4, control 2.0
    ("cd", 0.40, 6.0, "paddy", "priority_protection"),
    ("cd", 0.41, 6.0, "paddy", "safe_use"),
    ("cd", 2.00, 6.0, "paddy", "safe_use"),
    ("cd", 2.01, 6.0, "paddy", "strict_control"),
    # Cd at pH 7.0: paddy screening 0.6, other 0.3
    ("cd", 0.35, 7.0, "paddy", "priority_protection"),
    ("cd", 0.35, 7.0, "other", "safe_use"),
    ("cd", 0.35, 7.0, "orchard", "safe_use"),  # orchards use the 'other' Cd values
    # Cu pH 5.0: orchard 150, other 50; no control value → never strict
    ("cu", 100, 5.0, "orchard", "priority_protection"),
    ("cu", 100, 5.0, "paddy", "safe_use"),
    ("cu", 5000, 5.0, "paddy", "safe_use"),
    # Zn pH 8: 300; Ni pH 6.0: 70
    ("zn", 300, 8.0, "other", "priority_protection"),
    ("zn", 1000, 8.0, "other", "safe_use"),
    ("ni", 70.1, 6.0, "paddy", "safe_use"),
    # As paddy pH 8: screening 20, control 100
    ("as", 20, 8.0, "paddy", "priority_protection"),
    ("as", 150, 8.0, "paddy", "strict_control"),
    # Hg other pH 5.0: 1.3 / control 2.0
    ("hg", 1.9, 5.0, "other", "safe_use"),
    ("hg", 2.1, 5.0, "other", "strict_control"),
    # Pb other pH 7.0: 120 / 700; Cr paddy pH 7.6: 350 / 1300
    ("pb", 121, 7.0, "other", "safe_use"),
    ("cr", 1300, 7.6, "paddy", "safe_use"),
    ("cr", 1301, 7.6, "paddy", "strict_control"),
    # below the detection limit
    ("cd", None, 5.0, "paddy", "priority_protection"),
])
def test_gb15618_metal_classes(metal, value, ph, use, expected):
    assert gb15618.classify_metal(metal, value, ph, use) == expected


def test_gb15618_point_takes_its_worst_metal():
    # paddy, pH 5.0: Cd 0.5 > 0.3 (safe use), Pb 450 > control 400 (strict), Zn 500 > 200 (safe use)
    res = gb15618.classify_point({"cd": 0.5, "pb": 450, "zn": 500, "hg": None}, 5.0, "paddy")
    assert (res.soil_class, res.deciding_metal) == ("strict_control", "pb")
    assert res.metal_classes == {"cd": "safe_use", "hg": "priority_protection", "pb": "strict_control",
                                 "zn": "safe_use"}
    clean = gb15618.classify_point({"cd": 0.1, "pb": 20}, 7.0, "other")
    assert (clean.soil_class, clean.deciding_metal) == ("priority_protection", None)
    # a tie goes to the first metal of the standard's order (Cd before Zn)
    tie = gb15618.classify_point({"zn": 500, "cd": 0.5}, 5.0, "paddy")
    assert tie.deciding_metal == "cd"


@pytest.mark.parametrize(("metal", "value", "land", "expected"), [
    ("pb", 400, "type1", "below_screening"),
    ("pb", 401, "type1", "above_screening"),
    ("pb", 801, "type1", "above_control"),
    ("pb", 801, "type2", "above_screening"),
    ("cd", 47.5, "type1", "above_control"),  # control type 1 = 47
    ("cd", 47.5, "type2", "below_screening"),  # screening type 2 = 65
    ("cr6", 5.7, "type2", "below_screening"),
    ("cr6", 3.1, "type1", "above_screening"),
    ("as", 141, "type2", "above_control"),
    ("hg", None, "type1", "below_screening"),
])
def test_gb36600_metal_classes(metal, value, land, expected):
    assert gb36600.classify_metal(metal, value, land) == expected


def test_gb36600_point_and_items():
    res = gb36600.classify_point({"as": 25, "pb": 900, "cd": 1.0}, "type1")
    assert (res.soil_class, res.deciding_metal) == ("above_control", "pb")
    with pytest.raises(ValueError):
        gb36600.classify_metal("zn", 10, "type1")  # Zn is no table-1 item
    with pytest.raises(ValueError):
        gb36600.classify_metal("pb", 10, "type3")


@pytest.mark.parametrize(("leq", "zone", "period", "ok"), [
    (55.0, "4a", "night", True), (55.1, "4a", "night", False), (60.0, "4b类", "night", True),
    (40.0, "0类", "night", True), (40.1, "0", "night", False), (70.0, "4A", "day", True),
    (55.1, "1类", "day", False), (65.0, "3", "day", True), (59.9, "４ｂ类", "night", True), (50.0, "2类区", "night", True),
])
def test_gb3096_compliance(leq, zone, period, ok):
    assert gb3096.complies(leq, zone, period) is ok


@pytest.mark.parametrize("text", ["5类", "4c", "", "二类"])
def test_gb3096_unknown_zone(text):
    with pytest.raises(ValueError):
        gb3096.zone_class(text)


def _seed(name):
    with (SEEDS / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_seeds_carry_the_standards_numbers():
    # Spot values typed from DOMAIN.md §4, independent of the Python tables.
    f = {(r["metal"], r["land_use"], r["ph_band"]): (r["screening_value"], r["control_value"])
         for r in _seed("gb15618_limits.csv")}
    assert f[("cd", "paddy", "3")] == ("0.8", "4.0")
    assert f[("cd", "other", "2")] == ("0.3", "3.0")
    assert f[("pb", "other", "3")] == ("170", "1000")
    assert f[("cu", "orchard", "2")] == ("200", "")
    assert f[("zn", "any", "0")] == ("200", "")
    assert len(f) == 14 * 4
    c = {(r["metal"], r["land_type"]): (float(r["screening_value"]), float(r["control_value"]))
         for r in _seed("gb36600_limits.csv")}
    assert c[("cd", "type2")] == (65, 172) and c[("cr6", "type1")] == (3.0, 30) and c[("cu", "type2")] == (18000, 36000)
    n = {(r["zone_class"], r["period"]): float(r["limit_db"]) for r in _seed("gb3096_limits.csv")}
    assert n == {("0", "day"): 50, ("0", "night"): 40, ("1", "day"): 55, ("1", "night"): 45, ("2", "day"): 60,
                 ("2", "night"): 50, ("3", "day"): 65, ("3", "night"): 55, ("4a", "day"): 70, ("4a", "night"): 55,
                 ("4b", "day"): 70, ("4b", "night"): 60}
