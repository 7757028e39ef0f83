"""The real pipeline on a small world: `zteco world generate` + `zteco run` (Dagster → dbt → serving).

The figures are checked against an independent recomputation from the raw landing packets
(decoded with the codec, not read back from the lake), so a fault in the loader, the dbt models
or the publish step shows up here.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from ingestion.hj212.codec import Hj212Error, parse_many
from ingestion.standards.hj633 import daily_aqi
from tests.conftest import run_zteco

pytestmark = pytest.mark.integration
POLLUTANTS = {"a34004": "pm2_5", "a34002": "pm10", "a21026": "so2", "a21004": "no2", "a21005": "co",
              "a05024": "o3"}
TRANSPORT_FAULTS = {"crc_mismatch", "bad_length", "truncated"}


def serving(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "serving" / "zteco.duckdb"), read_only=True)


def registry(home: Path) -> dict[str, dict]:
    with (home / "landing/monitoring/registry/air_stations.csv").open(encoding="utf-8") as f:
        return {r["mn"]: r for r in csv.DictReader(f)}


def landing_lines(home: Path) -> dict[str, list[str]]:
    out = {}
    for p in sorted((home / "landing/monitoring/hj212").glob("date=*/*.hj212")):
        out[str(p.relative_to(home))] = [ln for ln in p.read_bytes().decode("utf-8").splitlines(keepends=True)
                                         if ln.strip()]
    return out


def hj663_percentile(values: list[float], p: float) -> float:
    """HJ 663-2013 percentile: sort ascending, k = 1 + (n - 1)p, X(s) + (X(s+1) - X(s))(k - s), s = floor(k)."""
    x = sorted(values)
    k = 1 + (len(x) - 1) * p
    s = math.floor(k)
    return x[s - 1] + (x[min(s, len(x) - 1)] - x[s - 1]) * (k - s)


def half_up(x: float, places: int) -> float:
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def hours(pipeline_home: Path) -> dict[tuple[str, datetime], dict[str, tuple[float, str]]]:
    """Valid-CRC hourly packets of registered stations, last packet per (MN, hour) wins."""
    reg = registry(pipeline_home)
    out: dict[tuple[str, datetime], dict[str, tuple[float, str]]] = {}
    for lines in landing_lines(pipeline_home).values():
        for res in parse_many(lines):
            if isinstance(res, Hj212Error) or res.cn != "2061" or res.mn not in reg:
                continue
            t = datetime.strptime(res.cp["DataTime"], "%Y%m%d%H%M%S")
            out[(res.mn, t)] = {col: (float(res.cp[f"{code}-Avg"]), res.cp[f"{code}-Flag"])
                                for code, col in POLLUTANTS.items() if f"{code}-Avg" in res.cp}
    for key in flatline_hours(out):  # validated values only: a PM2.5 flatline is invalidated
        value, _ = out[key]["pm2_5"]
        out[key]["pm2_5"] = (value, "flatline")
    return out


def flatline_hours(hours, min_hours: int = 6) -> set[tuple[str, datetime]]:
    """(MN, hour)s where the valid (N) PM2.5 is identical for >= min_hours consecutive hours."""
    out: set[tuple[str, datetime]] = set()
    run: list[tuple[str, datetime]] = []
    previous = None
    for mn, t in sorted(k for k, v in hours.items() if v.get("pm2_5", (None, ""))[1] == "N"):
        value = hours[(mn, t)]["pm2_5"][0]
        if previous and previous[0] == mn and previous[2] == value and t - previous[1] == timedelta(hours=1):
            run.append((mn, t))
        else:
            if len(run) >= min_hours:
                out.update(run)
            run = [(mn, t)]
        previous = (mn, t, value)
    if len(run) >= min_hours:
        out.update(run)
    return out


def station_days(hours) -> dict[tuple[str, date], dict[str, float]]:
    """HJ 663-2013 daily values of each station, computed here from the packets."""
    by_day: dict[tuple[str, date], dict[int, dict]] = defaultdict(dict)
    for (mn, t), vals in hours.items():
        by_day[(mn, t.date())][t.hour] = vals
    out = {}
    for key, hrs in by_day.items():
        day: dict[str, float] = {}
        for p in ("pm2_5", "pm10", "so2", "no2", "co", "o3"):
            valid = [hrs[h][p][0] for h in hrs if p in hrs[h] and hrs[h][p][1] == "N"]
            if len(valid) >= 20:
                day["o3_1h" if p == "o3" else p] = max(valid) if p == "o3" else sum(valid) / len(valid)
        eights = []
        for end in range(7, 24):
            w = [hrs[h]["o3"][0] for h in range(end - 7, end + 1)
                 if h in hrs and "o3" in hrs[h] and hrs[h]["o3"][1] == "N"]
            if len(w) >= 6:
                eights.append(sum(w) / len(w))
        if len(eights) >= 14:
            day["o3_8h"] = max(eights)
        out[key] = day
    return out


def test_run_is_recorded_in_dagster(pipeline_home: Path):
    from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

    instance = DagsterInstance.from_config(str(pipeline_home / "dagster"))
    runs = instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.SUCCESS]))
    assert {r.job_name for r in runs} >= {"monitoring_daily_job", "warehouse_job"}
    days = len(list((pipeline_home / "landing/monitoring/hj212").glob("date=*")))
    assert days == 731
    from dagster import AssetKey

    materialized = instance.get_materialized_partitions(AssetKey(["monitoring", "air_hourly"]))
    assert len(materialized) == days


def test_every_received_packet_is_accounted_for(pipeline_home: Path):
    lines = landing_lines(pipeline_home)
    con = duckdb.connect()
    rows = con.execute(f"""
        select source_file, received, loaded, quarantined, duplicates
        from read_parquet('{pipeline_home}/lake/load_log/*.parquet')
        where source = 'monitoring.hj212.air'
        qualify row_number() over (partition by source_file order by finished_at desc) = 1
    """).fetchall()
    assert {r[0] for r in rows} == set(lines)
    for source_file, received, loaded, quarantined, duplicates in rows:
        assert received == len(lines[source_file]), source_file
        assert received == loaded + quarantined + duplicates, source_file
    # and the lake holds exactly what the log says was loaded
    lake = con.execute(f"""
        select count(*) from read_parquet('{pipeline_home}/lake/monitoring/air_*/*/*.parquet')
    """).fetchone()[0]
    assert lake == sum(r[2] for r in rows)


def test_injected_faults_are_quarantined_or_counted(pipeline_home: Path):
    with (pipeline_home / "world/anomalies.csv").open(encoding="utf-8") as f:
        anomalies = list(csv.DictReader(f))
    con = duckdb.connect()
    q = dict(con.execute(f"""
        select rule, count(*) from read_parquet('{pipeline_home}/lake/quarantine/hj212/*/*.parquet') group by rule
    """).fetchall())
    transport = sum(1 for a in anomalies if a["kind"] in TRANSPORT_FAULTS)
    assert transport > 0
    assert sum(q.get(r, 0) for r in ("crc_mismatch", "bad_length", "bad_frame")) == transport
    rogue = sum(int(a["detail"].split()[0]) for a in anomalies if a["kind"] == "unknown_mn")
    assert rogue > 0 and q.get("unknown_mn", 0) == rogue
    dups = con.execute(f"""
        select sum(duplicates) from read_parquet('{pipeline_home}/lake/load_log/*.parquet')
        where source = 'monitoring.hj212.air'
    """).fetchone()[0]
    assert dups == sum(1 for a in anomalies if a["kind"] == "duplicate_packet")
    reasons = con.execute(f"""
        select reason from read_parquet('{pipeline_home}/lake/quarantine/hj212/*/*.parquet') limit 5
    """).fetchall()
    assert all("line" in r[0] and ".hj212" in r[0] for r in reasons)  # names the file and the line


def test_annual_air_indicators_match_an_independent_computation(pipeline_home: Path, hours):
    reg = registry(pipeline_home)
    sd = station_days(hours)
    areas: dict[str, list[str]] = defaultdict(list)
    for mn, r in reg.items():
        areas[r["county_code"]].append(mn)
        if r["is_city_assessment"] == "true":
            areas["530600"].append(mn)
    con = serving(pipeline_home)
    got = {(a, y): (v, n, d) for a, y, v, n, d in con.execute("""
        select area_code, year(period_start), value, numerator, denominator from fct_indicator_values
        where indicator_code = 'AIR_GOOD_DAYS_RATIO' and period_type = 'year'
    """).fetchall()}
    pm = {(a, y): v for a, y, v in con.execute("""
        select area_code, year(period_start), value from fct_indicator_values
        where indicator_code = 'AIR_PM25_MEAN' and period_type = 'year'
    """).fetchall()}
    others = {(c, a, y): (v, n, d) for c, a, y, v, n, d in con.execute("""
        select indicator_code, area_code, year(period_start), value, numerator, denominator from fct_indicator_values
        where indicator_code in ('AIR_HEAVY_POLLUTION_DAYS', 'AIR_O3_8H_P90') and period_type = 'year'
    """).fetchall()}
    annual = {(a, y): (ok, vd) for a, y, ok, vd in con.execute(
        "select area_code, year, is_valid_year, valid_days from fct_air_annual_area").fetchall()}
    checked = 0
    for area, mns in areas.items():
        for year in (2020, 2021):
            pm_days, o3_8h_days, valid, good, heavy = [], [], 0, 0, 0
            d = date(year, 1, 1)
            while d.year == year:
                area_day = {}
                for p in ("pm2_5", "pm10", "so2", "no2", "co", "o3_1h", "o3_8h"):
                    vals = [sd[(mn, d)][p] for mn in mns if p in sd.get((mn, d), {})]
                    if vals:
                        area_day[p] = half_up(sum(vals) / len(vals), 1 if p == "co" else 0)
                if "pm2_5" in area_day:
                    pm_days.append(area_day["pm2_5"])
                if "o3_8h" in area_day:
                    o3_8h_days.append(area_day["o3_8h"])
                if all(p in area_day for p in ("pm2_5", "pm10", "so2", "no2", "co")) and (
                        "o3_1h" in area_day or "o3_8h" in area_day):
                    res = daily_aqi({"pm2_5": area_day["pm2_5"], "pm10": area_day["pm10"], "so2": area_day["so2"],
                                     "no2": area_day["no2"], "co": area_day["co"], "o3": area_day.get("o3_1h"),
                                     "o3_8h": area_day.get("o3_8h")})
                    valid += 1
                    good += res.aqi <= 100
                    heavy += res.aqi > 200
                d += timedelta(days=1)
            is_valid, valid_days = annual[(area, year)]
            assert valid_days == valid, (area, year)
            value, num, den = got[(area, year)]
            if not is_valid:
                assert value is None
                assert others[("AIR_HEAVY_POLLUTION_DAYS", area, year)][0] is None
                assert others[("AIR_O3_8H_P90", area, year)][0] is None
                continue
            assert others[("AIR_HEAVY_POLLUTION_DAYS", area, year)] == (heavy, heavy, valid), (area, year)
            assert math.isclose(others[("AIR_O3_8H_P90", area, year)][0], half_up(hj663_percentile(o3_8h_days, 0.9), 0)), (
                area, year)
            assert (num, den) == (good, valid), (area, year)
            assert math.isclose(value, half_up(100 * good / valid, 1)), (area, year)
            assert math.isclose(pm[(area, year)], half_up(sum(pm_days) / len(pm_days), 0)), (area, year)
            checked += 1
    assert checked >= 20  # 12 areas x 2 years, less the years that fail HJ 663 validity


def test_calibration_is_realistic(pipeline_home: Path):
    """The world is calibrated to Zhaotong's published figures (DOMAIN.md): PM2.5 around 25, good days mid-90s."""
    con = serving(pipeline_home)
    pm, good = con.execute("""
        select avg(value) filter (where indicator_code = 'AIR_PM25_MEAN'),
               avg(value) filter (where indicator_code = 'AIR_GOOD_DAYS_RATIO')
        from fct_indicator_values where area_code = '530600'
    """).fetchone()
    assert 20 <= pm <= 32 and 90 <= good <= 99
    worst = [a for a, in con.execute("""
        select area_code from fct_air_annual_area group by area_code order by avg(good_days_ratio) limit 3
    """).fetchall()]
    assert {"530681", "530623"} & set(worst)  # 水富 / 盐津 among the worst
    summer_primary = con.execute("""
        select primary_pollutant from fct_air_daily_area
        where month(date) between 5 and 8 and aqi > 100 and area_code = '530600'
        group by all order by count(*) desc limit 1
    """).fetchone()
    assert summer_primary is not None and summer_primary[0].startswith("o3")


