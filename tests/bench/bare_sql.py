"""The engine's own limit: the dbt project's transformations as bare DuckDB SQL over the same lake.

``dbt compile`` (into a private target path, never dbt_project/target) gives every model's compiled SQL;
this module then, in a FRESH DuckDB file with the profile's settings (memory_limit, threads = DuckDB's
default, i.e. every core), and with no dbt, no Dagster and no Python between statements:

included (timed)   the lake registration of ``on-run-start`` (one view per lake source over the same
                   Parquet, exactly as macros/register_lake_sources.sql writes it) and every model, in
                   the DAG's order, as ``CREATE VIEW`` (staging) or ``CREATE TABLE ... AS`` (the rest),
                   one statement each, as their materialisation in dbt_project.yml says;
excluded           the seeds (copied untimed from the pipeline's warehouse: loading small CSVs is not
                   a transformation), dbt's data tests and unit tests, the serving copy (publish), and
                   the ingestion landing → lake (the reference starts from the lake the pipeline wrote).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from ingestion.common.home import REPO_ROOT, Home

DBT_DIR = REPO_ROOT / "dbt_project"


def compile_project(home: Home, target_path: Path, log: Path) -> dict:
    """``dbt compile`` against the home (its built warehouse answers introspective queries)."""
    env = {**os.environ, "ZTECO_HOME": str(home.root), "DAGSTER_HOME": str(home.dagster_home)}
    dbt = str(Path(sys.executable).parent / "dbt")
    with log.open("ab") as out:
        subprocess.run(
            [
                dbt,
                "compile",
                "--project-dir",
                str(DBT_DIR),
                "--profiles-dir",
                str(DBT_DIR),
                "--target-path",
                str(target_path),
                "--quiet",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
            cwd=REPO_ROOT,
        )
    return json.loads((target_path / "manifest.json").read_text(encoding="utf-8"))


def model_order(manifest: dict) -> list[str]:
    """Models in an order where every model comes after the models it depends on."""
    models = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] == "model"}
    graph = {k: [d for d in v["depends_on"]["nodes"] if d in models] for k, v in models.items()}
    return list(TopologicalSorter(graph).static_order())


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lake_views(manifest: dict, home: Home) -> list[tuple[str, str]]:
    """(relation, CREATE VIEW statement) of every lake source, as register_lake_sources writes them."""
    out = []
    con = duckdb.connect()
    try:
        for uid in sorted(manifest["sources"]):
            node = manifest["sources"][uid]
            meta = (node.get("config") or {}).get("meta") or node.get("meta") or {}
            if node["package_name"] != "zteco" or not meta.get("lake_path"):
                continue
            pattern = (home.lake / meta["lake_path"]).as_posix().replace("'", "''") + "/**/*.parquet"
            n = con.execute(f"select count(*) from glob('{pattern}')").fetchone()[0]
            if n:
                body = (
                    f"select * from read_parquet('{pattern}', hive_partitioning = true, union_by_name = true)"
                )
            else:
                casts = [f"cast(null as {c['data_type']}) as {c['name']}" for c in node["columns"].values()]
                body = "select " + ", ".join(casts) + " where 1 = 0"
            rel = f"{_q(node['schema'])}.{_q(node['identifier'])}"
            out.append((node["schema"], f"create or replace view {rel} as {body}"))
    finally:
        con.close()
    return out


def same_rows_as_pipeline(
    con: duckdb.DuckDBPyConnection, manifest: dict, order: list[str], home: Home
) -> dict:
    """Tables whose row count differs from the pipeline's warehouse (untimed): {model: [bare, pipeline]}."""
    con.execute(f"attach '{home.warehouse}' as pipeline_wh (read_only)")
    out = {}
    try:
        for uid in order:
            node = manifest["nodes"][uid]
            if node["config"]["materialized"] == "view":
                continue
            rel = f"{_q(node['schema'])}.{_q(node['alias'])}"
            bare = con.execute(f"select count(*) from {node['relation_name']}").fetchone()[0]
            ref = con.execute(f"select count(*) from pipeline_wh.{rel}").fetchone()[0]
            if bare != ref:
                out[node["name"]] = [bare, ref]
    finally:
        con.execute("detach pipeline_wh")
    return out


