"""The late-packet sensor: days whose receiver files changed after their partition was materialised."""

from __future__ import annotations

import os
from pathlib import Path

from dagster import AssetMaterialization, DagsterInstance, SkipReason, build_sensor_context
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from orchestration.defs.monitoring import AIR_HOURLY
from orchestration.defs.receiver import ranges, receiver_late_packets


def _touch(path: Path, mtime: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"##0000\r\n")
    os.utime(path, (mtime, mtime))


def _ranges(result) -> list[tuple[str, str]]:
    return [(r.tags[ASSET_PARTITION_RANGE_START_TAG], r.tags[ASSET_PARTITION_RANGE_END_TAG]) for r in result]


def test_ranges_join_contiguous_days() -> None:
    assert ranges(["2020-01-05", "2020-01-02", "2020-01-03", "2020-02-29", "2020-03-01"]) == [
        ("2020-01-02", "2020-01-03"), ("2020-01-05", "2020-01-05"), ("2020-02-29", "2020-03-01")]


def test_sensor_requests_changed_days_once(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ZTECO_HOME", str(tmp_path))
    landing = tmp_path / "landing" / "monitoring"
    t0 = 1_700_000_000.0
    _touch(landing / "hj212/date=2020-01-02/recv-a-1.hj212", t0)
    _touch(landing / "hj212/date=2020-01-03/recv-a-1.hj212", t0)
    _touch(landing / "water/hj212/date=2020-01-05/recv-a-1.hj212", t0)
    _touch(landing / "hj212/date=2020-01-04/air-20200104.hj212", t0)  # the world's file: not the receiver's
    instance = DagsterInstance.ephemeral()

    ctx = build_sensor_context(instance=instance)
    first = receiver_late_packets(ctx)
    assert _ranges(first) == [("2020-01-02", "2020-01-03"), ("2020-01-05", "2020-01-05")]

    again = receiver_late_packets(build_sensor_context(instance=instance, cursor=ctx.cursor))
    assert isinstance(again, SkipReason)

    # A late packet lands on 2020-01-03; 2020-01-05 changes too but was materialised after the change.
    _touch(landing / "hj212/date=2020-01-03/recv-b-2.hj212", t0 + 60)
    _touch(landing / "water/hj212/date=2020-01-05/recv-a-1.hj212", t0 + 60)
    instance.report_runless_asset_event(AssetMaterialization(asset_key=AIR_HOURLY, partition="2020-01-05"))
    late_ctx = build_sensor_context(instance=instance, cursor=ctx.cursor)
    late = receiver_late_packets(late_ctx)
    assert _ranges(late) == [("2020-01-03", "2020-01-03")]
    assert isinstance(receiver_late_packets(build_sensor_context(instance=instance, cursor=late_ctx.cursor)),
                      SkipReason)
