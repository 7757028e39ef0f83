"""Monitoring networks: the air stations' HJ 212 landing log → Parquet lake, daily partitions."""


from datetime import date, datetime, timedelta

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
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


@asset(key=AIR_STATIONS, group_name="ingestion", compute_kind="python",
       description="Air station / device registry of the monitoring network, landed as Parquet.")
def air_stations(context: AssetExecutionContext, data_home: DataHome) -> MaterializeResult:
    home = data_home.home()
    load_id = new_load_id("monitoring.registry", "all", context.run_id)
    path, fl = air_loader.load_registry(home, load_id)
    write_load_log(home, load_id, [fl])
    return MaterializeResult(metadata={"stations": fl.loaded, "path": str(path), "load_id": load_id})


@asset(key=AIR_HOURLY, deps=[AIR_STATIONS], group_name="ingestion", compute_kind="python",
       partitions_def=daily_partitions, backfill_policy=BackfillPolicy.single_run(),
       description="Hourly air-station packets (HJ 212-2017, CN=2061) parsed into the lake; bad packets "
                   "quarantined with rule and reason.")
def air_hourly(context: AssetExecutionContext, data_home: DataHome) -> MaterializeResult:
    home = data_home.home()
    window = context.partition_time_window
    first = window.start.date()
    last = (window.end - timedelta(days=1)).date()
    load_id = new_load_id("monitoring.hj212", f"{first}..{last}", context.run_id)
    _, devices = air_loader.read_registry(home)
    landed = {d for d in air_loader.landed_days(home) if first <= d <= last}
    loads, hourly, realtime = [], 0, 0
    day: date = first
    n_days = (last - first).days + 1
    for i in range(n_days):
        day = first + timedelta(days=i)
        if day not in landed:
            continue
        res = air_loader.load_day(home, day, load_id, devices)
        loads += res.files
        hourly += res.hourly_rows
        realtime += res.realtime_rows
        if (i + 1) % 200 == 0:
            context.log.info(f"air_hourly: {i + 1}/{n_days} days parsed ({hourly} station-hours)")
    write_load_log(home, load_id, loads)
    received = sum(f.received for f in loads)
    quarantined = sum(f.quarantined for f in loads)
    duplicates = sum(f.duplicates for f in loads)
    context.log.info(f"air_hourly {first}..{last}: received {received}, hourly {hourly}, realtime {realtime}, "
                     f"quarantined {quarantined}, duplicates {duplicates}")
    return MaterializeResult(metadata={
        "load_id": load_id,
        "days_with_data": len(landed),
        "received": received,
        "loaded_hourly": hourly,
        "loaded_realtime": realtime,
        "quarantined": quarantined,
        "duplicates": duplicates,
        "balanced": all(f.balanced for f in loads),
        "as_of": MetadataValue.text(datetime.now().isoformat(timespec="seconds")),
    })


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
