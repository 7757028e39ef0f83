"""The 11 county sub-centres' drop folders → ``lake/counties/*`` (ingestion/counties/).

``counties_intake`` takes the files uploaded since the last intake (by path; duplicates by content hash),
appends one Parquet file per run to ``counties/files`` and ``counties/figures``, copies rejected files to
the quarantine with a reason, writes the load log and a Chinese feedback report per county. It runs
right before the dbt build (WAREHOUSE_INPUTS, so ``zteco run`` takes the files in) and whenever
``county_drop_folder_sensor`` sees a new upload.
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
from ingestion.counties import intake
from ingestion.counties.world import drop_root
from orchestration import drop_folders
from orchestration.resources import DataHome

FILES = AssetKey(["counties", "files"])
FIGURES = AssetKey(["counties", "figures"])
RECONCILES = "counties_intake_reconciles"
_CHECK = "Every file received is accepted, rejected (quarantined with a reason) or a counted duplicate."


@multi_asset(
    specs=[
        AssetSpec(
            FILES,
            group_name="ingestion",
            kinds={"python", "excel", "csv"},
            description="Every file the 11 county sub-centres uploaded (landing/counties/<county>/): arrival "
            "time, content hash, outcome, rule and reason; one Parquet file per intake run.",
        ),
        AssetSpec(
            FIGURES,
            group_name="ingestion",
            kinds={"python"},
            description="The figures of every accepted county form file, in the template's units.",
        ),
    ],
    check_specs=[AssetCheckSpec(RECONCILES, asset=FILES, blocking=True, description=_CHECK)],
    name="counties_intake",
)
def counties_intake(context: AssetExecutionContext, data_home: DataHome) -> Iterator:
    home = data_home.home()
    load_id = new_load_id(intake.SOURCE, "all", context.run.run_id)
    run = intake.intake(home, load_id)
    write_load_log(home, load_id, run.file_loads)
    counts = {k: run.count(k) for k in ("accepted", "rejected", "duplicate")}
    rules: dict[str, int] = {}
    for f in run.files:
        if f["rule"]:
            rules[f["rule"]] = rules.get(f["rule"], 0) + 1
    yield MaterializeResult(
        asset_key=FILES,
        metadata={
            "load_id": load_id,
            "files": len(run.files),
            **counts,
            "rejected_by_rule": MetadataValue.json(rules),
            "feedback_reports": MetadataValue.json(
                [p.relative_to(home.root).as_posix() for p in run.reports]
            ),
            "as_of": MetadataValue.text(datetime.now().isoformat(timespec="seconds")),
        },
    )
    yield MaterializeResult(asset_key=FIGURES, metadata={"load_id": load_id, "figures": len(run.figures)})
    unbalanced = [fl.source_file for fl in run.file_loads if not fl.balanced]
    yield AssetCheckResult(
        asset_key=FILES,
        check_name=RECONCILES,
        passed=not unbalanced and len(run.files) == sum(counts.values()),
        severity=AssetCheckSeverity.ERROR,
        metadata={"received": len(run.files), **counts, "unbalanced_files": MetadataValue.json(unbalanced)},
    )


def _is_upload(p: Path) -> bool:
    return not p.name.startswith((".", "~$")) and not p.name.endswith(".part")


@sensor(
    job_name="warehouse_job",
    minimum_interval_seconds=120,
    default_status=DefaultSensorStatus.RUNNING,
    description="Watches the county sub-centres' drop folders (landing/counties/): a new upload starts "
    "warehouse_job, whose counties_intake takes the new files in and writes the feedback reports. "
    "The first tick only records what is there (zteco run has taken it in).",
)
def county_drop_folder_sensor(context: SensorEvaluationContext, data_home: DataHome):
    return drop_folders.tick(context, drop_root(data_home.home()), _is_upload, "county", "counties",
                              "county_drop_folder")