def test_every_registry_indicator_has_rows_and_no_zero_fill(pipeline_home: Path):
    con = serving(pipeline_home)
    codes = {c for c, in con.execute("select code from dim_indicator").fetchall()}
    assert len(codes) == 42
    present = {c for c, in con.execute("select distinct indicator_code from fct_indicator_values").fetchall()}
    assert present == codes
    bad = con.execute("""
        select count(*) from fct_indicator_values
        where (value is null and (missing_reason is null or missing_reason = ''))
           or (value is not null and missing_reason is not null)
    """).fetchone()[0]
    assert bad == 0
    dup = con.execute("""
        select count(*) from (select indicator_code, area_code, period_type, period_start
        from fct_indicator_values group by all having count(*) > 1)
    """).fetchone()[0]
    assert dup == 0
    prov = con.execute("""
        select count(*) from fct_indicator_values
        where value is not null and (method_version is null or as_of is null or load_ids is null
                                     or (indicator_code like 'AIR%' and load_ids not like '%hj212%'))
    """).fetchone()[0]
    assert prov == 0


def test_rerunning_a_range_replaces_instead_of_duplicating(pipeline_home: Path):
    con = duckdb.connect()
    lake = f"read_parquet('{pipeline_home}/lake/monitoring/air_hourly/*/*.parquet', hive_partitioning=true)"
    before = con.execute(f"select count(*) from {lake}").fetchone()[0]
    values_before = serving(pipeline_home).execute(
        "select indicator_code, area_code, period_start, value from fct_indicator_values order by all").fetchall()
    run_zteco(pipeline_home, "run", "--start", "2021-03-01", "--end", "2021-03-03")
    after = con.execute(f"select count(*) from {lake}").fetchone()[0]
    assert after == before
    values_after = serving(pipeline_home).execute(
        "select indicator_code, area_code, period_start, value from fct_indicator_values order by all").fetchall()
    assert values_after == values_before
    loads = con.execute(f"""
        select count(distinct load_id) from {lake} where date between '2021-03-01' and '2021-03-03'
    """).fetchone()[0]
    assert loads == 1
