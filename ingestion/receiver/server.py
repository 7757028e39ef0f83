"""The asyncio TCP server: many device connections, frames cut from the byte streams, group commit.

Each connection's bytes are cut into frames with :func:`ingestion.receiver.framing.cut_frames`
(packets split across reads, several in one read, garbage between them). Frames of all connections
go to one pending list; a committer task hands the list to :meth:`Store.commit` in a worker thread
(parse, authenticate, append, fsync, journal) while the event loop keeps reading, then writes the
9014 responses and closes connections that failed authentication too often. Nothing is acknowledged
before its batch is on disk.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from ingestion.common.home import Home
from ingestion.receiver.framing import cut_frames
from ingestion.receiver.store import Store

log = logging.getLogger("zteco.receiver")

DEFAULT_PORT = 9212
#: a stream that has produced no frame for this many bytes is cut and quarantined
MAX_BUFFER = 32 * 1024
#: most frames committed in one batch
MAX_BATCH = 8_000
#: the journal's per-batch files are merged (per arrival day) every this many batches, and at shutdown
COMPACT_EVERY = 1000
#: a connection stops being read while this many of its frames wait for a commit (back-pressure per device;
#: pausing everyone would also hide closed connections and pile up sockets)
MAX_PENDING_PER_CONNECTION = 512


def default_port() -> int:
    return int(os.environ.get("ZTECO_RECEIVER_PORT") or DEFAULT_PORT)


class DeviceConnection(asyncio.Protocol):
    """One device connection (also the store's ``Conn``: peer, mn, failures, closing)."""

    def __init__(self, server: Receiver) -> None:
        self.server = server
        self.buf = b""
        self.peer = "?"
        self.mn: str | None = None
        self.failures = 0
        self.closing = False
        self.transport: asyncio.Transport | None = None
        self.pending = 0
        self.paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if peer else "?"
        self.server.connections.add(self)

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.server.bytes_in += len(data)
        buf = self.buf + data if self.buf else data
        frames, self.buf = cut_frames(buf)
        if len(self.buf) > MAX_BUFFER:
            more, self.buf = cut_frames(self.buf, final=True)
            frames += more
        if frames:
            self.server.submit([(self, f, now) for f in frames])
            self.pending += len(frames)
            if self.pending >= MAX_PENDING_PER_CONNECTION and not self.paused and self.transport is not None:
                self.paused = True
                self.transport.pause_reading()

    def committed(self, n: int) -> None:
        self.pending -= n
        if self.paused and self.pending < MAX_PENDING_PER_CONNECTION // 2:
            self.paused = False
            if self.transport is not None and not self.transport.is_closing():
                self.transport.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.buf:  # bytes of an unfinished frame: quarantined, never lost silently
            frames, self.buf = cut_frames(self.buf, final=True)
            if frames:
                self.server.submit([(self, f, time.time()) for f in frames])
        self.server.connections.discard(self)


class Receiver:
    def __init__(self, home: Home, host: str = "127.0.0.1", port: int | None = None, *, fsync: bool = True,
                 linger: float = 0.002) -> None:
        self.home = home
        self.host = host
        self.port = default_port() if port is None else port
        self.linger = linger
        self.store = Store(home, fsync=fsync)
        self.connections: set[DeviceConnection] = set()
        self.pending: list[tuple[DeviceConnection, bytes, float]] = []
        self.bytes_in = 0
        self.totals = {"frames": 0, "landed": 0, "duplicates": 0, "quarantined": 0, "batches": 0,
                       "commit_seconds": 0.0, "fsync_seconds": 0.0, "fsyncs": 0}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="commit")
        self._wake: asyncio.Event | None = None
        self._server: asyncio.base_events.Server | None = None
        self._committer: asyncio.Task | None = None
        self._stopping = False

    def submit(self, frames: list) -> None:
        self.pending.extend(frames)
        if self._wake is not None:
            self._wake.set()

    async def _commit_loop(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._wake is not None
        while True:
            if not self.pending:
                if self._stopping:
                    return
                await self._wake.wait()
            self._wake.clear()
            if self.linger and not self._stopping:
                await asyncio.sleep(self.linger)
            batch, self.pending = self.pending[:MAX_BATCH], self.pending[MAX_BATCH:]
            if not batch:
                continue
            outcomes, stats = await loop.run_in_executor(self._executor, self.store.commit, batch)
            # On disk: only now answer the devices.
            replies: dict[DeviceConnection, list[bytes]] = {}
            counts: dict[DeviceConnection, int] = {}
            auth_failed: dict[DeviceConnection, str] = {}
            for (conn, _, _), o in zip(batch, outcomes, strict=True):
                counts[conn] = counts.get(conn, 0) + 1
                if o.response is not None:
                    replies.setdefault(conn, []).append(o.response)
                elif o.rule in ("unknown_mn", "bad_password"):
                    auth_failed[conn] = o.rule
            for conn, rule in auth_failed.items():
                log.warning("%s from %s: packet rejected (%d consecutive authentication failures)", rule, conn.peer,
                            conn.failures)
            for conn, n in counts.items():
                conn.committed(n)
            for conn, rs in replies.items():
                if conn.transport is not None and not conn.transport.is_closing():
                    conn.transport.write(b"".join(rs))
            for conn in {c for c, _, _ in batch if c.closing}:
                if conn.transport is not None and not conn.transport.is_closing():
                    log.warning("closing %s: %d consecutive authentication failures", conn.peer, conn.failures)
                    conn.transport.close()
            self.totals["frames"] += stats.frames
            self.totals["landed"] += stats.landed
            self.totals["duplicates"] += stats.duplicates
            self.totals["quarantined"] += stats.quarantined
            self.totals["batches"] += 1
            if self.totals["batches"] % COMPACT_EVERY == 0:
                await loop.run_in_executor(self._executor, self.store.compact)
            self.totals["commit_seconds"] += stats.seconds
            self.totals["fsync_seconds"] += stats.fsync_seconds
            self.totals["fsyncs"] += stats.fsyncs

    async def start(self) -> None:
        self._wake = asyncio.Event()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: DeviceConnection(self), self.host, self.port,
                                                reuse_address=True, backlog=1024)
        self.port = self._server.sockets[0].getsockname()[1]
        self._committer = asyncio.create_task(self._commit_loop())

    async def stop(self) -> None:
        """Stop accepting, close the connections, land what is pending, close the store cleanly."""
        if self._server is not None:
            self._server.close()
        for c in list(self.connections):
            if c.transport is not None:
                c.transport.close()
        await asyncio.sleep(0.1)  # connection_lost callbacks hand over the bytes of unfinished frames
        self._stopping = True
        if self._wake is not None:
            self._wake.set()
        if self._committer is not None:
            await self._committer
        self._executor.shutdown(wait=True)
        self.store.close()

    async def serve(self, stop: asyncio.Event, report_every: float = 1.0) -> None:
        await self.start()
        print(f"receiver listening on {self.host}:{self.port} home={self.home.root} "
              f"({len(self.store.registry.devices)} registered devices; recovered {self.store.recovered})",
              flush=True)
        for problem in self.store.registry.problems:
            log.warning("registry: %s", problem)
        last, last_frames = time.monotonic(), 0
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=report_every)
            except TimeoutError:
                pass
            if self._committer is not None and self._committer.done():
                # Fail-stop: a receiver that can no longer land packets must not keep accepting them.
                if self._server is not None:
                    self._server.close()
                self._committer.result()  # raises the commit error
            now = time.monotonic()
            f = self.totals["frames"]
            if f != last_frames and now - last >= 10:
                log.info("%d connections; %s; %.0f frames/s", len(self.connections), self.totals,
                         (f - last_frames) / (now - last))
                last, last_frames = now, f
        await self.stop()
        print(f"receiver stopped: { {k: round(v, 3) for k, v in self.totals.items()} }", flush=True)


def run(home: Home, host: str = "127.0.0.1", port: int | None = None, *, fsync: bool = True) -> None:
    """Run until SIGINT/SIGTERM; then land what is pending and stop cleanly."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await Receiver(home, host, port, fsync=fsync).serve(stop)

    asyncio.run(main())
