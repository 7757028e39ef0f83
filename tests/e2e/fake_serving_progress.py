"""Plan progress mart for the stand-in serving database (tests/e2e/fake_serving.py): the documented columns of
fct_indicator_progress (dbt_project/models/marts/indicators/_indicator_progress__models.yml), derived from the
fake fct_indicator_values, dim_indicator and dim_area with a simplified time-elapsed rule (baseline = the first
year's value, target = dim_indicator.target_2025, plan 2020-2025): achieved when the target is met,
on_schedule / behind_schedule / deterioration by the share of the distance covered, no_data (with the value's
missing reason, value NULL) when there is no value, no_baseline when the baseline year has none. It only backs
the dashboards' stand-in data; evaluation/progress.py and the dbt model hold the real rules."""

from __future__ import annotations

import duckdb

from evaluation.progress import STATUS_ZH  # the labels of the seed progress_statuses, one copy


def populate_progress(con: duckdb.DuckDBPyConnection, first_year: int, last_year: int) -> None:
    labels = " ".join(f"WHEN '{code}' THEN '{zh}'" for code, zh in STATUS_ZH.items())
    con.execute(f"""
        CREATE TABLE fct_indicator_progress AS
        WITH v AS (
            SELECT v.indicator_code, v.area_code, CAST(year(v.period_start) AS INTEGER) AS year, v.value,
                   v.method_version, CAST(v.as_of AS TIMESTAMP) AS as_of, v.load_ids, v.missing_reason_code,
                   v.missing_reason_zh
            FROM fct_indicator_values AS v
            WHERE v.period_type = 'year'
        ), joined AS (
            SELECT '14th_fyp' AS plan_code, v.indicator_code, i.name_zh AS indicator_name_zh, v.area_code,
                   a.area_name_zh, a.area_level, v.year, i.unit, i.direction,
                   i.kind = 'binding' AS is_binding, CASE WHEN i.kind = 'binding' THEN '约束性' ELSE '预期性' END
                       AS kind_zh, '大气环境科' AS department_zh, 'assumed' AS target_source,
                   {first_year} AS baseline_year, b.value AS baseline_value,
                   CASE WHEN b.value IS NOT NULL THEN 'computed' END AS baseline_source,
                   2023 AS checkpoint_year, coalesce(i.checkpoint_2023, b.value + (i.target_2025 - b.value) * 0.6)
                       AS checkpoint_value,
                   CASE WHEN i.checkpoint_2023 IS NOT NULL THEN 'registry' ELSE 'interpolated' END
                       AS checkpoint_source,
                   2025 AS target_year, i.target_2025 AS target_value, v.value,
                   (v.year - {first_year}) / (2025.0 - {first_year}) AS elapsed_share,
                   (v.value - b.value) / nullif(i.target_2025 - b.value, 0) AS distance_share,
                   v.method_version, v.as_of, v.load_ids, v.missing_reason_code, v.missing_reason_zh
            FROM v
            JOIN dim_indicator AS i ON i.code = v.indicator_code
            JOIN dim_area AS a ON a.area_code = v.area_code
            LEFT JOIN v AS b ON b.indicator_code = v.indicator_code AND b.area_code = v.area_code
                            AND b.year = {first_year}
            WHERE v.year > {first_year}
        ), judged AS (
            SELECT *,
                   CASE WHEN value IS NULL THEN 'no_data'
                        WHEN (direction = 'higher' AND value >= target_value)
                          OR (direction = 'lower' AND value <= target_value) THEN 'achieved'
                        WHEN baseline_value IS NULL THEN 'no_baseline'
                        WHEN distance_share >= elapsed_share THEN 'on_schedule'
                        WHEN distance_share >= 0 THEN 'behind_schedule'
                        ELSE 'deterioration' END AS status
            FROM joined
        )
        SELECT plan_code, indicator_code, indicator_name_zh, area_code, area_name_zh, area_level, year, unit,
               direction, is_binding, kind_zh, department_zh, target_source, baseline_year, baseline_value,
               baseline_source, checkpoint_year, checkpoint_value, checkpoint_source, target_year, target_value,
               value, elapsed_share, distance_share, status AS time_progress_status,
               CASE status {labels} END AS time_progress_status_zh,
               CAST(NULL AS DOUBLE) AS observed_cagr, CAST(NULL AS DOUBLE) AS required_cagr,
               CAST(NULL AS DOUBLE) AS growth_rate_ratio,
               CASE WHEN status IN ('on_schedule', 'behind_schedule') THEN 'not_applicable' ELSE status END
                   AS growth_rate_status,
               CASE CASE WHEN status IN ('on_schedule', 'behind_schedule') THEN 'not_applicable' ELSE status END
                   {labels} END AS growth_rate_status_zh,
               status, CASE status {labels} END AS status_zh,
               CASE WHEN status IN ('on_schedule', 'behind_schedule') THEN 'time_elapsed' ELSE 'growth_rate' END
                   AS status_method,
               CAST(NULL AS BOOLEAN) AS meets_checkpoint, CAST(NULL AS VARCHAR) AS checkpoint_verdict,
               CASE WHEN value IS NOT NULL THEN status = 'achieved' END AS meets_target,
               CAST(NULL AS VARCHAR) AS target_verdict,
               CASE WHEN area_level = 'county' AND value IS NOT NULL THEN CAST(rank() OVER (
                   PARTITION BY indicator_code, year, area_level, value IS NULL
                   ORDER BY CASE WHEN direction = 'lower' THEN value ELSE -value END) AS INTEGER) END
                   AS county_rank,
               method_version, as_of, load_ids, missing_reason_code, missing_reason_zh
        FROM judged
        ORDER BY indicator_code, area_code, year
    """)
