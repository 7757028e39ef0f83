"""Pollution-source online monitoring (ingestion/sources/): registry, limits and HJ 212 packets → lake.

Asset keys are ``online_monitoring/<table>``: the dbt source ``online_monitoring`` declares the
same tables, so Dagster's lineage runs from these assets into the warehouse models.
"""

from datetime import datetime, timedelta

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from ingestion.common.lake import new_load_id, write_load_log
from ingestion.sources import loader
from orchestration.defs.monitoring import daily_partitions
from orchestration.resources import DataHome

SOURCE_DEVICES = AssetKey(["online_monitoring", "source_devices"])
SOURCE_LIMITS = AssetKey(["online_monitoring", "source_limits"])
SOURCE_HOURLY = AssetKey(["online_monitoring", "source_hourly"])
SOURCE_DAILY = AssetKey(["online_monitoring", "source_daily"])
SOURCE_MINUTE = AssetKey(["online_monitoring", "source_minute"])
REGISTRY_RECONCILES = "source_registry_reconciles"
PACKETS_RECONCILE = "source_packets_reconcile"


@multi_asset(
    specs=[
        AssetSpec(SOURCE_DEVICES, group_name="ingestion", kinds={"python", "csv"},
                  description="Online-monitoring device registry of the key units' outlets (MN, password, outlet, "
                              "enterprise, county, networked date); bad rows quarantined with line and reason."),
        AssetSpec(SOURCE_LIMITS, group_name="ingestion", kinds={"python", "csv"},
                  description="Permitted concentration limits per outlet and parameter, with the emission standard "
                              "they come from (assumed where marked)."),
    ],
    check_specs=[AssetCheckSpec(REGISTRY_RECONCILES, asset=SOURCE_DEVICES, blocking=True,
                                description="Every registry and limits row is loaded or quarantined.")],
    name="source_registry",
)
def source_registry(context: AssetExecutionContext, data_home: DataHome):
    home = data_home.home()
    load_id = new_load_id(loader.REGISTRY_SOURCE, "all", context.run_id)
    res = loader.load_registry(home, load_id)
    write_load_log(home, load_id, res.files)
    if not res.files:
        context.log.warning(f"no online-monitoring registry under {loader.registry_file(home).parent}: nothing landed")
    yield MaterializeResult(asset_key=SOURCE_DEVICES, metadata={"load_id": load_id, "devices": res.devices,
                                                                "quarantined": len(res.quarantine)})
    yield MaterializeResult(asset_key=SOURCE_LIMITS, metadata={"load_id": load_id, "limits": res.limits})
    yield AssetCheckResult(asset_key=SOURCE_DEVICES, check_name=REGISTRY_RECONCILES,
                           passed=all(f.balanced for f in res.files), severity=AssetCheckSeverity.ERROR,
                           metadata={f.source_file: f"{f.received} = {f.loaded} + {f.quarantined}" for f in res.files})


@multi_asset(
    specs=[
        AssetSpec(SOURCE_HOURLY, deps=[SOURCE_DEVICES], group_name="ingestion", kinds={"python"},
                  description="Hourly values (HJ 212-2017 CN=2061) of the outlets, one row per packet and "
                              "parameter with its data flag."),
        AssetSpec(SOURCE_DAILY, deps=[SOURCE_DEVICES], group_name="ingestion", kinds={"python"},
                  description="Daily values (CN=2031) of the outlets, one row per packet and parameter."),
        AssetSpec(SOURCE_MINUTE, deps=[SOURCE_DEVICES], group_name="ingestion", kinds={"python"},
                  description="Minute values (CN=2051) of the outlets, one row per packet and parameter."),
    ],
    check_specs=[AssetCheckSpec(PACKETS_RECONCILE, asset=SOURCE_HOURLY, blocking=True,
                                description="Every received packet is loaded, quarantined or a counted duplicate.")],
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    name="source_online",
)
def source_online(context: AssetExecutionContext, data_home: DataHome):
    home = data_home.home()
    window = context.partition_time_window
    first, last = window.start.date(), (window.end - timedelta(days=1)).date()
    load_id = new_load_id(loader.SOURCE, f"{first}..{last}", context.run_id)
    devices = loader.registry_devices(home)
    landed = [d for d in loader.landed_days(home) if first <= d <= last]
    files, rows, rules = [], {t: 0 for t in loader.TABLE.values()}, {}
    for i, day in enumerate(landed):
        res = loader.load_day(home, day, load_id, devices)
        files += res.files
        for t, n in res.rows.items():
            rows[t] += n
        for q in res.quarantine:
            rules[q["rule"]] = rules.get(q["rule"], 0) + 1
        if (i + 1) % 100 == 0:
            context.log.info(f"source_online: {i + 1}/{len(landed)} days loaded")
    write_load_log(home, load_id, files)
    counts = {k: sum(getattr(f, k) for f in files) for k in ("received", "loaded", "quarantined", "duplicates")}
    context.log.info(f"source_online {first}..{last}: {counts}, value rows {rows}, quarantined by rule {rules}")
    as_of = MetadataValue.text(datetime.now().isoformat(timespec="seconds"))
    for key, table in ((SOURCE_HOURLY, "source_hourly"), (SOURCE_DAILY, "source_daily"),
                       (SOURCE_MINUTE, "source_minute")):
        meta = {"load_id": load_id, "value_rows": rows[table], "days_with_data": len(landed), "as_of": as_of}
        if key == SOURCE_HOURLY:
            meta.update(counts, quarantined_by_rule=MetadataValue.json(rules))
        yield MaterializeResult(asset_key=key, metadata=meta)
    unbalanced = [f.source_file for f in files if not f.balanced]
    yield AssetCheckResult(asset_key=SOURCE_HOURLY, check_name=PACKETS_RECONCILE, passed=not unbalanced,
                           severity=AssetCheckSeverity.ERROR,
                           metadata={**counts, "unbalanced_files": MetadataValue.json(unbalanced)})
