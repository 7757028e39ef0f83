"""Long-running servers: the Dagster UI and daemon, and Superset, all on 127.0.0.1.

Each server runs in its own process group, so stopping it stops its children too (the Dagster
webserver starts a gRPC code server). Ctrl-C (SIGINT) or SIGTERM stops everything started here.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from ingestion.common.home import REPO_ROOT, Home
from orchestration.processes import stop_process_group


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def start_process(cmd: list[str], log: Path, env: dict | None = None) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    fh = log.open("ab")
    return subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=REPO_ROOT,
                            env=env or os.environ.copy(), start_new_session=True)


def wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server for {url} exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return time.perf_counter() - t0
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


def start_dagster(home: Home, port: int) -> list[subprocess.Popen]:
    web = start_process([_bin("dagster-webserver"), "-m", "orchestration.definitions", "-h", "127.0.0.1",
                         "-p", str(port)], home.logs / "dagster-webserver.log")
    daemon = start_process([_bin("dagster-daemon"), "run", "-m", "orchestration.definitions"],
                           home.logs / "dagster-daemon.log")
    return [web, daemon]


def serve(home: Home, dagster_port: int, superset_port: int, echo: Callable[[str], None] = print) -> int:
    from orchestration import superset

    procs: list[subprocess.Popen] = []
    stopping = False

    def _stop(signum, frame):  # noqa: ARG001
        nonlocal stopping
        stopping = True

    old = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        procs += start_dagster(home, dagster_port)
        superset.init_superset(home)
        superset.publish_dashboards(home)
        procs.append(superset.start_superset(home, port=superset_port))
        wait_http(f"http://127.0.0.1:{dagster_port}/server_info", 120, procs[0])
        echo("")
        echo(f"Dagster UI (runs, lineage, schedules, sensors):  http://127.0.0.1:{dagster_port}")
        echo(f"Superset dashboards:                             http://127.0.0.1:{superset_port}"
             "/superset/dashboard/air-quality/")
        echo(f"  login: admin / {superset.get_admin_password(home)}")
        echo(f"logs: {home.logs}   — Ctrl-C stops everything")
        while not stopping:
            for p in procs:
                if p.poll() is not None:
                    echo(f"a server exited unexpectedly ({' '.join(map(str, p.args[:3]))}, code {p.returncode}); "
                         f"see {home.logs}")
                    return 1
            time.sleep(0.5)
        echo("stopping…")
        return 0
    finally:
        for p in reversed(procs):
            stop_process_group(p)
        for s, h in old.items():
            signal.signal(s, h)
