"""Monitoring networks: the air stations' HJ 212 landing log → Parquet lake, daily partitions.

Both assets validate their batch *as received* with a Great Expectations suite (quality/suites)
inside the asset step and report one asset check per rule (``quality_<rule>``). The checks are
declared on the asset (``check_specs``) rather than as separate ``@asset_check`` functions because
the batch as received — after parsing, before quarantine — exists only inside the step: a separate
check would have to parse the landing again or read an unquarantined copy. See quality/README.md.
"""

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    DailyPartitionsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
)

from ingestion.common.lake import new_load_id, write_load_log
from ingestion.monitoring import air_loader
from orchestration.resources import DataHome
from quality import acknowledgements
from quality.gate import Gate
from quality.rules import Suite
from quality.suites import AIR_HOURLY as HOURLY_SUITE
from quality.suites import AIR_STATIONS as STATIONS_SUITE

PARTITION_START = "2020-01-01"
TIMEZONE = "Asia/Shanghai"

# One partition per local day. Backfills run as ONE run over the whole range (single_run):
# concurrent runs would collide on the lake partitions and on the single-writer DuckDB file.
daily_partitions = DailyPartitionsDefinition(start_date=PARTITION_START, timezone=TIMEZONE)

AIR_STATIONS = AssetKey(["monitoring", "air_stations"])
AIR_HOURLY = AssetKey(["monitoring", "air_hourly"])
LOAD_LOG = AssetKey(["ops", "load_log"])

load_log_spec = AssetSpec(
    LOAD_LOG, group_name="ingestion",
    description="Load log written by every ingestion asset: one row per received file/page/batch.",
)


def quality_check_specs(suite: Suite, key: AssetKey) -> list[AssetCheckSpec]:
    """One asset check per rule of the suite; blocking rules block downstream assets."""
    return [AssetCheckSpec(suite.check_name(r), asset=key, blocking=r.blocking,
                           description=f"[{r.severity}] {r.title}. {r.why}")
            for r in suite.rules]


def quality_check_results(gate: Gate, key: AssetKey, results_path: Path) -> Iterator[AssetCheckResult]:
    """The gate's verdicts as check results. A blocking rule that fails is an ERROR: Dagster then fails
    the step and skips everything downstream in the run. A rule not evaluated (the batch was rejected
    as a whole by an earlier rule) is reported as a failed WARN check, not as a pass."""
    for v in gate.verdicts():
        severity = AssetCheckSeverity.ERROR if v.rule.blocking and v.evaluated else AssetCheckSeverity.WARN
        yield AssetCheckResult(
            asset_key=key, check_name=v.check_name, passed=v.passed, severity=severity, description=v.description,
            metadata={**{k: (MetadataValue.json(val) if isinstance(val, list) else val)
                         for k, val in v.metadata.items()},
                      "results": MetadataValue.path(str(results_path))},
        )


@asset(key=AIR_STATIONS, group_name="ingestion", compute_kind="python", output_required=False,
       check_specs=quality_check_specs(STATIONS_SUITE, AIR_STATIONS),
       description="Air station / device registry of the monitoring network, landed as Parquet after the "
                   "monitoring/air_stations expectation suite; a file that cannot be read leaves the previous "
                   "registry in place.")
def air_stations(context: AssetExecutionContext, data_home: DataHome):
    home = data_home.home()
    load_id = new_load_id("monitoring.registry", "all", context.run_id)
    registry = air_loader.registry_path(home)
    version = acknowledgements.fingerprint(registry) if registry.exists() else ""
    gate = Gate(STATIONS_SUITE, load_id, acks=acknowledgements.load(home), ack_partition=lambda _: version,
                quarantine_hint=f"lake/quarantine/{STATIONS_SUITE.dataset}/")
    res = air_loader.load_registry(home, load_id, gate)
    write_load_log(home, load_id, [res.file_load])
    results_path = gate.write_results(home)
    if res.lake_path is None:
        context.log.error(f"{res.file_load.source_file} rejected as a whole: the lake keeps its previous station "
                          f"registry; {res.quarantined} rows quarantined")
    else:
        yield MaterializeResult(metadata={
            "stations": res.stations, "quarantined": res.quarantined, "path": str(res.lake_path),
            "load_id": load_id, "registry_version": version,
        })
    yield from quality_check_results(gate, AIR_STATIONS, results_path)


