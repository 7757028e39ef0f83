"""Fast checks of the dashboards-as-code bundle (no Superset needed): what the import would
only reveal at run time, or not at all (a chart missing from position_json, a typo in a
column name that only fails when the chart is drawn)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import yaml

from ingestion.common.home import Home
from orchestration import superset as ss


def load_bundle(tmp_path: Path) -> dict[str, dict]:
    home = Home(tmp_path / "home")
    bundle = ss.render_bundle(home, tmp_path / "bundle.zip")
    with zipfile.ZipFile(bundle) as z:
        names = z.namelist()
        assert all(n.startswith("zteco_assets/") for n in names)
        return {n.removeprefix("zteco_assets/"): yaml.safe_load(z.read(n)) for n in names}


def test_bundle_renders_serving_path_and_read_only_connection(tmp_path: Path) -> None:
    docs = load_bundle(tmp_path)
    assert "type" not in docs["metadata.yaml"]  # accepted by both importers
    (db,) = [d for n, d in docs.items() if n.startswith("databases/")]
    serving = (tmp_path / "home" / "serving" / "zteco.duckdb").resolve()
    assert db["sqlalchemy_uri"] == f"duckdb:///{serving.as_posix()}"
    connect_args = db["extra"]["engine_params"]["connect_args"]
    assert connect_args == {"read_only": True, "config": {"enable_external_access": False}}
    assert db["allow_dml"] is False and db["allow_file_upload"] is False


def test_every_reference_resolves(tmp_path: Path) -> None:
    docs = load_bundle(tmp_path)
    uuids = [d["uuid"] for n, d in docs.items() if n != "metadata.yaml"]
    assert len(uuids) == len(set(uuids)), "duplicate UUID"
    databases = {d["uuid"] for n, d in docs.items() if n.startswith("databases/")}
    datasets = {d["uuid"]: d for n, d in docs.items() if n.startswith("datasets/")}
    charts = {d["uuid"]: d for n, d in docs.items() if n.startswith("charts/")}
    dashboards = {d["slug"]: d for n, d in docs.items() if n.startswith("dashboards/")}

    assert dashboards["air-quality"]["dashboard_title"] == "空气质量与规划指标"
    assert dashboards["pollution-sources"]["dashboard_title"] == "污染源与企业"
    assert dashboards["data-quality"]["dashboard_title"] == "数据质量"
    assert all(d["database_uuid"] in databases for d in datasets.values())
    placed = [c["meta"] for dashboard in dashboards.values() for c in dashboard["position"].values()
              if isinstance(c, dict) and c.get("type") == "CHART"]
    # a chart may sit on several dashboards (issue 9: 区县综合评分卡, 区县报送与数据质量), once on each
    assert {m["uuid"] for m in placed} == set(charts), "every chart placed, with its uuid"
    for dashboard in dashboards.values():
        on_it = [c["meta"]["uuid"] for c in dashboard["position"].values()
                 if isinstance(c, dict) and c.get("type") == "CHART"]
        assert len(on_it) == len(set(on_it)), (dashboard["slug"], "chart placed twice")
    assert all(isinstance(m["chartId"], int) for m in placed)
    for m in placed:
        assert m["sliceName"] == charts[m["uuid"]]["slice_name"]

    for chart in charts.values():
        dataset = datasets[chart["dataset_uuid"]]
        columns = {c["column_name"] for c in dataset["columns"]}
        metrics = {m["metric_name"] for m in dataset["metrics"]}
        params = chart["params"]
        used_metrics = params.get("metrics") or ([params["metric"]] if "metric" in params else [])
        assert set(used_metrics) <= metrics, chart["slice_name"]
        used_columns = set(params.get("all_columns", [])) | {f["subject"] for f in params.get("adhoc_filters", [])}
        if "x_axis" in params:
            used_columns.add(params["x_axis"])
        assert used_columns <= columns, (chart["slice_name"], used_columns - columns)
        context = json.loads(chart["query_context"])  # Superset stores it as JSON text
        assert context["form_data"] == params
        for query in context["queries"]:
            assert set(query.get("metrics") or []) <= metrics
            plain = {c for c in query["columns"] if isinstance(c, str)}
            assert plain <= columns, (chart["slice_name"], plain - columns)
            assert {o[0] for o in query["orderby"]} <= columns | metrics
        assert any("\u4e00" <= ch <= "\u9fff" for ch in chart["slice_name"]), "titles are Chinese"


def test_virtual_datasets_run_on_a_contract_shaped_serving_db(tmp_path: Path) -> None:
    """Each dataset's SQL runs on the exact CONTRACTS.md columns and yields its declared columns."""
    import duckdb

    from .fake_serving import build_serving_db

    serving = build_serving_db(tmp_path / "serving" / "zteco.duckdb")
    docs = load_bundle(tmp_path)
    con = duckdb.connect(str(serving), read_only=True)
    try:
        for name, d in docs.items():
            if name.startswith("datasets/"):
                rel = con.sql(d["sql"])
                assert rel.columns == [c["column_name"] for c in d["columns"]], name
                assert con.execute(f"SELECT count(*) FROM ({d['sql']})").fetchone()[0] > 0, name
    finally:
        con.close()
