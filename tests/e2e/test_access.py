"""Row-level security, roles and demo users (dashboards/access.yaml) against the real Superset.

With ZTECO_DEMO_PASSWORD set, publishing creates ``city_leader`` and one ``county_<code>`` user per county.
Through the chart data API (the one the dashboards, CSV export and the API use) a county user receives only
its own county's rows from every dataset — checked by asking every dataset for its distinct county codes,
as JSON and as CSV, and by every published chart's own query — while the city leader receives every county.
County users cannot run SQL Lab; anonymous requests get nothing; without the password the demo users are
deactivated.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
from collections.abc import Iterator

import httpx
import pytest

from orchestration import superset as ss

COUNTY, OTHER = "530602", "530627"
COUNTY_NAME = "昭阳区"
CODE_COLUMNS = ("area_code", "county_code")
AS_OF_DATASET = "数据截至"  # table_name of dashboards/assets/datasets/data_as_of.yaml


@pytest.fixture(scope="module")
def demo(superset) -> Iterator[dict]:
    password = "demo-" + secrets.token_urlsafe(12)
    os.environ["ZTECO_DEMO_PASSWORD"] = password
    try:
        result = ss.apply_access(superset.home)
    finally:
        del os.environ["ZTECO_DEMO_PASSWORD"]
    yield {"password": password, "result": result}


def login(superset, username: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=superset.url, trust_env=False, timeout=60) as c:
        return c.post("/api/v1/security/login",
                      json={"username": username, "password": password, "provider": "db", "refresh": False})


def client_for(superset, username: str, password: str) -> httpx.Client:
    r = login(superset, username, password)
    assert r.status_code == 200, (username, r.status_code, r.text[:300])
    return httpx.Client(base_url=superset.url, trust_env=False, timeout=120,
                        headers={"Authorization": f"Bearer {r.json()['access_token']}"})


def dataset_columns(client: httpx.Client, dataset_id: int) -> list[str]:
    r = client.get(f"/api/v1/dataset/{dataset_id}")
    r.raise_for_status()
    return [c["column_name"] for c in r.json()["result"]["columns"]]


def distinct(client: httpx.Client, dataset_id: int, column: str, fmt: str = "json") -> list[str] | None:
    body = {"datasource": {"id": dataset_id, "type": "table"}, "force": True, "result_format": fmt,
            "result_type": "full",
            "queries": [{"columns": [column], "metrics": [], "row_limit": 100000, "filters": []}]}
    r = client.post("/api/v1/chart/data", json=body)
    assert r.status_code == 200, (dataset_id, column, r.status_code, r.text[:500])
    if fmt == "csv":
        header, *rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert len(header) == 1, header  # the one column asked for (named by its label)
        return [row[0] for row in rows]
    (result,) = r.json()["result"]
    assert not result.get("error"), result["error"]
    return [str(row[column]) if row[column] is not None else "" for row in result["data"]]


def test_roles_and_a_filter_for_every_dataset_of_every_county(superset, demo):
    result = demo["result"]
    assert "zteco_city_leader" in result["roles"] and f"zteco_county_{COUNTY}" in result["roles"]
    assert len([r for r in result["roles"] if r.startswith("zteco_county_")]) == 11
    assert set(result["users"]) >= {"city_leader", f"county_{COUNTY}", f"county_{OTHER}"}
    covered = [d for name, f in result["filters"].items() if name.startswith(f"zteco_county_{COUNTY}_")
               for d in f["datasets"]]
    assert len(covered) == len(set(covered)) == len(superset.published["datasets"])


def test_a_county_user_receives_only_its_county_from_every_dataset(superset, demo):
    county = client_for(superset, f"county_{COUNTY}", demo["password"])
    leader = client_for(superset, "city_leader", demo["password"])
    checked = with_rows = 0
    for dataset_id in superset.published["datasets"].values():
        cols = dataset_columns(leader, dataset_id)
        code_col = next((c for c in CODE_COLUMNS if c in cols), None)
        if code_col is None:  # a city-wide dataset: nothing for a county
            assert distinct(county, dataset_id, cols[0]) == [], dataset_id
            continue
        seen_by_leader = set(distinct(leader, dataset_id, code_col))
        seen_by_county = distinct(county, dataset_id, code_col)
        assert set(seen_by_county) <= {COUNTY}, (dataset_id, set(seen_by_county) - {COUNTY})
        # ... and nothing of its own is hidden from it
        assert (COUNTY in seen_by_county) == (COUNTY in seen_by_leader), dataset_id
        # the same through CSV export
        assert set(distinct(county, dataset_id, code_col, fmt="csv")) <= {COUNTY}, dataset_id
        checked += 1
        with_rows += bool(seen_by_county)
        if len(seen_by_leader - {"", "530600"}) > 1:
            assert len(set(distinct(leader, dataset_id, code_col))) > 1
    assert checked >= 20 and with_rows >= 10, (checked, with_rows)


def test_every_chart_answers_a_county_user_with_its_county_only(superset, demo):
    county = client_for(superset, f"county_{COUNTY}", demo["password"])
    names_seen = set()
    for chart_id in superset.published["charts"].values():
        r = county.get(f"/api/v1/chart/{chart_id}/data/", params={"format": "json", "force": "true"})
        assert r.status_code == 200, (chart_id, r.status_code, r.text[:300])
        for result in r.json()["result"]:
            assert not result.get("error"), (chart_id, result["error"])
            for row in result["data"]:
                for key in CODE_COLUMNS:
                    if key in row and row[key] is not None:
                        assert row[key] == COUNTY, (chart_id, row)
                if row.get("area_name_zh"):
                    names_seen.add(row["area_name_zh"])
    assert names_seen <= {COUNTY_NAME}, names_seen
    assert names_seen == {COUNTY_NAME}


def test_county_users_have_no_sql_lab(superset, demo):
    county = client_for(superset, f"county_{COUNTY}", demo["password"])
    token = county.get("/api/v1/security/csrf_token/")
    headers = {"X-CSRFToken": token.json()["result"]} if token.status_code == 200 else {}
    r = county.post("/api/v1/sqllab/execute/", headers=headers,
                    json={"database_id": superset.database_id, "sql": "select * from main.fct_indicator_values",
                          "runAsync": False, "schema": "main"})
    assert r.status_code in (401, 403), (r.status_code, r.text[:300])
    assert "data" not in r.json() or not r.json().get("data")


def test_anonymous_requests_get_nothing(superset, demo):
    dataset_id = next(iter(superset.published["datasets"].values()))
    with httpx.Client(base_url=superset.url, trust_env=False, timeout=60) as anon:
        r = anon.post("/api/v1/chart/data", json={"datasource": {"id": dataset_id, "type": "table"},
                                                  "queries": [{"columns": ["area_code"], "metrics": []}]})
        assert r.status_code == 401
        chart_id = next(iter(superset.published["charts"].values()))
        assert anon.get(f"/api/v1/chart/{chart_id}/data/").status_code == 401


def test_every_dashboard_shows_the_as_of_of_its_data_to_the_leader_and_to_a_county(superset, demo):
    """Issue 9: "a failed load never shows as zeros: dashboards show the data's as-of time". Every dashboard
    but the two with their own as-of (规划指标总览, 区县综合评分卡) holds a 数据截至 chart; asked through the chart
    data API, the city leader gets for each of the chart's sources the newest data time of all areas, and a
    county user its own county's (or the city-wide one) — worked out here from fct_source_freshness."""
    import duckdb
    import yaml

    from ingestion.common.home import REPO_ROOT

    assets = REPO_ROOT / "dashboards" / "assets"
    (dataset,) = [d for p in (assets / "datasets").glob("*.yaml")
                  if (d := yaml.safe_load(p.read_text(encoding="utf-8")))["table_name"] == AS_OF_DATASET]
    charts = {d["uuid"]: d for p in (assets / "charts").glob("*.yaml")
              if (d := yaml.safe_load(p.read_text(encoding="utf-8")))["dataset_uuid"] == dataset["uuid"]}
    on_dashboard = {}
    for p in (assets / "dashboards").glob("*.yaml"):
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
        on_dashboard[doc["slug"]] = [c["meta"]["uuid"] for c in doc["position"].values()
                                     if isinstance(c, dict) and c.get("type") == "CHART" and c["meta"]["uuid"] in charts]
    assert {s for s, found in on_dashboard.items() if not found} == {"plan-overview", "county-scorecard"}

    con = duckdb.connect(str(superset.home.serving), read_only=True)
    rows = con.execute("""
        select source, source_name_zh, county_code,
               strftime(case when bool_or(county_code is not null) over (partition by source) then last_data_time
                             else coalesce(last_data_time, last_loaded_at) end, '%Y-%m-%d %H:%M')
        from main.fct_source_freshness
    """).fetchall()
    con.close()
    names = {s: n for s, n, _, _ in rows}

    def expected(sources: list[str], county: str | None) -> dict[str, str]:
        out = {}
        for s in sources:
            times = [t for src, _, c, t in rows if src == s and (county is None or c in (None, county))]
            present = [t for t in times if t]
            out[names[s]] = max(present) if present else "无数据"
        return out

    leader = client_for(superset, "city_leader", demo["password"])
    county = client_for(superset, f"county_{COUNTY}", demo["password"])
    ids = superset.published["charts"]
    for uuid in {u for found in on_dashboard.values() for u in found}:
        filters = charts[uuid]["params"]["adhoc_filters"]
        sources = filters[0]["comparator"] if filters else sorted(names)
        for client, code in ((leader, None), (county, COUNTY)):
            r = client.get(f"/api/v1/chart/{ids[uuid]}/data/", params={"format": "json", "force": "true"})
            assert r.status_code == 200, (uuid, r.text[:300])
            (result,) = r.json()["result"]
            assert not result.get("error"), result["error"]
            got = {row["source_name_zh"]: row["as_of_latest"] for row in result["data"]}
            assert got == expected(sources, code), (charts[uuid]["slice_name"], code)
            assert all(row["status_summary"] for row in result["data"])


def test_without_the_demo_password_demo_users_are_deactivated(superset, demo):
    assert login(superset, "city_leader", demo["password"]).status_code == 200
    result = ss.apply_access(superset.home)  # ZTECO_DEMO_PASSWORD unset
    assert result["users"] == []
    assert login(superset, "city_leader", demo["password"]).status_code == 401
    assert login(superset, f"county_{COUNTY}", demo["password"]).status_code == 401



