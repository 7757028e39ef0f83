"""One browser check shared by the dashboard tests: open, wait for every chart, no error or empty
state, the expected Chinese text, a screenshot, and no request leaving 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from .conftest import ARTIFACTS, RunningSuperset
from .test_superset_dashboard import EMPTY_OR_ERROR_TEXTS, ERROR_SELECTOR, dashboard_chart_uuids, login


def assert_dashboard_renders(page: Any, superset: RunningSuperset, *, slug: str, title: str, asset: str,
                             chart_names: Iterable[str], must_contain: Iterable[str], screenshot: str) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    login(page, superset)
    page.goto(f"{superset.url}/superset/dashboard/{slug}/")
    try:
        expect(page.get_by_text(title, exact=True).first).to_be_visible(timeout=60_000)
        charts = page.locator("[data-test='chart-grid-component']")
        expect(charts).to_have_count(len(dashboard_chart_uuids(asset)), timeout=60_000)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and page.locator("[data-test='loading-indicator'], .loading").count():
            page.wait_for_timeout(500)
        assert page.locator(ERROR_SELECTOR).count() == 0
        text = page.locator("body").inner_text()
        for name in chart_names:
            assert name in text, name
        for bad in EMPTY_OR_ERROR_TEXTS:
            assert bad not in text, f"dashboard shows {bad!r}"
        for expected in must_contain:
            assert expected in text, expected
    finally:
        page.wait_for_timeout(2000)
        page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
    assert page.external_requests == [], f"page tried to reach: {page.external_requests}"


def chart_rows(api: Any, chart_id: int) -> list[dict[str, Any]]:
    """Rows of one chart through Superset's chart data API (asserts no error)."""
    r = api.get(f"/api/v1/chart/{chart_id}/data/")
    assert r.status_code == 200, r.text[:500]
    (result,) = r.json()["result"]
    assert not result.get("error"), result["error"]
    return result["data"]


def assert_every_chart_answers(superset: RunningSuperset, slug: str, charts: dict[str, str]) -> None:
    """The dashboard holds exactly ``charts`` (name → viz type) and each one answers with rows."""
    with superset.client() as api:
        r = api.get(f"/api/v1/dashboard/{slug}/charts")
        assert r.status_code == 200, r.text
        found = {c["slice_name"]: c for c in r.json()["result"]}
        assert {n: c["form_data"]["viz_type"] for n, c in found.items()} == charts
        for name, chart in found.items():
            assert chart_rows(api, chart["id"]), (name, "no rows")
