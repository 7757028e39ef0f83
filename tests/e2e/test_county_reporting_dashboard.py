"""The dashboard 区县报送 in a real Superset: every chart answers with rows, the figures equal the serving
marts, and a real headless Chromium shows it in Chinese.

Needs what test_superset_dashboard.py needs (.venv-superset, /usr/bin/chromium, fonts-noto-cjk). The
serving DB comes from ``serving_home`` (the real pipeline on a small world, or tests/e2e/fake_serving.py).
"""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from .conftest import RunningSuperset
from .render import assert_dashboard_renders, assert_every_chart_answers, chart_rows

pytestmark = pytest.mark.timeout(600)

SLUG = "county-reporting"
TITLE = "区县报送"
CHARTS = {
    "区县报送数据截至": "table",  # 数据截至 of the sources behind the dashboard
    "各区县报表报送完整率与及时率": "echarts_timeseries_bar",
    "各区县逐月报送完整率": "echarts_timeseries_line",
    "各区县逐月报送及时率": "echarts_timeseries_line",
    "区县报表退回原因": "echarts_timeseries_bar",
    "区县退回文件清单": "table",
    "逾期、退回及未报送报表清单": "table",
}
RATES = "12cafece-b697-5810-b29e-eeef37e37baf"
COMPLETENESS_MONTHLY = "80a99740-3ab7-520e-812d-cc7f34559d47"
REASONS = "80f216d7-32e1-52a4-879e-9f9f21ea3a53"
NOT_ON_TIME = "4ab09947-9525-58fe-abaf-d893631fef8b"


def test_every_chart_answers_with_rows(superset: RunningSuperset) -> None:
    assert_every_chart_answers(superset, SLUG, CHARTS)


def test_figures_equal_the_serving_marts(superset: RunningSuperset) -> None:
    con = duckdb.connect(str(superset.home.serving), read_only=True)
    try:
        # worked out from the submissions themselves, not from the monthly mart the charts read
        rates = {
            name: (completeness, timeliness)
            for name, completeness, timeliness in con.execute("""
            SELECT d.area_name_zh,
                   round(100.0 * count(*) FILTER (WHERE s.status IN ('on_time', 'late')) / count(*), 1),
                   round(100.0 * count(*) FILTER (WHERE s.on_time) / count(*), 1)
            FROM fct_county_submissions s JOIN dim_area d ON d.area_code = s.county_code GROUP BY 1""").fetchall()
        }
        monthly = {
            (m, n): v
            for m, n, v in con.execute("""
            SELECT strftime(CAST(date_trunc('month', s.period_end) AS DATE), '%Y-%m'), d.area_name_zh,
                   round(100.0 * count(*) FILTER (WHERE s.status IN ('on_time', 'late')) / count(*), 1)
            FROM fct_county_submissions s JOIN dim_area d ON d.area_code = s.county_code GROUP BY 1, 2""").fetchall()
        }
        reasons = {
            (r, n): c
            for r, n, c in con.execute("""
            SELECT rule_zh, coalesce(folder_county_name_zh, folder_county), count(*)
            FROM fct_county_file_rejections GROUP BY 1, 2""").fetchall()
        }
        not_on_time = con.execute(
            "SELECT count(*) FROM fct_county_submissions WHERE status <> 'on_time'"
        ).fetchone()[0]
    finally:
        con.close()
    ids = superset.published["charts"]
    with superset.client() as api:
        got = {r["area_name_zh"]: (r["完整率"], r["及时率"]) for r in chart_rows(api, ids[RATES])}
        assert got == rates and len(got) == 11
        got = {
            (r["month"], r["area_name_zh"]): r["完整率"] for r in chart_rows(api, ids[COMPLETENESS_MONTHLY])
        }
        assert got == monthly
        got = {(r["rule_zh"], r["area_name_zh"]): r["文件数"] for r in chart_rows(api, ids[REASONS])}
        assert got == reasons and got
        rows = chart_rows(api, ids[NOT_ON_TIME])
        assert len(rows) == not_on_time > 0
        assert {r["status_zh"] for r in rows} <= {"逾期报送", "报送未通过审核", "未报送"}


def test_dashboard_renders_in_chinese(page: Any, superset: RunningSuperset) -> None:
    assert_dashboard_renders(
        page,
        superset,
        slug=SLUG,
        title=TITLE,
        asset="county_reporting",
        chart_names=CHARTS,
        must_contain=("昭阳区", "完整率", "数据来源"),
        screenshot="superset-county-reporting.png",
    )
