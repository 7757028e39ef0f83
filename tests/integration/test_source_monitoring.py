"""Pollution-source online monitoring through the real pipeline (the session fixture's two-year world):
the loader's reconciliation and quarantine, the suspicious patterns against the world's truth
(world/source_anomalies.csv: precision and recall), the injected exceedances in the hours over the limit,
and the indicators against a recomputation from the lake in Python.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pandas as pd
import pytest

pytestmark = pytest.mark.integration

PATTERNS = ("flatline", "stuck_at_zero", "clipped_below_limit", "excessive_maintenance_flags")


def truth(home: Path) -> pd.DataFrame:
    t = pd.read_csv(home / "world" / "source_anomalies.csv", dtype=str, keep_default_na=False)
    t["s"] = pd.to_datetime(t["start"])
    t["e"] = pd.to_datetime(t["end"])
    return t


def warehouse(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)


def test_every_packet_is_loaded_quarantined_or_a_duplicate(pipeline_home: Path):
    con = duckdb.connect()
    rows = con.execute(f"""
        select count(*), sum(received), sum(loaded), sum(quarantined), sum(duplicates),
               count(*) filter (where received <> loaded + quarantined + duplicates)
        from (
            -- the latest load of each landing file: other tests re-run date ranges of the same home
            select * from read_parquet('{pipeline_home}/lake/load_log/*.parquet')
            where source = 'monitoring.hj212.sources'
            qualify row_number() over (partition by source_file order by finished_at desc) = 1
        )
    """).fetchone()
    files, received, loaded, quarantined, duplicates, unbalanced = rows
    assert files >= 700 and unbalanced == 0
    t = truth(pipeline_home)
    damaged = int(t["kind"].isin(["crc_mismatch", "bad_length", "truncated"]).sum())
    assert duplicates == int((t["kind"] == "duplicate_packet").sum())
    assert quarantined == damaged + 3  # + the three packets with a wrong password
    q = con.execute(f"""
        select rule, source_file, line_no, reason from read_parquet(
            '{pipeline_home}/lake/quarantine/monitoring/source_hj212/**/*.parquet', hive_partitioning = true)
        where rule = 'bad_password'
    """).fetchall()
    assert len(q) == 3
    assert all(r[1].endswith("sources-20200203.hj212") and f"line {r[2]}" in r[3] for r in q)


def test_suspicious_patterns_precision_and_recall_against_the_truth(pipeline_home: Path):
    t = truth(pipeline_home)
    injected = t[t["kind"].isin(PATTERNS)]
    assert len(injected) >= 10, "the two-year world injects patterns of every kind"
    assert set(injected["kind"]) == set(PATTERNS)
    con = warehouse(pipeline_home)
    found = con.execute("select outlet_code, pollutant_code, pattern_code, start_time, end_time "
                        "from main.fct_source_suspicious_patterns").df()
    assert len(found) > 0

    def overlaps(f, r) -> bool:
        return f.outlet_code == r.outlet_code and f.pattern_code == r.kind and f.start_time <= r.e and f.end_time >= r.s

    false_pos = [f for f in found.itertuples() if not any(overlaps(f, r) for r in injected.itertuples())]
    missed = [r for r in injected.itertuples() if not any(overlaps(f, r) for f in found.itertuples())]
    precision = 1 - len(false_pos) / len(found)
    recall = 1 - len(missed) / len(injected)
    assert precision == 1.0, false_pos[:5]
    assert recall == 1.0, missed[:5]
    # the pollutant is named for the single-parameter patterns
    single = injected[injected["kind"] != "excessive_maintenance_flags"]
    for r in single.itertuples():
        hit = found[(found.outlet_code == r.outlet_code) & (found.pattern_code == r.kind)
                    & (found.start_time <= r.e) & (found.end_time >= r.s)]
        assert (hit.pollutant_code == r.pollutant_code).all()
    # outlets without any injected pattern have no finding at all
    clean = set(con.execute("select outlet_code from intermediate.int_source_outlets_listed").df().outlet_code) \
        - set(injected.outlet_code)
    assert clean and not set(found.outlet_code) & clean


def test_injected_exceedances_counted_as_hours_over_limit(pipeline_home: Path):
    t = truth(pipeline_home)
    exceed = t[t["kind"] == "exceedance"]
    assert len(exceed) > 0
    con = warehouse(pipeline_home)
    for r in exceed.itertuples():
        hours = int((r.e - r.s).total_seconds() // 3600) + 1
        (counted,) = con.execute(
            "select coalesce(sum(hours_over_limit), 0) from main.fct_source_hours_over_limit "
            "where outlet_code = ? and pollutant_code = ? and data_date between ? and ?",
            [r.outlet_code, r.pollutant_code, r.s.date(), r.e.date()]).fetchone()
        assert counted >= hours, (r.outlet_code, r.pollutant_code, r.start, hours, counted)


def test_indicators_against_a_recomputation_from_the_lake(pipeline_home: Path):
    lake = pipeline_home / "lake" / "monitoring"
    con = duckdb.connect()
    hourly = con.execute(f"""
        select mn, data_time, pollutant_code, avg_value, cou_value, flag
        from read_parquet('{lake}/source_hourly/**/*.parquet', hive_partitioning = true)
    """).df()
    with (pipeline_home / "landing" / "monitoring" / "registry" / "source_devices.csv").open(encoding="utf-8") as f:
        registry = list(csv.DictReader(f))
    county = {r["mn"]: r["county_code"] for r in registry}
    n_params = {r["mn"]: len(r["parameters"].split(";")) for r in registry}
    networked_on = {r["mn"]: r["networked_on"] for r in registry}
    last_day = hourly["data_time"].max().normalize()
    hourly["year"] = hourly["data_time"].dt.year
    hourly["valid"] = (hourly["flag"] == "N") & hourly["avg_value"].notna()
    wh = warehouse(pipeline_home)
    values = {(c, a, p.year): v for c, a, p, v in wh.execute(
        "select indicator_code, area_code, period_start, value from main.fct_indicator_values "
        "where indicator_code like 'ONLINE%' or indicator_code like 'EMISSION%'").fetchall()}

    for year in (2020, 2021):
        # networked rate, city: outlets with a valid hourly value in the year / registry outlets
        sent = set(hourly.loc[hourly["valid"] & (hourly["year"] == year), "mn"])
        assert values[("ONLINE_MONITORING_NETWORKED_RATE", "530600", year)] == pytest.approx(
            round(100 * len(sent) / len(registry), 1))
        # valid transmission rate, city
        expected = 0
        for mn, on in networked_on.items():
            if not on:
                continue
            first = max(pd.Timestamp(on), pd.Timestamp(f"{year}-01-01"))
            last = min(last_day, pd.Timestamp(f"{year}-12-31"))
            if first <= last:
                expected += ((last - first).days + 1) * 24 * n_params[mn]
        valid = int((hourly["valid"] & (hourly["year"] == year)).sum())
        assert values[("ONLINE_DATA_VALID_TRANSMISSION_RATE", "530600", year)] == pytest.approx(
            round(100 * valid / expected, 1))

    # NOx change 2021 vs 2020 per area: annualised mean valid -Cou of outlets with >= 75 % valid hours
    nox = hourly[hourly["pollutant_code"] == "a21002"]
    rows = []
    for (mn, year), g in nox.groupby(["mn", "year"]):
        on = pd.Timestamp(networked_on[mn])
        first = max(on, pd.Timestamp(f"{year}-01-01"))
        expected_hours = ((min(last_day, pd.Timestamp(f"{year}-12-31")) - first).days + 1) * 24
        v = g[g["valid"]]
        hours_in_year = 8784 if year % 4 == 0 else 8760
        rows.append({"mn": mn, "year": year, "share": len(v) / expected_hours,
                     "t": v["cou_value"].mean() * hours_in_year / 1000})
    e = pd.DataFrame(rows).pivot(index="mn", columns="year")
    comparable = e[(e[("share", 2020)] >= 0.75) & (e[("share", 2021)] >= 0.75)]
    assert len(comparable) > 0
    by_county: dict[str, list[float]] = {}
    for mn, r in comparable.iterrows():
        by_county.setdefault(county[mn], [0.0, 0.0])
        by_county[county[mn]][0] += r[("t", 2021)]
        by_county[county[mn]][1] += r[("t", 2020)]
    for c, (y, base) in by_county.items():
        assert values[("EMISSION_NOX_CHANGE", c, 2021)] == pytest.approx(round(100 * (y - base) / base, 1), abs=0.05)
    city = [sum(v[0] for v in by_county.values()), sum(v[1] for v in by_county.values())]
    assert values[("EMISSION_NOX_CHANGE", "530600", 2021)] == pytest.approx(
        round(100 * (city[0] - city[1]) / city[1], 1), abs=0.05)


def test_indicators_never_zero_filled_and_reasons_known(pipeline_home: Path):
    wh = warehouse(pipeline_home)
    rows = wh.execute("select indicator_code, area_code, value, missing_reason_code, method_version, as_of, load_ids "
                      "from main.fct_indicator_values where indicator_code like 'ONLINE%' "
                      "or indicator_code like 'EMISSION%'").fetchall()
    assert len(rows) == 6 * 12 * 2  # six indicators x (city + 11 counties) x 2020-2021
    reasons = {r[0] for r in wh.execute("select reason_code from seeds.indicator_missing_reasons").fetchall()}
    for code, area, value, reason, method, as_of, load_ids in rows:
        if value is None:
            assert reason in reasons, (code, area)
        else:
            assert reason is None and method and as_of and load_ids, (code, area)
    # counties without an outlet say so instead of showing 0
    no_outlet = [r for r in rows if r[3] == "no_monitored_outlets"]
    assert no_outlet and all(r[2] is None for r in no_outlet)
