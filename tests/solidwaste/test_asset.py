"""The Dagster asset: with no ZTECO_SW_BASE_URL it starts the simulator in-process, pulls, stops it."""

from __future__ import annotations

import shutil

import pyarrow.parquet as pq
from dagster import AssetKey, materialize

from ingestion.common.home import Home
from orchestration.defs.solidwaste import solidwaste_platform
from orchestration.resources import DataHome
from tests.solidwaste.conftest import world_latest


def test_asset_pulls_the_world_and_checks_pass(sw_world, tmp_path, monkeypatch):
    monkeypatch.delenv("ZTECO_SW_BASE_URL", raising=False)
    home = Home(tmp_path / "home").ensure()
    shutil.copytree(sw_world.world / "solidwaste_platform", home.world / "solidwaste_platform")
    res = materialize([solidwaste_platform], resources={"data_home": DataHome(root=str(home.root))})
    assert res.success
    checks = {c.check_name: c.passed for c in res.get_asset_check_evaluations()}
    assert checks == {"solidwaste_pages_reconcile": True, "solidwaste_schema_drift": True}
    meta = {e.asset_key: e.materialization.metadata for e in res.get_asset_materialization_events()}
    assert meta[AssetKey(["solidwaste", "manifests"])]["mode"].value == "simulator"
    keys = {r["record_key"] for f in (home.lake / "solidwaste" / "manifests").glob("**/*.parquet")
            for r in pq.read_table(f, columns=["record_key"]).to_pylist()}
    assert keys == set(world_latest(sw_world, "manifests"))
