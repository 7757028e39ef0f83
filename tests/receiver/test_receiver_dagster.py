"""Dagster picks up what the receiver landed: the daily partition of monitoring/air_hourly loads the receiver's
``recv-*.hj212`` files (nothing else is in the day folder), one lake row per distinct acknowledged packet, and the
load log reconciles (received = loaded + quarantined + duplicates)."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import pyarrow.parquet as pq
import pytest
from dagster import materialize

from ingestion.common.home import Home
from ingestion.monitoring import simulator
from ingestion.receiver import devices as dv
from ingestion.receiver.process import ReceiverProcess, free_port
from ingestion.receiver.store import REGISTRY_DIR
from ingestion.simulate.world import WorldConfig
from orchestration.defs import monitoring
from orchestration.resources import DataHome

pytestmark = pytest.mark.integration


def test_daily_partition_loads_the_receiver_files(tmp_path) -> None:
    source = Home(tmp_path / "source").ensure()
    cfg = WorldConfig(end=date(2020, 1, 3))
    _, _, stations = simulator.land_air_packets(cfg, source)
    simulator.write_registry(source, stations)
    target = Home(tmp_path / "receiver").ensure()
    (target.landing / REGISTRY_DIR).mkdir(parents=True)
    shutil.copy2(source.landing / REGISTRY_DIR / "air_stations.csv", target.landing / REGISTRY_DIR)

    devices = dv.outboxes(source)
    proc = ReceiverProcess(target.root, free_port()).start()
    try:
        report = dv.replay_sync(devices, proc.host, proc.port, dv.Faults(bad_crc=0.01, split=0.1, reconnect=0.002),
                                timeout=120)
    finally:
        assert proc.stop() == 0
    assert report.acked == report.packets

    day = "2020-01-02"
    acked = [p for p in dv.acked_packets(devices, report) if b"DataTime=20200102" in p]
    hourly = [p for p in acked if b"CN=2061" in p]
    assert len(hourly) > 0
    result = materialize([monitoring.air_stations, monitoring.air_hourly], partition_key=day,
                         resources={"data_home": DataHome(root=str(target.root))})
    assert result.success

    table = pq.read_table(target.lake / "monitoring" / "air_hourly" / f"date={day}")
    assert table.num_rows == len(hourly)
    assert all("/recv-" in f for f in table.column("source_file").to_pylist())
    keys = set(zip(table.column("mn").to_pylist(), table.column("data_time").to_pylist(), strict=True))
    assert len(keys) == len(hourly)
    expected = {(p.split(b";MN=")[1].split(b";")[0].decode(),
                 datetime.strptime(p.split(b"DataTime=")[1][:14].decode(), "%Y%m%d%H%M%S")) for p in hourly}
    assert keys == expected
    log = pq.read_table(target.load_log).to_pylist()
    day_files = [r for r in log if r["source"] == "monitoring.hj212.air" and r["partition"] == day]
    assert day_files and all(r["received"] == r["loaded"] + r["quarantined"] + r["duplicates"] for r in day_files)
    assert sum(r["loaded"] for r in day_files) == len(hourly)
