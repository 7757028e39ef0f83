"""Timing a command and sampling the peak memory of its whole process tree (psutil if installed, else /proc).

The peak is the largest SUM of the resident set sizes of the process and all its descendants seen at
one sample (every 0.2 s), so short-lived children between samples can be missed; each process's own
kernel high-water mark (VmHWM) is recorded too and its maximum is a lower bound of the true peak.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

try:  # optional: not a dependency of the project
    import psutil  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the environment
    psutil = None

SAMPLE_EVERY_S = 0.2


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def _status_kib(pid: int, field_name: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pids(root: int) -> list[int]:
    if psutil is not None:
        try:
            p = psutil.Process(root)
            return [root, *(c.pid for c in p.children(recursive=True))]
        except psutil.Error:
            return []
    kids = _children_map()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def _name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return "?"
    words = [a.rsplit("/", 1)[-1] for a in argv[:3] if not a.startswith("-") or a == "-m"]
    return " ".join(words)[:60]


def tree_rss_kib(root: int) -> tuple[int, int, list[tuple[str, int]]]:
    """(sum of VmRSS over the tree, max VmHWM of any one process, [(process, VmRSS)] largest first), KiB."""
    total = hwm = 0
    each = []
    for pid in tree_pids(root):
        rss = _status_kib(pid, "VmRSS")
        total += rss
        hwm = max(hwm, _status_kib(pid, "VmHWM"))
        each.append((f"{pid} {_name(pid)}", rss))
    return total, hwm, sorted(each, key=lambda kv: -kv[1])


@dataclass
class TreeSampler:
    """Samples a process tree's RSS in a thread until stopped."""

    root: int
    peak_kib: int = 0
    peak_single_hwm_kib: int = 0
    samples: int = 0
    at_peak_mib: dict[str, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> None:
        total, hwm, each = tree_rss_kib(self.root)
        if total > self.peak_kib:  # who held the memory at the peak
            self.at_peak_mib = {name: round(kib / 1024) for name, kib in each[:6]}
        self.peak_kib = max(self.peak_kib, total)
        self.peak_single_hwm_kib = max(self.peak_single_hwm_kib, hwm)
        self.samples += 1

    def start(self) -> TreeSampler:
        def loop() -> None:
            while not self._stop.wait(SAMPLE_EVERY_S):
                self.sample()

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()


@dataclass
class Timed:
    args: list[str]
    wall_s: float
    returncode: int
    peak_rss_mib: float
    peak_single_process_hwm_mib: float
    samples: int
    log: Path
    at_peak_mib: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "command": " ".join(self.args),
            "wall_s": round(self.wall_s, 2),
            "returncode": self.returncode,
            "peak_rss_mib": round(self.peak_rss_mib, 1),
            "peak_single_process_hwm_mib": round(self.peak_single_process_hwm_mib, 1),
            "rss_samples": self.samples,
            "processes_at_peak_mib": self.at_peak_mib,
            "log": str(self.log),
        }


def run_timed(args: list[str], env: dict[str, str], log: Path, nice: int = 0, check: bool = True) -> Timed:
    """Run ``args`` (output to ``log``), timing its wall clock and sampling its tree's memory."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        out.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(args)}\n".encode())
        out.flush()
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            args,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=(lambda: os.nice(nice)) if nice else None,
        )
        sampler = TreeSampler(proc.pid).start()
        try:
            rc = proc.wait()
        finally:
            wall = time.perf_counter() - t0
            sampler.stop()
    timed = Timed(
        args,
        wall,
        rc,
        sampler.peak_kib / 1024,
        sampler.peak_single_hwm_kib / 1024,
        sampler.samples,
        log,
        sampler.at_peak_mib,
    )
    if check and rc != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-25:])
        raise RuntimeError(f"{' '.join(args)} exited {rc}; log {log}:\n{tail}")
    return timed
