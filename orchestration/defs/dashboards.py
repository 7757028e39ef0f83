"""The Superset dashboards as Dagster assets, so lineage reaches them.

Each dashboard is a dbt exposure (dbt_project/models/exposures.yml, type dashboard, depends_on the models its
datasets read). dagster-dbt 0.29 makes assets of models, seeds and snapshots only, so the exposures of the
manifest become external asset specs here: key ``dashboards/<exposure name>``, upstream the serving copy
Superset reads and the marts the dashboard shows. They are not materialised by a job: a dashboard is
published with the bundle (``zteco serve`` / ``python -m orchestration.superset publish``).
"""

from __future__ import annotations

import json
from pathlib import Path

from dagster import AssetKey, AssetSpec

from orchestration.dbt import ensure_manifest
from orchestration.defs.serving import SERVING


def dashboard_specs(manifest_path: Path) -> list[AssetSpec]:
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    specs = []
    for exposure in sorted(manifest.get("exposures", {}).values(), key=lambda e: e["name"]):
        if exposure.get("type") != "dashboard":
            continue
        models = sorted({n.split(".")[-1] for n in exposure["depends_on"]["nodes"] if n.startswith("model.")})
        specs.append(AssetSpec(
            key=AssetKey(["dashboards", exposure["name"]]),
            deps=[SERVING, *(AssetKey(["warehouse", m]) for m in models)],
            group_name="dashboards",
            description=f"Superset 看板「{exposure.get('label') or exposure['name']}」: {exposure.get('url', '')}",
            kinds={"superset"},
            metadata={"url": exposure.get("url", ""), "dbt_exposure": exposure["unique_id"]},
        ))
    return specs


DASHBOARDS = dashboard_specs(ensure_manifest())
