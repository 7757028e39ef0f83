"""Solid-waste marts for the stand-in serving database (tests/e2e/fake_serving.py): the columns of
docs/CONTRACTS.md "Solid-waste marts" with deterministic values — two HW generators per county (one of them
also in the census), one unregistered unit per county, HW flows per county/city and year, two findings per
county, and the seven solid-waste plan indicators (HW_MANIFEST_CLOSED_RATE is already in fake_serving)."""

from __future__ import annotations

import duckdb

INDICATORS = [
    ("HW_UTILIZATION_DISPOSAL_RATE", "危险废物利用处置率", "%", "higher", "expected", 99.0, None),
    ("HW_GENERATOR_REGISTRATION_RATE", "危险废物产生单位纳入平台管理比例", "%", "higher", "expected", 100.0, None),
    ("HW_STORED_OVER_ONE_YEAR", "贮存超过一年的危险废物量", "t", "lower", "expected", 0.0, None),
    ("MEDICAL_WASTE_DISPOSAL_RATE", "医疗废物无害化处置率", "%", "higher", "binding", 100.0, None),
    ("ISW_UTILIZATION_RATE", "一般工业固体废物综合利用率", "%", "higher", "expected", 57.0, None),
    ("SW_STORAGE_COMPLIANCE_RATE", "重点企业固体废物贮存设施规范化率", "%", "higher", "expected", 100.0, None),
]


