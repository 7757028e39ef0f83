"""Evaluation extracts as Dagster assets: the annual scheduling report (every January, for the previous
year), the mid-term (as of 2023-12-31) and final (as of 2025-12-31) evaluations on their dates, and any
extract on demand (``evaluation_job`` with run config).

The extract asset depends on the indicator marts, so the lineage shows which marts an extract reads; it
builds its own as-of DuckDB (evaluation/extract.py) and never writes the warehouse.
"""

from datetime import date

from dagster import (
    AssetExecutionContext,
    AssetKey,
    Config,
    DefaultScheduleStatus,
    MaterializeResult,
    RunConfig,
    RunRequest,
    ScheduleEvaluationContext,
    SkipReason,
    asset,
    define_asset_job,
    schedule,
)

from evaluation.extract import resolve_request, sha256, write_extract
from orchestration.resources import DataHome

EXTRACT = AssetKey(["extracts", "evaluation"])
INDICATOR_MARTS = ["fct_indicator_values", "fct_indicator_baselines", "fct_indicator_progress"]
# The plan's evaluation dates: the run that writes each evaluation once its as-of day is over.
PLAN_EVALUATIONS = {"midterm": date(2023, 12, 31), "final": date(2025, 12, 31)}


class ExtractConfig(Config):
    kind: str = "annual"
    as_of: str = ""  # YYYY-MM-DD; empty: the kind's default
    year: int = 0  # 0: the kind's default


@asset(
    key=EXTRACT,
    group_name="evaluation",
    compute_kind="python",
    deps=[AssetKey(["warehouse", m]) for m in INDICATOR_MARTS],
    description="A frozen evaluation extract (evaluation.xlsx, evaluation.pdf, manifest.json) under "
    "extracts/<kind>-<as-of>/, built as known at the as-of time.",
)
def evaluation_extract(
    context: AssetExecutionContext, config: ExtractConfig, data_home: DataHome
) -> MaterializeResult:
    home = data_home.home()
    req = resolve_request(
        config.kind, date.fromisoformat(config.as_of) if config.as_of else None, config.year or None
    )
    out = write_extract(home, req, echo=context.log.info)
    return MaterializeResult(
        metadata={
            "path": str(out),
            "kind": req.kind,
            "as_of": req.as_of_timestamp,
            "year": req.year,
            "xlsx_sha256": sha256(out / "evaluation.xlsx"),
        }
    )


evaluation_job = define_asset_job(
    "evaluation_job",
    selection=[EXTRACT],
    description="Write an evaluation extract (run config: ops.extracts__evaluation.config kind / as_of / year).",
)


def extract_run_config(kind: str, as_of: date | None = None, year: int | None = None) -> RunConfig:
    return RunConfig(
        ops={
            "extracts__evaluation": ExtractConfig(
                kind=kind, as_of=as_of.isoformat() if as_of else "", year=year or 0
            )
        }
    )


@schedule(
    job=evaluation_job,
    cron_schedule="0 6 5 1 *",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Every 5 January: the annual scheduling report of the previous year.",
)
def annual_report_schedule(context: ScheduleEvaluationContext):
    year = context.scheduled_execution_time.year - 1
    return RunRequest(run_key=f"annual-{year}", run_config=extract_run_config("annual", year=year))


@schedule(
    job=evaluation_job,
    cron_schedule="0 7 15 1 *",
    default_status=DefaultScheduleStatus.RUNNING,
    description="15 January after each evaluation date: the mid-term (as of 2023-12-31) and final (as of "
    "2025-12-31) evaluations.",
)
def plan_evaluation_schedule(context: ScheduleEvaluationContext):
    year = context.scheduled_execution_time.year
    due = [k for k, d in PLAN_EVALUATIONS.items() if d.year == year - 1]
    if not due:
        return SkipReason(f"no plan evaluation is due in January {year}")
    kind = due[0]
    return RunRequest(
        run_key=f"{kind}-{PLAN_EVALUATIONS[kind].isoformat()}",
        run_config=extract_run_config(kind, as_of=PLAN_EVALUATIONS[kind]),
    )


ASSETS = [evaluation_extract]
JOBS = [evaluation_job]
SCHEDULES = [annual_report_schedule, plan_evaluation_schedule]
