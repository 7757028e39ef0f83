"""`make bench`: speed and memory, each figure measured against its reference in the same run.

Writes bench-results/bench-<timestamp>.json and prints a short table. No assertions: the tests
never time anything; this is where speed is measured (issue 10 extends it).

    python -m tests.bench.run [--packets N] [--skip-pipeline]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from ingestion.common.home import REPO_ROOT, Home


def reference_crc(data: bytes) -> int:
    """HJ 212-2017 CRC exactly as the standard describes it, bit by bit."""
    crc = 0xFFFF
    for byte in data:
        crc = (crc >> 8) ^ byte
        for _ in range(8):
            lsb = crc & 1
            crc >>= 1
            if lsb:
                crc ^= 0xA001
    return crc


def reference_decode(line: str) -> dict | None:
    """A straightforward per-packet decoder: the baseline the project's decoder is compared with."""
    if not line.startswith("##") or not line.endswith("\r\n"):
        return None
    n = int(line[2:6])
    seg = line[6:6 + n]
    if len(seg) != n or f"{reference_crc(seg.encode()):04X}" != line[6 + n:6 + n + 4]:
        return None
    head, _, cp = seg.partition("CP=&&")
    fields = dict(kv.split("=", 1) for kv in head.rstrip(";").split(";") if kv)
    items = {}
    for group in cp.rstrip("&").split(";"):
        for kv in group.split(","):
            if "=" in kv:
                k, v = kv.split("=", 1)
                items[k] = v
    fields["CP"] = items
    return fields


def bench_hj212(n_packets: int) -> dict:
    from ingestion.hj212.codec import parse_many
    from ingestion.monitoring.simulator import land_air_packets
    from ingestion.simulate.world import WorldConfig

    with tempfile.TemporaryDirectory() as tmp:
        home = Home(Path(tmp)).ensure()
        days = max(2, n_packets // (12 * 24) + 1)
        cfg = WorldConfig(end=date.fromordinal(date(2020, 1, 1).toordinal() + days - 1))
        land_air_packets(cfg, home)
        lines = []
        for p in sorted((home.landing / "monitoring/hj212").glob("date=*/*.hj212")):
            lines += p.read_bytes().decode().splitlines(keepends=True)
        lines = lines[:n_packets]
    t0 = time.perf_counter()
    ref = [reference_decode(ln) for ln in lines]
    t_ref = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = parse_many(lines)
    t_ours = time.perf_counter() - t0
    ok_ref = sum(r is not None for r in ref)
    ok_ours = sum(not isinstance(r, Exception) for r in ours)
    return {
        "packets": len(lines),
        "bytes_per_packet": round(sum(map(len, lines)) / len(lines), 1),
        "reference_packets_per_s": round(len(lines) / t_ref),
        "project_packets_per_s": round(len(lines) / t_ours),
        "speedup": round(t_ref / t_ours, 2),
        "agree_on_valid_count": ok_ref == ok_ours,
        "target_packets_per_s": 1_000_000,
    }


def bench_pipeline() -> dict:
    """Default world, end to end through the CLI (world generation, ingestion run, warehouse run)."""
    zteco = str(Path(sys.executable).parent / "zteco")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ZTECO_HOME": tmp, "DAGSTER_HOME": f"{tmp}/dagster"}
        out = {}
        for name, args in (("world_generate_s", ["world", "generate"]), ("zteco_run_s", ["run"])):
            t0 = time.perf_counter()
            subprocess.run([zteco, *args], env=env, check=True, capture_output=True)
            out[name] = round(time.perf_counter() - t0, 1)
        out["peak_rss_mb_children"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
        out["landing_mb"] = round(sum(p.stat().st_size for p in Path(tmp, "landing").rglob("*") if p.is_file()) / 2**20, 1)
        out["warehouse_mb"] = round(Path(tmp, "warehouse.duckdb").stat().st_size / 2**20, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--packets", type=int, default=200_000)
    ap.add_argument("--skip-pipeline", action="store_true")
    ap.add_argument("--receiver-connections", type=int, default=500)
    args = ap.parse_args()
    report = {"when": datetime.now().isoformat(timespec="seconds"), "cpus": os.cpu_count(),
              "hj212_decode": bench_hj212(args.packets)}
    # The TCP receiver: 500 concurrent loopback device connections, faults on, zero loss required.
    from ingestion.receiver.bench import bench_receiver

    report["receiver"] = bench_receiver(connections=args.receiver_connections, packets=100_000)
    if not args.skip_pipeline:
        report["pipeline_default_world"] = bench_pipeline()
    out_dir = REPO_ROOT / "bench-results"
    out_dir.mkdir(exist_ok=True)
    path = out_dir / f"bench-{datetime.now():%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for section, figures in report.items():
        if isinstance(figures, dict):
            print(section)
            for k, v in figures.items():
                print(f"  {k:<28} {v}")
    print(f"report: {path}")


if __name__ == "__main__":
    main()