def run_bare_sql(home: Home, work: Path, log: Path, memory_limit: str = "4GB") -> dict:
    """Build the models in a fresh DuckDB; returns the timed wall and per-model seconds."""
    target = work / "target"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    t0 = time.perf_counter()
    manifest = compile_project(home, target, log)
    compile_s = time.perf_counter() - t0
    db_name = manifest["nodes"][next(iter(model_order(manifest)))]["database"]
    db = work / f"{db_name}.duckdb"  # same catalog name as the warehouse: compiled SQL names it
    con = duckdb.connect(str(db), config={"memory_limit": memory_limit, "temp_directory": str(work / "tmp")})
    try:
        # Seeds: copied from the pipeline's warehouse (untimed; see the module docstring).
        con.execute(f"attach '{home.warehouse}' as wh (read_only)")
        for node in manifest["nodes"].values():
            if node["resource_type"] != "seed":
                continue
            con.execute(f"create schema if not exists {_q(node['schema'])}")
            con.execute(
                f"create table {_q(node['schema'])}.{_q(node['alias'])} as "
                f"select * from wh.{_q(node['schema'])}.{_q(node['alias'])}"
            )
        con.execute("detach wh")
        order = model_order(manifest)
        per_model: dict[str, float] = {}
        t_start = time.perf_counter()
        for schema, stmt in lake_views(manifest, home):
            con.execute(f"create schema if not exists {_q(schema)}")
            con.execute(stmt)
        lake_s = time.perf_counter() - t_start
        for uid in order:
            node = manifest["nodes"][uid]
            mat = node["config"]["materialized"]
            kind = "view" if mat == "view" else "table"
            sql = node["compiled_code"].strip().rstrip(";")
            t = time.perf_counter()
            con.execute(f"create schema if not exists {_q(node['schema'])}")
            con.execute(f"create or replace {kind} {node['relation_name']} as {sql}")
            per_model[node["name"]] = time.perf_counter() - t
        wall = time.perf_counter() - t_start
        mismatches = same_rows_as_pipeline(con, manifest, order, home)
    finally:
        con.close()
    slowest = sorted(per_model.items(), key=lambda kv: -kv[1])[:15]
    return {
        "bare_sql_s": round(wall, 2),
        "lake_registration_s": round(lake_s, 2),
        "models": len(per_model),
        "views": sum(1 for u in order if manifest["nodes"][u]["config"]["materialized"] == "view"),
        "dbt_compile_s_untimed": round(compile_s, 1),
        "memory_limit": memory_limit,
        "threads": "duckdb default (every core)",
        "slowest_models_s": {k: round(v, 2) for k, v in slowest},
        "db_mib": round(db.stat().st_size / 2**20, 1),
        "tables_checked_against_pipeline": sum(
            1 for u in order if manifest["nodes"][u]["config"]["materialized"] != "view"
        ),
        "row_count_mismatches": mismatches,
        "includes": "lake source views (on-run-start) + every model as CREATE VIEW/TABLE AS in DAG order, "
        "one DuckDB connection",
        "excludes": "seeds (copied untimed), dbt data/unit tests, serving copy, landing → lake ingestion, "
        "dbt/Dagster start-up",
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.bench.bare_sql HOME WORK``: prints ``BENCH_BARE <json>`` (run as a child process
    by tests/bench/run.py so that its memory is sampled on its own)."""
    args = argv if argv is not None else sys.argv[1:]
    home, work = Home(Path(args[0]).resolve()), Path(args[1]).resolve()
    result = run_bare_sql(home, work, work.parent / "bare_sql-dbt-compile.log")
    print("BENCH_BARE " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
