"""A stand-in serving database for developing the dashboards without running the pipeline.

It builds ``serving/zteco.duckdb`` with exactly the mart columns of docs/CONTRACTS.md
("Serving database marts read by dashboards") and plausible, deterministic values: the city
(530600) and its 11 counties, two years of daily air quality, the annual assessment computed
from those days, and plan indicator values. It publishes the file the way the pipeline does:
build a temporary file next to the target, then ``os.replace`` it onto the serving path.

The real e2e fixture is ``serving_home`` (tests/conftest.py, the lead's): it runs the pipeline
on a small world. This module only backs the fallback fixture in tests/e2e/conftest.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from .fake_serving_counties import populate_counties
from .fake_serving_lab import populate_lab
from .fake_serving_progress import populate_progress
from .fake_serving_solidwaste import populate_solidwaste
from .fake_serving_water import populate_water

CITY = ("530600", "昭通市", "Zhaotong", "city", None, 0)
COUNTIES = [
    ("530602", "昭阳区", "Zhaoyang"),
    ("530621", "鲁甸县", "Ludian"),
    ("530622", "巧家县", "Qiaojia"),
    ("530623", "盐津县", "Yanjin"),
    ("530624", "大关县", "Daguan"),
    ("530625", "永善县", "Yongshan"),
    ("530626", "绥江县", "Suijiang"),
    ("530627", "镇雄县", "Zhenxiong"),
    ("530628", "彝良县", "Yiliang"),
    ("530629", "威信县", "Weixin"),
    ("530681", "水富市", "Shuifu"),
]

# (code, name_zh, unit, direction, kind, target_2025, checkpoint_2023) — a subset of the registry.
INDICATORS = [
    ("AIR_PM25_MEAN", "细颗粒物(PM2.5)年均浓度", "µg/m³", "lower", "binding", 25.0, None),
    ("AIR_GOOD_DAYS_RATIO", "空气质量优良天数比例", "%", "higher", "binding", 97.0, None),
    ("AIR_HEAVY_POLLUTION_DAYS", "重污染天数", "days", "lower", "expected", 0.0, None),
    ("WATER_SECTION_GOOD_RATIO", "地表水断面水质优良(达到或好于Ⅲ类)比例", "%", "higher", "binding", 90.0, None),
    ("HW_MANIFEST_CLOSED_RATE", "危险废物转移联单闭环率", "%", "higher", "expected", 100.0, None),
    ("RESPONSIBILITY_LIST_RATE", "生态环境保护责任清单制定率", "%", "higher", "expected", 100.0, 100.0),
]

METHOD = "HJ633-2012/HJ663-2013"


def build_serving_db(path: Path, *, first_year: int = 2023, last_year: int = 2024, pm25_shift: float = 0.0) -> Path:
    """Write a serving database at ``path`` (atomically). ``pm25_shift`` moves every PM2.5 value,
    so a test can publish a second version and see the change through Superset."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        _populate(con, first_year, last_year, pm25_shift)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(tmp, path)
    return path


