"""The dbt project, loaded once: DbtProject, the translator, and the dbt assets."""


import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from ingestion.common.home import REPO_ROOT, Home
from orchestration.memory import release_memory
from orchestration.resources import dbt_target

DBT_DIR = REPO_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR, target=dbt_target())


def ensure_manifest() -> Path:
    """The Makefile runs ``dbt parse`` once; this covers a checkout where it has not run yet."""
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        env = {**os.environ, "ZTECO_HOME": os.environ.get("ZTECO_HOME") or str(Home.from_env().root)}
        subprocess.run(
            [str(Path(sys.executable).parent / "dbt"), "parse", "--project-dir", str(DBT_DIR),
             "--profiles-dir", str(DBT_DIR), "--quiet"],
            check=True, env=env,
        )
    return manifest


class ZtecoDbtTranslator(DagsterDbtTranslator):
    """Groups follow the model's folder: staging / intermediate / marts_<domain>; seeds → reference.

    Sources keep dbt's default keys (``<source>/<table>``), which are exactly the keys of the
    ingestion assets that land them.
    """

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else "models"
        if layer == "marts" and len(fqn) > 3:
            return f"marts_{fqn[2]}"
        return layer

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return AssetKey(["warehouse", dbt_resource_props["name"]])


translator = ZtecoDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(manifest=ensure_manifest(), project=dbt_project, dagster_dbt_translator=translator)
def warehouse_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource):
    """Seeds, models and their tests in one ``dbt build`` (one writer on the DuckDB file)."""
    # the loaders ran in this process: hand their freed memory back before DuckDB takes its share
    context.log.info(f"before dbt build: {release_memory()}")
    yield from dbt.cli(["build"], context=context).stream()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_DIR), target=dbt_target(),
                          dbt_executable=str(Path(sys.executable).parent / "dbt"))
