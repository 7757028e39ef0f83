"""Build the dbt project on a synthetic lake and check the marts against values computed here.

The expected values are computed in plain Python/pandas straight from the lake's Parquet files,
following HJ 633-2012 / HJ 663-2013 as written in ../shared/DOMAIN.md §4, without reading any dbt
model or seed; only the final comparison reads the warehouse.
"""

from __future__ import annotations

import csv
import importlib.util
import math
import os
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "dbt_project"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.integration

_spec = importlib.util.spec_from_file_location("make_dev_lake", Path(__file__).with_name("make_dev_lake.py"))
dev_lake = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = dev_lake
_spec.loader.exec_module(dev_lake)

IAQI_LEVELS = [0, 50, 100, 150, 200, 300, 400, 500]
BREAKPOINTS = {  # DOMAIN.md §4, daily AQI tables
    "so2": [0, 50, 150, 475, 800, 1600, 2100, 2620],
    "no2": [0, 40, 80, 180, 280, 565, 750, 940],
    "pm10": [0, 50, 150, 250, 350, 420, 500, 600],
    "co": [0, 2, 4, 14, 24, 36, 48, 60],
    "o3": [0, 160, 200, 300, 400, 800, 1000, 1200],
    "o3_8h": [0, 100, 160, 215, 265, 800],
    "pm2_5": [0, 35, 75, 115, 150, 250, 350, 500],
}
DAILY_MEAN_POLLUTANTS = ("so2", "no2", "co", "pm10", "pm2_5")