def _populate(con: duckdb.DuckDBPyConnection, first_year: int, last_year: int, shift: float) -> None:
    con.execute("""
        CREATE TABLE dim_area (
            area_code VARCHAR PRIMARY KEY, area_name_zh VARCHAR NOT NULL, area_name_en VARCHAR,
            area_level VARCHAR NOT NULL, parent_code VARCHAR, sort_order INTEGER)
    """)
    rows = [CITY] + [(c, zh, en, "county", "530600", i + 1) for i, (c, zh, en) in enumerate(COUNTIES)]
    con.executemany("INSERT INTO dim_area VALUES (?, ?, ?, ?, ?, ?)", rows)

    con.execute("""
        CREATE TABLE dim_indicator (
            code VARCHAR PRIMARY KEY, name_zh VARCHAR, unit VARCHAR, direction VARCHAR, kind VARCHAR,
            target_2025 DOUBLE, checkpoint_2023 DOUBLE)
    """)
    con.executemany("INSERT INTO dim_indicator VALUES (?, ?, ?, ?, ?, ?, ?)", INDICATORS)

    # Daily values per area from a deterministic hash (winter peak, occasional polluted days).
    con.execute(f"""
        CREATE TABLE fct_air_daily_area AS
        WITH days AS (
            SELECT CAST(d AS DATE) AS date
            FROM range(DATE '{first_year}-01-01', DATE '{last_year + 1}-01-01', INTERVAL 1 DAY) t(d)
        ), area_days AS (
            SELECT a.area_code, days.date,
                   (hash(a.area_code || CAST(days.date AS VARCHAR)) % 1000) / 1000.0 AS u,
                   ((hash(CAST(days.date AS VARCHAR) || a.area_code) % 1000) / 1000.0) AS v,
                   CASE WHEN a.area_level = 'city' THEN 6 ELSE a.sort_order END AS k,
                   CASE WHEN a.area_level = 'city' THEN 22 ELSE 2 END AS station_count
            FROM dim_area a CROSS JOIN days
        ), all_vals AS (
            SELECT area_code, date,
                   greatest(3, round(14 + 16 * cos(2 * pi() * (dayofyear(date) - 15) / 365.0)
                                     + 90 * pow(u, 6) + 1.5 * k + {shift}, 1)) AS pm2_5,
                   round(30 + 40 * v, 1) AS pm10, round(8 + 10 * u, 1) AS so2, round(12 + 15 * v, 1) AS no2,
                   round(0.5 + 0.6 * u, 2) AS co, round(70 + 90 * v, 1) AS o3_1h_max,
                   round(55 + 80 * v, 1) AS o3_8h_max, station_count
            FROM area_days
        ), with_aqi AS (
            SELECT *, CAST(ceil(CASE WHEN pm2_5 <= 35 THEN pm2_5 * 50 / 35
                                     WHEN pm2_5 <= 75 THEN 50 + (pm2_5 - 35) * 50 / 40
                                     WHEN pm2_5 <= 115 THEN 100 + (pm2_5 - 75) * 50 / 40
                                     ELSE 150 + (pm2_5 - 115) * 50 / 35 END) AS INTEGER) AS aqi
            FROM all_vals
        )
        SELECT area_code, date, aqi,
               CASE WHEN aqi <= 50 THEN '优' WHEN aqi <= 100 THEN '良' WHEN aqi <= 150 THEN '轻度污染'
                    WHEN aqi <= 200 THEN '中度污染' WHEN aqi <= 300 THEN '重度污染' ELSE '严重污染' END AS category,
               CASE WHEN aqi > 50 THEN 'PM2.5' END AS primary_pollutant,
               pm2_5, pm10, so2, no2, co, o3_1h_max, o3_8h_max,
               aqi <= 100 AS is_good, aqi > 200 AS is_heavy,
               CAST(station_count AS INTEGER) AS station_count, '{METHOD}' AS method_version
        FROM with_aqi ORDER BY area_code, date
    """)

    con.execute(f"""
        CREATE TABLE fct_air_annual_area AS
        SELECT area_code, CAST(year(date) AS INTEGER) AS year,
               CAST(count(*) AS INTEGER) AS valid_days,
               round(avg(pm2_5), 1) AS pm2_5_mean, round(quantile_cont(pm2_5, 0.95), 1) AS pm2_5_p95,
               round(avg(pm10), 1) AS pm10_mean, round(quantile_cont(pm10, 0.95), 1) AS pm10_p95,
               round(avg(so2), 1) AS so2_mean, round(quantile_cont(so2, 0.98), 1) AS so2_p98,
               round(avg(no2), 1) AS no2_mean, round(quantile_cont(no2, 0.98), 1) AS no2_p98,
               round(quantile_cont(co, 0.95), 2) AS co_p95, round(quantile_cont(o3_8h_max, 0.90), 1) AS o3_8h_p90,
               CAST(count(*) FILTER (WHERE is_good) AS INTEGER) AS good_days,
               count(*) FILTER (WHERE is_good) / count(*) AS good_days_ratio,
               CAST(count(*) FILTER (WHERE is_heavy) AS INTEGER) AS heavy_pollution_days,
               count(*) >= 324 AS is_valid_year, '{METHOD}' AS method_version
        FROM fct_air_daily_area GROUP BY ALL ORDER BY area_code, year
    """)

    con.execute(f"""
        CREATE TABLE fct_indicator_values (
            indicator_code VARCHAR, area_code VARCHAR, period_type VARCHAR, period_start DATE,
            value DOUBLE, numerator DOUBLE, denominator DOUBLE, unit VARCHAR, method_version VARCHAR,
            as_of DATE, load_ids VARCHAR[], missing_reason VARCHAR, missing_reason_zh VARCHAR,
            missing_reason_code VARCHAR);
        INSERT INTO fct_indicator_values
        SELECT 'AIR_PM25_MEAN', area_code, 'year', make_date(year, 1, 1), pm2_5_mean, NULL, NULL,
               'µg/m³', method_version, DATE '{last_year}-12-31', ['fake-load'], NULL, NULL, NULL
        FROM fct_air_annual_area;
        INSERT INTO fct_indicator_values
        SELECT 'AIR_GOOD_DAYS_RATIO', area_code, 'year', make_date(year, 1, 1),
               round(100.0 * good_days / valid_days, 1), good_days, valid_days, '%', method_version,
               DATE '{last_year}-12-31', ['fake-load'], NULL, NULL, NULL
        FROM fct_air_annual_area;
        INSERT INTO fct_indicator_values
        SELECT 'AIR_HEAVY_POLLUTION_DAYS', area_code, 'year', make_date(year, 1, 1), heavy_pollution_days,
               NULL, NULL, 'days', method_version, DATE '{last_year}-12-31', ['fake-load'], NULL, NULL, NULL
        FROM fct_air_annual_area;
        INSERT INTO fct_indicator_values
        SELECT 'HW_MANIFEST_CLOSED_RATE', a.area_code, 'year', make_date(y, 1, 1),
               CASE WHEN a.area_code = '530626' AND y = {last_year} THEN NULL
                    ELSE round(90 + (hash(a.area_code || y) % 100) / 10.0, 1) END,
               NULL, NULL, '%', 'v1', DATE '{last_year}-12-31', ['fake-load'],
               CASE WHEN a.area_code = '530626' AND y = {last_year} THEN 'no county report received' END,
               CASE WHEN a.area_code = '530626' AND y = {last_year} THEN '未收到该县年度报表' END,
               CASE WHEN a.area_code = '530626' AND y = {last_year} THEN 'no_county_report' END
        FROM dim_area a CROSS JOIN range({first_year}, {last_year + 1}) t(y);
    """)
    _populate_enterprises(con)
    _populate_quality(con)
    _populate_sources(con, first_year, last_year)
    populate_water(con, first_year, last_year)  # tests/e2e/fake_serving_water.py
    populate_lab(con, first_year, last_year)  # tests/e2e/fake_serving_lab.py
    populate_solidwaste(con, first_year, last_year)  # tests/e2e/fake_serving_solidwaste.py
    populate_counties(con, first_year, last_year)  # tests/e2e/fake_serving_counties.py
    populate_progress(con, first_year, last_year)  # tests/e2e/fake_serving_progress.py (last)


