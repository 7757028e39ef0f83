"""Every Superset dashboard of dashboards/assets/ is a Dagster asset downstream of the marts it shows (via its
dbt exposure), so lineage in Dagster reaches the dashboards."""

from __future__ import annotations

from pathlib import Path

import yaml
from dagster import AssetKey

from orchestration.definitions import defs
from orchestration.defs.serving import SERVING

REPO = Path(__file__).resolve().parents[2]


def test_every_dashboard_is_an_asset_downstream_of_its_marts():
    slugs = {yaml.safe_load(p.read_text(encoding="utf-8"))["slug"]
             for p in (REPO / "dashboards" / "assets" / "dashboards").glob("*.yaml")}
    graph = defs.resolve_asset_graph()
    dashboards = {k: graph.get(k) for k in graph.get_all_asset_keys() if k.path[0] == "dashboards"}
    urls = {node.metadata["url"].strip("/").split("/")[-1]: key for key, node in dashboards.items()}
    assert set(urls) == slugs
    overview = graph.get(urls["plan-overview"])
    assert SERVING in overview.parent_keys
    assert AssetKey(["warehouse", "fct_indicator_progress"]) in overview.parent_keys
    solid = graph.get(urls["solid-waste"])
    assert AssetKey(["warehouse", "fct_hw_findings"]) in solid.parent_keys
