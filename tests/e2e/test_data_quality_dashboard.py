"""The dashboard 数据质量 in a real Superset: every chart answers with rows, the reconciliation and
quarantine figures equal the serving marts, and a real headless Chromium shows it in Chinese.

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

SLUG = "data-quality"
TITLE = "数据质量"
CHARTS = {
    "各数据源数据截至": "table",  # 数据截至 of the sources behind the dashboard
    "各数据源检查通过率（按月）": "echarts_timeseries_line",
    "各检查规则通过率（按月）": "echarts_timeseries_line",
    "各区县隔离记录数": "echarts_timeseries_bar",
    "各数据源及区县数据时效": "table",
    "入库对账": "table",
}
QUARANTINE_BY_COUNTY = "6a0fb75d-84ae-5cb4-909f-17ed4a273713"
RECONCILIATION = "c1471331-a519-5e05-9090-efd36a87c8ab"


def test_every_chart_answers_with_rows(superset: RunningSuperset) -> None:
    assert_every_chart_answers(superset, SLUG, CHARTS)


def test_figures_equal_the_serving_marts(superset: RunningSuperset) -> None:
    con = duckdb.connect(str(superset.home.serving), read_only=True)
    try:
        (partitions,) = con.execute("SELECT count(*) FROM fct_load_reconciliation").fetchone()
        (quarantined,) = con.execute("SELECT sum(quarantined_rows) FROM fct_quarantine_summary").fetchone()
    finally:
        con.close()
    ids = superset.published["charts"]
    with superset.client() as api:
        rows = chart_rows(api, ids[RECONCILIATION])
        assert len(rows) == min(partitions, 5000)
        assert all(r["received"] == r["loaded"] + r["quarantined"] + r["duplicates"] for r in rows)
        bars = chart_rows(api, ids[QUARANTINE_BY_COUNTY])
    assert sum(r["quarantined_sum"] for r in bars) == quarantined


def test_dashboard_renders_in_chinese(page: Any, superset: RunningSuperset) -> None:
    assert_dashboard_renders(page, superset, slug=SLUG, title=TITLE, asset="data_quality", chart_names=CHARTS,
                             must_contain=("迟到", "空气自动监测小时数据"), screenshot="superset-data-quality.png")
