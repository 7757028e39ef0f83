"""The pipeline figures: world homes, the full backfill, the incremental day, the evaluation extract, profile.

Every command runs as a child process through the real CLI (``zteco``) with its own ZTECO_HOME and
DAGSTER_HOME, timed by wall clock and with the memory of its whole process tree sampled (tests/bench/proc.py).

A world home is generated once and kept (``bench-pristine.txt`` lists the files the generation wrote);
before a timed backfill every file the pipeline wrote since (lake, warehouse, serving copy, Dagster run
history, connector state, pulled pages, extracts) is removed, so the backfill always starts from the
landed raw data only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ingestion.common.home import REPO_ROOT, Home
from tests.bench.proc import run_timed

PRISTINE = "bench-pristine.txt"
WORLD_SUMMARY = "bench-world.json"
BIN = Path(sys.executable).parent

GENERATE_SCRIPT = """
import json, sys
from datetime import date
from orchestration.env import prepare_env
from ingestion.simulate.generate import generate
from ingestion.simulate.world import WorldConfig
home = prepare_env()
cfg = WorldConfig(size=int(sys.argv[1]), start=date.fromisoformat(sys.argv[2]), end=date.fromisoformat(sys.argv[3]))
print("BENCH_WORLD " + json.dumps(generate(cfg, home), default=str))
"""


def env_for(home: Home) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env.update(
        {
            "ZTECO_HOME": str(home.root),
            "DAGSTER_HOME": str(home.dagster_home),
            "DAGSTER_DISABLE_TELEMETRY": "1",
            "PYTHONPATH": str(REPO_ROOT),
        }
    )
    return env


def world_home(root: Path, size: int, start: date, end: date, nice: int, log: Path) -> tuple[Home, dict]:
    """The world home for (size, start, end), generated unless a complete earlier generation is there."""
    home = Home(root)
    summary_path = root / WORLD_SUMMARY
    if summary_path.exists() and (root / PRISTINE).exists():
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        summary["generation_reused"] = True
        return home, summary
    shutil.rmtree(root, ignore_errors=True)
    home.ensure()
    timed = run_timed(
        [str(BIN / "python"), "-c", GENERATE_SCRIPT, str(size), start.isoformat(), end.isoformat()],
        env_for(home),
        log,
        nice=nice,
    )
    text = log.read_text(encoding="utf-8", errors="replace")
    line = [ln for ln in text.splitlines() if ln.startswith("BENCH_WORLD ")][-1]
    summary = {
        "size": size,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "generate_wall_s": round(timed.wall_s, 1),
        "generate_peak_rss_mib": round(timed.peak_rss_mib),
        "counts": json.loads(line.removeprefix("BENCH_WORLD ")),
    }
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    summary["landing_mib"] = round(
        sum((root / f).stat().st_size for f in files if f.startswith("landing/")) / 2**20, 1
    )
    (root / PRISTINE).write_text("\n".join(files) + "\n", encoding="utf-8")
    summary_path.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    summary["generation_reused"] = False
    return home, summary


def reset_to_landing(home: Home) -> int:
    """Remove every file the pipeline wrote since generation; returns how many were removed."""
    keep = set((home.root / PRISTINE).read_text(encoding="utf-8").splitlines())
    keep |= {PRISTINE, WORLD_SUMMARY}
    removed = 0
    for p in sorted(home.root.rglob("*"), reverse=True):
        rel = str(p.relative_to(home.root))
        if rel.startswith("bench-"):
            continue
        if p.is_file() or p.is_symlink():
            if rel not in keep:
                p.unlink()
                removed += 1
        elif p.is_dir() and not any(p.iterdir()):
            p.rmdir()
    home.ensure()
    return removed


def zteco_run(home: Home, log: Path, nice: int, start: date | None = None, end: date | None = None) -> dict:
    args = [str(BIN / "zteco"), "run"]
    if start:
        args += ["--start", start.isoformat(), "--end", (end or start).isoformat()]
    timed = run_timed(args, env_for(home), log, nice=nice)
    out = timed.as_dict()
    out["run_ids"] = run_ids(log, since_marker=" ".join(args))
    return out


def run_ids(log: Path, since_marker: str) -> dict[str, str]:
    """Dagster run ids of the last ``zteco run`` in the log: its "done in … (run <id>)" lines."""
    text = log.read_text(encoding="utf-8", errors="replace")
    text = text[text.rfind(since_marker) :]
    ids, job = {}, None
    for line in text.splitlines():
        if "monitoring_daily_job:" in line and line.startswith("[1/2]"):
            job = "monitoring_daily_job"
        elif line.startswith("[2/2]"):
            job = "warehouse_job"
        elif job and "done in" in line and "(run " in line:
            ids[job] = line.rsplit("(run ", 1)[1].rstrip(")")
    return ids


STEP_STATS_SCRIPT = """
import json, sys
from dagster import DagsterInstance
inst = DagsterInstance.get()
out = {}
for run_id in sys.argv[1:]:
    rs = inst.get_run_stats(run_id)
    steps = inst.get_run_step_stats(run_id)
    out[run_id] = {"run_s": (rs.end_time or 0) - (rs.launch_time or rs.start_time or 0),
                   "steps": sorted(((s.step_key, round((s.end_time or 0) - (s.start_time or 0), 2))
                                    for s in steps), key=lambda kv: -kv[1])}
