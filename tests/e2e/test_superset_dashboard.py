"""The leaders' dashboard 空气质量与规划指标 in a real Superset, seen by a real headless Chromium.

Needs: .venv-superset (dashboards/requirements.lock), /usr/bin/chromium with fonts-noto-cjk.
The serving DB comes from the ``serving_home`` fixture (see conftest.py).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest
import yaml

from ingestion.common.home import REPO_ROOT
from orchestration import superset as ss

from .conftest import ARTIFACTS, METRICS, RunningSuperset

pytestmark = pytest.mark.timeout(600)

DASHBOARD_TITLE = "空气质量与规划指标"
# chart title -> viz type, as in dashboards/assets/charts/
CHARTS = {
    "空气质量数据截至": "table",  # 数据截至 of the sources behind the dashboard
    "细颗粒物年均浓度": "big_number_total",
    "优良天数比例": "big_number_total",
    "规划指标": "table",
    "各区县优良天数比例": "echarts_timeseries_bar",
    "城市PM2.5月均浓度变化": "echarts_timeseries_line",
    "各区县年度空气质量评价": "table",
}
CHART_UUIDS = {
    "city_pm25": "85eff8e5-554e-58e8-a511-b11e440c7452",
    "city_good": "43d77810-7280-5fed-8246-fe7d562593bc",
    "county_good": "5a30cbf5-f506-50ab-99e0-d42115666f05",
}
# Superset's empty states and error texts, English and Chinese.
EMPTY_OR_ERROR_TEXTS = [
    "No results", "No data", "无结果", "没有数据", "此查询没有数据返回", "没有返回任何结果",
    "Unexpected error", "意外错误", "Data error", "数据错误", "Network error", "网络异常",
]
ERROR_SELECTOR = ".ant-alert-error, .alert-danger, [data-test='error-tooltip'], [role='alert']"
LOADING_SELECTOR = "[data-test='loading-indicator'], .loading"


def dashboard_chart_uuids(name: str) -> set[str]:
    """UUIDs of the charts placed on dashboards/assets/dashboards/<name>.yaml."""
    doc = yaml.safe_load((REPO_ROOT / "dashboards" / "assets" / "dashboards" / f"{name}.yaml").read_text("utf-8"))
    return {c["meta"]["uuid"] for c in doc["position"].values() if isinstance(c, dict) and c.get("type") == "CHART"}


def login(page: Any, superset: RunningSuperset) -> None:
    page.goto(f"{superset.url}/login/")
    page.locator("#username").fill("admin")
    page.locator("#password").fill(superset.password)
    # The login page is Chinese too (corrected language pack served to anonymous users).
    page.get_by_role("button", name=re.compile(r"登\s*录")).click()
    page.wait_for_url(lambda url: "/login" not in url, timeout=30_000)


def test_dashboard_renders_every_chart_with_data_in_chinese(page: Any, superset: RunningSuperset) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    chart_responses: dict[int, dict[str, Any]] = {}

    def on_response(response: Any) -> None:
        if "/api/v1/chart/data" not in response.url or response.request.method != "POST":
            return
        form_data = json.loads(parse_qs(urlparse(response.url).query).get("form_data", ["{}"])[0])
        try:
            body = response.json()
        except Exception:  # noqa: BLE001 - keep the status for the assertion below
            body = {}
        chart_responses[int(form_data.get("slice_id", -1))] = {"status": response.status, "body": body}

    page.on("response", on_response)
    login(page, superset)
    started = time.monotonic()
    try:
        page.goto(f"{superset.url}/superset/dashboard/air-quality/")
        expect(page.get_by_text(DASHBOARD_TITLE, exact=True).first).to_be_visible(timeout=60_000)
        charts = page.locator("[data-test='chart-grid-component']")
        expect(charts).to_have_count(len(CHARTS), timeout=60_000)

        for name, viz in CHARTS.items():
            chart = page.locator(f"[data-test='chart-grid-component'][data-test-chart-name='{name}']")
            expect(chart).to_have_attribute("data-test-viz-type", viz)
            expect(chart.locator("[data-test='slice-header']")).to_contain_text(name)
            body = chart.locator("[data-test='slice-container']")
            if viz == "big_number_total":
                expect(body.locator(".header-line")).to_have_text(re.compile(r"\d"), timeout=60_000)
            elif viz == "table":
                expect(body.locator("tbody tr").first).to_be_visible(timeout=60_000)
                assert body.locator("tbody tr").count() > 0, name
            else:
                expect(body.locator("canvas").first).to_be_visible(timeout=60_000)
            expect(chart.locator(LOADING_SELECTOR)).to_have_count(0, timeout=60_000)
            expect(chart.locator(ERROR_SELECTOR)).to_have_count(0)
        METRICS["dashboard_render_seconds"] = round(time.monotonic() - started, 1)

        text = page.locator("body").inner_text()
        for bad in EMPTY_OR_ERROR_TEXTS:
            assert bad not in text, f"dashboard shows {bad!r}"
        assert "昭阳区" in text, "county names are not shown in Chinese"
        assert "昭通市" in text
        # Superset UI itself is in Chinese (navbar).
        assert "看板" in page.locator("[data-test='navbar-top']").inner_text()
    finally:
        page.wait_for_timeout(2000)  # let ECharts finish its entry animation before the picture
        page.screenshot(path=str(ARTIFACTS / "superset-dashboard.png"), full_page=True)

    # What the browser received: one data response per chart, each with rows and no error.
    published_ids = {superset.published["charts"][u] for u in dashboard_chart_uuids("air_quality")}
    assert set(chart_responses) == published_ids, chart_responses.keys()
    for chart_id, resp in chart_responses.items():
        assert resp["status"] == 200, (chart_id, resp)
        for result in resp["body"]["result"]:
            assert not result.get("error"), (chart_id, result["error"])
            assert result["rowcount"] > 0, (chart_id, "no rows")
    assert page.external_requests == [], f"page tried to reach: {page.external_requests}"
    METRICS["rss_mb_after_dashboard"] = round(ss.process_group_rss(superset.proc) / 2**20)


def test_chart_data_api_returns_rows_for_every_chart(superset: RunningSuperset) -> None:
    with superset.client() as api:
        r = api.get("/api/v1/dashboard/air-quality/charts")
        assert r.status_code == 200, r.text
        charts = {c["slice_name"]: c["id"] for c in r.json()["result"]}
        assert set(charts) == set(CHARTS)

        timings = {}
        for name, chart_id in charts.items():
            t = time.monotonic()
            r = api.get(f"/api/v1/chart/{chart_id}/data/")
            timings[name] = round((time.monotonic() - t) * 1000)
            assert r.status_code == 200, (name, r.text[:500])
            (result,) = r.json()["result"]
            assert not result.get("error"), (name, result["error"])
            assert result["rowcount"] > 0 and result["data"], (name, "no rows")
        METRICS["chart_data_api_ms"] = timings


def test_headline_figures_match_the_serving_marts(superset: RunningSuperset) -> None:
    """The big numbers and the county bars equal what the marts hold (no zeros, no drift)."""
    con = duckdb.connect(str(superset.home.serving), read_only=True)
    try:
        (city,) = con.execute("SELECT area_code FROM dim_area WHERE area_level = 'city'").fetchone()
        (year,) = con.execute(
            "SELECT coalesce(max(year) FILTER (WHERE is_valid_year), max(year)) "
            "FROM fct_air_annual_area WHERE area_code = ?", [city]).fetchone()
        pm25, good, valid = con.execute(
            "SELECT pm2_5_mean, good_days, valid_days FROM fct_air_annual_area "
            "WHERE area_code = ? AND year = ?", [city, year]).fetchone()
        counties = dict(con.execute(
            "SELECT a.area_name_zh, f.good_days / nullif(f.valid_days, 0) FROM fct_air_annual_area f "
            "JOIN dim_area a USING (area_code) WHERE a.area_level = 'county' AND f.year = ?", [year]).fetchall())
    finally:
        con.close()

    ids = superset.published["charts"]
    with superset.client() as api:
        def rows(uuid: str) -> list[dict[str, Any]]:
            r = api.get(f"/api/v1/chart/{ids[uuid]}/data/")
            assert r.status_code == 200, r.text[:500]
            return r.json()["result"][0]["data"]

        assert rows(CHART_UUIDS["city_pm25"])[0]["pm25_mean"] == pytest.approx(pm25)
        assert rows(CHART_UUIDS["city_good"])[0]["good_days_share"] == pytest.approx(good / valid)
        bars = {r["area_name_zh"]: r["good_days_share"] for r in rows(CHART_UUIDS["county_good"])}
    assert bars == pytest.approx(counties)
    assert "昭阳区" in bars


def test_init_and_publish_are_idempotent(superset: RunningSuperset) -> None:
    t = time.monotonic()
    assert ss.init_superset(superset.home, admin_password=superset.password) is False
    METRICS["init_second_run_seconds"] = round(time.monotonic() - t, 2)
    t = time.monotonic()
    assert ss.publish_dashboards(superset.home) == superset.published  # same objects, by UUID
    METRICS["publish_second_run_seconds"] = round(time.monotonic() - t, 1)
    with superset.client() as api:
        r = api.get("/api/v1/dashboard/", params={"q": "(page_size:100)"})
        assert r.status_code == 200, r.text[:300]
        assert [d["slug"] for d in r.json()["result"]].count("air-quality") == 1
        r = api.get("/api/v1/chart/", params={"q": "(page_size:100)"})
        assert r.json()["count"] == len(superset.published["charts"])  # every dashboard's charts, once
