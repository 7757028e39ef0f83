"""The serving pattern of shared/STACK.md, proven against the running Superset:

the pipeline never writes the file Superset reads. It writes a *different* file and
``os.replace``s it onto ``serving/zteco.duckdb``; a query in flight keeps reading the old
inode, the next query opens the new file. And the connection Superset uses is read-only and
cannot reach files or the network from SQL.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from .conftest import METRICS, RunningSuperset

pytestmark = pytest.mark.timeout(600)

CITY_PM25_CHART = "85eff8e5-554e-58e8-a511-b11e440c7452"
# ~3-6 s of DuckDB work on 2 cores: long enough to swap the file underneath it.
SLOW_SQL = "SELECT sum(hash(i) % 7) AS s FROM range(600000000) t(i)"


def group_pids(pgid: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                pids.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return pids


def open_serving_files(superset: RunningSuperset) -> set[str]:
    """Targets of the server's open file descriptors that are (or were) the serving file."""
    found = set()
    target = str(superset.home.serving)
    for pid in group_pids(superset.proc.pid):
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(fd)
            except OSError:
                continue
            if link.startswith(target):
                found.add(link)
    return found


def sqllab(superset: RunningSuperset, sql: str) -> httpx.Response:
    """Run SQL in SQL Lab through the API (JWT + CSRF token bound to the session cookie)."""
    with superset.client() as api:
        csrf = api.get("/api/v1/security/csrf_token/").json()["result"]
        return api.post(
            "/api/v1/sqllab/execute/",
            json={"database_id": superset.database_id, "sql": sql, "schema": "main", "runAsync": False,
                  "queryLimit": 100, "client_id": os.urandom(5).hex(), "tab": "e2e"},
            headers={"X-CSRFToken": csrf, "Referer": superset.url},
        )


def city_pm25_from_api(superset: RunningSuperset) -> float | None:
    chart_id = superset.published["charts"][CITY_PM25_CHART]
    with superset.client() as api:
        r = api.get(f"/api/v1/chart/{chart_id}/data/")
        assert r.status_code == 200, r.text[:500]
        return r.json()["result"][0]["data"][0]["pm25_mean"]


def test_swap_serving_file_while_superset_reads_it(superset: RunningSuperset) -> None:
    serving = superset.home.serving
    con = duckdb.connect(str(serving), read_only=True)
    try:
        (city,) = con.execute("SELECT area_code FROM dim_area WHERE area_level = 'city'").fetchone()
        (year,) = con.execute(
            "SELECT coalesce(max(year) FILTER (WHERE is_valid_year), max(year)) "
            "FROM fct_air_annual_area WHERE area_code = ?", [city]).fetchone()
        (kind,) = con.execute(
            "SELECT table_type FROM information_schema.tables WHERE table_name = 'fct_air_annual_area'"
        ).fetchone()
    finally:
        con.close()
    if kind != "BASE TABLE":
        pytest.skip(f"fct_air_annual_area is a {kind} in this serving DB; the test edits a table")
    before = city_pm25_from_api(superset)

    backup = serving.with_name(".zteco.duckdb.e2e-backup")
    staged = serving.with_name(".zteco.duckdb.e2e-next")
    shutil.copy2(serving, backup)
    in_flight: dict[str, Any] = {}

    def slow_query() -> None:
        t = time.monotonic()
        in_flight["response"] = sqllab(superset, SLOW_SQL)
        in_flight["seconds"] = time.monotonic() - t

    worker = threading.Thread(target=slow_query, daemon=True)
    try:
        worker.start()
        deadline = time.monotonic() + 30
        while not open_serving_files(superset) and time.monotonic() < deadline and worker.is_alive():
            time.sleep(0.02)
        assert open_serving_files(superset) == {str(serving)}, "Superset does not have the serving file open"

        # Superset's connection is read-only: another process can still open the file read-only
        # (a read-write DuckDB connection would hold an exclusive lock)...
        duckdb.connect(str(serving), read_only=True).close()
        # ...but a writer on the serving file itself is refused while Superset reads it (why we swap).
        try:
            duckdb.connect(str(serving)).close()
            METRICS["direct_write_while_superset_reads"] = "allowed"
        except duckdb.Error as exc:
            METRICS["direct_write_while_superset_reads"] = f"refused: {str(exc).splitlines()[0][:80]}"

        # The pipeline's way: write a different file, then replace the serving path atomically.
        shutil.copy2(serving, staged)
        writer = duckdb.connect(str(staged))
        try:
            writer.execute(
                "UPDATE fct_air_annual_area SET pm2_5_mean = coalesce(pm2_5_mean, 0) + 100 "
                "WHERE area_code = ? AND year = ?", [city, year])
            writer.execute("CHECKPOINT")
        finally:
            writer.close()
        t = time.monotonic()
        os.replace(staged, serving)
        METRICS["swap_os_replace_ms"] = round((time.monotonic() - t) * 1000, 2)
        still_open = open_serving_files(superset)
        METRICS["serving_fds_right_after_swap"] = sorted(still_open)
        worker.join(timeout=120)
        assert not worker.is_alive(), "SQL Lab query did not finish"

        # The query that was running during the swap finished on the old file.
        response = in_flight["response"]
        assert response.status_code == 200, response.text[:500]
        assert response.json()["data"][0]["s"] is not None
        METRICS["in_flight_query_seconds"] = round(in_flight["seconds"], 1)
        if still_open:
            assert still_open == {f"{serving} (deleted)"}, still_open

        # The next chart query reads the new file: no cache, no stale connection.
        assert city_pm25_from_api(superset) == pytest.approx((before or 0) + 100)
    finally:
        if worker.is_alive():
            worker.join(timeout=120)
        staged.unlink(missing_ok=True)
        if backup.exists():
            os.replace(backup, serving)  # put the original back the same way
    assert city_pm25_from_api(superset) == pytest.approx(before)


def test_serving_connection_is_read_only_and_cannot_reach_files(superset: RunningSuperset) -> None:
    ok = sqllab(superset, "SELECT count(*) AS n FROM dim_area")
    assert ok.status_code == 200, ok.text[:500]
    assert ok.json()["data"][0]["n"] > 0

    leak = sqllab(superset, "SELECT * FROM read_csv('/etc/passwd')")
    assert leak.status_code != 200 and "root:" not in leak.text
    assert "external access" in leak.text.lower() or "permission" in leak.text.lower(), leak.text[:500]

    write = sqllab(superset, "CREATE TABLE e2e_probe AS SELECT 1 AS x")
    assert write.status_code != 200 and "DML_NOT_ALLOWED_ERROR" in write.text, write.text[:500]
    con = duckdb.connect(str(superset.home.serving), read_only=True)
    try:
        assert con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'e2e_probe'").fetchone()[0] == 0
    finally:
        con.close()