print("BENCH_STEPS " + json.dumps(out))
"""


def step_stats(home: Home, ids: list[str]) -> dict[str, Any]:
    if not ids:
        return {}
    proc = subprocess.run(
        [str(BIN / "python"), "-c", STEP_STATS_SCRIPT, *ids],
        env=env_for(home),
        capture_output=True,
        text=True,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH_STEPS "):
            return json.loads(line.removeprefix("BENCH_STEPS "))
    return {"error": (proc.stderr or proc.stdout)[-1500:]}


def dbt_run_results(warehouse_run_id: str) -> dict[str, Any]:
    """The dbt step's target/run_results.json (dagster-dbt names the target folder by the run id)."""
    found = sorted(
        (REPO_ROOT / "dbt_project" / "target").glob(
            f"warehouse_dbt_assets-{warehouse_run_id[:7]}-*/run_results.json"
        )
    )
    if not found:
        return {"error": f"no run_results.json for run {warehouse_run_id}"}
    rr = json.loads(found[-1].read_text(encoding="utf-8"))
    results = rr["results"]

    def kind(r: dict) -> str:
        return r["unique_id"].split(".", 1)[0]

    by_kind: dict[str, dict[str, float]] = {}
    for r in results:
        k = by_kind.setdefault(kind(r), {"count": 0, "sum_s": 0.0})
        k["count"] += 1
        k["sum_s"] = round(k["sum_s"] + r["execution_time"], 2)
    models = sorted((r for r in results if kind(r) == "model"), key=lambda r: -r["execution_time"])
    tests = sorted(
        (r for r in results if kind(r) in ("test", "unit_test")), key=lambda r: -r["execution_time"]
    )
    return {
        "file": str(found[-1].relative_to(REPO_ROOT)),
        "dbt_elapsed_s": round(rr.get("elapsed_time", 0.0), 2),
        "threads": rr.get("args", {}).get("threads"),
        "by_resource_type": by_kind,
        "slowest_models_s": {
            r["unique_id"].rsplit(".", 1)[1]: round(r["execution_time"], 2) for r in models[:15]
        },
        "slowest_tests_s": {
            ".".join(r["unique_id"].split(".")[2 : 4 if kind(r) == "unit_test" else 3]): round(
                r["execution_time"], 2
            )
            for r in tests[:5]
        },
    }


def profile(home: Home, run: dict) -> dict[str, Any]:
    """Where a ``zteco run``'s time went: per Dagster run and step, and dbt's slowest models."""
    ids = run.get("run_ids", {})
    stats = step_stats(home, list(ids.values()))
    out: dict[str, Any] = {"wall_s": run["wall_s"], "runs": {}}
    for job, rid in ids.items():
        s = stats.get(rid) or {}
        out["runs"][job] = {
            "run_id": rid,
            "run_s": round(s.get("run_s", 0.0), 1),
            "steps_s": dict(s.get("steps", [])[:20]),
        }
    if "error" in stats:
        out["step_stats_error"] = stats["error"]
    accounted = sum(r["run_s"] for r in out["runs"].values())
    out["outside_dagster_runs_s"] = round(run["wall_s"] - accounted, 1)  # CLI start-up, imports, definitions
    if "warehouse_job" in ids:
        out["dbt"] = dbt_run_results(ids["warehouse_job"])
    return out


def evaluation(home: Home, log: Path, nice: int, as_of: date) -> dict:
    args = [str(BIN / "zteco"), "evaluate", "--kind", "final", "--as-of", as_of.isoformat()]
    return run_timed(args, env_for(home), log, nice=nice).as_dict()


def first_days_home(root: Path, size: int, start: date, nice: int, log: Path) -> tuple[Home, dict, date]:
    """A home whose history is only the first two days: the honest "start of the history"."""
    second = start + timedelta(days=1)
    home, summary = world_home(root, size, start, second, nice, log)
    return home, summary, second


def ensure_backfilled(home: Home, log: Path, nice: int) -> dict | None:
    """Backfill (untimed for the report) when the home has no serving DB yet; None when it has one."""
    if home.serving.exists():
        return None
    reset_to_landing(home)
    return zteco_run(home, log, nice)
