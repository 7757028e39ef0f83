"""Round trip of the dashboards as code (issue 9): what was imported is exported again through Superset's
``GET /api/v1/assets/export/`` (as admin) and compared with ``dashboards/assets/`` as rendered for this home:
the same UUIDs for every database, dataset, chart and dashboard; for each UUID the same dataset SQL, columns and
metrics, the same chart params and queries, the same dashboard layout and native filters — after normalising
what Superset adds on import (a chart's ``datasource`` in params, ids in the query context, ``chartId`` in the
layout, defaults it fills in). Also checks that dbt_project/models/exposures.yml declares every dashboard with
the marts its datasets read (fast, no Superset).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingestion.common.home import REPO_ROOT
from orchestration import superset as ss

from .conftest import RunningSuperset

pytestmark = pytest.mark.timeout(600)

KINDS = ("databases", "datasets", "charts", "dashboards")
ASSETS = REPO_ROOT / "dashboards" / "assets"
EXPOSURES = REPO_ROOT / "dbt_project" / "models" / "exposures.yml"


def _by_uuid(files: dict[str, Any]) -> dict[str, dict[str, dict]]:
    out: dict[str, dict[str, dict]] = {k: {} for k in KINDS}
    for name, doc in files.items():
        kind = name.split("/", 1)[0]
        if kind in out:
            out[kind][str(doc["uuid"])] = doc
    return out


def _rendered(home: Any, tmp_path: Path) -> dict[str, dict[str, dict]]:
    bundle = ss.render_bundle(home, tmp_path / "bundle.zip")
    with zipfile.ZipFile(bundle) as z:
        return _by_uuid({n.split("/", 1)[1]: yaml.safe_load(z.read(n)) for n in z.namelist()})


def _exported(superset: RunningSuperset) -> dict[str, dict[str, dict]]:
    with superset.client() as api:
        r = api.get("/api/v1/assets/export/")
        assert r.status_code == 200, r.text[:500]
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        files = {n.split("/", 1)[1]: yaml.safe_load(z.read(n)) for n in z.namelist() if n.endswith(".yaml")}
    return _by_uuid(files)


def _sql(text: str | None) -> str:
    return "\n".join(line.rstrip() for line in (text or "").strip().splitlines())


def _params(params: Any) -> dict[str, Any]:
    params = json.loads(params) if isinstance(params, str) else dict(params or {})
    for added in ("datasource", "slice_id", "dashboards"):  # set by Superset on import / save
        params.pop(added, None)
    if params.get("annotation_layers") == []:  # a default Superset fills in
        del params["annotation_layers"]
    return params


def _queries(query_context: Any) -> list[dict[str, Any]]:
    qc = json.loads(query_context) if isinstance(query_context, str) else query_context
    return [
        {k: q.get(k) for k in ("columns", "metrics", "filters", "orderby", "row_limit")}
        for q in qc["queries"]
    ]


def _position(position: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, node in position.items():
        if isinstance(node, dict):
            node = json.loads(json.dumps(node))
            node.get("meta", {}).pop("chartId", None)  # the id Superset gave the chart
            out[key] = node
        else:
            out[key] = node
    return out


def _filters(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": f["id"],
            "name": f["name"],
            "filterType": f["filterType"],
            "targets": [
                {"column": t["column"]["name"], "dataset": t.get("datasetUuid")} for t in f["targets"]
            ],
            "controlValues": f.get("controlValues"),
        }
        for f in metadata.get("native_filter_configuration") or []
    ]


def test_export_equals_what_was_imported(superset: RunningSuperset, tmp_path: Path) -> None:
    ours = _rendered(superset.home, tmp_path)
    theirs = _exported(superset)
    for kind in KINDS:
        assert set(theirs[kind]) == set(ours[kind]), (kind, set(theirs[kind]) ^ set(ours[kind]))

    for uuid, db in ours["databases"].items():
        got = theirs["databases"][uuid]
        assert (got["database_name"], got["sqlalchemy_uri"]) == (db["database_name"], db["sqlalchemy_uri"])
        assert got["extra"]["engine_params"] == db["extra"]["engine_params"]
        # Superset 6.1 exports the upload flag under its older name allow_csv_upload
        upload = got.get("allow_file_upload", got.get("allow_csv_upload"))
        assert (got["allow_dml"], upload) == (db["allow_dml"], db["allow_file_upload"])

    for uuid, ds in ours["datasets"].items():
        got = theirs["datasets"][uuid]
        assert got["database_uuid"] == ds["database_uuid"], uuid
        assert (got["table_name"], got["schema"]) == (ds["table_name"], ds["schema"]), uuid
        assert _sql(got["sql"]) == _sql(ds["sql"]), ds["table_name"]
        assert {c["column_name"]: (c.get("verbose_name"), c.get("is_dttm")) for c in got["columns"]} == {
            c["column_name"]: (c.get("verbose_name"), c.get("is_dttm")) for c in ds["columns"]
        }, ds["table_name"]
        assert {m["metric_name"]: m["expression"] for m in got["metrics"]} == {
            m["metric_name"]: m["expression"] for m in ds["metrics"]
        }, ds["table_name"]

    for uuid, chart in ours["charts"].items():
        got = theirs["charts"][uuid]
        assert (got["slice_name"], got["viz_type"], got["dataset_uuid"]) == (
            chart["slice_name"], chart["viz_type"], chart["dataset_uuid"]
        ), uuid  # fmt: skip
        assert _params(got["params"]) == _params(chart["params"]), chart["slice_name"]
        assert _queries(got["query_context"]) == _queries(chart["query_context"]), chart["slice_name"]

    for uuid, dash in ours["dashboards"].items():
        got = theirs["dashboards"][uuid]
        assert (got["slug"], got["dashboard_title"]) == (dash["slug"], dash["dashboard_title"]), uuid
        assert _position(got["position"]) == _position(dash["position"]), dash["slug"]
        assert _filters(got["metadata"]) == _filters(dash["metadata"]), dash["slug"]
        assert got["metadata"].get("label_colors", {}) == dash["metadata"].get("label_colors", {}), dash[
            "slug"
        ]


def test_exposures_declare_every_dashboard_with_the_marts_it_reads() -> None:
    datasets = {}
    for path in (ASSETS / "datasets").glob("*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        datasets[doc["uuid"]] = set(re.findall(r"\bmain\.(\w+)", doc["sql"]))
    charts = {}
    for path in (ASSETS / "charts").glob("*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        charts[doc["uuid"]] = doc["dataset_uuid"]
    expected = {}
    for path in (ASSETS / "dashboards").glob("*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        marts: set[str] = set()
        for node in doc["position"].values():
            if isinstance(node, dict) and node.get("type") == "CHART":
                marts |= datasets[charts[node["meta"]["uuid"]]]
        for f in doc["metadata"].get("native_filter_configuration") or []:
            for t in f["targets"]:
                marts |= datasets[t["datasetUuid"]]
        expected[f"/superset/dashboard/{doc['slug']}/"] = (doc["dashboard_title"], marts)

    exposures = yaml.safe_load(EXPOSURES.read_text(encoding="utf-8"))["exposures"]
    got = {}
    for e in exposures:
        assert e["type"] == "dashboard" and e["owner"]["name"] and e["owner"]["email"], e["name"]
        refs = {re.fullmatch(r"ref\('(\w+)'\)", d).group(1) for d in e["depends_on"]}
        got[e["url"]] = (e["label"], refs)
    assert got == expected
    models = {p.stem for p in (REPO_ROOT / "dbt_project" / "models").rglob("*.sql")}
    assert set().union(*(refs for _, refs in got.values())) <= models
