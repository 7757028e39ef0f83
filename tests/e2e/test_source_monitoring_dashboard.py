"""The dashboard 污染源自动监控 in a real Superset: every chart answers with rows, the figures equal the
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

SLUG = "source-monitoring"
TITLE = "污染源自动监控"
CHARTS = {
    "污染源自动监控数据截至": "table",  # 数据截至 of the sources behind the dashboard
    "重点排污单位自动监控联网率": "big_number_total",
    "自动监控数据有效传输率（全市）": "big_number_total",
    "各区县自动监控数据有效传输率": "echarts_timeseries_bar",
    "各企业超标小时数": "echarts_timeseries_bar",
    "自动监控可疑数据清单": "table",
    "重点排污单位排放量较2020年变化": "echarts_timeseries_bar",
}
NETWORKED_RATE = "6a6dee43-3bfe-5540-9e98-a3878ecefcdb"
PATTERNS_TABLE = "64be48c5-3c5c-5195-a9da-858eddab6f43"
HOURS_OVER_LIMIT = "b171a741-da50-5249-9f68-09863639674e"


def test_every_chart_answers_with_rows(superset: RunningSuperset) -> None:
    assert_every_chart_answers(superset, SLUG, CHARTS)


def test_figures_equal_the_serving_marts(superset: RunningSuperset) -> None:
    con = duckdb.connect(str(superset.home.serving), read_only=True)
    try:
        (networked,) = con.execute(
            "SELECT value FROM fct_indicator_values WHERE indicator_code = 'ONLINE_MONITORING_NETWORKED_RATE' "
            "AND area_code = '530600' ORDER BY period_start DESC LIMIT 1").fetchone()
        (findings,) = con.execute("SELECT count(*) FROM fct_source_suspicious_patterns").fetchone()
        over = dict(con.execute("SELECT enterprise_name, sum(hours_over_limit) FROM fct_source_hours_over_limit "
                                "GROUP BY 1").fetchall())
    finally:
        con.close()
    assert findings > 0
    ids = superset.published["charts"]
    with superset.client() as api:
        assert chart_rows(api, ids[NETWORKED_RATE])[0]["indicator_value"] == pytest.approx(networked)
        assert len(chart_rows(api, ids[PATTERNS_TABLE])) == findings
        bars = chart_rows(api, ids[HOURS_OVER_LIMIT])
    # the bar chart's rows are pivoted: the x-axis value, then one column per pollutant (None where absent)
    total = sum(v for row in bars for k, v in row.items()
                if k != "enterprise_name" and isinstance(v, int | float) and not isinstance(v, bool))
    assert total == sum(over.values())


def test_dashboard_renders_in_chinese(page: Any, superset: RunningSuperset) -> None:
    assert_dashboard_renders(page, superset, slug=SLUG, title=TITLE, asset="source_monitoring", chart_names=CHARTS,
                             must_contain=("昭阳区", "触发依据"), screenshot="superset-source-monitoring.png")
