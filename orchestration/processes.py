"""Process groups of the servers the platform starts (Dagster, Superset, simulators)."""

from __future__ import annotations

import os
import signal
import subprocess
import time


def stop_process_group(proc: subprocess.Popen | None, timeout: float = 30.0) -> None:
    """Stop a server started with ``start_new_session=True`` and every process of its group.

    SIGTERM to the group, SIGKILL if it lingers, then reap. Children (gRPC code servers,
    gunicorn workers) are in the same group, so none outlives its leader.
    """
    if proc is None:
        return
    pgid = proc.pid
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # the master is gone; make sure no worker of the group outlives it
        deadline = time.monotonic() + 5
        while _group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not _group_alive(pgid):
            break
    if proc.poll() is None:
        proc.wait(timeout=5)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
