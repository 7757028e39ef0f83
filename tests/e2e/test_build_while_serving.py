"""A pipeline build while the dashboards are being queried: no query fails (issue 9, "serving without locks").

The session's real pipeline home is rebuilt for one day (`zteco run --start D --end D`: the monitoring job for
that partition, then the warehouse job — dbt build of the whole warehouse and the atomic publish of the serving
copy) while a thread keeps asking Superset for the data of the dashboards' charts. Every answer must be a 200
without a chart error, and the serving file must have been replaced underneath (a new inode).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from ingestion.common.home import Home
from tests.conftest import TEST_WORLD_END, run_zteco

# it makes new loads in the shared session home: tests/conftest.py runs it after every other test
pytestmark = [pytest.mark.timeout(1200), pytest.mark.rebuilds_pipeline_home]


def test_a_build_while_dashboards_are_queried_fails_no_query(superset, serving_home):
    home = Home(Path(serving_home))
    inode_before = os.stat(home.serving).st_ino
    charts = sorted(superset.published["charts"].values())[:8]
    answered, failures = [], []
    stop = threading.Event()

    def query() -> None:
        while not stop.is_set():
            # a client per round: the build can outlive one access token (it is renewed after five minutes)
            with superset.client() as client:
                for chart_id in charts:
                    try:
                        r = client.get(f"/api/v1/chart/{chart_id}/data/", params={"force": "true"})
                        errors = [x.get("error") for x in r.json().get("result", [])] if r.status_code == 200 else []
                        if r.status_code != 200 or any(errors):
                            failures.append((chart_id, r.status_code, errors or r.text[:200]))
                    except Exception as exc:  # a broken connection is a failed query too
                        failures.append((chart_id, type(exc).__name__, str(exc)[:200]))
                    answered.append(chart_id)

    worker = threading.Thread(target=query, daemon=True)
    worker.start()
    try:
        proc = run_zteco(home.root, "run", "--start", TEST_WORLD_END, "--end", TEST_WORLD_END, timeout=1100)
    finally:
        stop.set()
        worker.join(timeout=120)
    assert "warehouse_job" in proc.stdout
    assert os.stat(home.serving).st_ino != inode_before, "the build did not publish a new serving copy"
    assert failures == []
    assert len(answered) >= 2 * len(charts), len(answered)
