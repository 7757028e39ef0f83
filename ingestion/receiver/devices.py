"""Device simulator: the world's stations and devices push their packets to the receiver over TCP.

Each device's outbox is what the world generator wrote for its MN into the landing folders of a
*source* home (``landing/monitoring/**/date=*/*.hj212``, receiver files excluded): the packets it
would have sent. Every device keeps one connection, sets Flag bit A (response wanted) and keeps a
window of unacknowledged packets; what was not acknowledged when a connection ends is resent after
reconnecting (HJ 212 "overtime/recount"). Faults, chosen per device and packet from the world's
random streams 700-709:

* bad CRC / wrong length field: a damaged copy goes out (the link corrupts it); it is never
  acknowledged, so the good packet is resent later;
* split packets (one packet over several writes) and coalesced packets (the window puts many
  packets in one write);
* garbage bytes between packets;
* reconnects in the middle of a stream (unacknowledged packets are resent: duplicates when the
  receiver had landed them but the ack was lost);
* clock skew: some devices' clocks run minutes off, so their QN (send time) is skewed;
* a rogue device with an MN nobody registered (its connection is closed after repeated failures).

The report records, per device, what was sent and which packets were acknowledged, so that a test
can prove that nothing acknowledged was lost.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from ingestion.common.home import Home
from ingestion.hj212.codec import FLAG_ACK, Packet, crc16_many, parse_many, split_frames
from ingestion.simulate.world import WorldConfig, rng

T = TypeVar("T")

ROGUE_MN = "53060000990000000000000000"
_QN_RE = re.compile(rb"QN=([0-9]{17});")
_FLAG_RE = re.compile(r";Flag=([0-9]+);")


@dataclass
class Device:
    mn: str
    index: int
    packets: list[bytes]             # good frames, Flag bit A set, in send order
    skew_seconds: int = 0
    rogue: bool = False


@dataclass
class Faults:
    bad_crc: float = 0.002
    bad_length: float = 0.001
    split: float = 0.03
    garbage: float = 0.002
    reconnect: float = 0.0005
    skewed_devices: float = 0.05
    window: int = 64                 # unacknowledged packets in flight per device
    ack_timeout: float = 5.0         # overtime: seconds without a response before a packet is resent
    max_connects: int = 200

    @classmethod
    def none(cls) -> Faults:
        return cls(bad_crc=0, bad_length=0, split=0, garbage=0, reconnect=0, skewed_devices=0)


@dataclass
class DeviceResult:
    mn: str
    packets: int
    acked: set[int] = field(default_factory=set)   # indices into Device.packets
    sends: int = 0                                 # frames written (resends and damaged copies included)
    damaged: int = 0
    garbage_bytes: int = 0
    connects: int = 0
    closed_by_receiver: int = 0


@dataclass
class ReplayReport:
    devices: list[DeviceResult]
    seconds: float

    @property
    def packets(self) -> int:
        return sum(d.packets for d in self.devices)

    @property
    def acked(self) -> int:
        return sum(len(d.acked) for d in self.devices)

    @property
    def sends(self) -> int:
        return sum(d.sends for d in self.devices)

    def summary(self) -> dict:
        return {"devices": len(self.devices), "packets": self.packets, "acked": self.acked, "sends": self.sends,
                "damaged": sum(d.damaged for d in self.devices),
                "garbage_bytes": sum(d.garbage_bytes for d in self.devices),
                "connects": sum(d.connects for d in self.devices), "seconds": round(self.seconds, 2)}


# -- outboxes ------------------------------------------------------------------------------------

def _frame(segments: list[bytes]) -> list[bytes]:
    crcs = crc16_many(segments)
    return [b"##%04d%s%04X\r\n" % (len(s), s, int(c)) for s, c in zip(segments, crcs, strict=True)]


def with_ack_flag(p: Packet, qn: str | None = None) -> bytes:
    """The packet again with Flag bit A set (and QN replaced when given), re-framed with its CRC."""
    seg = p.raw[6:-6] if p.raw.endswith("\r\n") else p.raw[6:-4]
    flag = (p.flag or 4) | FLAG_ACK
    if ";Flag=" in seg:
        seg = _FLAG_RE.sub(f";Flag={flag};", seg, count=1)
    else:
        seg = seg.replace(";CP=", f";Flag={flag};CP=", 1)
    if qn is not None:
        seg = seg.replace(f"QN={p.qn};", f"QN={qn};", 1)
    return seg.encode("utf-8")


def outboxes(source: Home, *, max_devices: int | None = None, per_device: int | None = None,
             cfg: WorldConfig | None = None, faults: Faults | None = None) -> list[Device]:
    """Each MN's packets from the source home's landing (world files, not receiver files), in
    DataTime order, as the device sends them (Flag bit A set; QN skewed for skewed devices).

    Devices are taken in MN order. With both limits given, the day folders are read in date order only
    until ``max_devices`` devices have ``per_device`` packets each (those devices are taken).
    """
    cfg = cfg or WorldConfig()
    faults = faults or Faults()
    by_mn: dict[str, list[Packet]] = {}
    seen: set[str] = set()
    root = source.landing / "monitoring"
    paths = [p for p in root.glob("**/date=*/*.hj212") if not p.name.startswith("recv-")]
    chosen: list[str] | None = None
    for path in sorted(paths, key=lambda p: (p.parent.name, str(p))):
        lines = [ln for ln in path.read_bytes().splitlines(keepends=True) if ln.strip()]
        for res in parse_many(lines):
            if isinstance(res, Packet) and res.raw not in seen:  # the world's own faults are left out
                seen.add(res.raw)
                by_mn.setdefault(res.mn, []).append(res)
        if max_devices is not None and per_device:
            full = sorted(m for m, v in by_mn.items() if len(v) >= per_device)
            if len(full) >= max_devices:
                chosen = full[:max_devices]
                break
    if chosen is None:
        chosen = sorted(by_mn)[:max_devices] if max_devices is not None else sorted(by_mn)
    devices = []
    for index, mn in enumerate(chosen):
        pkts = by_mn[mn][:per_device] if per_device else by_mn[mn]
        r = rng(cfg, 700, index)
        skew = int(r.integers(-900, 900)) if r.random() < faults.skewed_devices else 0
        segs = []
        for p in pkts:
            qn = None
            if skew:
                t = datetime.strptime(p.qn[:14], "%Y%m%d%H%M%S") + timedelta(seconds=skew)
                qn = t.strftime("%Y%m%d%H%M%S") + p.qn[14:]
            segs.append(with_ack_flag(p, qn))
        devices.append(Device(mn, index, _frame(segs), skew))
    return devices


def rogue_device(n: int = 5, index: int = 10**6) -> Device:
    """A device nobody registered (a contractor's test rig): its packets are rejected."""
    segs = [f"QN=2021030100{k:02d}00000;ST=22;CN=2061;PW=123456;MN={ROGUE_MN};Flag=5;"
            f"CP=&&DataTime=2021030100{k:02d}00;a34004-Avg=20.0,a34004-Flag=N&&".encode() for k in range(n)]
    return Device(ROGUE_MN, index, _frame(segs), rogue=True)


# -- one device ----------------------------------------------------------------------------------

class _Link:
    """One connection's state shared by the sender and the ack reader."""

    def __init__(self) -> None:
        self.inflight: OrderedDict[int, float] = OrderedDict()   # packet index → when it was sent
        self.wake = asyncio.Event()
        self.last_ack = time.monotonic()


async def _read_acks(reader: asyncio.StreamReader, link: _Link, qn_index: dict[bytes, list[int]],
                     res: DeviceResult) -> None:
    buf = b""
    while True:
        data = await reader.read(65536)
        if not data:
            link.wake.set()
            return
        frames, buf = split_frames(buf + data)
        for f in frames:
            m = _QN_RE.search(f)
            if m is None or b"CN=9014" not in f:
                continue
            for i in qn_index.get(m[1], ()):
                if link.inflight.pop(i, None) is not None:
                    res.acked.add(i)
            link.last_ack = time.monotonic()
        link.wake.set()


async def _run_device(dev: Device, host: str, port: int, faults: Faults, cfg: WorldConfig,
                      stop_at: float | None) -> DeviceResult:
    res = DeviceResult(dev.mn, len(dev.packets))
    r = rng(cfg, 701, dev.index)
    qn_index: dict[bytes, list[int]] = {}
    for i, pkt in enumerate(dev.packets):
        m = _QN_RE.search(pkt)
        qn_index.setdefault(m[1] if m else b"", []).append(i)
    todo = list(range(len(dev.packets)))[::-1]     # a stack: pop() gives the next packet
    attempts = refused = 0
    while todo and attempts < faults.max_connects:
        if stop_at is not None and time.monotonic() > stop_at:
            break
        attempts += 1
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            refused += 1
            await asyncio.sleep(min(2.0, 0.1 * refused))   # receiver down (restarting): try again, backing off
            continue
        refused = 0
        res.connects += 1
        link = _Link()
        acks = asyncio.create_task(_read_acks(reader, link, qn_index, res))
        try:
            await _send(dev, writer, link, acks, todo, res, r, faults, stop_at)
        except (ConnectionError, OSError):
            pass
        finally:
            if acks.done():
                res.closed_by_receiver += 1
            acks.cancel()
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass
        # What was not acknowledged on this connection is resent first on the next one.
        todo[:] = sorted((set(todo) | set(link.inflight)) - res.acked, reverse=True)
        if dev.rogue and res.connects >= 2:
            break
        if todo:
            await asyncio.sleep(0.05)
    return res


async def _send(dev: Device, writer: asyncio.StreamWriter, link: _Link, acks: asyncio.Task, todo: list[int],
                res: DeviceResult, r: np.random.Generator, faults: Faults, stop_at: float | None) -> None:
    """Send from ``todo`` over one connection until everything is acknowledged or the link is given up."""
    inflight = link.inflight
    while todo or inflight:
        if acks.done() or (stop_at is not None and time.monotonic() > stop_at):
            return  # closed by the receiver (or time is up)
        now = time.monotonic()
        if inflight and now - link.last_ack > 3 * faults.ack_timeout:
            return  # nothing acknowledged for long: reconnect
        if inflight and now - next(iter(inflight.values())) > faults.ack_timeout:
            # Overtime: resend the packets whose response did not come (on this connection).
            expired = [i for i, t in inflight.items() if now - t > faults.ack_timeout]
            for i in expired:
                del inflight[i]
            todo.extend(sorted(expired, reverse=True))
        if not todo or len(inflight) >= faults.window:
            link.wake.clear()
            try:
                await asyncio.wait_for(link.wake.wait(), timeout=min(0.5, faults.ack_timeout))
            except TimeoutError:
                pass
            continue
        # Coalesce: everything the window allows goes out in one write.
        chunks: list[bytes] = []
        reconnect = False
        while todo and len(inflight) < faults.window:
            i = todo.pop()
            if i in res.acked:
                continue
            pkt = dev.packets[i]
            u = r.random(4)
            if u[0] < faults.garbage:
                junk = b"\x00garbage\xff" + bytes(r.integers(32, 127, int(r.integers(3, 40))).astype(np.uint8))
                chunks.append(junk)
                res.garbage_bytes += len(junk)
            if u[1] < faults.bad_crc + faults.bad_length:
                chunks.append(_damage(pkt, u[1] < faults.bad_crc))
                res.damaged += 1
                res.sends += 1
                todo.append(i)          # no response will come: the device sends it again
                continue
            inflight[i] = time.monotonic()
            res.sends += 1
            if u[2] < faults.split:     # one packet over two writes
                cut = int(r.integers(1, len(pkt) - 1))
                chunks.append(pkt[:cut])
                writer.write(b"".join(chunks))
                await writer.drain()
                await asyncio.sleep(0)
                chunks = [pkt[cut:]]
            else:
                chunks.append(pkt)
            if u[3] < faults.reconnect:
                reconnect = True        # the link drops after this write
                break
        if chunks:
            writer.write(b"".join(chunks))
            await writer.drain()
        if reconnect:
            return


def _damage(pkt: bytes, crc: bool) -> bytes:
    if crc:  # one digit of the data segment changed, CRC kept
        pos = pkt.find(b"=", 40) + 1
        d = pkt[pos:pos + 1]
        return pkt[:pos] + (b"7" if d != b"7" else b"3") + pkt[pos + 1:]
    n = int(pkt[2:6])
    return b"##%04d" % (n + 3) + pkt[6:]


async def replay(devices: list[Device], host: str, port: int, faults: Faults | None = None,
                 cfg: WorldConfig | None = None, timeout: float | None = None) -> ReplayReport:
    """Run every device at once, each with its own connection; returns what was sent and acknowledged."""
    faults = faults or Faults()
    cfg = cfg or WorldConfig()
    t0 = time.monotonic()
    stop_at = t0 + timeout if timeout else None
    results = await asyncio.gather(*(_run_device(d, host, port, faults, cfg, stop_at) for d in devices))
    return ReplayReport(list(results), time.monotonic() - t0)


def run_blocking(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` from synchronous code, also when this thread already runs an event loop (a caller
    inside Jupyter, or Playwright's sync API in the same test session): then in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def replay_sync(devices: list[Device], host: str, port: int, faults: Faults | None = None,
                timeout: float | None = None) -> ReplayReport:
    return run_blocking(replay(devices, host, port, faults, timeout=timeout))


def acked_packets(devices: list[Device], report: ReplayReport) -> list[bytes]:
    """The good frames of every acknowledged packet."""
    by_mn = {d.mn: d for d in devices}
    return [by_mn[r.mn].packets[i] for r in report.devices for i in sorted(r.acked)]


def source_home(path: str | Path) -> Home:
    return Home(Path(path).resolve())