def round_half_up(x: float, digits: int) -> float:
    """Half away from zero, after dropping float noise beyond 9 decimals (12.499999999999998 is 12.5)."""
    noise_free = Decimal(repr(float(x))).quantize(Decimal("1e-9"), rounding=ROUND_HALF_UP)
    return float(noise_free.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def iaqi(pollutant: str, concentration: float) -> int | None:
    bps = BREAKPOINTS[pollutant]
    if concentration > bps[-1]:
        return 500 if len(bps) == len(IAQI_LEVELS) else None
    for i in range(len(bps) - 1):
        if bps[i] <= concentration <= bps[i + 1]:
            value = (IAQI_LEVELS[i + 1] - IAQI_LEVELS[i]) * (concentration - bps[i]) / (bps[i + 1] - bps[i])
            return math.ceil(round(value + IAQI_LEVELS[i], 6))
    return None


def reported(pollutant: str, value: float | None) -> float | None:
    if value is None or pd.isna(value):
        return None
    return round_half_up(value, 1 if pollutant == "co" else 0)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("zteco_home")
    dev_lake.make_dev_lake(home)
    env = {
        **os.environ,
        "ZTECO_HOME": str(home),
        "DBT_TARGET_PATH": str(home / "dbt_target"),
        "DBT_LOG_PATH": str(home / "dbt_logs"),
    }
    args = ["--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT)]
    for command in (["parse"], ["build"]):
        result = subprocess.run([str(BIN / "dbt"), *command, *args], env=env, capture_output=True,
                                text=True, timeout=600)
        assert result.returncode == 0, f"dbt {command[0]} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    return home


@pytest.fixture(scope="module")
def warehouse(home):
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def raw_hours(home) -> pd.DataFrame:
    """Hourly rows from the lake, latest load per (mn, data_time), invalid values set to None."""
    lake = home / "lake"
    con = duckdb.connect()
    hourly = con.execute(
        f"select * from read_parquet('{lake}/monitoring/air_hourly/**/*.parquet', hive_partitioning = true)"
    ).df()
    loads = con.execute(f"select load_id, finished_at from read_parquet('{lake}/load_log/*.parquet')").df()
    stations = con.execute(f"select * from read_parquet('{lake}/monitoring/air_stations/*.parquet')").df()
    con.close()
    hourly = hourly.merge(loads, on="load_id", how="left")
    hourly = hourly.sort_values(["finished_at", "load_id", "line_no"]).drop_duplicates(["mn", "data_time"], keep="last")
    hourly = hourly.merge(stations[["mn", "station_code"]], on="mn")
    for p in dev_lake.POLLUTANTS:
        hourly[p] = hourly[p].where(hourly[f"{p}_flag"] == "N")
    hourly["day"] = hourly["data_time"].dt.date
    hourly["hour"] = hourly["data_time"].dt.hour
    return hourly


def station_day(hours: pd.DataFrame) -> dict:
    """HJ 663-2013 daily statistics of one station-day, from its (deduplicated, validated) hours."""
    out: dict = {}
    for p in DAILY_MEAN_POLLUTANTS:
        valid = hours[p].dropna()
        out[p] = valid.mean() if len(valid) >= 20 else None
    o3 = hours.set_index("hour")["o3"].dropna()
    out["o3_1h_max"] = o3.max() if len(o3) >= 20 else None
    windows = [o3[(o3.index >= end - 7) & (o3.index <= end)] for end in range(7, 24)]
    means = [w.mean() for w in windows if len(w) >= 6]
    out["o3_8h_max"] = max(means) if len(means) >= 14 else None
    return out


def score(day: dict) -> dict:
    """HJ 633-2012 daily IAQIs, AQI and primary pollutant from the rounded daily statistics."""
    measures = {"pm2_5": "pm2_5", "pm10": "pm10", "so2": "so2", "no2": "no2", "co": "co",
                "o3_1h_max": "o3", "o3_8h_max": "o3_8h"}
    concentrations = {column: reported(pollutant, day[column]) for column, pollutant in measures.items()}
    sub = {measures[c]: iaqi(measures[c], v) for c, v in concentrations.items() if v is not None}
    complete = all(concentrations[p] is not None for p in DAILY_MEAN_POLLUTANTS) and (
        concentrations["o3_1h_max"] is not None or concentrations["o3_8h_max"] is not None)
    aqi = max((v for v in sub.values() if v is not None), default=None) if complete else None
    primary = None
    if aqi is not None and aqi > 50:
        primary = ",".join(sorted(p for p, v in sub.items() if v == aqi))
    return {**concentrations, "iaqi": sub, "aqi": aqi, "primary_pollutant": primary}


def test_resubmitted_station_day_keeps_latest_load_and_scores_pm25(warehouse, raw_hours):
    station, day, added, resubmit_load = dev_lake.RESUBMITTED
    hours = raw_hours[(raw_hours["station_code"] == station) & (raw_hours["day"] == day)]
    assert set(hours["load_id"]) == {resubmit_load}

    valid = hours["pm2_5"].dropna()
    assert len(valid) >= 20
    expected_pm25 = round_half_up(valid.mean(), 0)
    expected_iaqi = iaqi("pm2_5", expected_pm25)

    pm25, iaqi_pm25 = warehouse.execute(
        "select pm2_5, iaqi_pm2_5 from main.fct_air_daily_station where station_code = ? and date = ?",
        [station, day],
    ).fetchone()
    assert (pm25, iaqi_pm25) == (expected_pm25, expected_iaqi)
    # the first load's values would give a different mean: the resubmission really was kept
    assert round_half_up(valid.mean() - added, 0) != pm25


def test_station_days_match_independent_hj633_scoring(warehouse, raw_hours):
    station = "ZT0701"
    ours = warehouse.execute(
        "select date, pm2_5, pm10, so2, no2, co, o3_1h_max, o3_8h_max, aqi, primary_pollutant "
        "from main.fct_air_daily_station where station_code = ? order by date", [station]
    ).df().set_index("date")
    expected = {}
    for day, hours in raw_hours[raw_hours["station_code"] == station].groupby("day"):
        expected[day] = score(station_day(hours))
    assert len(ours) == len(expected)
    mismatches = []
    for day, exp in expected.items():
        row = ours.loc[pd.Timestamp(day)]
        got = {c: (None if pd.isna(row[c]) else row[c]) for c in ours.columns}
        for column in ("pm2_5", "pm10", "so2", "no2", "co", "o3_1h_max", "o3_8h_max", "aqi", "primary_pollutant"):
            if got[column] != exp[column]:
                mismatches.append((day, column, got[column], exp[column]))
    assert not mismatches, mismatches[:10]
    assert sum(e["aqi"] is not None for e in expected.values()) > 700


def test_year_with_an_insufficient_month_is_invalid(warehouse):
    rows = dict(
        ((area, year), (valid_days, is_valid))
        for area, year, valid_days, is_valid in warehouse.execute(
            "select area_code, year, valid_days, is_valid_year from main.fct_air_annual_area"
        ).fetchall()
    )
    outage_area = dev_lake.COUNTY_OF[dev_lake.OUTAGE[0]]
    valid_days, is_valid = rows[(outage_area, 2021)]
    assert valid_days >= 324  # enough days in the year: it is February that fails
    assert is_valid is False
    assert rows[(outage_area, 2020)][1] is True
    assert rows[("530602", 2021)][1] is True
    assert rows[("530600", 2021)][1] is True


def annual_pm25(raw_hours: pd.DataFrame, stations: set[str], year: int) -> float:
    """HJ 663-2013 annual PM2.5 mean of an area: mean of the rounded area daily means."""
    hours = raw_hours[raw_hours["station_code"].isin(stations) & (raw_hours["data_time"].dt.year == year)]
    daily = hours.groupby(["station_code", "day"])["pm2_5"].agg(["mean", "count"])
    daily = daily[daily["count"] >= 20]["mean"]
    area_daily = daily.groupby(level="day").mean().map(lambda v: round_half_up(v, 0))
    return round_half_up(area_daily.mean(), 0)


ASSESSMENT_STATIONS = {s.station_code for s in dev_lake.STATIONS if s.is_city_assessment}
STATIONS_530602 = {s.station_code for s in dev_lake.STATIONS if s.county_code == "530602"}


def test_city_pm25_annual_mean_uses_assessment_stations_only(warehouse, raw_hours):
    assessment, county_530602 = ASSESSMENT_STATIONS, STATIONS_530602
    assert assessment < county_530602

    for area, stations in (("530600", assessment), ("530602", county_530602)):
        expected = annual_pm25(raw_hours, stations, 2021)
        annual = warehouse.execute(
            "select pm2_5_mean from main.fct_air_annual_area where area_code = ? and year = 2021", [area]
        ).fetchone()[0]
        indicator = warehouse.execute(
            "select value from main.fct_indicator_values where indicator_code = 'AIR_PM25_MEAN' "
            "and area_code = ? and period_start = date '2021-01-01'", [area]
        ).fetchone()[0]
        assert annual == indicator == expected, area


def test_indicator_values_cover_the_registry_once_per_period(warehouse):
    with open(PROJECT / "seeds" / "indicator_registry.csv", encoding="utf-8") as f:
        registry = list(csv.DictReader(f))
    df = warehouse.execute("select * from main.fct_indicator_values").df()
    keys = ["indicator_code", "area_code", "period_type", "period_start"]
    assert not df.duplicated(keys).any()
    assert set(df["indicator_code"]) == {r["code"] for r in registry}
    years = sorted(df["period_start"].dt.year.unique())
    assert years == [2020, 2021]
    n_counties = 11
    expected_rows = sum(1 + (n_counties if "county" in r["areas"] else 0) for r in registry) * len(years)
    assert len(df) == expected_rows

    missing = df[df["missing_reason"].notna()]
    assert missing["value"].isna().all()
    assert not (missing["value"] == 0).any()
    assert df[df["missing_reason"].isna()]["value"].notna().all()
    computed_codes = {"AIR_PM25_MEAN", "AIR_GOOD_DAYS_RATIO", "AIR_HEAVY_POLLUTION_DAYS", "AIR_O3_8H_P90"}
    # the census family has a source, but the dev lake holds no census delivery: it says so
    census_codes = {"KEY_UNITS_LISTED_RATE", "ENTERPRISE_MATCH_RATE"}
    census = df[df["indicator_code"].isin(census_codes)]
    assert len(census) == 2 * 12 * len(years) and (census["missing_reason_code"] == "no_census_data").all()
    assert (census["missing_reason_zh"] == "尚未载入污染源普查数据").all()
    others = df[~df["indicator_code"].isin(computed_codes | census_codes)]
    assert others["value"].isna().all() and others["missing_reason_code"].notna().all()
    # every source family has a model now (an indicator without one would say 'no_data_source'); the dev lake
    # holds no county submissions: the county-forms indicators give a reason of their own
    families = {r["code"]: r["source_family"] for r in registry}
    assert set(families.values()) - {"monitoring", "census", "county_forms", "solid_waste_platform"} == set()
    county_forms = others[others["indicator_code"].map(families) == "county_forms"]
    assert len(county_forms) > 0 and (county_forms["missing_reason_code"] != "no_data_source").all()
    assert county_forms["missing_reason_zh"].notna().all()
    # the monitoring families have models, and the dev lake holds none of their data: a reason of their own
    with_family = others[others["indicator_code"].map(families) == "monitoring"]
    assert len(with_family) > 0 and (with_family["missing_reason_code"] != "no_data_source").all()
    # the Chinese text and the code are set exactly when the English reason is
    assert (df["missing_reason_zh"].isna() == df["missing_reason"].isna()).all()
    assert (df["missing_reason_code"].isna() == df["missing_reason"].isna()).all()
    # a county without a station (530622 has none in the dev lake) says so, in both languages
    no_station = df[(df["area_code"] == "530622") & (df["indicator_code"] == "AIR_PM25_MEAN")]
    assert (no_station["missing_reason"] == "no air quality monitoring station in this area").all()
    assert (no_station["missing_reason_zh"] == "本地区无空气质量监测站点").all()
    # 530621 fails HJ 663-2013 validity in 2021 (OUTAGE)
    invalid = df[(df["area_code"] == "530621") & (df["period_start"].dt.year == 2021)
                 & df["indicator_code"].isin(computed_codes)]
    assert len(invalid) == len(computed_codes) and (invalid["missing_reason_code"] == "too_few_valid_days").all()
    assert invalid["missing_reason_zh"].str.contains("有效监测天数不足").all()

    units = {r["code"]: r["unit"] for r in registry}
    assert (df["unit"] == df["indicator_code"].map(units)).all()


def test_good_days_ratio_carries_numerator_denominator_and_lineage(warehouse):
    rows = warehouse.execute(
        "select i.area_code, i.period_start, i.value, i.numerator, i.denominator, i.method_version, "
        "i.as_of, i.load_ids, a.good_days, a.valid_days "
        "from main.fct_indicator_values as i "
        "inner join main.fct_air_annual_area as a "
        "on i.area_code = a.area_code and extract(year from i.period_start) = a.year "
        "where i.indicator_code = 'AIR_GOOD_DAYS_RATIO' and i.value is not null"
    ).df()
    assert len(rows) == 7  # 3 counties + city over 2 years, minus the invalid 530621/2021
    assert (rows["numerator"] == rows["good_days"]).all()
    assert (rows["denominator"] == rows["valid_days"]).all()
    ratio = (rows["numerator"] * 100 / rows["denominator"]).map(lambda v: round_half_up(v, 1))
    assert (rows["value"] == ratio).all()
    assert (rows["method_version"] == "HJ 663-2013").all()
    assert (rows["as_of"].dt.year == rows["period_start"].dt.year).all()
    for load_ids in rows["load_ids"]:
        ids = load_ids.split(",")
        assert ids == sorted(set(ids))
    city_2021 = rows[(rows["area_code"] == "530600") & (rows["period_start"].dt.year == 2021)].iloc[0]
    assert dev_lake.RESUBMITTED[3] in city_2021["load_ids"].split(",")
    assert city_2021["as_of"] == pd.Timestamp("2021-12-31 23:00:00")



def test_hourly_station_aqi_matches_the_python_reference(warehouse, raw_hours):
    """fct_air_hourly_station on the dev lake (flags, missing packets, the resubmission) against
    ingestion/standards/hj633.hourly_aqi applied to the reported (rounded) hourly values."""
    from ingestion.standards import hj633

    station = "ZT0101"  # has the resubmitted day
    ours = warehouse.execute(
        "select * from main.fct_air_hourly_station where station_code = ? order by data_time", [station]
    ).df().set_index("data_time")
    hours = raw_hours[raw_hours["station_code"] == station].set_index("data_time")
    assert len(ours) == len(hours) > 17000
    assert (ours["area_code"] == dev_lake.COUNTY_OF[station]).all()
    assert (ours["method_version"] == "HJ 633-2012").all()
    mismatches = []
    for data_time, hour in hours.iterrows():
        values = {p: reported(p, hour[p]) for p in ("pm2_5", "pm10", "so2", "no2", "co", "o3")}
        result = hj633.hourly_aqi(values)
        row = ours.loc[data_time]
        got = {c: (None if pd.isna(row[c]) else row[c])
               for c in ("pm2_5", "pm10", "so2", "no2", "co", "o3", "aqi", "primary_pollutant", "category")}
        expected = {**values, "aqi": result.aqi, "primary_pollutant": result.primary_pollutant or None,
                    "category": result.category}
        if got != expected or bool(row["has_all_pollutants"]) != all(v is not None for v in values.values()):
            mismatches.append((data_time, got, expected))
    assert not mismatches, mismatches[:5]
    # the lake has invalid flags: some hours are scored without every pollutant, and some above 50
    assert (~ours["has_all_pollutants"] & ours["aqi"].notna()).any()
    assert ours["primary_pollutant"].notna().sum() > 1000


def test_baselines_are_the_2020_values_unless_the_registry_gives_one(warehouse, raw_hours):
    with open(PROJECT / "seeds" / "indicator_registry.csv", encoding="utf-8") as f:
        registry = {r["code"]: r for r in csv.DictReader(f)}
    base = warehouse.execute("select * from main.fct_indicator_baselines").df()
    values = warehouse.execute("select * from main.fct_indicator_values").df()
    assert not base.duplicated(["indicator_code", "area_code"]).any()
    assert set(zip(base["indicator_code"], base["area_code"], strict=True)) == set(
        zip(values["indicator_code"], values["area_code"], strict=True))
    assert (base["baseline_year"] == 2020).all()

    values_2020 = values[values["period_start"].dt.year == 2020].set_index(["indicator_code", "area_code"])
    for row in base.itertuples():
        given = registry[row.indicator_code]["baseline_value"]
        if row.area_code == "530600" and given:
            assert (row.baseline_source, row.baseline_value) == ("registry", float(given)), row
            continue
        computed = values_2020.loc[(row.indicator_code, row.area_code)]
        if pd.isna(computed["value"]):
            assert pd.isna(row.baseline_value) and pd.isna(row.baseline_source), row
            assert (row.missing_reason, row.missing_reason_zh) == (
                computed["missing_reason"], computed["missing_reason_zh"]), row
        else:
            assert (row.baseline_source, row.baseline_value) == ("computed", computed["value"]), row
            assert pd.isna(row.missing_reason)
            assert row.as_of.year == 2020 and row.method_version == "HJ 663-2013"

    # independently of the warehouse: the 2020 annual PM2.5 means from the raw hours
    pm25 = base[base["indicator_code"] == "AIR_PM25_MEAN"].set_index("area_code")
    for area, stations in (("530600", ASSESSMENT_STATIONS), ("530602", STATIONS_530602)):
        assert pm25.loc[area, "baseline_value"] == annual_pm25(raw_hours, stations, 2020), area
    assert pm25.loc["530600", "baseline_source"] == "computed"  # the registry gives no PM2.5 baseline
    assert pm25.loc["530622", "missing_reason_zh"] == "本地区无空气质量监测站点"
