"""The connector against the running platform simulator, faults switched on: result == world truth."""

from __future__ import annotations

import csv
import json
import math
import shutil
from datetime import date, datetime, timedelta

import duckdb
import pyarrow.parquet as pq
import pytest

from ingestion.common.home import Home
from ingestion.solidwaste import connector
from ingestion.solidwaste.world import TABLES
from tests.solidwaste.conftest import world_latest, world_versions


def lake(home: Home, table: str) -> list[dict]:
    files = sorted((home.lake / "solidwaste" / table).glob("**/*.parquet"))
    return [r for f in files for r in pq.read_table(f).to_pylist()]


def latest(rows: list[dict]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for r in rows:
        if r["record_key"] not in out or r["updated_at"] > out[r["record_key"]]["updated_at"]:
            out[r["record_key"]] = r
    return out


def no_wait(_seconds: float) -> None:
    pass


def assert_equals_world(home: Home, world: Home, table: str, clock=None) -> None:
    rows = lake(home, table)
    pairs = [(r["record_key"], r["updated_at"]) for r in rows]
    assert len(pairs) == len(set(pairs)), f"{table}: duplicate (record_key, updated_at) in the lake"
    got = latest(rows)
    want = world_latest(world, table, *([clock] if clock else []))
    assert set(got) == set(want), f"{table}: records differ from the world"
    for key, w in want.items():
        g = got[key]
        assert g["updated_at"].strftime("%Y-%m-%d %H:%M:%S") == w["updated_at"]
        for col, v in w.items():
            if col in ("record_key", "updated_at"):
                continue
            gv = g[col]
            if isinstance(v, float):
                assert gv == pytest.approx(v), (table, key, col)
            elif v is None:
                assert gv is None, (table, key, col)
            elif isinstance(gv, datetime):
                assert gv.strftime("%Y-%m-%d %H:%M:%S") == v, (table, key, col)
            elif isinstance(gv, date):
                assert gv.isoformat() == v, (table, key, col)
            else:
                assert gv == v, (table, key, col)


def test_full_pull_with_faults_equals_world(sw_world, lake_home, server_factory):
    srv = server_factory(rate_limit_every=5, retry_after_seconds=3, error_rate=0.3, token_max_uses=7)
    res = connector.pull(lake_home, srv.url, sleep=no_wait, page_size=200)
    for t in TABLES:
        assert_equals_world(lake_home, sw_world, t)
    # Same number of manifests and the same tonnage as the world holds at the clock.
    want = world_latest(sw_world, "manifests")
    got = latest(lake(lake_home, "manifests"))
    assert len(got) == len(want) > 1000
    assert sum(r["shipped_t"] for r in got.values()) == pytest.approx(sum(r["shipped_t"] for r in want.values()))
    # Every fault happened and was handled: 429 waits = Retry-After, 5xx retried, expired tokens renewed.
    assert res.retries["429"] == srv.platform.counts["429"] > 0
    assert res.retries["5xx"] == srv.platform.counts["5xx"] > 0
    assert res.retries["401"] > 0
    assert 3.0 in res.waits
    assert res.balanced


def test_errors_in_the_body_of_http_200_are_errors(sw_world, lake_home, server_factory):
    """Many platforms answer HTTP 200 {"code": 401|429|500, ...}: handled like the HTTP statuses."""
    srv = server_factory(errors_in_body=True, rate_limit_every=3, retry_after_seconds=2, error_rate=0.5,
                         token_max_uses=4)
    waits: list[float] = []
    res = connector.pull(lake_home, srv.url, tables=["generators", "medical_waste"], page_size=50,
                         sleep=waits.append)
    assert res.retries["401"] > 0 and res.retries["429"] > 0 and res.retries["5xx"] > 0
    assert 2.0 in waits
    for t in ("generators", "medical_waste"):
        assert_equals_world(lake_home, sw_world, t)
    with pytest.raises(connector.PlatformError, match="401"):
        connector.pull(lake_home, srv.url, app_secret="wrong", sleep=no_wait)


def test_faults_and_a_crash_half_way_still_equal_the_world(sw_world, lake_home, server_factory):
    """The issue's definition of done: expired tokens, 429s, 5xx and a crash half way, then a resumed run."""
    srv = server_factory(rate_limit_every=6, retry_after_seconds=1, error_rate=0.25, token_max_uses=5)
    with pytest.raises(connector.PullInterrupted):
        connector.pull(lake_home, srv.url, page_size=120, stop_after_pages=12, sleep=no_wait)
    connector.pull(lake_home, srv.url, page_size=120, sleep=no_wait)
    want = world_latest(sw_world, "manifests")
    rows = lake(lake_home, "manifests")
    got = latest(rows)
    assert len({(r["record_key"], r["updated_at"]) for r in rows}) == len(rows)  # no duplicates
    assert len(got) == len(want)  # same number of manifests
    for col in ("shipped_t", "received_t"):  # same totals
        assert sum(r[col] or 0 for r in got.values()) == pytest.approx(sum(r[col] or 0 for r in want.values()))
    for t in TABLES:
        assert_equals_world(lake_home, sw_world, t)
    log = duckdb.execute(f"select sum(received), sum(loaded + quarantined + duplicates), count(*) "
                         f"from read_parquet('{lake_home.load_log}/*.parquet')").fetchall()[0]
    assert log[0] == log[1] and log[2] > 12
    assert srv.platform.counts["429"] > 0 and srv.platform.counts["5xx"] > 0 and srv.platform.counts["401"] > 0


def test_token_expiry_relogin(sw_world, lake_home, server_factory):
    srv = server_factory()
    client = connector.PlatformClient(srv.url, "zteco-dev", "zteco-dev-secret", sleep=no_wait)
    try:
        first = client.page("receivers", updated_from=None, updated_to=None, page_no=1, page_size=10)
        assert first.status_code == 200 and client.logins == 1
        srv.platform.expire_tokens()  # the platform forgets every token: next call is 401
        again = client.page("receivers", updated_from=None, updated_to=None, page_no=1, page_size=10)
        assert again.status_code == 200
        assert client.logins == 2 and client.result.retries["401"] == 1
    finally:
        client.close()


def test_bad_credentials_refused(sw_world, lake_home, server_factory):
    srv = server_factory()
    with pytest.raises(connector.PlatformError, match="401"):
        connector.pull(lake_home, srv.url, app_key="zteco-dev", app_secret="wrong", sleep=no_wait)


def test_paging_has_no_gaps(sw_world, lake_home, server_factory):
    srv = server_factory()
    res = connector.pull(lake_home, srv.url, tables=["manifests"], page_size=97, sleep=no_wait)
    n = len(world_latest(sw_world, "manifests"))
    assert res.tables["manifests"].pages == math.ceil(n / 97)
    assert res.tables["manifests"].loaded == n
    page_files = sorted((lake_home.landing / "solidwaste" / "pages" / "manifests").glob("**/*.json"))
    assert len(page_files) == math.ceil(n / 97)
    # The raw page is kept exactly as the platform sent it.
    doc = json.loads(page_files[0].read_bytes())
    assert doc["code"] == 0 and len(doc["data"]["records"]) == 97 and "generatorKey" in doc["data"]["records"][0]


def test_429_retry_after_honoured(sw_world, lake_home, server_factory):
    srv = server_factory(rate_limit_every=2, retry_after_seconds=7)
    waits: list[float] = []
    res = connector.pull(lake_home, srv.url, tables=["receivers", "medical_waste"], sleep=waits.append)
    assert waits and all(w == 7.0 for w in waits)
    assert len(waits) == srv.platform.counts["429"] == res.retries["429"]
    assert_equals_world(lake_home, sw_world, "medical_waste")


def test_5xx_retried_with_backoff_then_given_up(sw_world, lake_home, server_factory):
    srv = server_factory(error_rate=1.0)  # every first attempt of every page fails
    waits: list[float] = []
    res = connector.pull(lake_home, srv.url, tables=["receivers"], sleep=waits.append)
    assert res.retries["5xx"] == 1 and waits == [0.5]
    assert_equals_world(lake_home, sw_world, "receivers")
    # max_attempts=1: the platform error is raised, not swallowed.
    srv2 = server_factory(error_rate=1.0)
    with pytest.raises(connector.PlatformError, match="HTTP 5"):
        connector.pull(Home(lake_home.root / "other").ensure(), srv2.url, tables=["receivers"], sleep=no_wait,
                       max_attempts=1)


def test_slow_page_times_out_and_is_retried(sw_world, lake_home, server_factory):
    srv = server_factory(slow_rate=1.0, slow_seconds=1.5)  # the first attempt of every page is slow
    res = connector.pull(lake_home, srv.url, tables=["receivers"], sleep=no_wait, timeout=0.3)
    assert srv.platform.counts["slow"] == 1 and res.retries["network"] == 1
    assert_equals_world(lake_home, sw_world, "receivers")


def test_backoff_is_exponential(sw_world, server_factory):
    srv = server_factory()
    srv.stop()  # nothing listens any more: connection refused every time
    waits: list[float] = []
    client = connector.PlatformClient(srv.url, "k", "s", sleep=waits.append, max_attempts=5)
    with pytest.raises(connector.PlatformError):
        client.login()
    assert waits == [0.5, 1.0, 2.0, 4.0]


def test_interrupted_run_resumes_without_duplicates_or_gaps(sw_world, lake_home, server_factory):
    srv = server_factory(rate_limit_every=4)
    with pytest.raises(connector.PullInterrupted):
        connector.pull(lake_home, srv.url, page_size=150, stop_after_pages=5, sleep=no_wait)
    cursors = connector.read_cursors(lake_home)
    assert "declarations" in cursors  # generators (1 page of 290) done, declarations half way
    n_half = len(lake(lake_home, "declarations"))
    assert 0 < n_half < len(world_latest(sw_world, "declarations"))
    res = connector.pull(lake_home, srv.url, page_size=150, sleep=no_wait)
    assert res.tables["declarations"].duplicates > 0  # the overlap re-read what was already written
    for t in TABLES:
        assert_equals_world(lake_home, sw_world, t)
    assert res.balanced


def test_rerun_and_overlapping_windows_never_duplicate(sw_world, lake_home, server_factory):
    srv = server_factory()
    first = connector.pull(lake_home, srv.url, sleep=no_wait)
    n = {t: len(lake(lake_home, t)) for t in TABLES}
    again = connector.pull(lake_home, srv.url, sleep=no_wait, overlap=timedelta(days=400))
    assert {t: len(lake(lake_home, t)) for t in TABLES} == n
    assert again.tables["manifests"].loaded == 0 and again.tables["manifests"].duplicates > 0
    assert first.tables["manifests"].loaded == n["manifests"]


def test_later_version_supersedes_and_history_is_kept(sw_world, lake_home, server_factory):
    # A manifest the world first published in transit and received days later.
    versions = [r for r in world_versions(sw_world, "manifests")]
    late = next(r for r in versions if r["status"] == "in_transit"
                and any(v["record_key"] == r["record_key"] and v["status"] == "received" for v in versions))
    t1 = datetime.fromisoformat(late["updated_at"]) + timedelta(seconds=1)
    srv = server_factory(clock=t1)
    connector.pull(lake_home, srv.url, tables=["manifests", "declarations"], sleep=no_wait)
    assert latest(lake(lake_home, "manifests"))[late["record_key"]]["status"] == "in_transit"
    srv.platform.config.clock = datetime(2021, 6, 30, 23, 59, 59)
    connector.pull(lake_home, srv.url, tables=["manifests", "declarations"], sleep=no_wait)
    rows = [r for r in lake(lake_home, "manifests") if r["record_key"] == late["record_key"]]
    statuses = [r["status"] for r in sorted(rows, key=lambda r: r["updated_at"])]
    assert statuses[0] == "in_transit" and statuses[-1] in ("received", "closed") and len(statuses) >= 2
    got = latest(lake(lake_home, "manifests"))[late["record_key"]]
    assert got["received_t"] is not None and got["receiver_signed_at"] is not None
    assert_equals_world(lake_home, sw_world, "manifests")


def test_records_updated_while_paging_are_not_skipped(sw_world, lake_home, server_factory):
    t1, t2 = datetime(2020, 6, 30, 23, 59, 59), datetime(2021, 6, 30, 23, 59, 59)
    # Generators that close between t1 and t2 leave a window read at t1 (their current version moves on).
    at_t1, at_t2 = world_latest(sw_world, "generators", t1), world_latest(sw_world, "generators", t2)
    order = sorted(at_t1.values(), key=lambda r: (r["updated_at"], r["record_key"]))
    leavers = [i for i, r in enumerate(order) if at_t2[r["record_key"]]["updated_at"] > r["updated_at"]]
    assert leavers and min(leavers) < 180  # one of them sits in the pages read before the clock moves
    srv = server_factory(clock=t1, rate_limit_every=10)

    def time_passes(_seconds: float) -> None:  # while the connector waits (after 9 pages), the platform moves on
        srv.platform.config.clock = t2

    connector.pull(lake_home, srv.url, tables=["generators"], page_size=20, sleep=time_passes)
    # Every record whose current version still lies in the pulled window was read: none skipped because
    # others left the window and shifted the offset pages.
    stay = {k for k, r in at_t2.items() if r["updated_at"] <= "2020-06-30 23:59:59"}
    got = set(latest(lake(lake_home, "generators")))
    assert len(stay) > 250 and stay <= got
    connector.pull(lake_home, srv.url, tables=["generators"], sleep=no_wait)
    assert_equals_world(lake_home, sw_world, "generators", t2)


def test_corrected_declaration_supersedes(sw_world, lake_home, server_factory):
    decl = world_versions(sw_world, "declarations")
    fixed = next(r for r in decl if r["is_correction"])
    first = next(r for r in decl if r["record_key"] == fixed["record_key"] and not r["is_correction"])
    srv = server_factory(clock=datetime.fromisoformat(first["updated_at"]) + timedelta(hours=1))
    connector.pull(lake_home, srv.url, tables=["declarations"], sleep=no_wait)
    srv.platform.config.clock = datetime(2021, 6, 30, 23, 59, 59)
    connector.pull(lake_home, srv.url, tables=["declarations"], sleep=no_wait)
    rows = sorted((r for r in lake(lake_home, "declarations") if r["record_key"] == fixed["record_key"]),
                  key=lambda r: r["updated_at"])
    assert [r["is_correction"] for r in rows] == [False, True]
    assert rows[0]["transferred_t"] == pytest.approx(first["transferred_t"])
    assert rows[1]["transferred_t"] == pytest.approx(fixed["transferred_t"])
    assert rows[0]["transferred_t"] != pytest.approx(rows[1]["transferred_t"])


def test_schema_drift_added_field_kept_and_reported(sw_world, lake_home, server_factory, caplog):
    srv = server_factory(drift={"manifests": "added_field"})
    res = connector.pull(lake_home, srv.url, tables=["manifests"], sleep=no_wait)
    assert res.drift == {"manifests": {"added": ["remark"], "missing": []}}
    assert "schema drift on manifests" in caplog.text
    rows = lake(lake_home, "manifests")
    assert rows and all(json.loads(r["extra_json"]) == {"remark": "平台新增字段"} for r in rows)
    assert_equals_world(lake_home, sw_world, "manifests")
    drift_log = (connector.state_dir(lake_home) / "drift.jsonl").read_text(encoding="utf-8")
    assert "remark" in drift_log


def test_schema_drift_missing_field_quarantines_page(sw_world, lake_home, server_factory):
    srv = server_factory(drift={"declarations": "missing_field"})
    res = connector.pull(lake_home, srv.url, tables=["declarations"], sleep=no_wait, page_size=300)
    n = len(world_latest(sw_world, "declarations"))
    assert res.drift == {"declarations": {"added": [], "missing": ["generatedT"]}}
    assert res.tables["declarations"].loaded == 0 and res.tables["declarations"].quarantined == n
    assert lake(lake_home, "declarations") == []
    q = [r for f in (lake_home.quarantine / "solidwaste" / "declarations").glob("*.parquet")
         for r in pq.read_table(f).to_pylist()]
    assert len(q) == n
    assert all(r["rule"] == "schema_missing_field" and "generatedT" in r["reason"] for r in q)
    assert all(r["source_file"].startswith("landing/solidwaste/pages/declarations/") for r in q)
    assert {r["line_no"] for r in q} >= {1, 2, 3}
    assert res.balanced


def test_load_log_balances(sw_world, lake_home, server_factory):
    srv = server_factory(rate_limit_every=3)
    connector.pull(lake_home, srv.url, sleep=no_wait, page_size=250)
    res2 = connector.pull(lake_home, srv.url, sleep=no_wait, page_size=250)
    log = duckdb.sql(f"select * from read_parquet('{lake_home.load_log}/*.parquet')").fetchall()
    cols = [d[0] for d in duckdb.sql(f"select * from read_parquet('{lake_home.load_log}/*.parquet') limit 0").description]
    rows = [dict(zip(cols, r, strict=True)) for r in log]
    assert rows and all(r["received"] == r["loaded"] + r["quarantined"] + r["duplicates"] for r in rows)
    assert all(r["source"] == "solidwaste.platform" for r in rows)
    # Loaded rows in the log = rows in the lake; every page in the log exists as a raw file.
    assert sum(r["loaded"] for r in rows) == sum(len(lake(lake_home, t)) for t in TABLES)
    assert all((lake_home.root / r["source_file"]).exists() for r in rows)
    assert res2.tables["manifests"].loaded == 0


def test_pipeline_pull_replays_the_simulator(sw_world, tmp_path, monkeypatch):
    monkeypatch.delenv("ZTECO_SW_BASE_URL", raising=False)
    home = Home(tmp_path / "pipe").ensure()
    shutil.copytree(sw_world.world / "solidwaste_platform", home.world / "solidwaste_platform")
    res = connector.pull_for_pipeline(home)
    assert res.mode == "simulator" and len(res.results) == 18  # month ends 2020-01 .. 2021-06
    assert res.balanced
    # one load id per replayed pull (several run within one wall-clock second), named by its platform clock
    ids = [r.load_id for r in res.results]
    assert len(set(ids)) == 18 and ids[0].startswith("solidwaste:2020-01-31:")
    assert {r["load_id"] for r in lake(home, "manifests")} <= set(ids)
    for t in TABLES:
        assert_equals_world(home, sw_world, t)
    # History: some manifests were seen in transit at a month end and received later.
    rows = lake(home, "manifests")
    by_key: dict[str, set[str]] = {}
    for r in rows:
        by_key.setdefault(r["record_key"], set()).add(r["status"])
    assert any({"in_transit", "closed"} <= s for s in by_key.values())
    # Every correction the world made is seen as a second version (a month end lies between the two).
    with (sw_world.world / "solidwaste_anomalies.csv").open(encoding="utf-8") as f:
        corrected = {r["record_key"] for r in csv.DictReader(f) if r["kind"] == "declaration_corrected"}
    n_versions: dict[str, int] = {}
    for r in lake(home, "declarations"):
        n_versions[r["record_key"]] = n_versions.get(r["record_key"], 0) + 1
    assert corrected and all(n_versions[k] >= 2 for k in corrected)
    # fetched_at is the platform clock of the replayed pull
    assert min(r["fetched_at"] for r in rows) == datetime(2020, 1, 31, 23, 59, 59)
    again = connector.pull_for_pipeline(home)
    assert len(again.results) == 1 and again.totals()["loaded"] == 0


def test_a_real_platform_without_credentials_is_refused(tmp_path, monkeypatch):
    """The simulator's development key is accepted only on loopback: a real URL needs the environment's key."""
    monkeypatch.delenv("ZTECO_SW_APP_KEY", raising=False)
    monkeypatch.delenv("ZTECO_SW_APP_SECRET", raising=False)
    home = Home(tmp_path / "home").ensure()
    with pytest.raises(connector.PlatformError, match="ZTECO_SW_APP_KEY"):
        connector.pull(home, "https://gfpt.example.invalid/api")
    assert connector._credentials("http://127.0.0.1:8000", None, None)[0]  # the local simulator still works
    monkeypatch.setenv("ZTECO_SW_APP_KEY", "k")
    monkeypatch.setenv("ZTECO_SW_APP_SECRET", "s")
    assert connector._credentials("https://gfpt.example.invalid/api", None, None) == ("k", "s")
