"""Laboratory deliveries (soil points, noise) → ``lake/lab/*`` (ingestion/lab/).

Files arrive in drop folders (a campaign's soil results once a year, noise once a quarter), so the
assets are unpartitioned: each run re-reads every folder and replaces its partitions, right before
the dbt build (WAREHOUSE_INPUTS).
"""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    DefaultSensorStatus,
    MaterializeResult,
    MetadataValue,
    SensorEvaluationContext,
    multi_asset,
    sensor,
)

from ingestion.common.lake import new_load_id, write_load_log
from ingestion.lab import loader
from orchestration import drop_folders
from orchestration.resources import DataHome

SOIL_POINTS = AssetKey(["lab", "soil_points"])
SOIL_RESULTS = AssetKey(["lab", "soil_results"])
NOISE_RESULTS = AssetKey(["lab", "noise_results"])
SOIL_RECONCILES = "lab_soil_load_reconciles"
NOISE_RECONCILES = "lab_noise_load_reconciles"
_CHECK = "Every row of every file is loaded, quarantined (file, sheet, row, reason) or a counted duplicate."


def _summary(results: list[loader.FileResult]) -> tuple[dict, dict]:
    counts = {k: sum(getattr(r.file_load, k) for r in results) for k in ("received", "loaded", "quarantined",
                                                                          "duplicates")}
    rules: dict[str, int] = {}
    for r in results:
        for q in r.quarantine:
            rules[q["rule"]] = rules.get(q["rule"], 0) + 1
    return counts, rules


def _outputs(key: AssetKey, check: str, load_id: str, results: list[loader.FileResult], partitions: list[str]) -> Iterator:
    counts, rules = _summary(results)
    yield MaterializeResult(asset_key=key, metadata={
        "load_id": load_id, **counts, "files": len(results),
        "partitions": MetadataValue.json(partitions),
        "encodings": MetadataValue.json({r.file_load.source_file: r.encoding for r in results}),
        "quarantined_by_rule": MetadataValue.json(rules),
        "as_of": MetadataValue.text(datetime.now().isoformat(timespec="seconds")),
    })
    unbalanced = [r.file_load.source_file for r in results if not r.file_load.balanced]
    yield AssetCheckResult(asset_key=key, check_name=check, passed=not unbalanced, severity=AssetCheckSeverity.ERROR,
                           metadata={**counts, "unbalanced_files": MetadataValue.json(unbalanced)})


@multi_asset(
    specs=[
        AssetSpec(SOIL_POINTS, group_name="ingestion", kinds={"python", "csv"},
                  description="The plan's soil monitoring points, one row per year and point "
                              "(landing/monitoring/lab/soil/planned_points.csv)."),
        AssetSpec(SOIL_RESULTS, group_name="ingestion", kinds={"python", "excel", "csv"},
                  description="Soil campaign results (xlsx / CSV in UTF-8 or GBK) per year; metals in mg/kg, "
                              "below-detection values flagged; bad rows quarantined with file, sheet, row and reason."),
    ],
    check_specs=[AssetCheckSpec(SOIL_RECONCILES, asset=k, blocking=True, description=_CHECK)
                 for k in (SOIL_POINTS, SOIL_RESULTS)],
    name="lab_soil",
)
def lab_soil(context: AssetExecutionContext, data_home: DataHome) -> Iterator:
    home = data_home.home()
    load_id = new_load_id(loader.SOURCE_SOIL, "all", context.run_id)
    res = loader.load_soil(home, load_id)
    write_load_log(home, load_id, res.file_loads)
    if not res.results:
        context.log.warning(f"no soil delivery under {loader.lab_root(home) / 'soil'}")
    points = [r for r in res.results if r.file_load.source == loader.SOURCE_POINTS]
    results = [r for r in res.results if r.file_load.source == loader.SOURCE_SOIL]
    yield from _outputs(SOIL_POINTS, SOIL_RECONCILES, load_id, points, ["all"])
    yield from _outputs(SOIL_RESULTS, SOIL_RECONCILES, load_id, results, res.partitions)


@multi_asset(
    specs=[AssetSpec(NOISE_RESULTS, group_name="ingestion", kinds={"python", "excel", "csv"},
                     description="Quarterly function-zone noise measurements (day / night Leq, GB 3096-2008 zone "
                                 "class) per quarter folder; bad rows quarantined with file, sheet, row and reason.")],
    check_specs=[AssetCheckSpec(NOISE_RECONCILES, asset=NOISE_RESULTS, blocking=True, description=_CHECK)],
    name="lab_noise",
)
def lab_noise(context: AssetExecutionContext, data_home: DataHome) -> Iterator:
    home = data_home.home()
    load_id = new_load_id(loader.SOURCE_NOISE, "all", context.run_id)
    res = loader.load_noise(home, load_id)
    write_load_log(home, load_id, res.file_loads)
    if not res.results:
        context.log.warning(f"no noise delivery under {loader.lab_root(home) / 'noise'}")
    yield from _outputs(NOISE_RESULTS, NOISE_RECONCILES, load_id, res.results, res.partitions)


def _is_delivery(p: Path) -> bool:
    return p.suffix.lower() in loader.DATA_SUFFIXES and not p.name.startswith((".", "~$"))


@sensor(job_name="warehouse_job", minimum_interval_seconds=300, default_status=DefaultSensorStatus.RUNNING,
        description="Watches landing/monitoring/lab/ (soil and noise drop folders): a new, replaced or removed "
                    "file starts warehouse_job, which loads the lab deliveries and rebuilds the warehouse. The "
                    "first tick only records what is there (zteco run has loaded it).")
def lab_drop_folder_sensor(context: SensorEvaluationContext, data_home: DataHome):
    return drop_folders.tick(context, loader.lab_root(data_home.home()), _is_delivery, "lab", "lab", "lab_drop_folder")
