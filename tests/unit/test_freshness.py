"""The air_hourly_freshness check: a county whose latest hour is older than the cadence seed allows is late."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.common.home import Home
from orchestration.defs import freshness


def write_lake(root: Path) -> Home:
    stations = root / "lake/monitoring/air_stations"
    stations.mkdir(parents=True)
    pq.write_table(pa.table({"station_code": ["S1", "S2", "S3"], "county_code": ["530602", "530602", "530621"],
                             "mn": ["MN1", "MN2", "MN3"]}), stations / "air_stations.parquet")
    hourly = root / "lake/monitoring/air_hourly/date=2021-12-31"
    hourly.mkdir(parents=True)
    pq.write_table(pa.table({"mn": ["MN1", "MN2", "MN3"],
                             "data_time": [datetime(2021, 12, 31, 23), datetime(2021, 12, 31, 22),
                                           datetime(2021, 12, 29, 10)]}), hourly / "part.parquet")
    return Home(root)


def test_cadence_seed_is_the_single_source_of_truth():
    with freshness.CADENCE_SEED.open(encoding="utf-8") as f:
        rows = {r["source"]: r for r in csv.DictReader(f)}
    assert rows["monitoring.hj212.air"]["cadence"] == "hourly"
    assert {"monitoring.registry", "census", "permits", "solidwaste.platform", "counties.submissions"} <= set(rows)


def test_every_connected_source_of_the_cadence_seed_is_a_source_the_loaders_write():
    """A cadence row whose name no loader writes to the load log would be 无数据 for ever (the county uploads once
    were listed as county_forms.* while the intake logs counties.submissions)."""
    from ingestion.census import reader as census
    from ingestion.counties import intake
    from ingestion.lab import loader as lab
    from ingestion.monitoring import air_loader
    from ingestion.permits import loader as permits
    from ingestion.solidwaste import connector as solidwaste
    from ingestion.sources import loader as sources
    from ingestion.water import loader as water

    written = {air_loader.SOURCE, intake.SOURCE, census.SOURCE, lab.SOURCE_POINTS, lab.SOURCE_SOIL, lab.SOURCE_NOISE,
               permits.SOURCE, sources.SOURCE, sources.REGISTRY_SOURCE, water.SOURCE_AUTO, water.SOURCE_LAB,
               water.SOURCE_CATALOGUE, solidwaste.SOURCE, "monitoring.registry"}
    with freshness.CADENCE_SEED.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        assert row["is_connected"] == "true", row  # every source of the plan is ingested now
        name = row["source"]
        assert any(w == name or w.startswith(name + ".") for w in written), name


def test_a_late_county_is_reported_with_source_county_and_lag(tmp_path: Path):
    home = write_lake(tmp_path)
    items = freshness.air_lateness(home, datetime(2022, 1, 1, 12))  # 13 h and 74 h behind; 48 h allowed
    late = freshness.late(items)
    assert [x.county_code for x in items] == ["530602", "530621"]
    assert [x.county_code for x in late] == ["530621"]
    message = late[0].describe()
    print(message)
    assert "monitoring.hj212.air" in message and "530621" in message and "74.0 h behind" in message


def test_the_asset_check_fails_with_warn_naming_the_late_county(tmp_path: Path, monkeypatch):
    from dagster import AssetCheckSeverity, build_asset_check_context

    from orchestration.resources import DataHome

    write_lake(tmp_path)
    monkeypatch.setenv("ZTECO_AS_OF", "2022-01-01T12:00")
    result = freshness.air_hourly_freshness(build_asset_check_context(), data_home=DataHome(root=str(tmp_path)))
    assert not result.passed
    assert result.severity == AssetCheckSeverity.WARN
    assert "1 of 2 counties late" in result.description and "530621" in result.description
    monkeypatch.setenv("ZTECO_AS_OF", "2021-12-31T23:30")  # 0.5 h and 61.3 h
    result = freshness.air_hourly_freshness(build_asset_check_context(), data_home=DataHome(root=str(tmp_path)))
    assert not result.passed
    monkeypatch.setenv("ZTECO_AS_OF", "2021-12-30T12:00")  # 26 h for 530621: within 48 h
    result = freshness.air_hourly_freshness(build_asset_check_context(), data_home=DataHome(root=str(tmp_path)))
    assert result.passed, result.description
