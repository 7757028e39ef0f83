"""The permit platform's list export (CSV, GBK) → ``lake/permits/permit_list`` (ingestion/permits/)."""

from datetime import datetime

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
)

from ingestion.common.lake import new_load_id, write_load_log
from ingestion.permits import loader
from orchestration.resources import DataHome

PERMIT_LIST = AssetKey(["permits", "permit_list"])
RECONCILES = "permit_load_reconciles"


@asset(key=PERMIT_LIST, group_name="ingestion", kinds={"python", "csv"},
       check_specs=[AssetCheckSpec(RECONCILES, asset=PERMIT_LIST, blocking=True,
                                   description="Every row of every export is loaded, quarantined or a counted "
                                               "duplicate.")],
       description="National discharge-permit list exports (permits and registrations of the city) landed as "
                   "Parquet, one partition per export day; unreadable rows quarantined with line and reason.")
def permit_list(context: AssetExecutionContext, data_home: DataHome):
    home = data_home.home()
    load_id = new_load_id("permits", "all", context.run_id)
    loads = loader.load_permits(home, load_id)
    write_load_log(home, load_id, [x.file_load for x in loads])
    if not loads:
        context.log.warning(f"no permit list export under {home.landing / 'permits' / 'exports'}")
    counts = {k: sum(getattr(x.file_load, k) for x in loads)
              for k in ("received", "loaded", "quarantined", "duplicates")}
    rules: dict[str, int] = {}
    for x in loads:
        for q in x.quarantine:
            rules[q["rule"]] = rules.get(q["rule"], 0) + 1
    yield MaterializeResult(metadata={
        "load_id": load_id, **counts,
        "exports": MetadataValue.json({x.file_load.source_file: {"export_date": x.export_date.isoformat(),
                                                                 "encoding": x.encoding, "flags": x.flags}
                                       for x in loads}),
        "quarantined_by_rule": MetadataValue.json(rules),
        "as_of": MetadataValue.text(datetime.now().isoformat(timespec="seconds")),
    })
    unbalanced = [x.file_load.source_file for x in loads if not x.file_load.balanced]
    yield AssetCheckResult(check_name=RECONCILES, passed=not unbalanced, severity=AssetCheckSeverity.ERROR,
                           metadata={**counts, "unbalanced_files": MetadataValue.json(unbalanced)})