@asset(key=AIR_HOURLY, deps=[AIR_STATIONS], group_name="ingestion", compute_kind="python",
       partitions_def=daily_partitions, backfill_policy=BackfillPolicy.single_run(),
       check_specs=quality_check_specs(HOURLY_SUITE, AIR_HOURLY),
       description="Hourly air-station packets (HJ 212-2017, CN=2061) parsed into the lake; packets that cannot "
                   "be decoded and rows failing a blocking expectation are quarantined with rule and reason.")
def air_hourly(context: AssetExecutionContext, data_home: DataHome):
    home = data_home.home()
    window = context.partition_time_window
    first = window.start.date()
    last = (window.end - timedelta(days=1)).date()
    load_id = new_load_id("monitoring.hj212", f"{first}..{last}", context.run_id)
    devices, excluded = air_loader.registry_devices(home)
    gate = Gate(HOURLY_SUITE, load_id, acks=acknowledgements.load(home),
                quarantine_hint=f"lake/quarantine/{HOURLY_SUITE.dataset}/date={{partition}}/")
    res = air_loader.load_hourly(home, first, last, load_id, devices, gate, excluded, log=context.log.info)
    write_load_log(home, load_id, res.files)
    t0 = time.perf_counter()
    results_path = gate.write_results(home)
    gate_seconds = gate.seconds + time.perf_counter() - t0
    received = sum(f.received for f in res.files)
    quarantined = sum(f.quarantined for f in res.files)
    duplicates = sum(f.duplicates for f in res.files)
    context.log.info(f"air_hourly {first}..{last}: received {received}, hourly {res.hourly_rows}, realtime "
                     f"{res.realtime_rows}, quarantined {quarantined} ({res.quality_quarantined} for quality), "
                     f"duplicates {duplicates}; parse {res.parse_seconds:.1f}s, quality {gate_seconds:.1f}s, "
                     f"write {res.write_seconds:.1f}s")
    yield MaterializeResult(metadata={
        "load_id": load_id,
        "days_with_data": res.days_with_data,
        "received": received,
        "loaded_hourly": res.hourly_rows,
        "loaded_realtime": res.realtime_rows,
        "quarantined": quarantined,
        "quarantined_for_quality": res.quality_quarantined,
        "duplicates": duplicates,
        "balanced": all(f.balanced for f in res.files),
        "quality_seconds": round(gate_seconds, 2),
        "quality_results": MetadataValue.path(str(results_path)),
        "as_of": MetadataValue.text(datetime.now().isoformat(timespec="seconds")),
    })
    yield from quality_check_results(gate, AIR_HOURLY, results_path)


@asset_check(asset=AIR_HOURLY, blocking=True,
             description="Every received packet is loaded, quarantined or a counted duplicate.")
def air_hourly_reconciles(context, data_home: DataHome) -> AssetCheckResult:
    import duckdb

    home = data_home.home()
    glob = str(home.load_log / "*.parquet")
    con = duckdb.connect()
    # Latest load per landing file: a re-load supersedes the earlier counts.
    rows = con.execute(f"""
        with latest as (
            select * from read_parquet('{glob}')
            where source = '{air_loader.SOURCE}'
            qualify row_number() over (partition by source_file order by finished_at desc) = 1
        )
        select count(*), coalesce(sum(received), 0), coalesce(sum(loaded), 0), coalesce(sum(quarantined), 0),
               coalesce(sum(duplicates), 0),
               count(*) filter (where received <> loaded + quarantined + duplicates)
        from latest
    """).fetchone()
    files, received, loaded, quarantined, duplicates, unbalanced = rows
    return AssetCheckResult(
        passed=files > 0 and unbalanced == 0,
        severity=AssetCheckSeverity.ERROR,
        metadata={"files": files, "received": received, "loaded": loaded, "quarantined": quarantined,
                  "duplicates": duplicates, "unbalanced_files": unbalanced},
    )