def populate_solidwaste(con: duckdb.DuckDBPyConnection, first_year: int, last_year: int) -> None:
    known = {r[0] for r in con.execute("SELECT code FROM dim_indicator").fetchall()}
    con.executemany("INSERT INTO dim_indicator VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [i for i in INDICATORS if i[0] not in known])
    con.execute(f"""
        INSERT INTO fct_indicator_values
        SELECT code, a.area_code, 'year', make_date(y, 1, 1),
               CASE WHEN code = 'MEDICAL_WASTE_DISPOSAL_RATE' AND a.area_code = '530629' THEN NULL
                    WHEN code = 'HW_STORED_OVER_ONE_YEAR' THEN a.sort_order * 1.5
                    ELSE 90.0 + a.sort_order / 2.0 END,
               NULL, NULL, unit, 'zteco HW reconciliation-v1', DATE '{last_year}-12-31', ['fake-load'],
               CASE WHEN code = 'MEDICAL_WASTE_DISPOSAL_RATE' AND a.area_code = '530629'
                    THEN 'no medical-waste disposal centre reports for this area and year' END,
               CASE WHEN code = 'MEDICAL_WASTE_DISPOSAL_RATE' AND a.area_code = '530629'
                    THEN '本年度本地区无医疗废物处置中心数据' END,
               CASE WHEN code = 'MEDICAL_WASTE_DISPOSAL_RATE' AND a.area_code = '530629'
                    THEN 'no_medical_waste_centre' END
        FROM dim_area a CROSS JOIN range({first_year}, {last_year + 1}) t(y)
             CROSS JOIN (SELECT code, unit FROM dim_indicator WHERE code IN (
                 'HW_UTILIZATION_DISPOSAL_RATE', 'HW_GENERATOR_REGISTRATION_RATE', 'HW_STORED_OVER_ONE_YEAR',
                 'MEDICAL_WASTE_DISPOSAL_RATE', 'ISW_UTILIZATION_RATE', 'SW_STORAGE_COMPLIANCE_RATE')) c;
        CREATE TABLE fct_hw_generator_list AS
        SELECT 'ENT' || a.area_code || k AS enterprise_id, '91' || a.area_code || 'MA6K0000' || k AS credit_code,
               a.area_name_zh || CASE k WHEN 1 THEN '化工' WHEN 2 THEN '冶炼' ELSE '制药' END || '有限公司' AS name,
               a.area_code AS county_code, '2614' AS industry_code, '化学试剂和助剂制造' AS industry_name_zh,
               k < 3 AS in_platform, k <> 2 AS in_census, FALSE AS in_online_monitoring,
               CAST(CASE k WHEN 1 THEN 2 ELSE 1 END AS INTEGER) AS source_count,
               CASE WHEN k < 3 THEN 'HWG' || a.area_code || '00000' || k END AS generator_key,
               CASE WHEN k < 3 THEN DATE '2019-05-01' END AS registered_on,
               CASE WHEN k <> 2 THEN 12.5 * k END AS census_hazardous_waste_t,
               NULL::VARCHAR AS online_monitoring_outlet,
               CASE WHEN k <> 2 THEN DATE '2017-12-31' END AS known_elsewhere_from, k = 3 AS is_unregistered
        FROM dim_area a CROSS JOIN range(1, 4) t(k) WHERE a.area_level = 'county';
        CREATE TABLE fct_hw_flows_county_year AS
        SELECT a.area_code, CAST(y AS INTEGER) AS year, c.hw_category, c.hw_category_zh,
               CAST(CASE WHEN a.area_level = 'city' THEN 22 ELSE 2 END AS INTEGER) AS generators,
               s * 100.0 AS generated_t, s * 5.0 AS self_utilised_t, s * 5.0 AS self_disposed_t,
               s * 85.0 AS declared_transferred_t, s * 8.0 AS stored_start_t, s * 13.0 AS stored_end_t,
               CAST(s * 4 AS INTEGER) AS manifests_issued, CAST(s * 4 AS INTEGER) AS manifests_received,
               s * 85.0 AS shipped_t, s * 84.0 AS received_t, s * 94.0 AS utilised_disposed_t,
               s * 13.0 AS inventory_year_end_t, 0.0 AS stored_over_limit_t
        FROM dim_area a CROSS JOIN range({first_year}, {last_year + 1}) t(y)
             CROSS JOIN (VALUES ('HW08', '废矿物油与含矿物油废物'), ('HW49', '其他废物')) c(hw_category, hw_category_zh)
             CROSS JOIN LATERAL (SELECT CASE WHEN a.area_level = 'city' THEN 11 ELSE a.sort_order END AS s) sc;
        CREATE TABLE fct_hw_findings AS
        SELECT kind || ':' || record_key || CASE WHEN kind = 'receiver_over_capacity' THEN ':' || year ELSE '' END AS finding_id, kind, kind_zh, county_code, year, record_key, generator_key,
               enterprise_id, unit_name, evidence, observed_value, reference_value, difference_ratio, tolerance,
               'fake-load' AS load_id, NULL::VARCHAR AS page_file
        FROM (
            SELECT 'weight_mismatch' AS kind, '转移联单接收量与转移量不符' AS kind_zh, a.area_code AS county_code,
                   {last_year} AS year, a.area_code || '{last_year}0001' AS record_key,
                   'HWG' || a.area_code || '000001' AS generator_key, 'ENT' || a.area_code || '1' AS enterprise_id,
                   a.area_name_zh || '化工有限公司' AS unit_name,
                   '联单 ' || a.area_code || '{last_year}0001：转移量 40.0 t，接收量 35.0 t，相差 12.5%（容差 5.0%）'
                       AS evidence,
                   35.0 AS observed_value, 40.0 AS reference_value, 0.125 AS difference_ratio, 0.05 AS tolerance
            FROM dim_area a WHERE a.area_level = 'county'
            UNION ALL
            SELECT 'unregistered_generator', '危险废物产生单位未纳入平台', a.area_code, {first_year},
                   '91' || a.area_code || 'MA6K00003', NULL, 'ENT' || a.area_code || '3',
                   a.area_name_zh || '制药有限公司', a.area_name_zh || '制药有限公司未在固体废物管理平台登记；污染源普查危险废物产生量 37.5 t；',
                   37.5, NULL, NULL, NULL
            FROM dim_area a WHERE a.area_level = 'county'
        ) f;
    """)
