"""The dashboard 固体废物与危险废物 in a real Superset: every chart answers with rows, the figures equal the
serving marts, and a real headless Chromium shows it in Chinese.

Needs what test_superset_dashboard.py needs (.venv-superset, /usr/bin/chromium, fonts-noto-cjk). The
serving DB comes from ``serving_home`` (the real pipeline on a small world).
"""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from .conftest import RunningSuperset
from .render import assert_dashboard_renders, assert_every_chart_answers, chart_rows

pytestmark = pytest.mark.timeout(600)

SLUG = "solid-waste"
TITLE = "固体废物与危险废物"
CHARTS = {
    "固体废物数据截至": "table",  # 数据截至 of the sources behind the dashboard
    "固体废物规划指标": "table",
    "各区县危险废物产生与利用处置量": "echarts_timeseries_bar",
    "各区县危险废物核查发现": "echarts_timeseries_bar",
    "危险废物核查发现清单": "table",
    "危险废物产生单位清单": "table",
}
INDICATORS = "a93bc65b-8631-520b-acba-ffe6a99e56c0"
FINDINGS_BY_COUNTY = "43d6f801-dd9b-5f58-9232-c639f16d454d"
FINDINGS = "822f832a-afab-5038-b662-48d2daef92f6"
GENERATORS = "9a09c076-e0c1-521c-a612-d6f8cff7ccc9"


def test_every_chart_answers_with_rows(superset: RunningSuperset) -> None:
    assert_every_chart_answers(superset, SLUG, CHARTS)


def test_figures_equal_the_serving_marts(superset: RunningSuperset) -> None:
    con = duckdb.connect(str(superset.home.serving), read_only=True)
    try:
        by_county = {(a or "市外", k): n for a, k, n in con.execute("""
            SELECT d.area_name_zh, f.kind_zh, count(*) FROM fct_hw_findings f
            LEFT JOIN dim_area d ON d.area_code = f.county_code GROUP BY 1, 2""").fetchall()}
        findings = con.execute("SELECT count(*) FROM fct_hw_findings").fetchone()[0]
        units = con.execute("SELECT count(*), count(*) FILTER (WHERE is_unregistered) FROM fct_hw_generator_list"
                            ).fetchone()
        values = {(i, a, y): v for i, a, y, v in con.execute("""
            SELECT i.name_zh, d.area_name_zh, year(v.period_start), v.value FROM fct_indicator_values v
            JOIN dim_indicator i ON i.code = v.indicator_code JOIN dim_area d ON d.area_code = v.area_code
            WHERE v.indicator_code IN ('HW_UTILIZATION_DISPOSAL_RATE', 'HW_GENERATOR_REGISTRATION_RATE',
                'HW_MANIFEST_CLOSED_RATE', 'HW_STORED_OVER_ONE_YEAR', 'MEDICAL_WASTE_DISPOSAL_RATE',
                'ISW_UTILIZATION_RATE', 'SW_STORAGE_COMPLIANCE_RATE')""").fetchall()}
    finally:
        con.close()
    ids = superset.published["charts"]
    with superset.client() as api:
        got = {(r["area_name_zh"], r["kind_zh"]): r["发现数"] for r in chart_rows(api, ids[FINDINGS_BY_COUNTY])}
        assert got == by_county
        assert len(chart_rows(api, ids[FINDINGS])) == findings > 0
        table = chart_rows(api, ids[GENERATORS])
        assert (len(table), sum(r["registration_zh"] == "未纳入平台" for r in table)) == units
        rows = chart_rows(api, ids[INDICATORS])
        assert len(rows) == len(values) == 7 * 12 * len({y for *_, y in values})
        for r in rows:
            assert r["value"] == values[(r["indicator_name_zh"], r["area_name_zh"], r["year"])], r
            assert (r["value"] is None) == bool(r["missing_reason_zh"]), r


def test_dashboard_renders_in_chinese(page: Any, superset: RunningSuperset) -> None:
    assert_dashboard_renders(page, superset, slug=SLUG, title=TITLE, asset="solid_waste", chart_names=CHARTS,
                             must_contain=("昭阳区", "数据来源"), screenshot="superset-solid-waste.png")