def _populate_enterprises(con: duckdb.DuckDBPyConnection) -> None:
    """The enterprise marts of docs/CONTRACTS.md (dim_enterprise, enterprise_source_links,
    fct_key_pollutant_units, fct_census_emissions_county): two enterprises per county."""
    con.execute("""
        CREATE TABLE dim_enterprise AS
        SELECT 'ENT' || a.area_code || k AS enterprise_id, '91' || a.area_code || '0000000' || k || 'X' AS credit_code,
               a.area_name_zh || '示例' || k || '有限公司' AS name, a.area_code AS county_code,
               '0610' AS industry_code, '烟煤和无烟煤开采洗选' AS industry_name_zh, k = 1 AS in_census,
               TRUE AS in_permits, CAST(1 + (k = 1)::INT AS INTEGER) AS source_count, CAST(2 AS INTEGER) AS record_count,
               1.0::DOUBLE AS min_confidence, NULL::VARCHAR AS permit_no, '重点管理' AS permit_category,
               DATE '2019-06-30' AS permit_issued_on, TRUE AS permit_is_valid, k = 1 AS is_key_unit,
               FALSE AS is_heavy_metal_industry, NULL::VARCHAR AS heavy_metal_category_zh, FALSE AS needs_review
        FROM dim_area a CROSS JOIN range(1, 3) t(k) WHERE a.area_level = 'county';
        CREATE TABLE enterprise_source_links AS
        SELECT s AS source_system, enterprise_id || s AS source_record_id, enterprise_id,
               CASE WHEN s = 'census' THEN 'credit_code' ELSE 'permit_no' END AS match_method,
               CASE WHEN s = 'census' THEN '统一社会信用代码' ELSE '排污许可证编号' END AS match_method_zh,
               1.0::DOUBLE AS confidence, 'industrial' AS record_kind, credit_code, credit_code AS credit_code_raw,
               NULL::VARCHAR AS permit_no, name, county_code, DATE '2017-12-31' AS known_from,
               NULL::DATE AS known_until, NULL::VARCHAR AS dq_flags, 'fake' AS source_file, NULL::VARCHAR AS sheet_name,
               CAST(1 AS BIGINT) AS record_line, 'fake-load' AS load_id
        FROM dim_enterprise CROSS JOIN (VALUES ('census'), ('permits')) t(s);
        CREATE TABLE fct_key_pollutant_units AS
        SELECT enterprise_id, credit_code, name, county_code, industry_code, industry_name_zh,
               TRUE AS listed_by_permit, TRUE AS meets_census_criteria, 'cod' AS criteria_met,
               '化学需氧量' AS criteria_met_zh, 'both' AS list_basis,
               '排污许可重点管理且普查排放量达标' AS list_basis_zh, permit_no, permit_category, permit_issued_on,
               '第二次全国污染源普查-2017' AS method_version
        FROM dim_enterprise WHERE is_key_unit;
        CREATE TABLE fct_census_emissions_county AS
        SELECT a.area_code, c.source_category, c.source_category_zh, CAST(2017 AS INTEGER) AS base_year,
               (100.0 + a.sort_order)::DOUBLE AS cod_t, 10.0::DOUBLE AS nh3n_t, 12.0::DOUBLE AS tn_t,
               1.5::DOUBLE AS tp_t, 50.0::DOUBLE AS so2_t, 40.0::DOUBLE AS nox_t, 30.0::DOUBLE AS particulates_t,
               5.0::DOUBLE AS vocs_t, 2.0::DOUBLE AS heavy_metals_kg,
               CAST(3 AS INTEGER) AS unit_count, '第二次全国污染源普查-2017' AS method_version, 'fake-load' AS load_ids
        FROM dim_area a CROSS JOIN (VALUES ('industrial', '工业源'), ('centralized', '集中式污染治理设施'),
                                           ('agricultural', '农业源'), ('domestic', '生活源'))
             c(source_category, source_category_zh);
    """)


