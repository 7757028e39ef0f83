"""The pollution-source census delivery (xlsx workbooks) → typed lake tables, one asset per table.

The census is a one-off bulk delivery, so the assets are unpartitioned: each run re-reads every
delivery folder under ``landing/census/`` and replaces its partitions (``ingestion/census/reader.py``).
One step reads all workbooks (the tables share duplicate detection and one load id).
"""

from collections.abc import Iterator
from datetime import datetime

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from ingestion.census import reader
from ingestion.common.lake import new_load_id, write_load_log
from orchestration.resources import DataHome

SPEC = reader.load_spec()
TABLE_KEYS = {name: AssetKey(["census", name]) for name in SPEC.tables}
RECONCILES = "census_load_reconciles"


def _describe(name: str) -> str:
    t = SPEC.tables[name]
    return (f"Census {t.title_zh} ({name}): workbook {t.workbook!r}, sheets {list(t.sheets)}, read through "
            "ingestion/census/headers.yaml into lake/census/" + name + "/delivery=…; unreadable rows in "
            "lake/quarantine/census/" + name + "/ with workbook, sheet, row and reason.")


@multi_asset(
    specs=[AssetSpec(key, group_name="ingestion", kinds={"python", "excel"}, description=_describe(name))
           for name, key in TABLE_KEYS.items()],
    check_specs=[AssetCheckSpec(RECONCILES, asset=key, blocking=True,
                                description="Every record of every sheet is loaded, quarantined or a counted "
                                            "duplicate (received = loaded + quarantined + duplicates).")
                 for key in TABLE_KEYS.values()],
    name="census_delivery",
)
def census_delivery(context: AssetExecutionContext, data_home: DataHome) -> Iterator:
    home = data_home.home()
    load_id = new_load_id(reader.SOURCE, "all", context.run_id)
    res = reader.load_census(home, load_id, SPEC)
    write_load_log(home, load_id, res.file_loads)
    if not res.results:
        context.log.warning(f"no census delivery under {home.landing / 'census'}: the census tables are empty")
    for name, key in TABLE_KEYS.items():
        sheets = [s for r in res.results for s in r.sheets if s.table == name]
        counts = res.counts(name)
        issues = reader.summarise(i for s in sheets for i in s.issues)
        missing = [r.delivery for r in res.results if name in r.missing_tables]
        context.log.info(f"census {name}: {counts} issues {issues}")
        yield MaterializeResult(asset_key=key, metadata={
            "load_id": load_id,
            **counts,
            "deliveries": len(res.results),
            "sheets": MetadataValue.json({f"{s.workbook}#{s.sheet}": {
                "received": s.file_load.received, "loaded": s.file_load.loaded,
                "quarantined": s.file_load.quarantined, "duplicates": s.file_load.duplicates,
                "units": s.units, "unmapped_headers": s.unmapped_labels, "numbers_as_text": s.text_numbers,
            } for s in sheets}),
            "issues": MetadataValue.json(issues),
            "deliveries_without_this_table": MetadataValue.json(missing),
            "ignored_sheets": MetadataValue.json([x for r in res.results for x in r.ignored_sheets]),
            "unrecognised_workbooks": MetadataValue.json([x for r in res.results for x in r.unrecognised_workbooks]),
            "as_of": MetadataValue.text(datetime.now().isoformat(timespec="seconds")),
        })
        unbalanced = [s.file_load.source_file for s in sheets if not s.file_load.balanced]
        yield AssetCheckResult(asset_key=key, check_name=RECONCILES, passed=not unbalanced,
                               severity=AssetCheckSeverity.ERROR,
                               metadata={**counts, "unbalanced_sheets": MetadataValue.json(unbalanced)})
