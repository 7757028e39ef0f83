"""Surface water: section catalogue + station registry, automatic-station packets, lab files (ingestion/water/)."""

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
    asset,
    multi_asset,
)

from ingestion.common.lake import FileLoad, new_load_id, write_load_log
from ingestion.water import loader
from orchestration.defs.monitoring import daily_partitions
from orchestration.resources import DataHome

WATER_SECTIONS = AssetKey(["monitoring", "water_sections"])
WATER_STATIONS = AssetKey(["monitoring", "water_stations"])
WATER_AUTO = AssetKey(["monitoring", "water_auto"])
WATER_LAB = AssetKey(["monitoring", "water_lab"])


def _counts(files: list[FileLoad]) -> dict:
    return {k: sum(getattr(f, k) for f in files) for k in ("received", "loaded", "quarantined", "duplicates")}


def _reconciles(key: AssetKey, name: str, files: list[FileLoad]) -> AssetCheckResult:
    unbalanced = [f.source_file for f in files if not f.balanced]
    return AssetCheckResult(asset_key=key, check_name=name, passed=not unbalanced, severity=AssetCheckSeverity.ERROR,
                            metadata={**_counts(files), "files": len(files),
                                      "unbalanced_files": MetadataValue.json(unbalanced)})


@multi_asset(
    specs=[
        AssetSpec(WATER_SECTIONS, group_name="ingestion", kinds={"python", "csv"},
                  description="Surface-water section catalogue (国考/省考/市考, county-boundary, out-of-province, "
                              "reservoirs, drinking-water sources with their target class)."),
        AssetSpec(WATER_STATIONS, group_name="ingestion", kinds={"python", "csv"},
                  description="Registry of the surface-water automatic stations (MN → section); PW stays in landing."),
    ],
    check_specs=[AssetCheckSpec("water_catalogue_reconciles", asset=WATER_SECTIONS, blocking=True,
                                description="Every catalogue and registry row is loaded, quarantined or a duplicate.")],
)
def water_catalogue(context: AssetExecutionContext, data_home: DataHome):
    home = data_home.home()
    load_id = new_load_id("monitoring.water.catalogue", "all", context.run_id)
    cat = loader.load_catalogue(home, load_id)
    write_load_log(home, load_id, cat.files)
    yield MaterializeResult(asset_key=WATER_SECTIONS, metadata={"sections": len(cat.sections), "load_id": load_id,
                                                               "quarantined": len(cat.quarantine)})
    yield MaterializeResult(asset_key=WATER_STATIONS, metadata={"stations": len(cat.stations), "load_id": load_id})
    yield _reconciles(WATER_SECTIONS, "water_catalogue_reconciles", cat.files)


@asset(key=WATER_AUTO, deps=[WATER_STATIONS], group_name="ingestion", kinds={"python"},
       partitions_def=daily_partitions, backfill_policy=BackfillPolicy.single_run(),
       check_specs=[AssetCheckSpec("water_auto_reconciles", asset=WATER_AUTO, blocking=True,
                                   description="Every received packet is loaded, quarantined or a counted duplicate.")],
       description="Surface-water automatic-station packets (HJ 212-2017, ST=21, CN=2061, every 4 hours) parsed "
                   "into the lake; undecodable or unattributable packets quarantined with file, line and reason.")
def water_auto(context: AssetExecutionContext, data_home: DataHome):
    home = data_home.home()
    window = context.partition_time_window
    first, last = window.start.date(), (window.end - timedelta(days=1)).date()
    load_id = new_load_id("monitoring.hj212.water", f"{first}..{last}", context.run_id)
    stations = loader.read_catalogue(home, load_id).stations  # authenticates MN and PW
    res = loader.load_auto(home, first, last, load_id, stations)
    write_load_log(home, load_id, res.files)
    context.log.info(f"water_auto {first}..{last}: {_counts(res.files)}")
    yield MaterializeResult(metadata={"load_id": load_id, **_counts(res.files), "rows": res.rows,
                                      "as_of": MetadataValue.text(datetime.now().isoformat(timespec="seconds"))})
    yield _reconciles(WATER_AUTO, "water_auto_reconciles", res.files)


@asset(key=WATER_LAB, deps=[WATER_SECTIONS], group_name="ingestion", kinds={"python", "csv"},
       check_specs=[AssetCheckSpec("water_lab_reconciles", asset=WATER_LAB, blocking=True,
                                   description="Every lab result row is loaded, quarantined or a counted duplicate.")],
       description="Monthly manual surface-water sampling (lab result files, GB 3838-2002 basic items) as one row "
                   "per sample and parameter; below detection limit at half the limit; bad rows quarantined.")
def water_lab(context: AssetExecutionContext, data_home: DataHome):
    home = data_home.home()
    load_id = new_load_id("monitoring.lab.water", "all", context.run_id)
    sections = loader.read_catalogue(home, load_id).sections
    parsed = loader.load_lab(home, load_id, sections)
    files = [p.file_load for p in parsed]
    write_load_log(home, load_id, files)
    rules: dict[str, int] = {}
    for p in parsed:
        for q in p.quarantine:
            rules[q["rule"]] = rules.get(q["rule"], 0) + 1
    yield MaterializeResult(metadata={"load_id": load_id, **_counts(files), "files": len(files),
                                      "quarantined_by_rule": MetadataValue.json(rules),
                                      "as_of": MetadataValue.text(datetime.now().isoformat(timespec="seconds"))})
    yield _reconciles(WATER_LAB, "water_lab_reconciles", files)
