"""Receiver benchmark (issue 10): ``bench_receiver(connections=500, packets=100_000, home=...)``.

The devices replay a world's packets over ``connections`` concurrent connections to a receiver
child process with its own temporary data home (the registry is copied, or extended with test
devices when the world has fewer devices than connections). Returns::

    {"receiver_packets_per_s": distinct packets acknowledged per second of replay,
     "receiver_lost_packets": acknowledged packets missing from the landing log (must be 0),
     "receiver_peak_rss_mib": peak RSS (VmHWM) of the receiver process, ...}
"""

from __future__ import annotations

import csv
import math
import shutil
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from ingestion.common.home import Home
from ingestion.hj212.codec import Packet, parse_many
from ingestion.receiver import devices as dv
from ingestion.receiver.process import ReceiverProcess, free_port
from ingestion.receiver.store import REGISTRY_DIR
from ingestion.receiver.verify import verify
from ingestion.simulate.world import WORLD_START, WorldConfig

STATIONS_PER_SIZE = 11


def make_source_world(root: Path, devices: int, packets: int) -> Home:
    """A small air world (stations and days enough for ``devices`` × ``packets / devices``)."""
    from ingestion.monitoring import simulator

    size = max(1, math.ceil(devices / STATIONS_PER_SIZE))
    days = max(1, math.ceil(packets / devices / 24))
    cfg = WorldConfig(size=size, end=WORLD_START + timedelta(days=days))
    home = Home(root).ensure()
    landed, _, stations = simulator.land_air_packets(cfg, home)
    simulator.write_registry(home, stations)
    return home


def extend_devices(devs: list[dv.Device], n: int, registry: Path) -> list[dv.Device]:
    """Test devices beyond the world's: copies of world devices' outboxes under new MNs, registered."""
    out = list(devs)
    rows = []
    k = 0
    while len(out) < n:
        src = devs[k % len(devs)]
        k += 1
        mn = f"5306990099{k:014d}"
        pw = f"{100000 + k:06d}"
        segs = []
        for pkt, res in zip(src.packets, parse_many(src.packets), strict=True):
            assert isinstance(res, Packet)
            seg = pkt[6:-6].replace(f"MN={res.mn};".encode(), f"MN={mn};".encode(), 1)
            segs.append(seg.replace(f"PW={res.pw};".encode(), f"PW={pw};".encode(), 1))
        out.append(dv.Device(mn, 500_000 + k, dv._frame(segs), src.skew_seconds))
        rows.append((mn, pw))
    if rows:
        with registry.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["mn", "pw", "note"])
            w.writerows([(mn, pw, "benchmark test device") for mn, pw in rows])
    return out


def bench_receiver(connections: int = 500, packets: int = 100_000, home: str | Path | None = None,
                   faults: dv.Faults | None = None, keep: bool = False) -> dict:
    """Push ``packets`` packets over ``connections`` connections; see the module docstring."""
    work = Path(tempfile.mkdtemp(prefix="zteco-bench-receiver-"))
    try:
        source = Home(Path(home).resolve()) if home else make_source_world(work / "source", connections, packets)
        target = Home(work / "receiver").ensure()
        reg = target.landing / REGISTRY_DIR
        reg.mkdir(parents=True, exist_ok=True)
        for f in (source.landing / REGISTRY_DIR).glob("*.csv"):
            shutil.copy2(f, reg / f.name)
        per_device = math.ceil(packets / connections)
        devs = dv.outboxes(source, max_devices=connections, per_device=per_device, faults=faults)
        devs = extend_devices(devs, connections, reg / "bench_devices.csv")
        proc = ReceiverProcess(target.root, free_port()).start()
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.wait(0.2):
                proc.sample_rss()

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        cpu0 = time.process_time()
        try:
            report = dv.replay_sync(devs, proc.host, proc.port, faults or dv.Faults(), timeout=600)
        finally:
            devices_cpu = time.process_time() - cpu0
            sampling.set()
            sampler.join()
            proc.sample_rss()
            proc.stop()
        t0 = time.perf_counter()
        verdict = verify(target, dv.acked_packets(devs, report))
        return {
            "receiver_packets_per_s": round(report.acked / report.seconds, 1) if report.seconds else 0.0,
            "receiver_lost_packets": verdict.acked_missing,
            "receiver_peak_rss_mib": round(proc.peak_rss_kib / 1024, 1),
            "receiver_connections": len(devs),
            "receiver_packets": report.packets,
            "receiver_acked": report.acked,
            "receiver_unacked": report.packets - report.acked,
            "receiver_sends": report.sends,
            "receiver_seconds": round(report.seconds, 2),
            "receiver_cpu_seconds": round(proc.cpu_seconds, 2),       # receiver process, whole run
            "devices_cpu_seconds": round(devices_cpu, 2),             # the device simulator (this process)
            "receiver_verified": verdict.ok,
            "receiver_verify_seconds": round(time.perf_counter() - t0, 2),
            "measured_on": date.today().isoformat(),
        }
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
