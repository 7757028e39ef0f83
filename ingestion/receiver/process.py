"""Run the receiver as a child process (tests, benchmark, `zteco devices replay --spawn`)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from ingestion.common.home import REPO_ROOT


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class ReceiverProcess:
    """``python -m ingestion.receiver`` on ``home`` and ``port``; start, kill -9, stop cleanly."""

    def __init__(self, home: Path, port: int, host: str = "127.0.0.1", log: Path | None = None) -> None:
        self.home, self.port, self.host = Path(home), port, host
        self.log = log or self.home / "logs" / f"receiver-{port}.log"
        self.proc: subprocess.Popen | None = None
        self.peak_rss_kib = 0
        self.cpu_seconds = 0.0

    def start(self, timeout: float = 30.0) -> ReceiverProcess:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "ZTECO_HOME": str(self.home), "PYTHONUNBUFFERED": "1"}
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ingestion.receiver", "--host", self.host, "--port", str(self.port)],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"receiver exited with {self.proc.returncode}; see {self.log}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"receiver did not listen on {self.host}:{self.port} within {timeout}s; see {self.log}")

    def sample_rss(self) -> int:
        """Peak resident set (VmHWM, KiB) of the receiver so far; also records its CPU seconds."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_rss_kib = max(self.peak_rss_kib, int(line.split()[1]))
                fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
                self.cpu_seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except OSError:
                pass
        return self.peak_rss_kib

    def kill(self) -> None:
        """kill -9: no clean shutdown, files left as they were."""
        if self.proc is not None and self.proc.poll() is None:
            self.sample_rss()
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM: the receiver lands what is pending and closes its files."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.sample_rss()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode
