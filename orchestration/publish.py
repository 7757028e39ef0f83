"""Publish the serving database: copy the warehouse to a temp file, then os.replace it in place.

Superset holds the serving file open read-only; the pipeline never writes to it. A query in
flight keeps its (now unlinked) file until it finishes.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from ingestion.common.home import Home


def publish_serving(home: Home) -> dict:
    t0 = time.perf_counter()
    if not home.warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {home.warehouse}: run the pipeline first (zteco run)")
    home.serving.parent.mkdir(parents=True, exist_ok=True)
    tmp = home.serving.with_name(f".{home.serving.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"attach '{home.warehouse}' as wh (read_only)")
        con.execute(f"attach '{tmp}' as serving_tmp")
        # Marts live in schema main; staging views read the lake by path and are not served.
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'wh' "
            "and table_schema = 'main' and table_type = 'BASE TABLE' order by 1").fetchall()]
        for t in tables:
            con.execute(f'create table serving_tmp.main."{t}" as select * from wh.main."{t}"')
        con.execute("detach serving_tmp")
        con.execute("detach wh")
    finally:
        con.close()
    os.replace(tmp, home.serving)
    Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return {"path": str(home.serving), "tables": len(tables), "seconds": round(time.perf_counter() - t0, 3)}
