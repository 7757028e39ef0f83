"""County sub-centre submission marts for the stand-in serving database (tests/e2e/fake_serving.py): the
columns of fct_county_submissions, fct_county_reporting_monthly and fct_county_file_rejections with
deterministic values — two monthly forms per county and month, one of them late in every third county, one
missing submission and one rejected one per year, and two rejected files per county."""

from __future__ import annotations

import duckdb


def populate_counties(con: duckdb.DuckDBPyConnection, first_year: int, last_year: int) -> None:
    con.execute(f"""
        CREATE TABLE fct_county_submissions AS
        WITH slots AS (
            SELECT a.area_code AS county_code, a.area_name_zh, a.sort_order, f.form_code, f.title_zh,
                   make_date(y, m, 1) AS period_start
            FROM dim_area a
            CROSS JOIN range({first_year}, {last_year + 1}) t(y)
            CROSS JOIN range(1, 13) u(m)
            CROSS JOIN (VALUES ('RECTIFICATION', '生态环境保护督察反馈问题整改情况表'),
                               ('ENFORCEMENT', '环境执法案件及排污许可情况表')) f(form_code, title_zh)
            WHERE a.area_level = 'county'
        ), judged AS (
            SELECT *,
                   CAST(last_day(period_start) + INTERVAL 10 DAY AS DATE) AS deadline,
                   CASE WHEN month(period_start) = 5 AND sort_order = 2 AND form_code = 'RECTIFICATION' THEN 'missing'
                        WHEN month(period_start) = 6 AND sort_order = 3 AND form_code = 'ENFORCEMENT' THEN 'rejected'
                        WHEN sort_order % 3 = 0 AND form_code = 'RECTIFICATION' THEN 'late'
                        ELSE 'on_time' END AS status
            FROM slots
        )
        SELECT county_code, form_code, period_start, deadline,
               CASE status WHEN 'on_time' THEN CAST(deadline AS TIMESTAMP) - INTERVAL 2 DAY + INTERVAL 9 HOUR
                           WHEN 'late' THEN CAST(deadline AS TIMESTAMP) + INTERVAL 3 DAY + INTERVAL 10 HOUR END
                   AS received_at,
               status = 'on_time' AS on_time, status,
               CASE WHEN status = 'rejected' THEN 'part_exceeds_total' END AS rejection_reason,
               last_day(period_start) AS period_end, 'monthly' AS period_type, title_zh AS form_title_zh,
               area_name_zh AS county_name_zh,
               CASE WHEN status = 'rejected' THEN '分项数大于总数，请核实后重新报送' END AS rejection_reason_zh,
               CAST(CASE WHEN status IN ('on_time', 'late') THEN 1 ELSE 0 END AS BIGINT) AS version_count,
               CASE WHEN status = 'on_time' THEN CAST(deadline AS TIMESTAMP) END AS latest_received_at,
               CAST(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END AS BIGINT) AS rejected_count,
               CASE WHEN status = 'rejected' THEN CAST(deadline AS TIMESTAMP) END AS last_rejected_at,
               TIMESTAMP '{last_year}-12-31 12:00:00' AS reporting_cutoff,
               CASE status WHEN 'on_time' THEN '按时报送' WHEN 'late' THEN '逾期报送'
                           WHEN 'rejected' THEN '报送未通过审核' ELSE '未报送' END AS status_zh
        FROM judged;

        CREATE TABLE fct_county_reporting_monthly AS
        WITH months AS (
            SELECT county_code, CAST(date_trunc('month', period_end) AS DATE) AS month_start,
                   count(*) AS expected_count,
                   sum(CASE WHEN status IN ('on_time', 'late') THEN 1 ELSE 0 END) AS received_count,
                   sum(CASE WHEN on_time THEN 1 ELSE 0 END) AS on_time_count
            FROM fct_county_submissions GROUP BY ALL
        ), areas AS (
            SELECT area_code, area_code AS county_code FROM dim_area WHERE area_level = 'county'
            UNION ALL SELECT parent_code, area_code FROM dim_area WHERE area_level = 'county'
        ), counted AS (
            SELECT areas.area_code, month_start, sum(expected_count) AS expected_count,
                   sum(received_count) AS received_count, sum(on_time_count) AS on_time_count
            FROM months JOIN areas USING (county_code) GROUP BY ALL
        )
        SELECT c.area_code, a.area_name_zh, a.area_level, c.month_start, c.expected_count, c.received_count,
               c.on_time_count, round(100.0 * c.received_count / c.expected_count, 1) AS completeness_rate,
               round(100.0 * c.on_time_count / c.expected_count, 1) AS timeliness_rate
        FROM counted c JOIN dim_area a USING (area_code);

        CREATE TABLE fct_county_file_rejections AS
        SELECT 'landing/counties/' || a.area_code || '/file-' || k || '.xlsx' AS source_file,
               'file-' || k || '.xlsx' AS file_name, a.area_code AS folder_county,
               a.area_name_zh AS folder_county_name_zh,
               TIMESTAMP '{last_year}-03-05 09:00:00' + to_days(CAST(a.sort_order AS INTEGER)) AS received_at,
               CASE k WHEN 1 THEN 'rejected' ELSE 'duplicate' END AS outcome,
               CASE k WHEN 1 THEN '空文件' ELSE '重复上传' END AS rule_zh,
               'fake reason' AS reason,
               CASE k WHEN 1 THEN '文件为空，请重新上传填写完整的报表' ELSE '与已接收的文件内容完全相同，未重复入库' END
                   AS reason_zh,
               CAST(NULL AS VARCHAR) AS county_code, CAST(NULL AS VARCHAR) AS form_code,
               CAST(NULL AS VARCHAR) AS form_title_zh, CAST(NULL AS DATE) AS period_start,
               CAST(NULL AS VARCHAR) AS duplicate_of, CAST(NULL AS VARCHAR) AS quarantine_path,
               md5(a.area_code || k) AS sha256,
               CAST(TIMESTAMP '{last_year}-03-05 09:00:00' + to_days(CAST(a.sort_order AS INTEGER)) AS DATE)
                   AS received_on,
               CASE k WHEN 1 THEN 'empty_file' ELSE 'duplicate' END AS rule
        FROM dim_area a CROSS JOIN range(1, 3) t(k) WHERE a.area_level = 'county';
    """)
