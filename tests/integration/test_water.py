"""Surface water end to end on the pipeline fixture (world 2020-2021, ``zteco run``).

The four water indicators of every county and the city and year are recomputed here straight from
the landing files — the HJ 212 packets of the automatic stations and the monthly lab files — with
the reference classifier ingestion/standards/gb3838.py and the rules of docs/CONTRACTS.md
("Surface water"), independently of the loader and of dbt, and compared with fct_indicator_values.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import date
from pathlib import Path
from statistics import mean

import duckdb
import pytest

from ingestion.hj212.codec import Hj212Error, parse_many
from ingestion.standards.gb3838 import classify
from ingestion.water.simulator import LAB_COLUMNS

pytestmark = pytest.mark.integration

CITY = "530600"
AUTO = {"w01001": "ph", "w01009": "do", "w01019": "codmn", "w21003": "nh3n", "w21011": "tp", "w21001": "tn"}
DL = {p: dl for p, _, _, _, dl in LAB_COLUMNS if dl is not None}   # the monitoring station's method limits
NAMES = {"pH": "ph", "溶解氧": "do", "高锰酸盐指数": "codmn", "化学需氧量": "cod", "五日生化需氧量": "bod5",
         "氨氮": "nh3n", "总磷": "tp", "总氮": "tn", "铜": "cu", "锌": "zn", "砷": "as", "汞": "hg", "镉": "cd",
         "六价铬": "cr6", "铅": "pb"}


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def recompute(home: Path) -> tuple[dict, dict, dict]:
    """(indicator values by (code, area, year), monthly classes, annual classes) from landing."""
    land = home / "landing" / "monitoring"
    sections = {r["section_code"]: r for r in _csv(land / "water" / "water_sections.csv")}
    stations = {r["mn"]: r for r in _csv(land / "registry" / "water_stations.csv")}

    # automatic stations: first packet per (MN, DataTime) of a registered device with its PW
    auto: dict[tuple[str, str, str], list[float]] = defaultdict(list)   # (section, YYYY-MM, param)
    auto_years: set[tuple[str, int]] = set()
    for folder in sorted((land / "water" / "hj212").glob("date=*")):
        seen = set()
        for path in sorted(folder.glob("*.hj212")):
            lines = [ln for ln in path.read_bytes().decode().splitlines(keepends=True) if ln.strip()]
            for p in parse_many(lines):
                if isinstance(p, Hj212Error) or p.mn not in stations or p.pw != stations[p.mn]["pw"]:
                    continue
                t = p.cp["DataTime"]
                if (p.mn, t) in seen or f"{t[:4]}-{t[4:6]}-{t[6:8]}" != folder.name[5:]:
                    continue
                seen.add((p.mn, t))
                sec = stations[p.mn]["section_code"]
                for code, param in AUTO.items():
                    if p.cp.get(f"{code}-Flag") == "N":
                        auto[(sec, f"{t[:4]}-{t[4:6]}", param)].append(float(p.cp[f"{code}-Avg"]))
                        auto_years.add((sec, int(t[:4])))

    # lab files: rows with a known section, a real date and only numbers / below-detection results
    lab: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    samples = set()
    for path in sorted((land / "lab" / "water").glob("*/*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            cols = {}
            for i, h in enumerate(header):
                m = re.match(r"^(.+?)\((.+)\)$", h)
                if m and m.group(1) in NAMES:
                    cols[i] = (NAMES[m.group(1)], 0.001 if m.group(2) == "μg/L" else 1.0)
            for cells in reader:
                code, day = cells[0], cells[2]
                try:
                    date.fromisoformat(day)
                except ValueError:
                    continue
                if code not in sections or (code, day) in samples:
                    continue
                values = {}
                try:
                    for i, (param, factor) in cols.items():
                        t = cells[i]
                        if t == "未检出":
                            values[param] = DL[param] / 2
                        elif t.startswith("<"):
                            values[param] = float(t[1:]) * factor / 2
                        else:
                            values[param] = float(t) * factor
                except ValueError:
                    continue
                samples.add((code, day))
                for param, v in values.items():
                    lab[(code, day[:7], param)].append(v)

    month_values: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for key in set(lab) | set(auto):
        sec, month, param = key
        if len(auto.get(key, [])) >= 100:
            month_values[(sec, month)][param] = mean(auto[key])
        elif key in lab:
            month_values[(sec, month)][param] = mean(lab[key])
    monthly, drinking = {}, {}
    for (sec, month), vals in month_values.items():
        body = sections[sec]["water_body"]
        monthly[(sec, month)] = classify(vals, body)
        drinking[(sec, month)] = classify(vals, body, exclude=("tn",))
    annual = {}
    for sec in sections:
        for year in {int(m[:4]) for (s, m) in month_values if s == sec}:
            months = [v for (s, m), v in month_values.items() if s == sec and int(m[:4]) == year]
            params = {p for v in months for p in v}
            annual[(sec, year)] = classify({p: mean(v[p] for v in months if p in v) for p in params},
                                           sections[sec]["water_body"])

    counts: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (sec, year), cls in annual.items():
        s = sections[sec]
        for area in (s["county_code"], CITY):
            c = counts[(area, year)]
            c["monitored"] += 1
            c["auto"] += (sec, year) in auto_years
            if s["is_assessment_section"] == "true":
                c["assessed"] += 1
                c["good"] += cls.water_class <= 3
                c["below_v"] += cls.water_class == 6
            if s["is_drinking_source"] == "true":
                c["sources"] += 1
                c["compliant"] += all(drinking[(sec, m)].water_class <= int(s["target_class"])
                                      for (x, m) in drinking if x == sec and int(m[:4]) == year)
    out = {}
    for (area, year), c in counts.items():
        for code, num, den in (("WATER_SECTION_GOOD_RATIO", "good", "assessed"),
                               ("WATER_SECTION_BELOW_V_RATIO", "below_v", "assessed"),
                               ("DRINKING_WATER_COMPLIANCE", "compliant", "sources"),
                               ("WATER_AUTO_MONITORING_RATE", "auto", "monitored")):
            out[(code, area, year)] = (c[num], c[den]) if c[den] else None
    return out, monthly, annual


@pytest.fixture(scope="module")
def water(pipeline_home: Path):
    expected, monthly, annual = recompute(pipeline_home)
    con = duckdb.connect(str(pipeline_home / "serving" / "zteco.duckdb"), read_only=True)
    yield pipeline_home, con, expected, monthly, annual
    con.close()


def test_indicators_equal_an_independent_recomputation(water):
    _, con, expected, _, _ = water
    rows = con.execute("""
        select indicator_code, area_code, year(period_start), value, numerator, denominator, missing_reason_code,
               method_version, load_ids
        from fct_indicator_values
        where indicator_code in ('WATER_SECTION_GOOD_RATIO', 'WATER_SECTION_BELOW_V_RATIO',
                                 'DRINKING_WATER_COMPLIANCE', 'WATER_AUTO_MONITORING_RATE')
    """).fetchall()
    assert len(rows) == 4 * 12 * 2   # 4 indicators x (11 counties + city) x 2020-2021
    for code, area, year, value, num, den, reason, method, load_ids in rows:
        exp = expected.get((code, area, year))
        if exp is None:
            assert value is None and reason in ("no_water_section", "no_drinking_water_source"), (code, area, year)
            continue
        assert (num, den) == exp, (code, area, year)
        assert value == pytest.approx(round(100 * exp[0] / exp[1] + 1e-9, 1)), (code, area, year)
        assert "GB 3838-2002" in method and load_ids


def test_monthly_and_annual_classes_equal_the_reference_classifier(water):
    _, con, _, monthly, annual = water
    got = {(s, str(m)[:7]): (c, d) for s, m, c, d in con.execute(
        "select section_code, month_start, water_class, deciding_parameter from fct_water_section_monthly").fetchall()}
    assert got == {k: (v.water_class, v.deciding_parameter) for k, v in monthly.items()}
    got = {(s, y): (c, d) for s, y, c, d in con.execute(
        "select section_code, year, water_class, deciding_parameter from fct_water_section_annual").fetchall()}
    assert got == {k: (v.water_class, v.deciding_parameter) for k, v in annual.items()}


def test_injected_episodes_are_found(water):
    home, con, expected, monthly, annual = water
    episodes = _csv(home / "world" / "water_episodes.csv")
    assert {e["section_code"] for e in episodes} >= {"ZT02", "ZT15", "ZT06"}
    # sewage overflow on 利济河 2021-07..09: monthly 劣V decided by NH3-N, and the year is 劣V
    months = dict(((m, (c, d)) for m, c, d in con.execute(
        "select strftime(month_start, '%Y-%m'), water_class, deciding_parameter from fct_water_section_monthly "
        "where section_code = 'ZT02' and year = 2021").fetchall()))
    assert all(months[m] == (6, "nh3n") for m in ("2021-07", "2021-08", "2021-09"))
    assert con.execute("select water_class, deciding_parameter from fct_water_section_annual "
                       "where section_code = 'ZT02' and year = 2021").fetchone() == (6, "nh3n")
    assert expected[("WATER_SECTION_BELOW_V_RATIO", "530602", 2021)][0] == 1
    # mine wastewater on 洛泽河 2020-09/10: cadmium, seen only by the lab
    cd = con.execute("select strftime(month_start, '%Y-%m'), deciding_parameter from fct_water_section_monthly "
                     "where section_code = 'ZT15' and water_class = 6").fetchall()
    assert ("2020-09", "cd") in cd and ("2020-10", "cd") in cd
    # flood runoff into 龙潭水库 (鲁甸's drinking-water source) 2020-08: compliance 0 of 1 in 2020
    value = con.execute("select value, numerator, denominator from fct_indicator_values where indicator_code = "
                        "'DRINKING_WATER_COMPLIANCE' and area_code = '530621' and period_start = '2020-01-01'"
                        ).fetchone()
    assert value == (0.0, 0, 1)


def test_water_loads_reconcile_with_the_injected_faults(water):
    home, con, _, _, _ = water
    truth = defaultdict(int)
    for r in _csv(home / "world" / "water_anomalies.csv"):
        truth[r["kind"]] += 1
    row = con.execute("""
        select sum(received), sum(loaded), sum(quarantined), sum(duplicates)
        from fct_load_reconciliation where source = 'monitoring.hj212.water'
    """).fetchone()
    received, loaded, quarantined, duplicates = row
    assert received == loaded + quarantined + duplicates
    assert quarantined == truth["crc_mismatch"] + truth["bad_length"] + truth["truncated"]
    assert duplicates == truth["duplicate_packet"]
    lab = con.execute("select sum(quarantined), sum(duplicates) from fct_load_reconciliation "
                      "where source = 'monitoring.lab.water'").fetchone()
    assert lab == (truth["lab_bad_number"] + truth["lab_bad_date"] + truth["lab_unknown_section"],
                   truth["lab_duplicate_row"])


def test_world_is_calibrated_like_the_brief(water):
    """Most assessment sections class II-III, a few IV/V, one or two 劣V section-years; reservoirs
    decided by TP or TN (the world's calibration, checked on what the pipeline computed)."""
    _, con, _, _, _ = water
    classes = dict(con.execute("select water_class, count(*) from fct_water_section_annual "
                               "where is_assessment_section group by 1").fetchall())
    total = sum(classes.values())
    assert (classes.get(2, 0) + classes.get(3, 0)) / total >= 0.75
    assert classes.get(4, 0) + classes.get(5, 0) >= 1
    assert 1 <= classes.get(6, 0) <= 2
    lakes = con.execute("""
        select count(*) filter (where y.deciding_parameter in ('tp', 'tn')), count(*)
        from fct_water_section_annual y join dim_water_section s on s.section_code = y.section_code
        where s.water_body = 'lake'""").fetchone()
    assert lakes[0] / lakes[1] >= 0.7
