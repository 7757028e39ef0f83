"""GB 3838-2002 classification against samples worked by hand from table 1 of the standard."""

import csv
import itertools
from pathlib import Path

import pytest

from ingestion.standards import gb3838
from ingestion.standards.gb3838 import classify, parameter_class

SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "gb3838_limits.csv"


@pytest.mark.parametrize(("parameter", "value", "body", "expected"), [
    # NH3-N limits 0.15 / 0.5 / 1.0 / 1.5 / 2.0: on the limit belongs to the better class
    ("nh3n", 0.15, "river", 1), ("nh3n", 0.16, "river", 2), ("nh3n", 1.0, "river", 3),
    ("nh3n", 1.01, "river", 4), ("nh3n", 2.0, "river", 5), ("nh3n", 2.01, "river", 6),
    # DO is "not less than" 7.5 / 6 / 5 / 3 / 2
    ("do", 8.1, "river", 1), ("do", 7.49, "river", 2), ("do", 5.0, "river", 3), ("do", 2.9, "river", 5),
    ("do", 1.9, "river", 6),
    # COD shares 15 between I and II: 15 is class I, 15.1 class III (limit 20)
    ("cod", 15, "river", 1), ("cod", 15.1, "river", 3), ("cod", 41, "lake", 6),
    # TP: river 0.02/0.1/0.2/0.3/0.4, lake 0.01/0.025/0.05/0.1/0.2
    ("tp", 0.08, "river", 2), ("tp", 0.08, "lake", 4), ("tp", 0.3, "lake", 6), ("tp", 0.3, "river", 4),
    # TN only for lakes
    ("tn", 1.2, "lake", 4), ("tn", 5.0, "river", None),
    # pH 6-9 in every class, outside meets no class
    ("ph", 6.0, "river", 1), ("ph", 9.0, "lake", 1), ("ph", 9.2, "river", 6), ("ph", 5.9, "river", 6),
    # Hg 0.00005 / 0.00005 / 0.0001 / 0.001 / 0.001; Zn 0.05 / 1 / 1 / 2 / 2
    ("hg", 0.00005, "river", 1), ("hg", 0.00008, "river", 3), ("hg", 0.0011, "river", 6),
    ("zn", 1.5, "river", 4), ("cd", 0.004, "river", 2), ("pb", 0.03, "river", 3),
])
def test_parameter_class(parameter, value, body, expected):
    assert parameter_class(parameter, value, body) == expected


def test_river_sample_worst_parameter_and_tn_excluded():
    # pH 7.6 (I), DO 6.8 (II), CODMn 4.6 (III), NH3-N 0.42 (II), TP 0.12 (III), TN 3.1 (not assessed)
    r = classify({"ph": 7.6, "do": 6.8, "codmn": 4.6, "nh3n": 0.42, "tp": 0.12, "tn": 3.1}, "river")
    assert (r.water_class, r.deciding_parameter, r.label, r.is_good) == (3, "codmn", "Ⅲ类", True)
    assert "tn" not in r.parameter_classes


def test_same_sample_in_a_reservoir_is_worse():
    # TP 0.12 in a lake is beyond IV (0.1) -> V (0.2); TN 3.1 beyond V (2.0) -> 劣V, decides
    r = classify({"ph": 7.6, "do": 6.8, "codmn": 4.6, "nh3n": 0.42, "tp": 0.12, "tn": 3.1}, "lake")
    assert (r.water_class, r.deciding_parameter, r.label, r.is_good) == (6, "tn", "劣Ⅴ类", False)


def test_tie_decided_by_standard_order_and_exclusion():
    # DO 5.5 (III) and NH3-N 0.9 (III): DO comes first in the standard's order
    r = classify({"do": 5.5, "nh3n": 0.9, "tp": 0.05}, "river")
    assert (r.water_class, r.deciding_parameter) == (3, "do")
    # a drinking-water assessment that leaves TN out of a lake sample
    r = classify({"tp": 0.04, "tn": 1.8}, "lake", exclude=("tn",))
    assert (r.water_class, r.deciding_parameter) == (3, "tp")


def test_no_values_no_class():
    assert classify({}, "river").water_class is None
    with pytest.raises(ValueError):
        classify({"do": 8}, "sea")


def test_seed_matches_the_python_table():
    with SEED.open(encoding="utf-8") as f:
        seed = list(csv.DictReader(f))
    assert len(seed) == len(gb3838.seed_rows())
    for row, ref in zip(seed, gb3838.seed_rows(), strict=True):
        assert row["parameter"] == ref["parameter"] and row["water_body"] == ref["water_body"]
        assert int(row["water_class"]) == ref["water_class"]
        for col in ("lower_limit", "upper_limit"):
            assert (float(row[col]) if row[col] else None) == ref[col]
    # spot values straight from the standard's table 1
    def lim(p, body, k):
        return next(float(r["upper_limit"]) for r in seed
                    if r["parameter"] == p and r["water_body"] == body and int(r["water_class"]) == k)
    assert lim("tp", "lake", 3) == 0.05 and lim("tp", "river", 3) == 0.2 and lim("hg", "all", 3) == 0.0001


def test_a_mean_equal_to_a_limit_meets_it_whatever_order_it_was_added_in():
    # 0.1 + 0.2 = 0.30000000000000004 in binary floating point: the river TP class IV limit is 0.3
    assert 0.1 + 0.2 > 0.3
    assert parameter_class("tp", 0.1 + 0.2, "river") == 4
    # four monthly BOD5 values whose mean is 4 (class III limit): summed in different orders, as a
    # parallel SQL avg may, the mean lands one ulp either side of 4; every order is class III
    parts = [4.3, 4.7, 4.9, 2.1]
    means = {sum(order) / 4 for order in itertools.permutations(parts)}
    assert min(means) < 4 < max(means)
    assert {parameter_class("bod5", v, "river") for v in means} == {3}
    # rounding to 1e-6 never hides a real exceedance: 4.0001 is class IV, and NH3-N 1.2 (IV) ties it
    assert parameter_class("bod5", 4.0001, "river") == 4
    r = classify({"bod5": 4.000000000000001, "nh3n": 1.2}, "river")
    assert (r.water_class, r.deciding_parameter) == (4, "nh3n")
