"""The dashboard 水环境 in a real Superset: every chart answers with rows, the figures equal the
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

SLUG = "water"
TITLE = "水环境"
CHARTS = {
    "水环境数据截至": "table",  # 数据截至 of the sources behind the dashboard
    "最新年度各区县考核断面水质类别分布": "echarts_timeseries_bar",
    "各区县地表水优良断面比例与目标": "echarts_timeseries_bar",
    "地表水年度评价指标": "table",
    "断面逐月水质类别": "heatmap_v2",
    "集中式饮用水水源地达标情况": "table",
}
CLASS_DISTRIBUTION = "b7225ece-c9f3-531e-9c60-f27cc3c40585"
GOOD_RATIO = "6c023b65-fb27-5742-8bbe-0fedfb1db2d3"
INDICATORS = "f881387d-0785-524b-bf8c-7b27ab91b779"
MONTHLY = "00c34397-580e-5ea7-8cb5-935b412bff42"
DRINKING = "5e136efc-73b2-5cde-a4b9-4a62c9417ede"


def test_every_chart_answers_with_rows(superset: RunningSuperset) -> None:
    assert_every_chart_answers(superset, SLUG, CHARTS)


def test_figures_equal_the_serving_marts(superset: RunningSuperset) -> None:
    con = duckdb.connect(str(superset.home.serving), read_only=True)
    try:
        latest = con.execute("SELECT max(year) FROM fct_water_section_annual").fetchone()[0]
        classes = {(a, c): n for a, c, n in con.execute("""
            SELECT d.area_name_zh, y.water_class_label, count(*) FROM fct_water_section_annual y
            JOIN dim_area d ON d.area_code = y.area_code
            WHERE y.is_assessment_section AND y.year = ? GROUP BY 1, 2""", [latest]).fetchall()}
        ratios = {(a, f"{y}年"): v for a, y, v in con.execute("""
            SELECT d.area_name_zh, w.year, w.good_ratio FROM fct_water_area_annual w
            JOIN dim_area d ON d.area_code = w.area_code""").fetchall()}
        indicators = {(y, a): (g, dc, ar) for y, a, g, dc, ar in con.execute("""
            SELECT year(v.period_start), d.area_name_zh,
                   max(v.value) FILTER (WHERE v.indicator_code = 'WATER_SECTION_GOOD_RATIO'),
                   max(v.value) FILTER (WHERE v.indicator_code = 'DRINKING_WATER_COMPLIANCE'),
                   max(v.value) FILTER (WHERE v.indicator_code = 'WATER_AUTO_MONITORING_RATE')
            FROM fct_indicator_values v JOIN dim_area d ON d.area_code = v.area_code
            WHERE v.indicator_code LIKE 'WATER_%' OR v.indicator_code = 'DRINKING_WATER_COMPLIANCE'
            GROUP BY 1, 2""").fetchall()}
        months = con.execute("SELECT count(*) FROM fct_water_section_monthly").fetchone()[0]
        drinking = con.execute("SELECT count(*) FILTER (WHERE NOT drinking_compliant), count(*) "
                               "FROM fct_water_section_annual WHERE is_drinking_source").fetchone()
    finally:
        con.close()
    ids = superset.published["charts"]
    with superset.client() as api:
        got = {(r["area_name_zh"], r["water_class_label"]): r["section_count"]
               for r in chart_rows(api, ids[CLASS_DISTRIBUTION])}
        assert got == classes
        got = {(r["area_name_zh"], r["year_label"]): r["优良断面比例"] for r in chart_rows(api, ids[GOOD_RATIO])}
        assert got == pytest.approx(ratios)
        rows = chart_rows(api, ids[INDICATORS])
        # the dashboard's table and the plan's indicator fact table tell the same story
        for r in rows:
            want = indicators[(r["year"], r["area_name_zh"])]
            assert (r["good_ratio"], r["drinking_compliance"], r["auto_rate"]) == want, r
        assert len(chart_rows(api, ids[MONTHLY])) == months
        table = chart_rows(api, ids[DRINKING])
        assert (sum(r["compliance_zh"] == "未达标" for r in table), len(table)) == drinking
    assert drinking[0] >= 1  # the flood episode at 龙潭水库 (鲁甸) in 2020


def test_dashboard_renders_in_chinese(page: Any, superset: RunningSuperset) -> None:
    assert_dashboard_renders(page, superset, slug=SLUG, title=TITLE, asset="water", chart_names=CHARTS,
                             must_contain=("昭阳区", "评价标准"), screenshot="superset-water.png")
