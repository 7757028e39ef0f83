"""The suites as code and the gate, without Dagster: every rule of the hourly suite on one landing
file, acknowledgement scopes, and the README kept in step with the rules."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ingestion.common.home import REPO_ROOT, Home
from ingestion.hj212.codec import build_air_hourly
from ingestion.monitoring import air_loader
from ingestion.monitoring.simulator import write_registry
from ingestion.simulate.world import WorldConfig, air_stations
from quality.acknowledgements import Acknowledgement, parse_partition
from quality.gate import Gate
from quality.rules import BLOCKING, WARNING
from quality.suites import AIR_HOURLY, AIR_STATIONS, SUITES

DAY = date(2020, 1, 5)
VALUES = {"a21026": (5.0, "N"), "a21004": (20.0, "N"), "a21005": (0.8, "N"), "a05024": (50.0, "N"),
          "a34002": (40.0, "N"), "a34004": (25.0, "N")}


def test_every_rule_says_why_and_what_to_do():
    for suite in SUITES.values():
        for rule in suite.rules:
            assert rule.severity in (BLOCKING, WARNING)
            assert len(rule.why) > 40 and len(rule.reason) > 30, rule.code
            assert rule.expectations or rule.scope == "file", rule.code


def test_the_issue_categories_are_blocking_and_the_outliers_warnings():
    sev = {(s.dataset, r.code): r.severity for s in SUITES.values() for r in s.rules}
    for rule in ("unknown_county", "missing_column", "bad_encoding", "duplicate_key"):
        assert sev[("monitoring/air_stations", rule)] == BLOCKING
    for rule in ("future_timestamp", "outside_partition", "unconvertible_value", "negative_concentration",
                 "duplicate_key", "missing_column"):
        assert sev[("monitoring/air_hourly", rule)] == BLOCKING
    assert sev[("monitoring/air_hourly", "outlier")] == sev[("monitoring/air_hourly", "low_volume")] == WARNING
    outlier = {e.kwargs["column"]: e.kwargs["max_value"] for e in AIR_HOURLY.rule("outlier").expectations}
    assert outlier["pm2_5"] == 1000 and outlier["co"] == 50
    assert AIR_HOURLY.rule("low_volume").expectations[0].kwargs["min_value"] == 18


def test_readme_documents_every_rule_with_its_severity():
    readme = (REPO_ROOT / "quality" / "README.md").read_text(encoding="utf-8")
    for suite in SUITES.values():
        for rule in suite.rules:
            assert f"| `{rule.code}` | {rule.severity} |" in readme, (suite.dataset, rule.code)


def test_acknowledgement_scopes():
    ack = Acknowledgement("monitoring/air_hourly", "negative_concentration", "2021-03-01..2021-03-31", "n")
    assert ack.covers("monitoring/air_hourly", "negative_concentration", "2021-03-15")
    assert not ack.covers("monitoring/air_hourly", "negative_concentration", "2021-04-01")
    assert not ack.covers("monitoring/air_hourly", "duplicate_key", "2021-03-15")
    assert parse_partition("2021-03-01") == "2021-03-01"
    for bad in ("2021-3-1x", "2021-03-02..2021-03-01", "a..b..c"):
        with pytest.raises(ValueError):
            parse_partition(bad)


@pytest.fixture
def small_home(tmp_path: Path) -> Home:
    home = Home(tmp_path).ensure()
    write_registry(home, air_stations(WorldConfig(end=date(2020, 1, 10))))
    gate = Gate(AIR_STATIONS, "t:registry")
    res = air_loader.load_registry(home, "t:registry", gate)
    assert res.stations == 12 and not gate.blocked
    return home


def test_each_hourly_rule_quarantines_its_rows_with_reason_and_line(small_home: Home):
    home = small_home
    devices, _ = air_loader.registry_devices(home)
    a, b = sorted(devices.values(), key=lambda d: d.station_code)[:2]

    def pkt(dev, t, **over):
        return build_air_hourly(dev.mn, dev.pw, t, {**VALUES, **over})

    lines = [pkt(a, datetime(2020, 1, 5, h)) for h in range(24)]  # a: a clean day
    lines += [pkt(b, datetime(2020, 1, 5, h)) for h in range(10)]  # b: a short day (low volume)
    faults = {
        "future_timestamp": pkt(b, datetime(2099, 1, 5, 10)),
        "outside_partition": pkt(b, datetime(2020, 1, 4, 11)),
        "unaligned_hour": pkt(b, datetime(2020, 1, 5, 12, 30)),
        "unconvertible_value": pkt(b, datetime(2020, 1, 5, 13), a21004=("12.5ug", "N")),
        "invalid_flag": pkt(b, datetime(2020, 1, 5, 14), a21005=(0.9, "X")),
        "negative_concentration": pkt(b, datetime(2020, 1, 5, 15), a34002=(-3.0, "N")),
    }
    first_fault = len(lines) + 1
    lines += list(faults.values())
    lines.append(pkt(b, datetime(2020, 1, 5, 16), a34004=(1200.0, "N")))  # outlier: warned, loaded
    f = home.landing / "monitoring/hj212/date=2020-01-05/air-20200105.hj212"
    f.parent.mkdir(parents=True)
    f.write_bytes("".join(lines).encode())

    gate = Gate(AIR_HOURLY, "t:hourly", checked_at=datetime(2026, 1, 1))
    res = air_loader.load_hourly(home, DAY, DAY, "t:hourly", devices, gate)

    q = pq.read_table(home.quarantine / "monitoring/air_hourly/date=2020-01-05").to_pylist()
    got = {r["line_no"]: r for r in q}
    assert {ln: got[ln]["rule"] for ln in got} == {first_fault + i: rule for i, rule in enumerate(faults)}
    assert "also fails outside_partition" in got[first_fault]["reason"]  # 2099 is outside the day too
    assert "'12.5ug'" in got[first_fault + 3]["reason"] and "no2_text" in got[first_fault + 3]["reason"]
    assert "'X'" in got[first_fault + 4]["reason"] and "pm10 = -3.0" in got[first_fault + 5]["reason"]
    for ln, r in got.items():
        assert r["raw"] == lines[ln - 1].rstrip("\r\n") and r["reason"].startswith(f"{f.relative_to(home.root)} line {ln}:")
    assert res.hourly_rows == 24 + 10 + 1 and res.quality_quarantined == len(faults)
    fl, = res.files
    assert fl.balanced and fl.received == len(lines) and fl.quarantined == len(faults)

    verdicts = {v.rule.code: v for v in gate.verdicts()}
    for rule in faults:
        assert not verdicts[rule].passed and "FAILED" in verdicts[rule].description, rule
    assert not verdicts["outlier"].passed and "pm2_5 = 1200.0" in verdicts["outlier"].description
    low = verdicts["low_volume"]
    assert not low.passed and low.metadata["failed"] == 11  # b (17 packets) and the 10 stations silent that day
    assert verdicts["duplicate_key"].passed and verdicts["missing_column"].passed
    assert gate.blocked
    table = gate.results_table().to_pylist()
    neg = [r for r in table if r["rule"] == "negative_concentration"]
    assert [(r["partition_key"], r["county_code"], r["unexpected_count"], r["columns"]) for r in neg
            if not r["success"]] == [("2020-01-05", b.county_code, 1, "pm10")]