def _populate_quality(con: duckdb.DuckDBPyConnection) -> None:
    """The data-quality marts of docs/CONTRACTS.md (fct_load_reconciliation, fct_quality_check_results,
    fct_quarantine_summary, fct_source_freshness): one source, two days, every county."""
    con.execute("""
        CREATE TABLE fct_load_reconciliation AS
        SELECT 'monitoring.hj212.air' AS source, '空气自动监测小时数据（HJ 212）' AS source_name_zh,
               d AS partition_key, 1::BIGINT AS files, 300::BIGINT AS received, 296::BIGINT AS loaded,
               3::BIGINT AS quarantined, 1::BIGINT AS duplicates, 'fake-load' AS last_load_id,
               TIMESTAMP '2024-12-31 02:00:00' AS last_loaded_at
        FROM (VALUES ('2024-12-30'), ('2024-12-31')) t(d);
        CREATE TABLE fct_quality_check_results AS
        SELECT 'fake-load' AS load_id, 'monitoring/air_hourly' AS dataset, 'monitoring.hj212.air' AS source,
               '空气自动监测小时数据（HJ 212）' AS source_name_zh, r AS rule, r_zh AS rule_zh, 'blocking' AS severity,
               d AS partition_key, CAST(d AS DATE) AS check_date, a.area_code AS county_code,
               24::BIGINT AS element_count, (a.sort_order % 2)::BIGINT AS unexpected_count,
               a.sort_order % 2 = 0 AS success, FALSE AS accepted, NULL::VARCHAR AS message,
               TIMESTAMP '2024-12-31 02:00:00' AS checked_at
        FROM dim_area a CROSS JOIN (VALUES ('2024-12-30'), ('2024-12-31')) t(d)
             CROSS JOIN (VALUES ('negative_concentration', '浓度为负'), ('invalid_flag', '数据标记无效')) u(r, r_zh)
        WHERE a.area_level = 'county';
        CREATE TABLE fct_quarantine_summary AS
        SELECT 'monitoring.hj212.air' AS source, '空气自动监测小时数据（HJ 212）' AS source_name_zh, 'hj212' AS dataset,
               'crc_mismatch' AS rule, 'CRC校验失败' AS rule_zh, a.area_code AS county_code,
               '2024-12-31' AS partition_key, DATE '2024-12-31' AS quarantine_date, 2::BIGINT AS quarantined_rows
        FROM dim_area a WHERE a.area_level = 'county';
        CREATE TABLE fct_source_freshness AS
        SELECT 'monitoring.hj212.air' AS source, '空气自动监测小时数据（HJ 212）' AS source_name_zh, 'hourly' AS cadence,
               a.area_code AS county_code, TIMESTAMP '2024-12-31 23:00:00' AS last_data_time,
               TIMESTAMP '2025-01-01 01:30:00' AS last_loaded_at, TIMESTAMP '2025-01-04 00:00:00' AS as_of,
               48 AS max_lag_hours, 49.0::DOUBLE AS lag_hours, TRUE AS is_late, '迟到' AS status
        FROM dim_area a WHERE a.area_level = 'county'
        UNION ALL  -- the other per-county sources (the water network and the county uploads: every county but one)
        SELECT s, s_zh, c, a.area_code, TIMESTAMP '2025-01-03 22:00:00', TIMESTAMP '2025-01-04 00:10:00',
               TIMESTAMP '2025-01-04 00:00:00', 48, 2.0, FALSE, '正常'
        FROM dim_area a CROSS JOIN (VALUES ('monitoring.hj212.water', '地表水自动监测数据（HJ 212）', 'hourly'),
                                           ('monitoring.hj212.sources', '污染源自动监控数据（HJ 212）', 'hourly'),
                                           ('counties.submissions', '区县报表报送', 'monthly')) t(s, s_zh, c)
        WHERE a.area_level = 'county' AND a.sort_order < 11
        UNION ALL  -- city-wide sources (county_code NULL): the latest load
        SELECT s, s_zh, c, NULL, NULL, TIMESTAMP '2025-01-02 03:00:00', TIMESTAMP '2025-01-04 00:00:00', NULL, 45.0,
               FALSE, '正常'
        FROM (VALUES ('monitoring.registry', '空气监测站点登记表', 'once'), ('census', '第二次全国污染源普查', 'once'),
                     ('permits', '排污许可证名录', 'monthly'), ('monitoring.lab.soil', '土壤环境监测结果', 'yearly'),
                     ('monitoring.lab.noise', '功能区声环境监测结果', 'quarterly'),
                     ('monitoring.sources_registry', '污染源自动监控设备登记表', 'once'),
                     ('monitoring.lab.water', '地表水手工监测实验室结果', 'monthly'),
                     ('monitoring.water.catalogue', '地表水断面名录与水站登记表', 'once')) t(s, s_zh, c)
        UNION ALL
        SELECT 'solidwaste.platform', '固体废物管理平台', 'daily', NULL, NULL, NULL, TIMESTAMP '2025-01-04 00:00:00',
               48, NULL, FALSE, '未接入';
    """)


