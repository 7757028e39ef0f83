"""Bad input of each kind through the real pipeline (`zteco run` → Dagster → dbt → serving).

Each test plants one fault in a copy of a clean small world, runs `zteco run` as a user would, and
shows: the check fails (or warns) with a message naming the rule and the offending file and line;
the offending rows (or the whole file) are in the quarantine with rule, reason and raw input;
nothing downstream was built on them; and the load log still balances.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import run_zteco
from tests.quality.faults import (
    REGISTRY,
    State,
    append_packet,
    latest_load_log,
    packet,
    quality_results,
    quarantine,
    query,
    read_registry,
    replace_packet,
    station,
    write_registry,
)

pytestmark = pytest.mark.integration
FAULT_HOUR = datetime(2020, 1, 5, 7)
DAY = "2020-01-05"
LAKE_HOURLY = "lake/monitoring/air_hourly/*/*.parquet"


def blocked_run(home: Path, *args: str):
    proc = run_zteco(home, "run", *args, check=False)
    assert proc.returncode != 0, proc.stdout[-3000:]
    assert "warehouse job was NOT run" in proc.stdout
    return proc


def assert_downstream_untouched(before: State, after: State, *, hourly_ran: bool) -> None:
    assert after.monitoring_runs == before.monitoring_runs + 1
    assert after.warehouse_runs == before.warehouse_runs, "the warehouse job ran on blocked data"
    assert after.serving_sha == before.serving_sha, "the serving database changed"
    if not hourly_ran:
        assert after.hourly_materialized_by == before.hourly_materialized_by, "air_hourly built after a bad registry"


def assert_balanced(home: Path) -> dict[str, tuple[int, int, int, int]]:
    log = latest_load_log(home)
    assert log
    for source_file, (received, loaded, quarantined, duplicates) in log.items():
        assert received == loaded + quarantined + duplicates, source_file
    return log


def lake_hours(home: Path, mn: str, t: datetime) -> list[tuple]:
    return query(f"""select line_no, pm2_5 from read_parquet('{home}/{LAKE_HOURLY}')
                     where mn = '{mn}' and data_time = '{t}'""")


# -- the station registry --------------------------------------------------------------------------

def test_registry_in_gbk_is_quarantined_as_a_file_and_the_previous_registry_stays(home: Path):
    before = State.of(home)
    gbk = (home / REGISTRY).read_bytes().decode("utf-8").encode("gbk")
    (home / REGISTRY).write_bytes(gbk)
    assert gbk != (home / REGISTRY).read_bytes().decode("gbk").encode("utf-8")  # Chinese names really differ

    proc = blocked_run(home)

    assert "monitoring/air_stations:quality_bad_encoding" in proc.stdout
    assert "GBK" in proc.stdout and "air_stations.csv" in proc.stdout and "not UTF-8" in proc.stdout
    after = State.of(home)
    assert after.registry_sha == before.registry_sha, "the lake's registry was replaced"
    assert_downstream_untouched(before, after, hourly_ran=False)
    q = quarantine(home, "monitoring/air_stations")
    assert [r["line_no"] for r in q] == list(range(2, 14)) and {r["rule"] for r in q} == {"bad_encoding"}
    assert all(r["source_file"] == str(REGISTRY) and "GBK" in r["reason"] for r in q)
    copies = list((home / "lake/quarantine/monitoring/air_stations/files").rglob("air_stations.csv"))
    assert [c.read_bytes() for c in copies] == [gbk]  # the file exactly as received
    assert assert_balanced(home)[str(REGISTRY)] == (12, 0, 12, 0)
    failed = [r for r in quality_results(home, "monitoring/air_stations", "bad_encoding") if not r["success"]]
    assert len(failed) == 1 and failed[0]["unexpected_count"] == 12 and failed[0]["severity"] == "blocking"

    # re-delivered as UTF-8: the same command goes through and the warehouse is rebuilt
    (home / REGISTRY).write_bytes(gbk.decode("gbk").encode("utf-8"))
    run_zteco(home, "run")
    fixed = State.of(home)
    assert fixed.warehouse_runs == before.warehouse_runs + 1 and fixed.stations_materialized_by != \
        before.stations_materialized_by
    assert assert_balanced(home)[str(REGISTRY)] == (12, 12, 0, 0)


def test_registry_without_county_column_is_quarantined_as_a_file(home: Path):
    before = State.of(home)
    header, rows = read_registry(home)
    write_registry(home, [h for h in header if h != "county_code"], rows)

    proc = blocked_run(home)

    assert "monitoring/air_stations:quality_missing_column" in proc.stdout
    assert "county_code" in proc.stdout.split("quality_missing_column", 1)[1].splitlines()[0]
    after = State.of(home)
    assert after.registry_sha == before.registry_sha
    assert_downstream_untouched(before, after, hourly_ran=False)
    q = quarantine(home, "monitoring/air_stations")
    assert len(q) == 12 and {r["rule"] for r in q} == {"missing_column"}
    assert all("county_code" in r["reason"] for r in q)
    assert assert_balanced(home)[str(REGISTRY)] == (12, 0, 12, 0)


def test_unknown_county_code_quarantines_the_row_and_stops_the_run(home: Path):
    before = State.of(home)
    header, rows = read_registry(home)
    bad = rows[3]
    bad["county_code"] = "530699"
    write_registry(home, header, rows)

    proc = blocked_run(home)

    line = proc.stdout.split("monitoring/air_stations:quality_unknown_county", 1)[1].splitlines()[0]
    assert "530699" in line and f"{REGISTRY} line 5" in line and bad["station_code"] in line
    after = State.of(home)
    assert_downstream_untouched(before, after, hourly_ran=False)
    q = quarantine(home, "monitoring/air_stations")
    assert [(r["line_no"], r["rule"]) for r in q] == [(5, "unknown_county")]
    assert "530699" in q[0]["raw"] and q[0]["raw"].startswith(bad["station_code"] + ",")
    landed = query(f"select station_code from read_parquet('{home}/lake/monitoring/air_stations/*.parquet')")
    assert len(landed) == 11 and (bad["station_code"],) not in landed
    assert assert_balanced(home)[str(REGISTRY)] == (12, 11, 1, 0)
    res = quality_results(home, "monitoring/air_stations", "unknown_county")
    assert [(r["county_code"], r["unexpected_count"]) for r in res if not r["success"]] == [("530699", 1)]


def test_accepting_an_unknown_county_lets_the_run_proceed_without_that_station(home: Path):
    header, rows = read_registry(home)
    bad = rows[3]
    bad["county_code"] = "530699"
    write_registry(home, header, rows)
    blocked_run(home)
    before = State.of(home)

    acc = run_zteco(home, "quality", "accept", "--dataset", "monitoring/air_stations", "--rule", "unknown_county",
                    "--note", "station moved to a neighbouring city; registry fix pending")
    assert "sha256:" in acc.stdout
    proc = run_zteco(home, "run")

    assert "quality_unknown_county" in proc.stdout and "accepted" in proc.stdout
    after = State.of(home)
    assert after.warehouse_runs == before.warehouse_runs + 1
    q = quarantine(home, "monitoring/air_stations")
    assert {(r["line_no"], r["rule"]) for r in q} == {(5, "unknown_county")}  # still quarantined
    # the station's packets cannot be attributed: quarantined with a reason pointing at the registry
    held = query(f"""select count(*), min(reason) from read_parquet('{home}/lake/quarantine/hj212/*/*.parquet')
                     where rule = 'unknown_mn' and raw like '%MN={bad['mn']}%'""")[0]
    assert held[0] > 0 and "its row is quarantined" in held[1]
    assert query(f"select count(*) from read_parquet('{home}/{LAKE_HOURLY}') where mn = '{bad['mn']}'")[0][0] == 0
    assert_balanced(home)
    # a new registry delivery is validated afresh: the acknowledgement was for that file only
    bad["station_name_zh"] = bad["station_name_zh"] + "站"
    write_registry(home, header, rows)
    blocked_run(home)


# -- hourly packets ---------------------------------------------------------------------------------

def test_negative_concentration_blocks_the_run_and_quarantines_the_packet(home: Path):
    before = State.of(home)
    log_before = latest_load_log(home)
    bad = packet(home, "2596A", FAULT_HOUR, a34004=(-5.0, "N"))
    rel, line_no = replace_packet(home, "2596A", FAULT_HOUR, bad)

    proc = blocked_run(home)

    line = proc.stdout.split("monitoring/air_hourly:quality_negative_concentration", 1)[1].splitlines()[0]
    assert f"{rel} line {line_no}" in line and "pm2_5 = -5.0" in line and "1 of" in line
    assert f"--partition {DAY}" in line  # what to do next is in the message
    after = State.of(home)
    assert_downstream_untouched(before, after, hourly_ran=True)
    q = quarantine(home, "monitoring/air_hourly")
    assert [(r["source_file"], r["line_no"], r["rule"]) for r in q] == [(rel, line_no, "negative_concentration")]
    assert q[0]["raw"] == bad.rstrip("\r\n") and f"{rel} line {line_no}" in q[0]["reason"]
    assert lake_hours(home, station(home, "2596A")["mn"], FAULT_HOUR) == []
    assert query(f"select count(*) from read_parquet('{home}/{LAKE_HOURLY}') where pm2_5 < 0")[0][0] == 0
    log = assert_balanced(home)
    r0, l0, q0, d0 = log_before[rel]
    assert log[rel] == (r0, l0 - 1, q0 + 1, d0)
    res = quality_results(home, "monitoring/air_hourly", "negative_concentration")
    assert [(r["partition_key"], r["county_code"], r["unexpected_count"]) for r in res if not r["success"]] == \
        [(DAY, "530602", 1)]
    assert all(r["element_count"] > 0 for r in res)


def test_duplicated_station_hour_with_different_values_quarantines_both(home: Path):
    before = State.of(home)
    log_before = latest_load_log(home)
    mn = station(home, "2597A")["mn"]
    (kept_line, _), = lake_hours(home, mn, FAULT_HOUR)
    rel, line_no = append_packet(home, DAY, packet(home, "2597A", FAULT_HOUR, a34004=(99.0, "N")))

    proc = blocked_run(home)

    line = proc.stdout.split("monitoring/air_hourly:quality_duplicate_key", 1)[1].splitlines()[0]
    assert "2 of" in line and rel in line and "more than once" in line
    assert_downstream_untouched(before, State.of(home), hourly_ran=True)
    q = quarantine(home, "monitoring/air_hourly")
    assert sorted((r["line_no"], r["rule"]) for r in q) == [(kept_line, "duplicate_key"), (line_no, "duplicate_key")]
    assert lake_hours(home, mn, FAULT_HOUR) == []
    r0, l0, q0, d0 = log_before[rel]
    assert assert_balanced(home)[rel] == (r0 + 1, l0 - 1, q0 + 2, d0)


def test_outlier_warns_but_the_run_and_the_warehouse_go_on(home: Path):
    before = State.of(home)
    rel, line_no = replace_packet(home, "2596A", FAULT_HOUR, packet(home, "2596A", FAULT_HOUR, a34004=(1500.0, "N")))

    proc = run_zteco(home, "run")  # exit code 0

    line = proc.stdout.split("monitoring/air_hourly:quality_outlier", 1)[1].splitlines()[0]
    assert "pm2_5 = 1500.0" in line and f"{rel} line {line_no}" in line and "Warning only" in line
    after = State.of(home)
    assert after.warehouse_runs == before.warehouse_runs + 1 and after.serving_sha != before.serving_sha
    assert lake_hours(home, station(home, "2596A")["mn"], FAULT_HOUR) == [(line_no, 1500.0)]
    assert quarantine(home, "monitoring/air_hourly") == []
    import duckdb

    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    assert con.execute("select count(*) from intermediate.int_air_hourly_validated where pm2_5 = 1500").fetchone() == (1,)
    assert_balanced(home)
    res = quality_results(home, "monitoring/air_hourly", "outlier")
    assert [(r["partition_key"], r["severity"], r["unexpected_count"]) for r in res if not r["success"]] == \
        [(DAY, "warning", 1)]


def test_accepting_a_negative_concentration_lets_the_blocked_partition_proceed(home: Path):
    rel, line_no = replace_packet(home, "2596A", FAULT_HOUR, packet(home, "2596A", FAULT_HOUR, a34004=(-5.0, "N")))
    blocked_run(home)
    before = State.of(home)

    # warnings and whole-file rules cannot be accepted; a daily dataset needs its day
    assert run_zteco(home, "quality", "accept", "--dataset", "monitoring/air_hourly", "--rule", "outlier",
                     "--partition", DAY, "--note", "x", check=False).returncode != 0
    assert run_zteco(home, "quality", "accept", "--dataset", "monitoring/air_stations", "--rule", "bad_encoding",
                     "--note", "x", check=False).returncode != 0
    assert run_zteco(home, "quality", "accept", "--dataset", "monitoring/air_hourly", "--rule",
                     "negative_concentration", "--note", "x", check=False).returncode != 0
    run_zteco(home, "quality", "accept", "--dataset", "monitoring/air_hourly", "--rule", "negative_concentration",
              "--partition", DAY, "--note", "PM2.5 analyser zero drift, confirmed by the station; no resend possible")
    with (home / "quality/acknowledgements.csv").open(encoding="utf-8") as f:
        acks = list(csv.DictReader(f))
    assert [(a["dataset"], a["rule"], a["partition"]) for a in acks] == \
        [("monitoring/air_hourly", "negative_concentration", DAY)]

    proc = run_zteco(home, "run", "--start", DAY, "--end", DAY)

    line = proc.stdout.split("monitoring/air_hourly:quality_negative_concentration", 1)[1].splitlines()[0]
    assert "passed" in line and "1 violation(s) accepted" in line
    after = State.of(home)
    assert after.warehouse_runs == before.warehouse_runs + 1 and after.serving_sha != before.serving_sha
    q = quarantine(home, "monitoring/air_hourly")
    assert [(r["line_no"], r["rule"]) for r in q] == [(line_no, "negative_concentration")]  # still set aside
    import duckdb

    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    assert con.execute("select count(*) from intermediate.int_air_hourly_validated where pm2_5 < 0").fetchone() == (0,)
    assert_balanced(home)
    res = quality_results(home, "monitoring/air_hourly", "negative_concentration")
    assert [r["accepted"] for r in res if not r["success"]][-1] is True
