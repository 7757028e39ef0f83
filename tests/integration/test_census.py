"""The census delivery and the permit list through the real pipeline (`zteco world generate` + `zteco run`
on the two-year world of the session fixture): Dagster assets and checks, the load log, the quarantine,
and the enterprise marts in the serving database scored against the world's truth."""

from __future__ import annotations

import csv
import itertools
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.integration
PRECISION_MIN, RECALL_MIN = 0.98, 0.95  # justified in tests/dbt/test_enterprise_marts.py


def csv_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def serving(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "serving" / "zteco.duckdb"), read_only=True)


def test_census_and_permit_assets_ran_in_the_warehouse_job(pipeline_home: Path):
    from dagster import AssetKey, DagsterInstance

    instance = DagsterInstance.from_config(str(pipeline_home / "dagster"))
    for key in (["census", "industrial_sources"], ["census", "centralized_facilities"],
                ["census", "agricultural_sources"], ["census", "domestic_sources"], ["permits", "permit_list"]):
        event = instance.get_latest_materialization_event(AssetKey(key))
        assert event is not None, key
        meta = event.asset_materialization.metadata
        assert meta["received"].value == meta["loaded"].value + meta["quarantined"].value + meta["duplicates"].value
        run = instance.get_run_by_id(event.run_id)
        assert run.job_name == "warehouse_job"


def test_every_census_record_is_accounted_for_per_sheet(pipeline_home: Path):
    truth = csv_rows(pipeline_home / "world" / "census_truth.csv")
    expected = defaultdict(Counter)
    for t in truth:
        expected[f"landing/census/delivery-2019/{t['workbook']}#{t['sheet']}"][t["expected"]] += 1
    con = duckdb.connect()
    log = con.execute(f"""
        select source_file, received, loaded, quarantined, duplicates
        from read_parquet('{pipeline_home}/lake/load_log/*.parquet') where source like 'census.%'
        qualify row_number() over (partition by source_file order by finished_at desc) = 1
    """).fetchall()
    assert {r[0] for r in log} == set(expected)
    for source_file, received, loaded, quarantined, duplicates in log:
        e = expected[source_file]
        assert received == loaded + quarantined + duplicates == sum(e.values()), source_file
        assert (loaded, quarantined, duplicates) == (e["loaded"] + e["loaded_flagged"], e["quarantined"],
                                                     e["duplicate"]), source_file


def test_quarantine_names_workbook_sheet_row_and_reason(pipeline_home: Path):
    injected = {(d["workbook"], d["sheet"], int(d["row"]), d["kind"])
                for d in csv_rows(pipeline_home / "world" / "census_defects.csv") if d["expected"] == "quarantined"
                and d["kind"] in ("unreadable_number", "unknown_county")}
    con = duckdb.connect()
    rows = con.execute(f"""
        select source_file, sheet, line_no, rule, reason
        from read_parquet('{pipeline_home}/lake/quarantine/census/**/*.parquet')""").fetchall()
    rule = {"unreadable_number": "bad_number", "unknown_county": "unknown_county"}
    got = {(Path(f).name, s, r, k) for f, s, r, k, _ in rows}
    assert injected and {(w, s, r, rule[k]) for w, s, r, k in injected} == got
    for f, s, r, _, reason in rows:
        assert reason.startswith(f"{f} sheet {s} row {r}: ")
    permits = con.execute(f"""
        select rule from read_parquet('{pipeline_home}/lake/quarantine/permits/**/*.parquet')""").fetchall()
    assert sorted(r for r, in permits) == ["bad_date", "unknown_county"]


def test_matching_against_the_truth(pipeline_home: Path):
    truth = {("census", t["source_record_id"]): t["true_id"]
             for t in csv_rows(pipeline_home / "world" / "census_truth.csv") if t["true_id"]}
    truth.update({("permits", t["source_record_id"]): t["true_id"]
                  for t in csv_rows(pipeline_home / "world" / "permits_truth.csv")})
    # the online-monitoring device registry is a source system too (one record per enterprise, keyed by an outlet)
    truth.update({("online_monitoring", t["outlet_code"]): t["true_id"]
                  for t in csv_rows(pipeline_home / "world" / "source_outlets.csv")})
    if (pipeline_home / "world" / "solidwaste_generators_truth.csv").exists():  # a link without truth fails below
        truth.update({("solidwaste_platform", t["record_key"]): t["true_id"]
                      for t in csv_rows(pipeline_home / "world" / "solidwaste_generators_truth.csv")})
    con = serving(pipeline_home)
    links = con.execute("select source_system, source_record_id, enterprise_id, match_method "
                        "from enterprise_source_links").fetchall()
    predicted, actual = defaultdict(set), defaultdict(set)
    for s, r, e, _ in links:
        predicted[e].add((s, r))
        actual[truth[(s, r)]].add((s, r))

    def pairs(groups):
        return {p for g in groups.values() for p in itertools.combinations(sorted(g), 2)}

    p, t = pairs(predicted), pairs(actual)
    precision, recall = len(p & t) / len(p), len(p & t) / len(t)
    methods = Counter(m for *_, m in links)
    print(f"\nenterprise matching (two-year world, {len(links)} records): precision {precision:.4f}, "
          f"recall {recall:.4f}, {len(t)} true pairs; {dict(methods)}")
    assert precision >= PRECISION_MIN and recall >= RECALL_MIN
    assert methods["credit_code"] and methods["permit_no"] and methods["name_county"]
    # one enterprise per true enterprise, give or take the re-registered ones kept apart for review
    assert abs(con.execute("select count(*) from dim_enterprise").fetchone()[0] - len(actual)) <= 3


def test_census_indicators_every_area_and_year(pipeline_home: Path):
    con = serving(pipeline_home)
    rows = con.execute("""
        select indicator_code, year(period_start), count(*), count(value),
               max(value) filter (where area_code = '530600'), max(as_of), max(method_version)
        from fct_indicator_values where indicator_code in ('ENTERPRISE_MATCH_RATE', 'KEY_UNITS_LISTED_RATE')
        group by 1, 2 order by 1, 2""").fetchall()
    assert [(c, y) for c, y, *_ in rows] == [("ENTERPRISE_MATCH_RATE", 2020), ("ENTERPRISE_MATCH_RATE", 2021),
                                             ("KEY_UNITS_LISTED_RATE", 2020), ("KEY_UNITS_LISTED_RATE", 2021)]
    for code, year, n, valued, city, as_of, method in rows:
        assert n == 12 and valued >= 10, (code, year)
        assert 0 < city <= 100 and str(as_of).startswith("2021-12-31") and "第二次全国污染源普查-2017" in method
    baselines = con.execute("""
        select count(baseline_value) from fct_indicator_baselines
        where indicator_code in ('ENTERPRISE_MATCH_RATE', 'KEY_UNITS_LISTED_RATE') and baseline_source = 'computed'
    """).fetchone()[0]
    assert baselines >= 20
