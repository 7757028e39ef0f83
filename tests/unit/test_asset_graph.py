"""Snapshot of the Dagster asset graph: a refactor cannot silently drop an asset, check or job.

To accept an intended change: ZTECO_UPDATE_SNAPSHOT=1 pytest tests/unit/test_asset_graph.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "asset_graph.json"


def current_graph() -> dict:
    from orchestration.definitions import defs

    repo = defs.get_repository_def()
    graph = repo.asset_graph
    return {
        "assets": sorted("/".join(k.path) for k in graph.get_all_asset_keys()),
        "groups": {"/".join(k.path): graph.get(k).group_name for k in sorted(graph.get_all_asset_keys())},
        "checks": sorted(f"{'/'.join(c.asset_key.path)}:{c.name}" for c in graph.asset_check_keys),
        "jobs": sorted(j.name for j in repo.get_all_jobs() if not j.name.startswith("__")),
        "schedules": sorted(s.name for s in repo.schedule_defs),
        "sensors": sorted(s.name for s in repo.sensor_defs),
    }


def test_asset_graph_matches_snapshot():
    graph = current_graph()
    if os.environ.get("ZTECO_UPDATE_SNAPSHOT") or not SNAPSHOT.exists():
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(json.dumps(graph, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert graph == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_every_dbt_source_is_produced_by_an_ingestion_asset():
    from orchestration.definitions import defs

    graph = defs.get_repository_def().asset_graph
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if key.path[0] in ("monitoring", "census", "permits"):
            assert node.is_materializable, f"{key} has no asset that materializes it"
    assert any(k.path[0] == "warehouse" and "fct_indicator_values" in k.path for k in graph.get_all_asset_keys())
    keys = {"/".join(k.path) for k in graph.get_all_asset_keys()}
    assert {"census/industrial_sources", "permits/permit_list", "warehouse/dim_enterprise"} <= keys