def _populate_sources(con: duckdb.DuckDBPyConnection, first_year: int, last_year: int) -> None:
    """The online-monitoring marts of docs/CONTRACTS.md (fct_source_transmission, fct_source_hours_over_limit,
    fct_source_suspicious_patterns) and their plan indicators: two outlets per county."""
    con.executemany("INSERT INTO dim_indicator VALUES (?, ?, ?, ?, ?, ?, ?)", [
        ("ONLINE_MONITORING_NETWORKED_RATE", "重点排污单位自动监控联网率", "%", "higher", "expected", 100.0, None),
        ("ONLINE_DATA_VALID_TRANSMISSION_RATE", "自动监控数据有效传输率", "%", "higher", "expected", 90.0, None),
        ("EMISSION_COD_CHANGE", "重点排污单位化学需氧量排放量较2020年变化", "%", "lower", "binding", -8.0, None),
        ("EMISSION_NOX_CHANGE", "重点排污单位氮氧化物排放量较2020年变化", "%", "lower", "binding", -10.0, None),
    ])
    con.execute(f"""
        INSERT INTO fct_indicator_values
        SELECT code, a.area_code, 'year', make_date(y, 1, 1),
               CASE WHEN code LIKE 'EMISSION%' THEN -2.0 * (y - {first_year}) - a.sort_order / 10.0
                    ELSE 95.0 + a.sort_order / 10.0 END,
               NULL, NULL, '%', 'HJ 212-2017', DATE '{last_year}-12-31', ['fake-load'], NULL, NULL, NULL
        FROM dim_area a CROSS JOIN range({first_year}, {last_year + 1}) t(y)
             CROSS JOIN (VALUES ('ONLINE_MONITORING_NETWORKED_RATE'), ('ONLINE_DATA_VALID_TRANSMISSION_RATE'),
                                ('EMISSION_COD_CHANGE'), ('EMISSION_NOX_CHANGE')) c(code);
        CREATE TABLE fct_source_transmission AS
        SELECT 'outlet' AS entity_level, a.area_code || '-DW00' || k AS entity_code, a.area_code || '-DW00' || k AS outlet_code,
               '91' || a.area_code || '0000000' || k || 'X' AS enterprise_key, a.area_name_zh || '示例' || k || '有限公司' AS enterprise_name,
               a.area_code AS county_code, a.area_name_zh AS county_name_zh, 'year' AS period_type, make_date(y, 1, 1) AS period_start,
               35040::BIGINT AS expected_values, (34000 + a.sort_order * 10)::BIGINT AS received_values,
               (33000 + a.sort_order * 20)::BIGINT AS valid_values, 97.0::DOUBLE AS transmission_rate,
               94.2::DOUBLE AS valid_transmission_rate, 'HJ 212-2017' AS method_version
        FROM dim_area a CROSS JOIN range(1, 3) t(k) CROSS JOIN range({first_year}, {last_year + 1}) u(y)
        WHERE a.area_level = 'county';
        CREATE TABLE fct_source_hours_over_limit AS
        SELECT outlet_code, enterprise_key, enterprise_name, county_code, county_name_zh, 'w01018' AS pollutant_code,
               '化学需氧量' AS pollutant_name_zh, period_start AS data_date, 24::BIGINT AS valid_hours,
               (length(county_code) % 3)::BIGINT AS hours_over_limit, 120.5::DOUBLE AS max_value, NULL::DOUBLE AS lower_limit,
               100.0::DOUBLE AS upper_limit, 'mg/L' AS unit, 'GB 8978-1996' AS standard, FALSE AS limit_is_assumed
        FROM fct_source_transmission;
        CREATE TABLE fct_source_suspicious_patterns AS
        SELECT outlet_code || '|w01018|flatline' AS finding_id, outlet_code, enterprise_name || '废水总排口' AS outlet_name,
               enterprise_key, enterprise_name, county_code, county_name_zh, 'w01018' AS pollutant_code,
               '化学需氧量' AS pollutant_name_zh, 'flatline' AS pattern_code, '数据长时间恒值' AS pattern_name_zh,
               TIMESTAMP '{last_year}-03-02 00:00:00' AS start_time, TIMESTAMP '{last_year}-03-02 23:00:00' AS end_time,
               24::BIGINT AS evidence_hours, 50.0::DOUBLE AS evidence_value, '数值50.0连续24个有效小时不变' AS evidence
        FROM fct_source_transmission WHERE period_start = DATE '{last_year}-01-01';
    """)
