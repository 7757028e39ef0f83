"""The dashboard 污染源与企业 in a real Superset: every chart answers with rows, the figures equal the
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

SLUG = "pollution-sources"
TITLE = "污染源与企业"
CHARTS = {
    "污染源与企业数据截至": "table",  # 数据截至 of the sources behind the dashboard
    "企业总数": "big_number_total",
    "重点排污单位数": "big_number_total",
    "各区县企业数及来源覆盖": "echarts_timeseries_bar",
    "企业关联方式": "pie",
    "各区县化学需氧量排放（普查）": "echarts_timeseries_bar",
    "污染源普查排放基数": "table",
    "重点排污单位名录": "table",
}
ENTERPRISE_TOTAL = "cb919cd1-39eb-51f5-9fdf-98d106215989"
KEY_UNIT_TOTAL = "0ffeefb3-7150-52cb-92b1-aece1af32365"
MATCH_METHODS = "1e1f2622-7798-5d94-b404-8d888007225a"


def test_every_chart_answers_with_rows(superset: RunningSuperset) -> None:
    assert_every_chart_answers(superset, SLUG, CHARTS)


def test_figures_equal_the_serving_marts(superset: RunningSuperset) -> None:
    con = duckdb.connect(str(superset.home.serving), read_only=True)
    try:
        (enterprises,) = con.execute("SELECT count(*) FROM dim_enterprise").fetchone()
        (key_units,) = con.execute("SELECT count(*) FROM fct_key_pollutant_units").fetchone()
        methods = dict(con.execute(
            "SELECT match_method_zh, count(*) FROM enterprise_source_links GROUP BY 1").fetchall())
    finally:
        con.close()
    assert enterprises > 0 and key_units > 0
    ids = superset.published["charts"]
    with superset.client() as api:
        assert chart_rows(api, ids[ENTERPRISE_TOTAL])[0]["enterprise_count"] == enterprises
        assert chart_rows(api, ids[KEY_UNIT_TOTAL])[0]["unit_count"] == key_units
        pie = {r["match_method_zh"]: r["link_count"] for r in chart_rows(api, ids[MATCH_METHODS])}
    assert pie == methods
    assert "统一社会信用代码" in pie


def test_dashboard_renders_in_chinese(page: Any, superset: RunningSuperset) -> None:
    assert_dashboard_renders(page, superset, slug=SLUG, title=TITLE, asset="pollution_sources", chart_names=CHARTS,
                             must_contain=("昭阳区", "工业源"), screenshot="superset-pollution-sources.png")
