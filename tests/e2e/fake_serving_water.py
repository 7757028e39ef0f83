"""Surface-water marts for the stand-in serving database (tests/e2e/fake_serving.py): the columns of
docs/CONTRACTS.md "Surface water" with deterministic values — two sections per county (one of them a
reservoir drinking-water source), monthly classes, the annual classes and the area rollup."""

from __future__ import annotations

import duckdb

LABEL = "CASE {c} WHEN 1 THEN 'Ⅰ类' WHEN 2 THEN 'Ⅱ类' WHEN 3 THEN 'Ⅲ类' WHEN 4 THEN 'Ⅳ类' WHEN 5 THEN 'Ⅴ类' ELSE '劣Ⅴ类' END"


def populate_water(con: duckdb.DuckDBPyConnection, first_year: int, last_year: int) -> None:
    con.execute(f"""
        CREATE TABLE dim_water_section AS
        SELECT 'S' || a.area_code || k AS section_code, a.area_name_zh || (CASE k WHEN 1 THEN '河断面' ELSE '水库' END)
                   AS section_name_zh,
               CASE k WHEN 1 THEN '某河' ELSE '某水库' END AS river_zh,
               CASE k WHEN 1 THEN 'river' ELSE 'lake' END AS water_body,
               CASE k WHEN 1 THEN '河流' ELSE '湖库' END AS water_body_zh,
               a.area_code AS county_code, a.area_name_zh AS county_name_zh, '省考' AS section_level,
               k = 1 AS is_assessment_section, FALSE AS is_county_boundary, FALSE AS is_out_of_province,
               k = 2 AS is_drinking_source, 3 AS target_class, 'Ⅲ类' AS target_class_label,
               CASE k WHEN 1 THEN 'W' || a.area_code END AS auto_station_code,
               CASE k WHEN 1 THEN DATE '2020-01-01' END AS auto_station_since, k = 1 AS has_auto_station,
               103.5 AS longitude, 27.5 AS latitude
        FROM dim_area a CROSS JOIN range(1, 3) t(k) WHERE a.area_level = 'county';
        CREATE TABLE fct_water_section_monthly AS
        SELECT s.section_code, s.section_name_zh, s.county_code AS area_code, m AS month_start,
               CAST(year(m) AS INTEGER) AS year, c AS water_class, {LABEL.format(c='c')} AS water_class_label,
               'nh3n' AS deciding_parameter, '氨氮' AS deciding_parameter_zh, c AS drinking_class, 3 AS target_class,
               c <= 3 AS meets_target, 8::BIGINT AS parameter_count, 0::BIGINT AS auto_parameters,
               'GB 3838-2002; zteco surface-water assessment-v1' AS method_version
        FROM dim_water_section s
        CROSS JOIN (SELECT CAST(d AS DATE) AS m FROM range(DATE '{first_year}-01-01', DATE '{last_year}-12-02',
                                                             INTERVAL 1 MONTH) r(d)) months
        CROSS JOIN LATERAL (SELECT 2 + CAST(hash(s.section_code || m) % 3 AS INTEGER) AS c) cls;
        CREATE TABLE fct_water_section_annual AS
        SELECT section_code, any_value(section_name_zh) AS section_name_zh, any_value(area_code) AS area_code, year,
               max(water_class) - 1 AS water_class, {LABEL.format(c='max(water_class) - 1')} AS water_class_label,
               'nh3n' AS deciding_parameter, '氨氮' AS deciding_parameter_zh, max(water_class) - 1 <= 3 AS is_good,
               FALSE AS is_below_v, 3 AS target_class, max(water_class) - 1 <= 3 AS meets_target,
               count(*) AS months_assessed, max(water_class) AS worst_month_class,
               bool_or(section_code LIKE '%2') AS is_drinking_source, NOT bool_or(section_code LIKE '%2') AS is_assessment_section,
               max(drinking_class) AS drinking_worst_class, {LABEL.format(c='max(drinking_class)')} AS drinking_worst_class_label,
               CASE WHEN bool_or(section_code LIKE '%2') THEN max(drinking_class) <= 3 END AS drinking_compliant,
               NOT bool_or(section_code LIKE '%2') AS has_auto_data,
               'GB 3838-2002; zteco surface-water assessment-v1' AS method_version
        FROM fct_water_section_monthly GROUP BY section_code, year;
        CREATE TABLE fct_water_area_annual AS
        WITH rows AS (
            SELECT y.*, a.area_code AS rollup_code FROM fct_water_section_annual y
            JOIN dim_area a ON a.area_code = y.area_code OR a.area_level = 'city')
        SELECT r.rollup_code AS area_code, a.area_name_zh, r.year,
               count(*) FILTER (WHERE r.is_assessment_section) AS sections_assessed,
               count(*) FILTER (WHERE r.is_assessment_section AND r.is_good) AS good_sections,
               count(*) FILTER (WHERE r.is_assessment_section AND r.is_below_v) AS below_v_sections,
               {', '.join(f"count(*) FILTER (WHERE r.is_assessment_section AND r.water_class = {k}) AS class_{k}_sections"
                          for k in range(1, 7))},
               round(100.0 * count(*) FILTER (WHERE r.is_assessment_section AND r.is_good)
                     / count(*) FILTER (WHERE r.is_assessment_section), 1) AS good_ratio,
               0.0 AS below_v_ratio,
               count(*) FILTER (WHERE r.is_drinking_source) AS drinking_sources_assessed,
               count(*) FILTER (WHERE r.drinking_compliant) AS drinking_sources_compliant,
               round(100.0 * count(*) FILTER (WHERE r.drinking_compliant)
                     / count(*) FILTER (WHERE r.is_drinking_source), 1) AS drinking_compliance,
               count(*) AS monitored_sections, count(*) FILTER (WHERE r.has_auto_data) AS auto_sections,
               round(100.0 * count(*) FILTER (WHERE r.has_auto_data) / count(*), 1) AS auto_rate,
               'GB 3838-2002; zteco surface-water assessment-v1' AS method_version
        FROM rows r JOIN dim_area a ON a.area_code = r.rollup_code
        GROUP BY r.rollup_code, a.area_name_zh, r.year;
    """)
