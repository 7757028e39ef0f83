"""Soil and noise marts of docs/CONTRACTS.md for the stand-in serving database (fake_serving.py):
fct_soil_point_results, fct_soil_coverage_county_year and fct_noise_compliance, three soil points and
two noise zones per county, every year."""

from __future__ import annotations

import duckdb


def populate_lab(con: duckdb.DuckDBPyConnection, first_year: int, last_year: int) -> None:
    con.execute(f"""
        CREATE TABLE fct_soil_point_results AS
        SELECT a.area_code || '-S' || k || '-' || y AS sample_id, a.area_code || '-S' || k AS point_code,
               a.area_name_zh || '土壤点位' || k AS point_name, a.area_code AS county_code,
               a.area_name_zh AS county_name_zh, 'farmland' AS point_type, 'paddy' AS land_use,
               make_date(y, 6, 15) AS sampled_on, y::INTEGER AS year, 6.8::DOUBLE AS ph,
               (1 + (k + a.sort_order) % 3)::INTEGER AS class_rank,
               ['priority_protection', 'safe_use', 'strict_control'][1 + (k + a.sort_order) % 3] AS soil_class,
               ['优先保护类', '安全利用类', '严格管控类'][1 + (k + a.sort_order) % 3] AS soil_class_zh,
               'cd' AS deciding_metal, 0.25 * k::DOUBLE AS deciding_value_mg_kg, 0.6::DOUBLE AS deciding_screening_value,
               3.0::DOUBLE AS deciding_control_value, 8::INTEGER AS metals_assessed, 0::INTEGER AS metals_below_dl,
               'GB 15618-2018' AS method_version, 'fake-load' AS load_id, 'fake.csv' AS source_file,
               k::BIGINT AS line_no, 103.7::DOUBLE AS longitude, 27.3::DOUBLE AS latitude
        FROM dim_area a CROSS JOIN range(1, 4) t(k) CROSS JOIN range({first_year}, {last_year + 1}) u(y)
        WHERE a.area_level = 'county';
        CREATE TABLE fct_soil_coverage_county_year AS
        SELECT a.area_code, a.area_name_zh, a.area_level, y::INTEGER AS year, 4::BIGINT AS planned_points,
               3::BIGINT AS covered_points, 75.0::DOUBLE AS coverage_pct, 3::BIGINT AS samples,
               1::BIGINT AS priority_protection_samples, 1::BIGINT AS safe_use_samples,
               1::BIGINT AS strict_control_samples, 0::BIGINT AS construction_above_screening_samples,
               'fake-load' AS load_ids
        FROM dim_area a CROSS JOIN range({first_year}, {last_year + 1}) u(y);
        CREATE TABLE fct_noise_compliance AS
        SELECT a.area_code, a.area_name_zh, a.area_level, z.zone_class, y::INTEGER AS year, p.period,
               p.period_zh, p.limit_db, 4::BIGINT AS measurements,
               (4 - a.sort_order % 2)::BIGINT AS compliant_measurements,
               100.0 * (4 - a.sort_order % 2) / 4 AS compliance_rate_pct, p.limit_db - 2 AS mean_leq_db,
               'GB 3096-2008' AS method_version, 'fake-load' AS load_ids
        FROM dim_area a CROSS JOIN (VALUES ('1'), ('2')) z(zone_class)
             CROSS JOIN (VALUES ('day', '昼间', 55.0), ('night', '夜间', 45.0)) p(period, period_zh, limit_db)
             CROSS JOIN range({first_year}, {last_year + 1}) u(y);
    """)
