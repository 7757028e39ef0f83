"""The solid-waste lake after ``zteco run`` (pipeline fixture, world 2020-2021): it equals the platform.

``zteco run`` has no live platform: the asset replays the monthly pulls against the in-process
simulator. Checked here from the world's own platform file (``world/solidwaste_platform``), independently
of the connector: the latest version of every record equals the world's at its last second, no version is
in the lake twice, every page of the load log balances and exists as a raw file.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingestion.solidwaste.world import TABLES

pytestmark = pytest.mark.integration


def check_lake_equals_platform(home: Path) -> None:
    clock = datetime.fromisoformat((home / "world" / "solidwaste_platform" / "clock.txt").read_text().strip())
    stamp = clock.strftime("%Y-%m-%d %H:%M:%S")
    con = duckdb.connect()
    for t in TABLES:
        want: dict[str, dict] = {}
        with (home / "world" / "solidwaste_platform" / f"{t}.jsonl").open(encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                if r["updated_at"] <= stamp:
                    want[r["record_key"]] = r  # the file is sorted by update time
        files = list((home / "lake" / "solidwaste" / t).glob("**/*.parquet"))
        if not want:
            assert not files, t
            continue
        rel = f"read_parquet('{home}/lake/solidwaste/{t}/**/*.parquet', union_by_name = true)"
        n, distinct = con.execute(f"select count(*), count(distinct (record_key, updated_at)) from {rel}").fetchone()
        assert n == distinct, f"{t}: a version is in the lake twice"
        got = dict(con.execute(f"select record_key, strftime(max(updated_at), '%Y-%m-%d %H:%M:%S') from {rel} "
                           "group by 1").fetchall())
        assert got == {k: r["updated_at"] for k, r in want.items()}, t
        assert con.execute(f"select max(fetched_at) from {rel}").fetchone()[0] <= clock
    log = con.execute(f"select source_file, received, loaded, quarantined, duplicates from "
                  f"read_parquet('{home}/lake/load_log/*.parquet') where source = 'solidwaste.platform'").fetchall()
    assert log
    for source_file, received, loaded, quarantined, duplicates in log:
        assert received == loaded + quarantined + duplicates, source_file
        assert (home / source_file).exists(), source_file
    manifests = con.execute(f"select count(distinct record_key), round(sum(shipped_t), 3) from (select * from "
                        f"read_parquet('{home}/lake/solidwaste/manifests/**/*.parquet') qualify row_number() over "
                        "(partition by record_key order by updated_at desc) = 1)").fetchone()
    want_m = {}
    with (home / "world" / "solidwaste_platform" / "manifests.jsonl").open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            want_m[r["record_key"]] = r["shipped_t"]
    assert manifests[0] == len(want_m)
    assert manifests[1] == pytest.approx(sum(want_m.values()), abs=1e-3)


def test_solidwaste_lake_equals_the_platform(pipeline_home: Path) -> None:
    check_lake_equals_platform(pipeline_home)
