"""Publishing: the serving copy of the warehouse that Superset reads (read-only, swapped atomically)."""


from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.publish import publish_serving
from orchestration.resources import DataHome

SERVING = AssetKey(["serving", "zteco"])
# The marts the dashboards read; the serving copy is published after they build.
SERVED_MARTS = ["dim_area", "dim_indicator", "fct_air_daily_area", "fct_air_annual_area", "fct_indicator_values",
                "dim_enterprise", "enterprise_source_links", "fct_key_pollutant_units", "fct_census_emissions_county",
                "fct_load_reconciliation", "fct_quality_check_results", "fct_quarantine_summary",
                "fct_source_freshness"]


@asset(key=SERVING, group_name="serving", compute_kind="duckdb",
       deps=[AssetKey(["warehouse", m]) for m in SERVED_MARTS],
       description="serving/zteco.duckdb: a copy of the warehouse published atomically for Superset.")
def serving_database(context: AssetExecutionContext, data_home: DataHome) -> MaterializeResult:
    home = data_home.home()
    info = publish_serving(home)
    context.log.info(f"published {info['tables']} tables to {info['path']} in {info['seconds']:.2f}s")
    return MaterializeResult(metadata=info)
