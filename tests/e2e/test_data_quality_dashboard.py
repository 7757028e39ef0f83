"""The dashboard 数据质量 in a real Superset: every chart answers with rows, the reconciliation and
quarantine figures equal the serving marts, and a real headless Chromium shows it in Chinese.

Needs what test_superset_dashboard.py needs (.venv-superset, /usr/bin/chromium, fonts-noto-cjk). The
serving DB comes from ``serving_home`` (the real pipeline on a small world).
"""

from __future__ import annotations

import time
from typing import Any

import duckdb
import pytest

from .conftest import ARTIFACTS, RunningSuperset
from .test_pollution_sources_dashboard import chart_rows
from .test_superset_dashboard import EMPTY_OR_ERROR_TEXTS, ERROR_SELECTOR, dashboard_chart_uuids, login

pytestmark = pytest.mark.timeout(600)

SLUG = "data-quality"
TITLE = "数据质量"
CHARTS = {
    "各数据源检查通过率（按月）": "echarts_timeseries_line",
    "各检查规则通过率（按月）": "echarts_timeseries_line",
    "各区县隔离记录数": "echarts_timeseries_bar",
    "各数据源及区县数据时效": "table",
    "入库对账": "table",
}
QUARANTINE_BY_COUNTY = "6a0fb75d-84ae-5cb4-909f-17ed4a273713"
RECONCILIATION = "c1471331-a519-5e05-9090-efd36a87c8ab"


def test_every_chart_answers_with_rows(superset: RunningSuperset) -> None:
    with superset.client() as api:
        r = api.get(f"/api/v1/dashboard/{SLUG}/charts")
        assert r.status_code == 200, r.text
        charts = {c["slice_name"]: c for c in r.json()["result"]}
        assert {n: c["form_data"]["viz_type"] for n, c in charts.items()} == CHARTS
        for name, chart in charts.items():
            assert chart_rows(api, chart["id"]), (name, "no rows")


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
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    login(page, superset)
    page.goto(f"{superset.url}/superset/dashboard/{SLUG}/")
    try:
        expect(page.get_by_text(TITLE, exact=True).first).to_be_visible(timeout=60_000)
        charts = page.locator("[data-test='chart-grid-component']")
        expect(charts).to_have_count(len(dashboard_chart_uuids("data_quality")), timeout=60_000)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and page.locator("[data-test='loading-indicator'], .loading").count():
            page.wait_for_timeout(500)
        assert page.locator(ERROR_SELECTOR).count() == 0
        text = page.locator("body").inner_text()
        for name in CHARTS:
            assert name in text, name
        for bad in EMPTY_OR_ERROR_TEXTS:
            assert bad not in text, f"dashboard shows {bad!r}"
        assert "迟到" in text and "空气自动监测小时数据" in text
    finally:
        page.wait_for_timeout(2000)
        page.screenshot(path=str(ARTIFACTS / "superset-data-quality.png"), full_page=True)
    assert page.external_requests == [], f"page tried to reach: {page.external_requests}"
