"""The Dagster side of the county intake: the asset takes new uploads in (its check reconciles received =
accepted + rejected + duplicates), and the drop-folder sensor requests warehouse_job on a new upload."""

from __future__ import annotations

import os
import shutil
from datetime import datetime

from dagster import RunRequest, SkipReason, build_sensor_context, materialize

from ingestion.common.home import Home
from ingestion.counties import world
from orchestration.defs.counties import RECONCILES, counties_intake, county_drop_folder_sensor
from orchestration.resources import DataHome


def _copy_folder(src: Home, dst: Home, county: str) -> int:
    """One county's uploads (with their upload times) into another data home."""
    target = world.drop_root(dst) / county
    shutil.copytree(world.drop_root(src) / county, target, copy_function=shutil.copy2)
    return sum(1 for _ in target.iterdir())


def test_intake_asset_and_its_check(county_world: Home, tmp_path) -> None:
    home = Home(tmp_path / "home").ensure()
    n = _copy_folder(county_world, home, "530621")
    result = materialize([counties_intake], resources={"data_home": DataHome(root=str(home.root))})
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert [(c.check_name, c.passed) for c in checks] == [(RECONCILES, True)]
    meta = {
        k: v.value
        for e in result.get_asset_materialization_events()
        if e.asset_key.path == ["counties", "files"]
        for k, v in e.materialization.metadata.items()
    }
    assert meta["files"] == n == meta["accepted"] + meta["rejected"] + meta["duplicate"]
    assert list((home.root / "reports" / "counties").iterdir())[0].name == "530621"
    # a second run finds nothing new
    again = materialize([counties_intake], resources={"data_home": DataHome(root=str(home.root))})
    files = [
        e.materialization.metadata["files"].value
        for e in again.get_asset_materialization_events()
        if e.asset_key.path == ["counties", "files"]
    ]
    assert files == [0]


def test_sensor_requests_the_warehouse_job_on_a_new_upload(county_world: Home, tmp_path) -> None:
    home = Home(tmp_path / "home").ensure()
    _copy_folder(county_world, home, "530602")
    resources = {"data_home": DataHome(root=str(home.root))}
    ctx = build_sensor_context(cursor=None, resources=resources)
    assert isinstance(county_drop_folder_sensor(ctx), SkipReason)
    cursor = ctx.cursor
    assert isinstance(
        county_drop_folder_sensor(build_sensor_context(cursor=cursor, resources=resources)), SkipReason
    )
    new = world.drop_root(home) / "530602" / "RECTIFICATION_2022-01_530602.xlsx"
    new.write_bytes(b"")
    t = datetime(2022, 2, 3, 9, 0)
    os.utime(new, (world.to_epoch(t), world.to_epoch(t)))
    req = county_drop_folder_sensor(build_sensor_context(cursor=cursor, resources=resources))
    assert isinstance(req, RunRequest) and req.run_key.startswith("counties-")
    assert county_drop_folder_sensor.job_name == "warehouse_job"
