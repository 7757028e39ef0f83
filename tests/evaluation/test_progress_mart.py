"""The dbt mart fct_indicator_progress equals the Python reference (evaluation/progress.py) on a fixture.

The fixture is a hand-made warehouse: fct_indicator_values and fct_indicator_baselines tables written
directly (the city 530600 and two counties, years 2020-2023, indicators of both directions, a zero baseline,
a zero target, a target already met, deterioration, a % change that has no CAGR, a registry checkpoint and
an indicator without data), the real seeds, and dbt building only int_plan_targets__14th_fyp and
fct_indicator_progress over them. Every row of the mart is compared with the reference applied to the same
inputs, and a few rows with figures worked out by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from evaluation.progress import assess, county_ranks

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "dbt_project"
BIN = Path(sys.executable).parent
CITY, A, B = "530600", "530602", "530621"

pytestmark = pytest.mark.integration

# (indicator, area) -> values 2020..2023 (None = no value)
SERIES = {
    ("AIR_PM25_MEAN", CITY): [40, 44, 35, 31],  # lower: deterioration, then back on course
    ("AIR_PM25_MEAN", A): [38, 33, 30, 24],  # lower: target 25 met in 2023
    ("AIR_PM25_MEAN", B): [45, 46, None, 40],  # lower: a year without value
    ("AIR_GOOD_DAYS_RATIO", CITY): [90, 88, 93, 97.5],  # higher: deterioration, then met
    ("AIR_GOOD_DAYS_RATIO", A): [95, 96, 96, 96],
    ("AIR_GOOD_DAYS_RATIO", B): [92, 92.5, 93, 94],
    ("AIR_HEAVY_POLLUTION_DAYS", CITY): [5, 3, 2, 1],  # zero target, lower
    ("WATER_AUTO_MONITORING_RATE", CITY): [0, 12, 18, 20],  # zero baseline
    ("EMISSION_COD_CHANGE", CITY): [0, -3, -4, -9],  # % change: no CAGR, time-elapsed only
    ("RESPONSIBILITY_LIST_RATE", CITY): [80, 85, 90, 95],  # registry checkpoint 100 in 2023
    ("ENV_INCIDENTS", CITY): [None, None, None, None],  # no data source
}


def registry() -> dict[str, dict]:
    with (PROJECT / "seeds" / "indicator_registry.csv").open(encoding="utf-8") as f:
        return {r["code"]: r for r in csv.DictReader(f)}


def build(home: Path) -> duckdb.DuckDBPyConnection:
    db = home / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    con.execute("""create table main.fct_indicator_values (
        indicator_code varchar, area_code varchar, period_type varchar, period_start date, value double,
        numerator double, denominator double, unit varchar, method_version varchar, as_of timestamp,
        load_ids varchar, missing_reason varchar, missing_reason_zh varchar, missing_reason_code varchar)""")
    con.execute("""create table main.fct_indicator_baselines (
        indicator_code varchar, area_code varchar, baseline_year integer, baseline_value double,
        baseline_source varchar, method_version varchar, as_of timestamp, load_ids varchar,
        missing_reason varchar, missing_reason_zh varchar, missing_reason_code varchar)""")
    for (code, area), values in SERIES.items():
        for i, v in enumerate(values):
            year = 2020 + i
            reason = (
                None
                if v is not None
                else ("no_data_source" if code == "ENV_INCIDENTS" else "no_data_in_year")
            )
            con.execute(
                "insert into main.fct_indicator_values values (?, ?, 'year', ?, ?, null, null, 'u', ?, ?, ?,"
                " null, ?, ?)",
                [
                    code,
                    area,
                    dt.date(year, 1, 1),
                    v,
                    None if v is None else "m1",
                    None if v is None else dt.datetime(year + 1, 1, 15),
                    None if v is None else f"load-{year}",
                    None if v is None else "理由",
                    reason,
                ],
            )
        con.execute(
            "insert into main.fct_indicator_baselines values (?, ?, 2020, ?, ?, null, null, null, null,"
            " null, ?)",
            [
                code,
                area,
                values[0],
                None if values[0] is None else "computed",
                None if values[0] is not None else "no_data_source",
            ],
        )
    con.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZTECO_", "DAGSTER_", "DBT_"))}
    env.update(ZTECO_HOME=str(home), DBT_LOG_PATH=str(home / "dbt_logs"))
    for command in (
        ["seed", "--select", "indicator_registry", "plans", "progress_statuses", "counties"],
        ["run", "--select", "int_plan_targets__14th_fyp", "fct_indicator_progress"],
    ):
        r = subprocess.run(
            [
                str(BIN / "dbt"),
                *command,
                "--project-dir",
                str(PROJECT),
                "--profiles-dir",
                str(PROJECT),
                "--target-path",
                str(home / "dbt_target"),
            ],
            env=env,
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert r.returncode == 0, f"dbt {command[0]} failed:\n{r.stdout[-6000:]}\n{r.stderr[-3000:]}"
    return duckdb.connect(str(db), read_only=True)


@pytest.fixture(scope="module")
def mart(tmp_path_factory):
    con = build(tmp_path_factory.mktemp("progress"))
    cur = con.execute("select * from main.fct_indicator_progress")
    cols = [d[0] for d in cur.description]
    rows = {
        (r["indicator_code"], r["area_code"], r["year"]): r
        for r in (dict(zip(cols, t, strict=True)) for t in cur.fetchall())
    }
    con.close()
    return rows


def test_every_fixture_row_is_assessed_never_dropped(mart):
    expected = {(code, area, y) for (code, area) in SERIES for y in (2021, 2022, 2023)}
    assert set(mart) == expected


@pytest.mark.parametrize("key", sorted(SERIES))
def test_mart_equals_the_python_reference(mart, key):
    reg = registry()[key[0]]
    values = SERIES[key]
    for year in (2021, 2022, 2023):
        ref = assess(
            direction=reg["direction"],
            baseline=values[0],
            value=values[year - 2020],
            target=float(reg["target_2025"]),
            year=year,
            baseline_year=2020,
            target_year=2025,
            checkpoint_year=2023,
            checkpoint=float(reg["checkpoint_2023"]) if reg["checkpoint_2023"] else None,
        ).as_dict()
        row = mart[(*key, year)]
        for col, want in ref.items():
            got = row[col]
            if isinstance(want, float):
                assert got == pytest.approx(want, rel=1e-9, abs=1e-12), (key, year, col)
            else:
                assert got == want, (key, year, col, got, want)
        assert row["is_binding"] == (reg["kind"] == "binding")
        assert row["status_zh"]


def test_county_ranks_equal_the_reference(mart):
    for year in (2021, 2022, 2023):
        for code in ("AIR_PM25_MEAN", "AIR_GOOD_DAYS_RATIO"):
            direction = registry()[code]["direction"]
            values = {a: SERIES[(code, a)][year - 2020] for a in (A, B)}
            assert {a: mart[(code, a, year)]["county_rank"] for a in (A, B)} == county_ranks(
                values, direction
            )
            assert mart[(code, CITY, year)]["county_rank"] is None


def test_hand_worked_rows(mart):
    pm = mart[("AIR_PM25_MEAN", CITY, 2023)]  # 40 -> 31 in 2023, target 25: see test_progress.py
    assert pm["distance_share"] == pytest.approx(0.6) and pm["time_progress_status"] == "on_schedule"
    assert pm["growth_rate_ratio"] == pytest.approx(0.9079, abs=1e-4)
    assert pm["status"] == "acceleration_needed" and pm["status_zh"] == "有进展但需加快"
    assert pm["checkpoint_value"] == pytest.approx(31) and pm["checkpoint_verdict"] == "achieved"
    assert pm["load_ids"] == "load-2023" and pm["method_version"] == "m1"
    assert mart[("AIR_PM25_MEAN", CITY, 2021)]["status"] == "deterioration"
    assert mart[("AIR_PM25_MEAN", A, 2023)]["status"] == "achieved"
    assert mart[("AIR_PM25_MEAN", A, 2023)]["county_rank"] == 1
    gap = mart[("AIR_PM25_MEAN", B, 2022)]
    assert (
        gap["value"] is None
        and gap["status"] == "no_data"
        and gap["missing_reason_code"] == "no_data_in_year"
    )
    none = mart[("ENV_INCIDENTS", CITY, 2021)]
    assert none["status_zh"] == "无数据" and none["missing_reason_code"] == "no_data_source"
    resp = mart[("RESPONSIBILITY_LIST_RATE", CITY, 2023)]
    assert resp["checkpoint_source"] == "registry" and resp["checkpoint_verdict"] == "not_achieved"
    cod = mart[("EMISSION_COD_CHANGE", CITY, 2023)]  # -9 <= -8: met
    assert cod["status"] == "achieved"
    assert mart[("EMISSION_COD_CHANGE", CITY, 2021)]["status_method"] == "time_elapsed"
