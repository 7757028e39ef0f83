"""The county sub-centres through the real pipeline (session fixture ``pipeline_home``: ``zteco world
generate --end 2021-12-31`` + ``zteco run``): the Dagster intake asset takes every uploaded file in, the
serving database's fct_county_submissions equals the world's truth exactly, the load log balances, the
feedback reports are written, and the reporting indicators reach fct_indicator_values."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.integration

CITY = "530600"


def _truth(home: Path, name: str) -> list[dict]:
    with (home / "world" / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_served_submissions_equal_the_truth(pipeline_home: Path) -> None:
    truth = [t for t in _truth(pipeline_home, "county_submissions_truth.csv") if t["expected"] == "True"]
    con = duckdb.connect(str(pipeline_home / "serving" / "zteco.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select county_code, form_code, period_start, deadline, received_at, on_time, status, rejection_reason "
            "from fct_county_submissions"
        ).fetchall()
    finally:
        con.close()
    got = {
        (r[0], r[1], r[2].isoformat()): (r[3].isoformat(), r[4].isoformat(sep=" ") if r[4] else None, *r[5:])
        for r in rows
    }
    want = {
        (t["county_code"], t["form_code"], t["period_start"]): (
            t["deadline"],
            t["received_at"] or None,
            t["on_time"] == "True",
            t["status"],
            t["rejection_reason"] or None,
        )
        for t in truth
    }
    assert got == want


def test_every_file_is_in_the_load_log_and_reports_are_written(pipeline_home: Path) -> None:
    files = _truth(pipeline_home, "county_files_truth.csv")
    con = duckdb.connect()
    log = con.execute(
        "select source_file, received, loaded, quarantined, duplicates from read_parquet(?) "
        "where source = 'counties.submissions'",
        [str(pipeline_home / "lake" / "load_log" / "*.parquet")],
    ).fetchall()
    by_file = {r[0]: r[1:] for r in log}
    outcome = {"accepted": (1, 1, 0, 0), "rejected": (1, 0, 1, 0), "duplicate": (1, 0, 0, 1)}
    assert by_file == {f["path"]: outcome[f["outcome"]] for f in files}
    reports = sorted((pipeline_home / "reports" / "counties").glob("*/*.md"))
    assert len({p.parent.name for p in reports}) == 11
    assert all("报表接收反馈" in p.read_text(encoding="utf-8") for p in reports)


def test_reporting_indicators_in_the_fact_table(pipeline_home: Path) -> None:
    truth = [t for t in _truth(pipeline_home, "county_submissions_truth.csv") if t["expected"] == "True"]
    con = duckdb.connect(str(pipeline_home / "serving" / "zteco.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select area_code, year(period_start), numerator, denominator from fct_indicator_values "
            "where indicator_code = 'COUNTY_REPORTING_COMPLETENESS'"
        ).fetchall()
    finally:
        con.close()
    assert {r[1] for r in rows} >= {2020, 2021}
    for area, year, numerator, denominator in rows:
        exp = [t for t in truth if t["period_end"][:4] == str(year) and area in (t["county_code"], CITY)]
        assert denominator == len(exp), (area, year)
        assert numerator == sum(t["status"] in ("on_time", "late") for t in exp), (area, year)
