"""The dashboard 土壤与声环境 in a real Superset: every chart answers with rows, the night-time noise
compliance per county equals the serving mart fct_noise_compliance recomputed here, and a real headless
Chromium shows it in Chinese.

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

SLUG = "soil-noise"
TITLE = "土壤与声环境"
CHARTS = {
    "土壤与声环境数据截至": "table",  # 数据截至 of the sources behind the dashboard
    "各区县土壤监测点位覆盖率": "echarts_timeseries_bar",
    "各区县农用地土壤点位分类": "echarts_timeseries_bar",
    "各区县声环境功能区夜间达标率": "echarts_timeseries_bar",
}
NOISE_NIGHT = "d90789d4-00ae-5554-b826-28dc1e0c095a"


def test_every_chart_answers_with_rows(superset: RunningSuperset) -> None:
    assert_every_chart_answers(superset, SLUG, CHARTS)


def test_night_compliance_equals_the_serving_mart(superset: RunningSuperset) -> None:
    con = duckdb.connect(str(superset.home.serving), read_only=True)
    try:
        expected = dict(con.execute("""
            SELECT a.area_name_zh, sum(f.compliant_measurements) / sum(f.measurements)
            FROM fct_noise_compliance f JOIN dim_area a USING (area_code)
            WHERE a.area_level = 'county' AND f.period = 'night'
              AND f.year = (SELECT max(year) FROM fct_noise_compliance)
            GROUP BY 1 HAVING sum(f.measurements) > 0
        """).fetchall())
    finally:
        con.close()
    assert len(expected) >= 5
    ids = superset.published["charts"]
    with superset.client() as api:
        got = {r["area_name_zh"]: r["compliance_share"] for r in chart_rows(api, ids[NOISE_NIGHT])}
    assert got.keys() == expected.keys()
    for county, share in expected.items():
        assert got[county] == pytest.approx(share), county


def test_dashboard_renders_in_chinese(page: Any, superset: RunningSuperset) -> None:
    assert_dashboard_renders(page, superset, slug=SLUG, title=TITLE, asset="soil_noise", chart_names=CHARTS,
                             must_contain=("GB 15618-2018", "优先保护类", "夜间"), screenshot="superset-soil-noise.png")
