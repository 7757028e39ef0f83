"""The one place that builds the Dagster ``Definitions`` of the platform.

Cross-cutting policy lives here: the in-process executor (on 2 cores the multiprocess
executor pays seconds of start-up per step), retries, the jobs, the schedule and the sensor that
chains the warehouse build after each monitoring load.
"""

from __future__ import annotations

from dagster import (
    AssetSelection,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    RunRequest,
    build_schedule_from_partitioned_job,
    define_asset_job,
    in_process_executor,
    run_status_sensor,
)

from orchestration.dbt import dbt_resource, warehouse_dbt_assets
from orchestration.defs import census, freshness, monitoring, permits, serving
from orchestration.defs import counties as counties
from orchestration.defs import dashboards as dashboards
from orchestration.defs import evaluation as evaluation
from orchestration.defs import lab as lab
from orchestration.defs import receiver as receiver
from orchestration.defs import solidwaste as solidwaste
from orchestration.defs import sources as online_sources
from orchestration.defs import water as water
from orchestration.resources import DataHome

# Each source family adds its assets to ONE of these lists (and its checks, sensors to theirs).
# Daily-partitioned monitoring assets and the registries that authenticate them: validated and landed in
# one run, so a blocking quality check on a registry stops its packets (and, through the sensor, the
# warehouse) from building.
INGEST_ASSETS = [monitoring.air_stations, monitoring.air_hourly, water.water_catalogue, water.water_auto]
INGEST_ASSETS += [online_sources.source_registry, online_sources.source_online]
# Unpartitioned deliveries (bulk files, exports, lab results) loaded right before the dbt build.
WAREHOUSE_INPUTS = [census.census_delivery, permits.permit_list, lab.lab_soil, lab.lab_noise, water.water_lab]
WAREHOUSE_INPUTS += [solidwaste.solidwaste_platform]
WAREHOUSE_INPUTS += [counties.counties_intake]
ASSET_CHECKS = [monitoring.air_hourly_reconciles, freshness.air_hourly_freshness]
EXTRA_SENSORS: list = []
EXTRA_SENSORS += [receiver.receiver_late_packets]
EXTRA_SENSORS += [lab.lab_drop_folder_sensor]
EXTRA_SENSORS += [counties.county_drop_folder_sensor]

ingest_selection = AssetSelection.assets(*INGEST_ASSETS)

monitoring_job = define_asset_job(
    "monitoring_daily_job",
    selection=ingest_selection,
    description="Validate and land the station registry, then parse the monitoring network's landing log "
                "for a day (or a range, as one run). Blocking quality checks stop the run.",
)

warehouse_job = define_asset_job(
    "warehouse_job",
    selection=AssetSelection.assets(*WAREHOUSE_INPUTS, warehouse_dbt_assets, serving.serving_database),
    description="dbt build (seeds, models, tests) and the published serving database.",
)

# Both run as soon as the daemon runs (dagster's default is STOPPED): the platform is meant to be live.
monitoring_schedule = build_schedule_from_partitioned_job(
    monitoring_job, hour_of_day=1, minute_of_hour=30, default_status=DefaultScheduleStatus.RUNNING
)


@run_status_sensor(run_status=DagsterRunStatus.SUCCESS, monitored_jobs=[monitoring_job],
                   request_job=warehouse_job, default_status=DefaultSensorStatus.RUNNING,
                   description="Rebuild the warehouse after each successful monitoring load (a run stopped by a "
                               "blocking quality check ends in failure, so it does not trigger a build).")
def warehouse_after_monitoring(context):
    return RunRequest(run_key=f"after-{context.dagster_run.run_id}")


defs = Definitions(
    assets=[*INGEST_ASSETS, monitoring.load_log_spec, *WAREHOUSE_INPUTS, warehouse_dbt_assets,
            serving.serving_database, *evaluation.ASSETS, *dashboards.DASHBOARDS],
    asset_checks=ASSET_CHECKS,
    jobs=[monitoring_job, warehouse_job, *evaluation.JOBS],
    schedules=[monitoring_schedule, *evaluation.SCHEDULES],
    sensors=[warehouse_after_monitoring, *EXTRA_SENSORS],
    resources={"data_home": DataHome(), "dbt": dbt_resource()},
    executor=in_process_executor,
)
