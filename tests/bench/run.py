"""`make bench`: speed, memory and how cost grows; each figure measured in one run against its reference.

    python -m tests.bench.run [--size 12] [--start 2020-01-01] [--end 2025-12-31]
                              [--only decode,receiver,backfill,incremental,serving,evaluation]
                              [--home DIR] [--packets N] [--connections N] [--rounds N] [--nice N]

Writes ``$ZTECO_HOME/bench/report.json`` (and a timestamped copy beside it) and prints a short table.
docs/bench.md says what each figure means and what its reference is. No assertions: the tests never
time anything; this is where speed is measured.

Parts:
  decode       HJ 212 decoding (tests/bench/hj212.py) vs the per-packet reference, same packet file
  receiver     500 concurrent loopback connections to the receiver process (ingestion/receiver/bench.py)
  backfill     ``zteco run`` of the world home from its landed raw data to the published serving DB, then
               the bare DuckDB SQL of the same models over the same lake (tests/bench/bare_sql.py)
  incremental  ``zteco run --start D --end D`` of the last day of the world home, and of the second day
               of a home whose whole history is its first two days
  serving      chart data API of the plan-overview dashboard on the world home's serving DB (real Superset)
  evaluation   ``zteco evaluate --kind final --as-of 2025-12-31`` on the world home
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from ingestion.common.home import REPO_ROOT, Home
from tests.bench import pipeline as pl
from tests.bench.proc import run_timed
from tests.bench.report import Target, assemble, figure, table, write_report

PARTS = ("decode", "receiver", "backfill", "incremental", "serving", "evaluation")
EVALUATION_AS_OF = date(2025, 12, 31)

# The targets of issue 10, by figure.
TARGETS = {
    "hj212_decode_packets_per_s": Target("value", ">=", 1_000_000, "at least 1,000,000 packets/s"),
    "receiver_packets_per_s": Target("value", ">=", 20_000, "at least 20,000 packets/s with zero loss"),
    "receiver_lost_packets": Target("value", "==", 0, "zero packets lost"),
    "backfill_peak_rss_mib": Target("value", "<", 4096, "under 4 GiB (4,096 MiB)"),
    "backfill_wall_s": Target("ratio", "<=", 1.5, "at most 1.5× the bare DuckDB SQL"),
    "incremental_last_day_s": Target("ratio", "<=", 1.2, "at most 1.2× one day at the start of the history"),
    "serving_chart_p95_ms": Target("value", "<", 300, "under 300 ms"),
}


def machine() -> dict[str, Any]:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kib = next(
        int(ln.split()[1])
        for ln in Path("/proc/meminfo").read_text().splitlines()
        if ln.startswith("MemTotal:")
    )
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 2**20, 1),
        "cpu_model": cpu,
        "kernel": platform.release(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def versions() -> dict[str, Any]:
    out: dict[str, Any] = {"python": platform.python_version()}
    for dist in ("duckdb", "dagster", "dagster-dbt", "dbt-core", "dbt-duckdb", "polars", "pyarrow"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    try:
        from orchestration.superset import superset_version

        out["superset"] = superset_version()
    except Exception as e:  # noqa: BLE001 - recorded, not fatal
        out["superset"] = None
        out["superset_error"] = str(e)[:200]

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True).stdout.strip()

    out["git_commit"] = git("rev-parse", "HEAD") or None
    out["git_dirty"] = bool(git("status", "--porcelain", "--untracked-files=no"))
    return out


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.report_home = Home.from_env()
        self.bench_dir = self.report_home.root / "bench"
        self.homes = self.bench_dir / "homes"
        default_home = self.homes / f"size{args.size}-{args.start}-{args.end}"
        self.home_root = Path(args.home).resolve() if args.home else default_home
        self.logs = self.bench_dir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.figures: dict[str, dict[str, Any]] = {}
        self.sections: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self.world_home: Home | None = None
        self.machine_at_start = machine()

    # ------------------------------------------------------------------ helpers
    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def say(self, msg: str) -> None:
        print(f"[bench {datetime.now():%H:%M:%S}] {msg}", flush=True)

    def part(self, name: str, fn) -> None:
        self.say(f"{name} ...")
        t0 = time.perf_counter()
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - a part that fails leaves its figures null with the reason
            self.errors[name] = f"{type(e).__name__}: {str(e)[:1500]}"
            traceback.print_exc()
        self.say(f"{name} done in {time.perf_counter() - t0:.1f}s")

    def world(self) -> Home:
        if self.world_home is None:
            a = self.args
            home, summary = pl.world_home(self.home_root, a.size, a.start, a.end, a.nice, self.log("world"))
            self.sections["world"] = summary
            self.world_home = home
        return self.world_home

    def backfilled(self, home: Home) -> dict | None:
        """The world home's serving DB, backfilled (untimed) first if missing; not again after a failure."""
        if "backfill" in self.errors and not home.serving.exists():
            raise RuntimeError(f"the backfill failed in this run ({self.errors['backfill'][:200]})")
        return pl.ensure_backfilled(home, self.log("backfill"), self.args.nice)

    # ------------------------------------------------------------------ parts
    def decode(self) -> None:
        from tests.bench.hj212 import bench_decode

        r = bench_decode(self.args.packets, self.bench_dir / "work")
        self.sections["decode"] = r
        self.figures["hj212_decode_packets_per_s"] = figure(
            "hj212_decode_packets_per_s",
            r["hj212_decode_packets_per_s"],
            "packets/s",
            reference_name="hj212_reference_packets_per_s",
            reference_value=r["hj212_reference_packets_per_s"],
            target=TARGETS["hj212_decode_packets_per_s"],
            note=f"{r['packets']:,} packets of one file, CRC verified; agree on validity: {r['agree_on_validity']}",
        )
        self.figures["hj212_reference_packets_per_s"] = figure(
            "hj212_reference_packets_per_s",
            r["hj212_reference_packets_per_s"],
            "packets/s",
            note="per-packet Python reference decoder with the bit-by-bit CRC (tests/bench/hj212.py)",
        )

    def receiver(self) -> None:
        from ingestion.receiver.bench import bench_receiver

        r = bench_receiver(connections=self.args.connections, packets=self.args.receiver_packets)
        self.sections["receiver"] = r
        decode = self.figures.get("hj212_decode_packets_per_s", {}).get("value")
        self.figures["receiver_packets_per_s"] = figure(
            "receiver_packets_per_s",
            r["receiver_packets_per_s"],
            "packets/s",
            reference_name="hj212_decode_packets_per_s" if decode else None,
            reference_value=decode,
            target=TARGETS["receiver_packets_per_s"],
            note=f"{r['receiver_connections']} concurrent loopback connections, {r['receiver_packets']:,} packets; "
            "reference: decoding alone (the ceiling), ratio = share of it",
        )
        self.figures["receiver_lost_packets"] = figure(
            "receiver_lost_packets",
            r["receiver_lost_packets"],
            "packets",
            reference_name="receiver_acked",
            reference_value=r["receiver_acked"],
            target=TARGETS["receiver_lost_packets"],
            note="acknowledged packets missing from the landing log",
        )
        self.figures["receiver_peak_rss_mib"] = figure(
            "receiver_peak_rss_mib",
            r["receiver_peak_rss_mib"],
            "MiB",
            note="VmHWM of the receiver child process (the device simulator runs in the bench process, "
            "not counted)",
        )

    def backfill(self) -> None:
        home = self.world()
        removed = pl.reset_to_landing(home)
        self.say(f"backfill of {home.root} (reset: {removed} files the pipeline had written removed)")
        run = pl.zteco_run(home, self.log("backfill"), self.args.nice)
        self.sections["backfill"] = run
        self.sections.setdefault("profile", {})["backfill"] = pl.profile(home, run)
        self.figures["backfill_peak_rss_mib"] = figure(
            "backfill_peak_rss_mib",
            round(run["peak_rss_mib"], 1),
            "MiB",
            target=TARGETS["backfill_peak_rss_mib"],
            note="largest sum of RSS over the zteco run process tree (sampled every 0.2 s)",
        )
        self.say(f"backfill {run['wall_s']}s; bare SQL of the same models ...")
        bare = run_timed(
            [
                sys.executable,
                "-m",
                "tests.bench.bare_sql",
                str(home.root),
                str(self.bench_dir / "work" / "bare_sql"),
            ],
            {**os.environ, "PYTHONPATH": str(REPO_ROOT)},
            self.log("bare_sql"),
            nice=self.args.nice,
        )
        text = self.log("bare_sql").read_text(encoding="utf-8", errors="replace")
        result = json.loads([ln for ln in text.splitlines() if ln.startswith("BENCH_BARE ")][-1][11:])
        result["process_wall_s"] = round(bare.wall_s, 1)
        result["peak_rss_mib"] = round(bare.peak_rss_mib, 1)
        self.sections["bare_sql"] = result
        self.figures["backfill_peak_rss_mib"]["reference"] = {
            "name": "bare_sql_peak_rss_mib",
            "value": result["peak_rss_mib"],
        }
        f = self.figures["backfill_peak_rss_mib"]
        f["ratio"] = round(f["value"] / result["peak_rss_mib"], 3) if result["peak_rss_mib"] else None
        self.figures["backfill_wall_s"] = figure(
            "backfill_wall_s",
            run["wall_s"],
            "s",
            reference_name="backfill_bare_sql_s",
            reference_value=result["bare_sql_s"],
            target=TARGETS["backfill_wall_s"],
            note="zteco run: landed raw data → lake → dbt build (with tests) → published serving DB",
        )
        self.figures["backfill_bare_sql_s"] = figure(
            "backfill_bare_sql_s",
            result["bare_sql_s"],
            "s",
            note="the models' compiled SQL in DAG order in a fresh DuckDB over the same lake "
            "(tests/bench/bare_sql.py says what is in and out)",
        )
        prof = self.sections["profile"]["backfill"]
        wh = prof["runs"].get("warehouse_job", {})
        self.sections["profile"]["backfill"]["warehouse_job_vs_bare_sql"] = (
            round(wh["run_s"] / result["bare_sql_s"], 2) if wh.get("run_s") and result["bare_sql_s"] else None
        )

    def incremental(self) -> None:
        a = self.args
        home = self.world()
        if (pre := self.backfilled(home)) is not None:
            self.sections.setdefault("incremental", {})["world_home_backfill_untimed"] = pre
        first_root = self.homes / f"size{a.size}-{a.start}-first2days"
        first, summary, second = pl.first_days_home(
            first_root, a.size, a.start, a.nice, self.log("first2days")
        )
        pl.ensure_backfilled(first, self.log("first2days"), a.nice)
        first_run = pl.zteco_run(first, self.log("incremental_first"), a.nice, second)
        last_run = pl.zteco_run(home, self.log("incremental_last"), a.nice, a.end)
        months = (a.end.year - a.start.year) * 12 + a.end.month - a.start.month + 1
        self.sections["incremental"] = {
            **self.sections.get("incremental", {}),
            "first_day": {
                "day": second.isoformat(),
                "history": f"{a.start}..{second} (2 days)",
                "home": str(first.root),
                "world": summary,
                **first_run,
            },
            "last_day": {
                "day": a.end.isoformat(),
                "history": f"{a.start}..{a.end} ({months} months)",
                "home": str(home.root),
                **last_run,
            },
            "how": "both are `zteco run --start D --end D` re-running the last landed day of a home whose "
            "whole history is already built (monitoring partition of D, then the warehouse job: "
            "full dbt build and publish), as the daily schedule + sensor do",
        }
        self.sections.setdefault("profile", {})["incremental_last_day"] = pl.profile(home, last_run)
        self.sections["profile"]["incremental_first_day"] = pl.profile(first, first_run)
        self.figures["incremental_first_day_s"] = figure(
            "incremental_first_day_s",
            first_run["wall_s"],
            "s",
            note=f"day {second} of a home whose history is {a.start}..{second}",
        )
        self.figures["incremental_last_day_s"] = figure(
            "incremental_last_day_s",
            last_run["wall_s"],
            "s",
            reference_name="incremental_first_day_s",
            reference_value=first_run["wall_s"],
            target=TARGETS["incremental_last_day_s"],
            note=f"day {a.end} after {months} months of history",
        )

    def serving(self) -> None:
        from tests.bench.serving import bench_serving

        home = self.world()
        if (pre := self.backfilled(home)) is not None:
            self.sections["serving_backfill_untimed"] = pre
        r = bench_serving(home, rounds=self.args.rounds)
        self.sections["serving"] = r
        self.figures["serving_chart_p50_ms"] = figure(
            "serving_chart_p50_ms",
            r["p50_ms"],
            "ms",
            note=f"{r['requests']} chart data requests, dashboard {r['dashboard']}, one at a time; rows per chart "
            f"{ {n: c['rows'] for n, c in r['charts'].items()} }"
            + (f"; NO ROWS from {', '.join(r['charts_without_rows'])}" if r["charts_without_rows"] else ""),
        )
        self.figures["serving_chart_p95_ms"] = figure(
            "serving_chart_p95_ms",
            r["p95_ms"],
            "ms",
            reference_name="serving_chart_p50_ms",
            reference_value=r["p50_ms"],
            target=TARGETS["serving_chart_p95_ms"],
            note="reference: the median of the same requests (ratio = tail spread)",
        )

    def evaluation(self) -> None:
        home = self.world()
        if (pre := self.backfilled(home)) is not None:
            self.sections["evaluation_backfill_untimed"] = pre
        r = pl.evaluation(home, self.log("evaluation"), self.args.nice, EVALUATION_AS_OF)
        self.sections["evaluation"] = r
        self.figures["evaluation_wall_s"] = figure(
            "evaluation_wall_s",
            r["wall_s"],
            "s",
            note=f"zteco evaluate --kind final --as-of {EVALUATION_AS_OF} (dbt build of the progress marts "
            "as known then into a DuckDB of its own, xlsx, PDF, manifest); "
            f"peak RSS {r['peak_rss_mib']:.0f} MiB",
        )

    # ------------------------------------------------------------------ report
    def unmeasured(self, pending: str | None = None) -> dict[str, dict[str, Any]]:
        why = {p: self.errors.get(p) for p in PARTS}
        figures = dict(self.figures)
        names = {
            "decode": [
                ("hj212_decode_packets_per_s", "packets/s"),
                ("hj212_reference_packets_per_s", "packets/s"),
            ],
            "receiver": [
                ("receiver_packets_per_s", "packets/s"),
                ("receiver_lost_packets", "packets"),
                ("receiver_peak_rss_mib", "MiB"),
            ],
            "backfill": [
                ("backfill_wall_s", "s"),
                ("backfill_bare_sql_s", "s"),
                ("backfill_peak_rss_mib", "MiB"),
            ],
            "incremental": [("incremental_first_day_s", "s"), ("incremental_last_day_s", "s")],
            "serving": [("serving_chart_p50_ms", "ms"), ("serving_chart_p95_ms", "ms")],
            "evaluation": [("evaluation_wall_s", "s")],
        }
        for part, figs in names.items():
            reason = (
                f"failed: {why[part][:300]}"
                if why[part]
                else "not run (excluded by --only)"
                if part not in self.args.only
                else pending or "not measured"
            )
            for name, unit in figs:
                if name not in figures:
                    figures[name] = figure(name, None, unit, reason=reason, target=TARGETS.get(name))
        return figures

    def finish(self, started: datetime, wall: float, pending: str | None = None) -> dict[str, Any]:
        figures = self.unmeasured(pending)
        a = self.args
        m = self.machine_at_start
        m["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        sections = {
            "when": started.isoformat(timespec="seconds"),
            "bench_wall_s": round(wall, 1),
            "run": {
                "command": " ".join(["python -m tests.bench.run", *sys.argv[1:]]),
                "parts": list(a.only),
                "size": a.size,
                "start": a.start.isoformat(),
                "end": a.end.isoformat(),
                "home": str(self.home_root),
                "nice": a.nice,
                "packets": a.packets,
                "connections": a.connections,
                "rounds": a.rounds,
            },
            "machine": m,
            "versions": versions(),
            **self.sections,
        }
        if self.errors:
            sections["errors"] = self.errors
        if pending:
            sections["partial"] = f"this report was written while the run went on: {pending}"
        return assemble(figures, **sections)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=12, help="world size (12 ≈ a province; 1 = the default city)")
    ap.add_argument("--start", type=date.fromisoformat, default=date(2020, 1, 1))
    ap.add_argument("--end", type=date.fromisoformat, default=date(2025, 12, 31))
    ap.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of: {','.join(PARTS)}")
    ap.add_argument("--home", help="world home to generate / reuse (default $ZTECO_HOME/bench/homes/size…)")
    ap.add_argument("--packets", type=int, default=200_000, help="packets of the decode file")
    ap.add_argument("--connections", type=int, default=500, help="receiver: concurrent connections")
    ap.add_argument("--receiver-packets", type=int, default=100_000, help="receiver: packets pushed")
    ap.add_argument("--rounds", type=int, default=30, help="serving: rounds over the dashboard's charts")
    ap.add_argument("--nice", type=int, default=10, help="niceness of the pipeline child processes")
    args = ap.parse_args(argv)
    only = tuple(p.strip() for p in args.only.split(",") if p.strip())
    unknown = set(only) - set(PARTS)
    if unknown:
        ap.error(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    args.only = tuple(p for p in PARTS if p in only)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    bench = Bench(args)
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    bench.say(
        f"parts {','.join(args.only)}; world size {args.size} {args.start}..{args.end}; "
        f"home {bench.home_root}; logs {bench.logs}"
    )
    for i, part in enumerate(args.only):
        bench.part(part, getattr(bench, part))
        if i + 1 < len(args.only):  # a partial report after each part: a stopped run keeps what it measured
            pending = ", ".join(args.only[i + 1 :])
            partial = bench.finish(
                started, time.perf_counter() - t0, pending=f"not measured yet ({pending} pending)"
            )
            write_report(partial, bench.bench_dir, stamped_copy=False)
    report = bench.finish(started, time.perf_counter() - t0)
    latest, stamped = write_report(report, bench.bench_dir)
    print()
    print(table(report))
    if report["targets_missed"]:
        print("\ntargets missed or not checked:")
        for line in report["targets_missed"]:
            print(f"  - {line}")
    print(f"\nreport: {latest} (copy {stamped.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
