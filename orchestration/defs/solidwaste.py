"""The provincial solid-waste platform's HTTP API → ``lake/solidwaste/<table>`` (ingestion/solidwaste/).

One multi-asset, keys ``solidwaste/<table>`` (the dbt source ``solidwaste`` declares the same tables),
running the connector's incremental pull. With ``ZTECO_SW_BASE_URL`` set it pulls from that endpoint;
unset (``zteco run``: there is no live platform) it starts the platform simulator in-process on a free
127.0.0.1 port over the world in ``$ZTECO_HOME``, replays the monthly pulls since the last cursor, and
stops it.
"""

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

from ingestion.solidwaste import connector
from ingestion.solidwaste.world import TABLES
from orchestration.resources import DataHome

KEYS = {t: AssetKey(["solidwaste", t]) for t in TABLES}
RECONCILES = "solidwaste_pages_reconcile"
DRIFT = "solidwaste_schema_drift"
DESCRIPTIONS = {
    "generators": "Hazardous-waste generators registered on the platform (every version).",
    "declarations": "Annual HW declarations per generator, year and HW code (due 31 March; corrections kept).",
    "manifests": "Electronic HW transfer manifests: shipped vs weighed on receipt, signatures, status versions.",
    "receivers": "Licensed HW receivers (utilisation/disposal) with licensed categories and capacity.",
    "storage": "Monthly HW storage inventory snapshots per generator batch.",
    "medical_waste": "Monthly medical waste collected/disposed by the city's three disposal centres.",
    "general_isw": "General industrial solid waste per generator and year.",
}


@multi_asset(
    specs=[AssetSpec(KEYS[t], group_name="ingestion", kinds={"python", "api"},
                     description=DESCRIPTIONS[t] + " Append-only; pulled incrementally by update time.")
           for t in TABLES],
    check_specs=[AssetCheckSpec(RECONCILES, asset=KEYS["manifests"], blocking=True,
                                description="Every record of every page is loaded, quarantined or a counted "
                                            "duplicate (all solid-waste tables)."),
                 AssetCheckSpec(DRIFT, asset=KEYS["manifests"], blocking=False,
                                description="The platform's records carry exactly the declared fields (a new field is "
                                            "kept in extra_json, a missing one quarantines the page): warns on drift "
                                            "of any solid-waste table.")],
    name="solidwaste_platform",
)
def solidwaste_platform(context: AssetExecutionContext, data_home: DataHome):
    home = data_home.home()
    res = connector.pull_for_pipeline(home, run_id=context.run_id)
    if res.mode == "none":
        context.log.warning("no ZTECO_SW_BASE_URL and no simulated platform under world/: nothing pulled")
    drift = res.drift
    if drift:
        context.log.warning(f"solid-waste platform schema drift: {drift}")
    load_ids = [r.load_id for r in res.results]
    as_of = MetadataValue.text(datetime.now().isoformat(timespec="seconds"))
    for t in TABLES:
        yield MaterializeResult(asset_key=KEYS[t], metadata={
            **res.totals(t), "mode": res.mode, "pulls": len(res.results),
            "load_ids": MetadataValue.json(load_ids[-5:]), "drift": MetadataValue.json(drift.get(t, {})),
            "as_of": as_of})
    unbalanced = [fl.source_file for r in res.results for fl in r.loads if not fl.balanced]
    yield AssetCheckResult(asset_key=KEYS["manifests"], check_name=RECONCILES, passed=not unbalanced,
                           severity=AssetCheckSeverity.ERROR,
                           metadata={**res.totals(), "unbalanced_pages": MetadataValue.json(unbalanced)})
    yield AssetCheckResult(asset_key=KEYS["manifests"], check_name=DRIFT, passed=not drift,
                           severity=AssetCheckSeverity.WARN, metadata={"drift": MetadataValue.json(drift)})
