"""Every published dashboard as the leaders see it (issue 9): a real headless Chromium logs in through the login
form as the city leader and as the 昭阳区 county user (demo users of dashboards/access.yaml), opens each dashboard,
waits for all its charts and asserts that no chart shows an error. For the county user, every chart's text and
every chart-data response the browser receives (the charts' rows and the native filters' value lists) name no
county but 昭阳区 and carry no other county's code: row-level security holds on every dashboard, not only in the
API test (test_access.py). Also: the three leader dashboards (规划指标总览, 区县综合评分卡, 区县报送与数据质量)
show what they must (数据截至, 红/黄/绿/灰, missing values as 缺失, never 0), checked against the serving marts.
Screenshots: test-artifacts/leader-<user>-<slug>.png.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator
from typing import Any

import duckdb
import pytest
import yaml

from ingestion.common.home import REPO_ROOT
from orchestration import superset as ss

from .conftest import ARTIFACTS, RunningSuperset
from .render import chart_rows
from .test_superset_dashboard import ERROR_SELECTOR, LOADING_SELECTOR

pytestmark = pytest.mark.timeout(900)

COUNTY, COUNTY_NAME = "530602", "昭阳区"
CITY, CITY_NAME = "530600", "昭通市"
DASHBOARDS_DIR = REPO_ROOT / "dashboards" / "assets" / "dashboards"
# Superset's error texts (English and Chinese); empty states are allowed for a county user (city-wide charts
# answer a county with no rows), errors never.
ERROR_TEXTS = ["Unexpected error", "意外错误", "Data error", "数据错误", "Network error", "网络异常"]
EMPTY_TEXTS = ["No results", "No data", "无结果", "没有数据", "此查询没有数据返回", "没有返回任何结果"]
CODE_KEYS = ("area_code", "county_code")

PLAN_PROGRESS = "c80b17bc-283d-5908-8513-0348125e9e13"
PLAN_TABLE = "945e69e2-4553-546f-a674-1416d3894756"
PLAN_RAG = "923da079-4342-56a2-8768-fdbb738d23c9"
PLAN_AS_OF = "dd7ae4ac-787e-5e47-8717-bf7220f278fb"
PLAN_TREND = "fe49b6c9-234f-53d8-ac8d-acdcf8c684ea"
SCORECARD = "c2dbc96e-f44a-54f0-96ee-918d69b79001"
RAG = {
    "achieved": "绿", "on_track": "绿", "on_schedule": "绿",
    "acceleration_needed": "黄", "behind_schedule": "黄",
    "limited_progress": "红", "deterioration": "红",
    "no_data": "灰", "no_baseline": "灰", "not_applicable": "灰",
}  # fmt: skip


def _dashboards() -> list[dict[str, Any]]:
    docs = []
    for path in sorted(DASHBOARDS_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        charts = {c["meta"]["uuid"] for c in doc["position"].values()
                  if isinstance(c, dict) and c.get("type") == "CHART"}  # fmt: skip
        docs.append({"slug": doc["slug"], "title": doc["dashboard_title"], "charts": len(charts)})
    return docs


DASHBOARDS = _dashboards()
USERS = ["city_leader", f"county_{COUNTY}"]


def _county_names() -> dict[str, str]:
    import csv

    with ss.COUNTIES_SEED.open(encoding="utf-8") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: int(r["sort_order"]))
    return {r["area_code"]: r["area_name_zh"] for r in rows if r["area_level"] == "county"}


@pytest.fixture(scope="module")
def demo_password(superset: RunningSuperset) -> Iterator[str]:
    password = "demo-" + secrets.token_urlsafe(12)
    os.environ["ZTECO_DEMO_PASSWORD"] = password
    try:
        ss.apply_access(superset.home)
    finally:
        del os.environ["ZTECO_DEMO_PASSWORD"]
    yield password


def form_login(page: Any, superset: RunningSuperset, username: str, password: str) -> None:
    """Log in through the login form (as a leader would)."""
    page.goto(f"{superset.url}/login/")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.get_by_role("button", name=re.compile(r"登\s*录")).click()
    page.wait_for_url(lambda url: "/login" not in url, timeout=30_000)


def _strings(node: Any) -> Iterator[str]:
    """Every string in a JSON document, keys included (pivoted chart data has the series names as keys)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def _codes(node: Any) -> Iterator[str]:
    """Values of area_code / county_code anywhere in the rows of a chart-data response."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in CODE_KEYS and v is not None and not isinstance(v, dict | list):
                yield str(v)
            else:
                yield from _codes(v)
    elif isinstance(node, list):
        for v in node:
            yield from _codes(v)


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("dashboard", DASHBOARDS, ids=[d["slug"] for d in DASHBOARDS])
def test_every_dashboard_renders_for_each_leader(
    page: Any, superset: RunningSuperset, demo_password: str, dashboard: dict[str, Any], username: str
) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    is_county = username != "city_leader"
    other_counties = {name for code, name in _county_names().items() if code != COUNTY}
    others = other_counties | {CITY_NAME}  # no row of the city either reaches a county user
    responses: list[dict[str, Any]] = []

    def on_response(response: Any) -> None:
        if "/api/v1/chart/data" in response.url and response.request.method == "POST":
            try:
                body = response.json()
            except Exception:  # noqa: BLE001 - the status is asserted below
                body = {}
            responses.append({"status": response.status, "body": body})

    page.on("response", on_response)
    form_login(page, superset, username, demo_password)
    page.goto(f"{superset.url}/superset/dashboard/{dashboard['slug']}/")
    shot = ARTIFACTS / f"leader-{username}-{dashboard['slug']}.png"
    try:
        expect(page.get_by_text(dashboard["title"], exact=True).first).to_be_visible(timeout=60_000)
        charts = page.locator("[data-test='chart-grid-component']")
        expect(charts).to_have_count(dashboard["charts"], timeout=60_000)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and page.locator(LOADING_SELECTOR).count():
            page.wait_for_timeout(500)
        assert page.locator(LOADING_SELECTOR).count() == 0, "charts still loading"
        page.wait_for_timeout(1500)
        assert page.locator(ERROR_SELECTOR).count() == 0, "a chart shows an error"
        text = page.locator("body").inner_text()
        for bad in ERROR_TEXTS + ([] if is_county else EMPTY_TEXTS):
            assert bad not in text, f"{dashboard['slug']} shows {bad!r} to {username}"
        if is_county:
            for i in range(charts.count()):
                chart_text = charts.nth(i).inner_text()
                # (a city-wide chart's fixed subtitle may name 昭通市; it shows no rows to a county)
                shown = {name for name in other_counties if name in chart_text}
                assert not shown, (dashboard["slug"], i, shown)
    finally:
        page.wait_for_timeout(1500)
        page.screenshot(path=str(shot), full_page=True)

    # What the browser received: one answer per chart (and per native filter), none with an error.
    assert len(responses) >= dashboard["charts"], (len(responses), dashboard["charts"])
    for resp in responses:
        assert resp["status"] == 200, resp
        for result in resp["body"].get("result", []):
            assert not result.get("error"), result["error"]
            if is_county:
                assert set(_codes(result.get("data"))) <= {COUNTY}, (
                    dashboard["slug"],
                    set(_codes(result["data"])),
                )
                leaked = {name for s in _strings(result.get("data")) for name in others if name in s}
                assert not leaked, (dashboard["slug"], leaked)
    assert page.external_requests == [], f"page tried to reach: {page.external_requests}"


def test_the_city_leader_sees_every_county_and_the_county_user_only_its_own(
    page: Any, superset: RunningSuperset, demo_password: str
) -> None:
    """The native filter 地区 of 规划指标总览 lists every area for the city leader, only 昭阳区 for the county."""
    seen: dict[str, set[str]] = {}
    for username in USERS:
        values: set[str] = set()

        def on_response(response: Any, values: set[str] = values) -> None:
            if "/api/v1/chart/data" in response.url and response.request.method == "POST":
                try:
                    for result in response.json().get("result", []):
                        for row in result.get("data") or []:
                            if isinstance(row, dict) and isinstance(row.get("area_name_zh"), str):
                                values.add(row["area_name_zh"])
                except Exception:  # noqa: BLE001 - not JSON: nothing to collect
                    pass

        page.on("response", on_response)
        form_login(page, superset, username, demo_password)
        page.goto(f"{superset.url}/superset/dashboard/plan-overview/")
        page.locator("[data-test='chart-grid-component']").first.wait_for(timeout=60_000)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and page.locator(LOADING_SELECTOR).count():
            page.wait_for_timeout(500)
        page.wait_for_timeout(1500)
        page.remove_listener("response", on_response)
        page.context.clear_cookies()
        seen[username] = values
    names = _county_names()
    assert seen[f"county_{COUNTY}"] == {COUNTY_NAME}
    assert seen["city_leader"] >= set(names.values()) | {CITY_NAME}


def test_the_area_filter_narrows_every_chart_of_plan_overview(
    page: Any, superset: RunningSuperset, demo_password: str
) -> None:
    """The city leader picks 昭阳区 in the native filter 地区: every chart asks again and gets 昭阳区 only."""
    names: list[set[str]] = []

    def on_response(response: Any) -> None:
        if "/api/v1/chart/data" in response.url and response.request.method == "POST":
            try:
                rows = [row for res in response.json().get("result", []) for row in res.get("data") or []]
            except Exception:  # noqa: BLE001 - not JSON: nothing to collect
                return
            names.append({r["area_name_zh"] for r in rows if isinstance(r, dict) and r.get("area_name_zh")})

    form_login(page, superset, "city_leader", demo_password)
    page.goto(f"{superset.url}/superset/dashboard/plan-overview/")
    charts = page.locator("[data-test='chart-grid-component']")
    charts.first.wait_for(timeout=60_000)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and page.locator(LOADING_SELECTOR).count():
        page.wait_for_timeout(500)
    page.on("response", on_response)
    page.locator("[data-test='form-item-value'] .ant-select").first.click()
    page.keyboard.type(COUNTY_NAME)
    page.wait_for_timeout(1500)
    page.keyboard.press("Enter")
    page.get_by_role("button", name=re.compile("应用")).first.click()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(names) < charts.count():
        page.wait_for_timeout(500)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "leader-city_leader-plan-overview-filtered.png"), full_page=True)
    assert len(names) >= charts.count() - 1, names  # every chart but 数据截至 (not per area) asked again
    assert set().union(*names) == {COUNTY_NAME}, names
    table = page.locator("[data-test-chart-name='规划指标最新进展'] tbody").inner_text()
    assert COUNTY_NAME in table and CITY_NAME not in table


# ----------------------------------------------------------------------------- the leaders' dashboards' figures


def _serving(superset: RunningSuperset, sql: str) -> list[tuple]:
    con = duckdb.connect(str(superset.home.serving), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_plan_overview_shows_each_latest_value_target_and_status_colour(superset: RunningSuperset) -> None:
    expected = {
        (ind, area): (year, value, target, status, reason)
        for ind, area, year, value, target, status, reason in _serving(
            superset,
            """
            SELECT p.indicator_name_zh, p.area_name_zh, p.year, p.value, p.target_value, p.status,
                   p.missing_reason_zh
            FROM fct_indicator_progress p
            WHERE p.year = (SELECT max(q.year) FROM fct_indicator_progress q WHERE q.plan_code = p.plan_code
                            AND q.indicator_code = p.indicator_code AND q.area_code = p.area_code)""",
        )
    }
    assert expected
    ids = superset.published["charts"]
    with superset.client() as api:
        rows = chart_rows(api, ids[PLAN_TABLE])
    assert len(rows) == len(expected)
    colours = set()
    for r in rows:
        name = re.sub(r"（[^（）]*）$", "", r["indicator_label"])  # the label carries the unit
        year, value, target, status, reason = expected[(name, r["area_name_zh"])]
        assert (r["year"], r["value"], r["target_value"]) == (year, value, target), r
        assert r["rag_zh"] == RAG[status], (r, status)
        colours.add(r["rag_zh"])
        if value is None:  # missing is shown as missing, with the reason; never 0
            assert r["missing_note"].startswith("缺失"), r
            assert reason is None or reason in r["missing_note"], r
        else:
            assert r["missing_note"] == "", r
    assert colours >= {"绿", "红", "灰"}, (
        colours
    )  # the small world has achieved, deteriorating and missing ones


def test_plan_overview_counts_status_classes_and_shows_the_as_of(superset: RunningSuperset) -> None:
    counts: dict[tuple[str, str], int] = {}
    for area, status in _serving(
        superset,
        """
            SELECT p.area_name_zh, p.status FROM fct_indicator_progress p
            WHERE p.year = (SELECT max(q.year) FROM fct_indicator_progress q WHERE q.plan_code = p.plan_code
                            AND q.indicator_code = p.indicator_code AND q.area_code = p.area_code)""",
    ):
        counts[(area, RAG[status])] = counts.get((area, RAG[status]), 0) + 1
    ((as_of,),) = _serving(superset, "SELECT max(as_of) FROM fct_indicator_progress")
    ids = superset.published["charts"]
    with superset.client() as api:
        bars = chart_rows(api, ids[PLAN_RAG])
        (row,) = chart_rows(api, ids[PLAN_AS_OF])
        trend = chart_rows(api, ids[PLAN_TREND])
    assert {(r["area_name_zh"], r["rag_zh"]): r["指标数"] for r in bars} == counts
    assert row["data_as_of_text"] == as_of.strftime("%Y-%m-%d %H:%M")  # 数据截至
    # the trend: every indicator x area by year, from the baseline year; a missing value is None, never 0
    values = {
        (f"{y}年", a, i): v
        for i, a, y, v in _serving(
            superset,
            """
            SELECT indicator_name_zh, area_name_zh, year, value FROM fct_indicator_progress""",
        )
    }
    baselines = {
        (f"{y}年（基准）", a, i): v
        for i, a, y, v in _serving(
            superset,
            """
            SELECT DISTINCT indicator_name_zh, area_name_zh, baseline_year, baseline_value
            FROM fct_indicator_progress WHERE baseline_value IS NOT NULL AND baseline_year < year""",
        )
    }
    got = {
        (r["year_label"], r["area_name_zh"], re.sub(r"（[^（）]*）$", "", r["indicator_label"])): r["指标值"]
        for r in trend
    }
    assert got == values | baselines
    assert any(v is None for v in got.values()) and baselines


def test_county_scorecard_combines_progress_reporting_and_quality(superset: RunningSuperset) -> None:
    names = _county_names()
    progress = {
        area: (g, a, r, x)
        for area, g, a, r, x in _serving(
            superset,
            """
            WITH latest AS (
                SELECT p.*, max(year) OVER (PARTITION BY area_code) AS ly FROM fct_indicator_progress p
                WHERE area_level = 'county')
            SELECT area_code,
                   count(*) FILTER (WHERE status IN ('achieved', 'on_track', 'on_schedule')),
                   count(*) FILTER (WHERE status IN ('acceleration_needed', 'behind_schedule')),
                   count(*) FILTER (WHERE status IN ('limited_progress', 'deterioration')),
                   count(*) FILTER (WHERE status IN ('no_data', 'no_baseline', 'not_applicable'))
            FROM latest WHERE year = ly GROUP BY 1""",
        )
    }
    ((rep_year,),) = _serving(superset, "SELECT max(year(month_start)) FROM fct_county_reporting_monthly")
    reporting = {
        a: (e, r, o)
        for a, e, r, o in _serving(
            superset,
            f"""
            SELECT area_code, sum(expected_count), sum(received_count), sum(on_time_count)
            FROM fct_county_reporting_monthly WHERE year(month_start) = {rep_year} GROUP BY 1""",
        )
    }
    ((q_year,),) = _serving(superset, "SELECT max(year(check_date)) FROM fct_quality_check_results")
    quality = {
        a: (n, bad)
        for a, n, bad in _serving(
            superset,
            f"""
            SELECT county_code, sum(element_count), sum(unexpected_count) FROM fct_quality_check_results
            WHERE year(check_date) = {q_year} AND county_code IS NOT NULL GROUP BY 1""",
        )
    }
    ids = superset.published["charts"]
    with superset.client() as api:
        rows = chart_rows(api, ids[SCORECARD])
    assert [r["area_name_zh"] for r in rows] == list(names.values())  # every county once, in seed order
    code_of = {v: k for k, v in names.items()}
    for r in rows:
        code = code_of[r["area_name_zh"]]
        assert (r["green_count"], r["amber_count"], r["red_count"], r["grey_count"]) == progress[code], r
        e, rec, on_time = reporting[code]
        assert r["completeness_pct"] == pytest.approx(round(100.0 * rec / e, 1)), r
        assert r["timeliness_pct"] == pytest.approx(round(100.0 * on_time / e, 1)), r
        n, bad = quality[code]
        assert r["quality_pass_pct"] == pytest.approx(round(100.0 * (1 - bad / n), 2)), r
        assert r["as_of_text"], r


def test_county_reporting_quality_holds_the_charts_of_both_dashboards(superset: RunningSuperset) -> None:
    def uuids(name: str) -> set[str]:
        doc = yaml.safe_load((DASHBOARDS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
        return {
            c["meta"]["uuid"]
            for c in doc["position"].values()
            if isinstance(c, dict) and c.get("type") == "CHART"
        }

    combined = uuids("county_reporting_quality")
    assert combined == uuids("county_reporting") | uuids("data_quality")
    ids = superset.published["charts"]
    with superset.client() as api:
        for slug, names in (("county-reporting-quality", combined), ("county-reporting", uuids("county_reporting")),
                            ("data-quality", uuids("data_quality"))):  # fmt: skip
            r = api.get(f"/api/v1/dashboard/{slug}/charts")
            assert r.status_code == 200, r.text[:300]
            assert {c["id"] for c in r.json()["result"]} == {ids[u] for u in names}, slug
